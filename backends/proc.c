/* proc: one-shot commands per color, over spawn_run. The messages quote the
 * child's first line of output, which is usually the line that says why. */
#include "backends/proc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "backends/spawn.h"

/* Copies the first non-empty line of text, trimmed, into out. */
static void first_line(const char *text, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    const char *p = text;
    while (*p != '\0' && isspace((unsigned char)*p))
        p++;
    size_t n = strcspn(p, "\r\n");
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static bool argv_empty(char *const argv[])
{
    return argv == NULL || argv[0] == NULL;
}

/* "<what>: exit 3: <first line of stderr, else stdout>" */
static void describe_failure(const char *what, const struct spawn_result *r,
                             char *msg, size_t msglen)
{
    char how[320], line[512];
    spawn_describe(r, how, sizeof how);
    first_line(r->err_len > 0 ? r->err : r->out, line, sizeof line);
    if (line[0] != '\0')
        snprintf(msg, msglen, "%s: %s: %s", what, how, line);
    else
        snprintf(msg, msglen, "%s: %s", what, how);
}

int proc_run(uv_loop_t *loop, const char *what, char *const argv[], int timeout_ms,
             char *msg, size_t msglen)
{
    if (argv_empty(argv))
        return 1;
    struct spawn_result r;
    spawn_run(loop, argv, NULL, timeout_ms, &r);
    int rc = 0;
    if (!spawn_succeeded(&r)) {
        describe_failure(what, &r, msg, msglen);
        rc = -1;
    }
    spawn_result_clear(&r);
    return rc;
}

int proc_version(uv_loop_t *loop, char *const argv[], int timeout_ms,
                 char *out, size_t outlen, char *msg, size_t msglen)
{
    if (outlen > 0)
        out[0] = '\0';
    if (argv_empty(argv))
        return 1;
    struct spawn_result r;
    spawn_run(loop, argv, NULL, timeout_ms, &r);
    int rc = 0;
    if (spawn_succeeded(&r)) {
        first_line(r.out, out, outlen);
    } else {
        describe_failure("version", &r, msg, msglen);
        rc = -1;
    }
    spawn_result_clear(&r);
    return rc;
}
