/* preflight_nofile: each color's process must be allowed gateway.min_nofile
 * open files (the runbook: a green that doubles concurrency hits ulimit -n).
 * The process comes from colors.<c>.pid_file, else from `lsof -t` on the
 * color's port; reading its limit is per platform (preflight_nofile_*.c). */
#include "backends/preflight.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/spawn.h"
#include "core/color.h"

#define MAX_PIDS 8

static int read_pid_file(const char *path, long *pid, char *why, size_t len)
{
    FILE *f = fopen(path, "re"); /* close-on-exec: the server may be spawning children */
    if (!f) {
        snprintf(why, len, "cannot read pid file %s: %s", path, strerror(errno));
        return -1;
    }
    int n = fscanf(f, "%ld", pid);
    fclose(f);
    if (n != 1 || *pid <= 0) {
        snprintf(why, len, "pid file %s holds no pid", path);
        return -1;
    }
    return 0;
}

/* The pids listening on port, by lsof. Returns how many, 0 with why when
 * none, -1 with why when lsof could not tell. */
static int pids_on_port(uv_loop_t *loop, int port, int timeout_ms, long *pids, int max,
                        char *why, size_t len)
{
    char spec[32];
    snprintf(spec, sizeof spec, "-iTCP:%d", port);
    char *argv[] = {"lsof", "-nP", "-w", spec, "-sTCP:LISTEN", "-t", NULL};
    struct spawn_result res;
    spawn_run(loop, argv, NULL, timeout_ms, &res);
    int n = 0;
    if (!res.started) {
        snprintf(why, len, "lsof: %s", res.error);
        n = -1;
    } else {
        for (char *p = res.out; p && *p && n < max;) {
            char *end;
            long pid = strtol(p, &end, 10);
            if (end == p)
                break;
            if (pid > 0)
                pids[n++] = pid;
            p = end + strspn(end, "\n");
        }
        if (n == 0)
            snprintf(why, len, "lsof finds no process listening on port %d", port);
    }
    spawn_result_clear(&res);
    return n;
}

static void check_color(uv_loop_t *loop, const struct config *cfg, enum color c,
                        struct preflight_report *r)
{
    char name[32], why[300];
    snprintf(name, sizeof name, "nofile.%s", color_name(c));
    const struct config_color *col = &cfg->colors[c];
    long pids[MAX_PIDS];
    int n;
    if (col->pid_file && col->pid_file[0]) {
        n = read_pid_file(col->pid_file, &pids[0], why, sizeof why) == 0 ? 1 : 0;
    } else {
        int port = preflight_addr_port(col->addr);
        if (port < 0) {
            preflight_add(r, name, PREFLIGHT_SKIPPED,
                          "%s is not a TCP port: set colors.%s.pid_file", col->addr, color_name(c));
            return;
        }
        n = pids_on_port(loop, port, cfg->command_timeout_ms, pids, MAX_PIDS, why, sizeof why);
        if (n < 0) {
            preflight_add(r, name, PREFLIGHT_SKIPPED, "%s (set colors.%s.pid_file)", why,
                          color_name(c));
            return;
        }
    }
    if (n == 0) {
        preflight_add(r, name, PREFLIGHT_FAIL, "%s", why);
        return;
    }
    /* A forked gateway lists several pids: the lowest limit is the one that bites. */
    long worst_pid = 0;
    long long worst = -1;
    for (int i = 0; i < n; i++) {
        long long soft;
        int rc = preflight_nofile_limit(pids[i], &soft, why, sizeof why);
        if (rc == 1) {
            preflight_add(r, name, PREFLIGHT_SKIPPED, "%s", why);
            return;
        }
        if (rc < 0) {
            preflight_add(r, name, PREFLIGHT_FAIL, "%s", why);
            return;
        }
        if (soft >= 0 && (worst < 0 || soft < worst)) {
            worst = soft;
            worst_pid = pids[i];
        }
    }
    if (worst < 0)
        preflight_add(r, name, PREFLIGHT_OK, "pid %ld may open unlimited files", pids[0]);
    else if (worst < cfg->gateway.min_nofile)
        preflight_add(r, name, PREFLIGHT_FAIL,
                      "pid %ld may open %lld files (soft limit) but gateway.min_nofile is %d",
                      worst_pid, worst, cfg->gateway.min_nofile);
    else
        preflight_add(r, name, PREFLIGHT_OK, "pid %ld may open %lld files (>= %d)", worst_pid,
                      worst, cfg->gateway.min_nofile);
}

void preflight_nofile(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r)
{
    for (int c = 0; c < COLOR_COUNT; c++)
        check_color(loop, cfg, (enum color)c, r);
}
