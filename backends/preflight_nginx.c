/* preflight_nginx: runs `nginx -T` the way cutover runs `nginx -t` and judges
 * what nginx really loaded (core/nginxconf): our upstream file is the one
 * defining the upstream, and every location proxying to it streams. */
#include "backends/preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/spawn.h"
#include "core/nginxconf.h"

#define SPAWN_OUT_CAP (64 * 1024)   /* spawn's capture limit per stream */

/* nginx.test's argv with "-t" turned into "-T" (appended when absent): same
 * binary, -p, -c and -e, so it reads the config cutover's test reads. */
static char **dump_argv(const struct config_argv *test)
{
    char **argv = calloc((size_t)test->argc + 2, sizeof *argv);
    if (!argv)
        return NULL;
    bool replaced = false;
    for (int i = 0; i < test->argc; i++) {
        argv[i] = test->argv[i];
        if (i > 0 && !replaced && strcmp(argv[i], "-t") == 0) {
            argv[i] = "-T";
            replaced = true;
        }
    }
    if (!replaced)
        argv[test->argc] = "-T";
    return argv;
}

/* The same file when the paths are equal or name one inode (a symlinked
 * /etc/nginx, a relative path in the config). */
static bool same_file(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev
           && sa.st_ino == sb.st_ino;
}

static void first_line(const char *text, char *buf, size_t len)
{
    size_t n = strcspn(text ? text : "", "\n");
    snprintf(buf, len, "%.*s", (int)n, text ? text : "");
}

static void check_include(const struct config *cfg, const struct nginxconf *nc,
                          struct preflight_report *r)
{
    const char *want = cfg->nginx.upstream_file, *name = cfg->nginx.upstream_name;
    if (!nc->upstream_file)
        preflight_add(r, "nginx.include", PREFLIGHT_FAIL,
                      "nginx loads no upstream %s: include %s in the http block", name, want);
    else if (!same_file(nc->upstream_file, want))
        preflight_add(r, "nginx.include", PREFLIGHT_FAIL,
                      "upstream %s comes from %s:%d, not from the managed file %s", name,
                      nc->upstream_file, nc->upstream_line, want);
    else
        preflight_add(r, "nginx.include", PREFLIGHT_OK, "upstream %s comes from %s", name, want);
}

/* Both location checks: one verdict over every location proxying to us. */
static void check_locations(const struct config *cfg, const struct nginxconf *nc,
                            struct preflight_report *r)
{
    if (nc->location_total == 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "no location has proxy_pass http://%s",
                 cfg->nginx.upstream_name);
        preflight_add(r, "nginx.streaming", PREFLIGHT_FAIL, "%s", msg);
        preflight_add(r, "nginx.xff", PREFLIGHT_FAIL, "%s", msg);
        return;
    }
    char stream_bad[480] = "", xff_bad[480] = "";
    for (int i = 0; i < nc->location_count; i++) {
        const struct nginxconf_location *l = &nc->locations[i];
        char why[400];
        size_t used;
        if (nginxconf_judge_streaming(l, cfg->gateway.idle_timeout_s, why, sizeof why) > 0) {
            used = strlen(stream_bad);
            snprintf(stream_bad + used, sizeof stream_bad - used, "%slocation %s (%s): %s",
                     used ? "; " : "", l->match, l->where, why);
        }
        if (nginxconf_judge_xff(l, why, sizeof why) > 0) {
            used = strlen(xff_bad);
            snprintf(xff_bad + used, sizeof xff_bad - used, "%slocation %s (%s): %s",
                     used ? "; " : "", l->match, l->where, why);
        }
    }
    const char *first = nc->locations[0].where;
    if (stream_bad[0])
        preflight_add(r, "nginx.streaming", PREFLIGHT_FAIL, "%s", stream_bad);
    else
        preflight_add(r, "nginx.streaming", PREFLIGHT_OK,
                      "%d location(s) from %s: proxy_buffering off, HTTP/1.1, "
                      "proxy_read_timeout %ds", nc->location_total, first,
                      cfg->gateway.idle_timeout_s);
    if (xff_bad[0])
        preflight_add(r, "nginx.xff", PREFLIGHT_FAIL, "%s", xff_bad);
    else
        preflight_add(r, "nginx.xff", PREFLIGHT_OK, "X-Forwarded-For is $remote_addr");
}

/* nginx -T itself failed: one failure, the checks that need its output skip. */
static void fail_all(struct preflight_report *r, const char *why)
{
    preflight_add(r, "nginx.include", PREFLIGHT_FAIL, "nginx -T: %s", why);
    preflight_add(r, "nginx.streaming", PREFLIGHT_SKIPPED, "no nginx -T output to read");
    preflight_add(r, "nginx.xff", PREFLIGHT_SKIPPED, "no nginx -T output to read");
}

int preflight_nginx_read(uv_loop_t *loop, const struct config *cfg, struct nginxconf **nc,
                         char *why, size_t whylen)
{
    *nc = NULL;
    if (cfg->nginx.test.argc == 0) {
        snprintf(why, whylen, "nginx.test is empty");
        return -1;
    }
    char **argv = dump_argv(&cfg->nginx.test);
    if (!argv) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    struct spawn_result res;
    spawn_run(loop, argv, NULL, cfg->command_timeout_ms, &res);
    free(argv);
    char how[200], line[200], err[300];
    spawn_describe(&res, how, sizeof how);
    first_line(res.err, line, sizeof line);
    int rc = -1;
    if (!spawn_succeeded(&res))
        snprintf(why, whylen, "%s: %s", how, line);
    else if (res.out_len >= SPAWN_OUT_CAP - 1)
        /* A cut dump could hide the location that matters: refuse to judge. */
        snprintf(why, whylen, "the dump is larger than 64 KiB (spawn's capture limit)");
    else if (nginxconf_parse(res.out, cfg->nginx.upstream_name, nc, err, sizeof err) != 0)
        snprintf(why, whylen, "cannot read its output: %s", err);
    else
        rc = 0;
    spawn_result_clear(&res);
    return rc;
}

void preflight_nginx(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r)
{
    struct nginxconf *nc = NULL;
    char why[420];
    if (preflight_nginx_read(loop, cfg, &nc, why, sizeof why) != 0) {
        fail_all(r, why);
        return;
    }
    check_include(cfg, nc, r);
    check_locations(cfg, nc, r);
    nginxconf_free(nc);
}
