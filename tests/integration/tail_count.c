/* tail_count PATH READY_FILE: follows PATH with the accesslog tailer (from its
 * end) and counts lines until SIGTERM, then reads what is left, prints
 * "lines=N rotations=N truncations=N too_long=N partial_dropped=N" and exits.
 * READY_FILE is created once the tailer is watching, so a test knows when
 * its writes start to count. Used by test_tail_rotation.sh. */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <uv.h>

#include "backends/accesslog.h"

struct counter {
    struct accesslog *al;
    uv_signal_t term;
    uint64_t lines;
};

static void on_line(const char *line, size_t len, void *data)
{
    struct counter *c = data;
    c->lines++;
}

static void on_term(uv_signal_t *s, int signum)
{
    struct counter *c = s->data;
    accesslog_poll(c->al);      /* lines written just before the signal */
    struct accesslog_counters k;
    accesslog_get_counters(c->al, &k);
    printf("lines=%" PRIu64 " rotations=%" PRIu64 " truncations=%" PRIu64
           " too_long=%" PRIu64 " partial_dropped=%" PRIu64 " state=%s\n",
           c->lines, k.rotations, k.truncations, k.too_long, k.partial_dropped,
           accesslog_state_name(accesslog_state(c->al)));
    accesslog_stop(c->al);
    uv_close((uv_handle_t *)s, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tail_count PATH READY_FILE\n");
        return 2;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct counter c = {0};
    struct accesslog_options o = {.path = argv[1], .on_line = on_line, .data = &c};
    char msg[256];
    if (accesslog_start(&loop, &o, &c.al, msg, sizeof msg) != 0) {
        fprintf(stderr, "tail_count: %s\n", msg);
        return 1;
    }
    uv_signal_init(&loop, &c.term);
    c.term.data = &c;
    uv_signal_start(&c.term, on_term, SIGTERM);
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0)
        close(fd);
    uv_run(&loop, UV_RUN_DEFAULT);
    int rc = uv_loop_close(&loop);
    if (rc != 0)
        fprintf(stderr, "tail_count: loop not empty at exit: %s\n", uv_strerror(rc));
    return rc != 0;
}
