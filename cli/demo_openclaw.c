/* demo_openclaw: see demo_openclaw.h. */
#include "cli/demo_openclaw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

/* One script run on a loop of its own: its exit status, and a progress
 * line every 15 s so a first install's minutes are never a blank screen. */
struct script_run {
    uv_process_t proc;
    uv_timer_t progress;
    const char *what;
    uint64_t start_ms;
    int64_t status;
    bool done;
};

static void on_script_exit(uv_process_t *p, int64_t status, int term_signal)
{
    struct script_run *r = p->data;
    r->status = term_signal ? 128 + term_signal : status;
    r->done = true;
    uv_close((uv_handle_t *)p, NULL);
    uv_close((uv_handle_t *)&r->progress, NULL);
}

static void on_progress(uv_timer_t *t)
{
    struct script_run *r = t->data;
    fprintf(stderr, "cutover demo: %s: %llu s ...\n", r->what,
            (unsigned long long)((uv_now(t->loop) - r->start_ms) / 1000));
    fflush(stderr);
}

/* Runs argv to its end, its output appended to outpath. Returns its exit
 * status, or -1 when it could not start. */
static int run_script(char *argv[], const char *outpath, const char *what)
{
    int fd = open(outpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct script_run r = {.what = what, .status = -1};
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = fd},
        {.flags = UV_INHERIT_FD, .data.fd = fd},
    };
    uv_process_options_t opt = {.file = argv[0], .args = argv, .exit_cb = on_script_exit,
                                .stdio_count = 3, .stdio = stdio};
    r.proc.data = &r;
    int rc = uv_spawn(&loop, &r.proc, &opt);
    close(fd);
    if (rc != 0) {
        uv_close((uv_handle_t *)&r.proc, NULL);
    } else {
        uv_timer_init(&loop, &r.progress);
        r.progress.data = &r;
        r.start_ms = uv_now(&loop);
        uv_timer_start(&r.progress, on_progress, 15000, 15000);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return rc != 0 ? -1 : (int)r.status;
}

/* The script's last "openclaw.sh: ..." line in outpath: why it failed. */
static void last_word(const char *outpath, char *msg, size_t msglen)
{
    FILE *f = fopen(outpath, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "openclaw.sh: ", 13) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(msg, msglen, "%.380s", line + 13);
        }
    if (f)
        fclose(f);
}

static int install(const struct sandbox *sb, char *msg, size_t msglen)
{
    char out[700];
    snprintf(out, sizeof out, "%s/openclaw-install.out", sb->dir);
    char *argv[] = {"/bin/sh", (char *)sb->openclaw_script, "install", NULL};
    int rc = run_script(argv, out, "installing or checking node and OpenClaw");
    if (rc == 0)
        return 0;
    char why[400] = "see the install log";
    last_word(out, why, sizeof why);
    snprintf(msg, msglen, "cannot install OpenClaw: %s (exit %d; log %s)", why, rc, out);
    return -1;
}

/* OpenClaw's config for one color: its port, its model provider (the
 * color's sim) and the sandbox's token; no retries of a failed model, so a
 * drill's failures reach the client in seconds, not after 70 s of retries. */
static int configure(const struct sandbox *sb, enum color c, char *msg, size_t msglen)
{
    char out[700], dir[600], port[16], pport[16];
    snprintf(out, sizeof out, "%s/openclaw-config.out", sb->dir);
    sandbox_gateway_dir(sb, c, dir, sizeof dir);
    snprintf(port, sizeof port, "%d", sb->color_port[c]);
    snprintf(pport, sizeof pport, "%d", sb->ctl_port[c]);
    char *argv[] = {"/bin/sh", (char *)sb->openclaw_script, "config", dir, port, pport,
                    (char *)sb->gateway_token, "0", NULL};
    if (run_script(argv, out, "writing OpenClaw's config") == 0)
        return 0;
    snprintf(msg, msglen, "cannot write %s's OpenClaw config; see %s", color_name(c), out);
    return -1;
}

int demo_openclaw_prepare(const struct sandbox *sb, char *msg, size_t msglen)
{
    if (install(sb, msg, msglen) != 0)
        return -1;
    for (int c = 0; c < COLOR_COUNT; c++)
        if (configure(sb, (enum color)c, msg, msglen) != 0)
            return -1;
    return 0;
}

void demo_openclaw_argv(const struct sandbox *sb, enum color c, char *argv[6], char dir[600],
                        char port[16])
{
    sandbox_gateway_dir(sb, c, dir, 600);
    snprintf(port, 16, "%d", sb->color_port[c]);
    argv[0] = "/bin/sh";
    argv[1] = (char *)sb->openclaw_script;
    argv[2] = "run";
    argv[3] = dir;
    argv[4] = port;
    argv[5] = NULL;
}

bool demo_openclaw_ready(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static const char req[] = "GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    char buf[32] = "";
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1) &&
              read(fd, buf, sizeof buf - 1) >= 12;
    close(fd);
    return ok && strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 9, "200", 3) == 0;
}
