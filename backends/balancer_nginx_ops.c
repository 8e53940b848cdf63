/* balancer_nginx_ops: nginx behind the balancer table. The weights live in
 * one include file holding only the upstream block (core/upstream renders
 * and parses it); applying them is balancer_nginx.c's write, nginx -t,
 * reload and confirm. */
#include "backends/balancer_nginx.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "backends/atomicfile.h"
#include "core/upstream.h"

void nginx_params_from_config(const struct config *cfg, struct nginx_params *p)
{
    p->upstream_file = cfg->nginx.upstream_file;
    p->test_argv = cfg->nginx.test.argv;
    p->reload_argv = cfg->nginx.reload.argv;
    p->pid_file = cfg->nginx.pid_file;
    p->reload_confirm_ms = cfg->nginx.reload_confirm_ms;
    p->command_timeout_ms = cfg->command_timeout_ms;
}

static int read_weights(const struct config *cfg, int weight[COLOR_COUNT], char *msg,
                        size_t msglen)
{
    char why[512];
    char *text = NULL;
    size_t len;
    if (atomicfile_read(cfg->nginx.upstream_file, &text, &len, why, sizeof why) != 0) {
        snprintf(msg, msglen, "cannot read the upstream file: %s", why);
        return -1;
    }
    const char *addr[COLOR_COUNT] = {cfg->colors[COLOR_BLUE].addr, cfg->colors[COLOR_GREEN].addr};
    int rc = upstream_parse(text, cfg->nginx.upstream_name, addr, weight, why, sizeof why);
    free(text);
    if (rc != 0) {
        snprintf(msg, msglen, "%s: %s", cfg->nginx.upstream_file, why);
        return -1;
    }
    return 0;
}

/* Every apply renames a new file into place, so its mtime is when the
 * weights nginx has were written. */
static double weights_since(const struct config *cfg)
{
    struct stat sb;
    if (stat(cfg->nginx.upstream_file, &sb) != 0)
        return 0;
    return (double)sb.st_mtime;
}

static char *render(const struct config *cfg, const int weight[COLOR_COUNT], char *msg,
                    size_t msglen)
{
    struct upstream_spec spec = {
        .name = cfg->nginx.upstream_name,
        .balance = cfg->nginx.balance,
        .server_params = cfg->nginx.server_params,
        .zone_size = cfg->nginx.zone_size,
        .addr = {cfg->colors[COLOR_BLUE].addr, cfg->colors[COLOR_GREEN].addr},
        .weight = {weight[COLOR_BLUE], weight[COLOR_GREEN]},
    };
    char why[256];
    char *text = upstream_render(&spec, why, sizeof why);
    if (!text)
        snprintf(msg, msglen, "cannot render the upstream block: %s", why);
    return text;
}

static int apply(uv_loop_t *loop, const struct config *cfg, const char *text,
                 balancer_done_cb cb, void *data, char *msg, size_t msglen)
{
    struct nginx_params p;
    nginx_params_from_config(cfg, &p);
    return nginx_apply(loop, &p, text, cb, data, msg, msglen);
}

static int reload(uv_loop_t *loop, const struct config *cfg, balancer_done_cb cb, void *data,
                  char *msg, size_t msglen)
{
    struct nginx_params p;
    nginx_params_from_config(cfg, &p);
    return nginx_reload_current(loop, &p, cb, data, msg, msglen);
}

static const char *access_log(const struct config *cfg)
{
    return cfg->nginx.access_log;
}

/* nginx's `combined`, then key=value fields core/logparse reads. */
#define NGINX_LOG_FORMAT                                                                        \
    "log_format cutover '$remote_addr - $remote_user [$time_local] \"$request\" $status "      \
    "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time "                \
    "uct=\"$upstream_connect_time\" uht=\"$upstream_header_time\" "                            \
    "urt=\"$upstream_response_time\" ua=\"$upstream_addr\" us=\"$upstream_status\" "           \
    "rid=$request_id msec=$msec';"

const struct balancer_ops balancer_nginx_ops = {
    .name = "nginx",
    .log_format = NGINX_LOG_FORMAT,
    .rejected_text = "nginx rejected the new upstream file; the previous file is restored and "
                     "traffic is unchanged",
    .kept_note = "the new file passed nginx -t and stays in place",
    .read_weights = read_weights,
    .weights_since = weights_since,
    .render = render,
    .apply = apply,
    .reload = reload,
    .workers_left = nginx_workers_still_running,
    .access_log = access_log,
};
