/* config_keys: the key tables, the storage helpers and the defaults behind
 * the config module (see config_keys.h). Adding a key means a field in
 * config.h, a row in its table here and, when it has one, its default. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "core/config_keys.h"
#include "core/gwlog.h"

#define NGX(f) offsetof(struct config, nginx.f)
#define RO(f) offsetof(struct config, rollout.f)
#define COL(f) offsetof(struct config_color, f)
#define PRB(f) offsetof(struct config, probe.f)
#define SIG(f) offsetof(struct config, signals.f)
#define SRV(f) offsetof(struct config, server.f)
#define HK(f) offsetof(struct config, hooks.f)
#define GW(f) offsetof(struct config, gateway.f)
#define UI(f) offsetof(struct config, ui.f)
#define TL(f) offsetof(struct config, timeline.f)
#define EX(f) offsetof(struct config, export.f)

static const struct config_key nginx_keys[] = {
    { "upstream_file", CONFIG_STR, NGX(upstream_file), 0, 0, true },
    { "upstream_name", CONFIG_STR, NGX(upstream_name), 0, 0, true },
    { "balance", CONFIG_STR, NGX(balance), 0, 0, false },
    { "server_params", CONFIG_STR, NGX(server_params), 0, 0, false },
    { "zone_size", CONFIG_STR, NGX(zone_size), 0, 0, false },
    { "test", CONFIG_ARGV, NGX(test), 0, 0, true },
    { "reload", CONFIG_ARGV, NGX(reload), 0, 0, true },
    { "pid_file", CONFIG_STR, NGX(pid_file), 0, 0, true },
    { "access_log", CONFIG_STR, NGX(access_log), 0, 0, true },
    { "reload_confirm_ms", CONFIG_INT, NGX(reload_confirm_ms), 1, 600000, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

/* Zero is allowed for the dwell and idle timers: the demo runs without them. */
static const struct config_key rollout_keys[] = {
    { "step", CONFIG_INT, RO(step), 1, 100, false },
    { "ttft_halt_pct", CONFIG_NUM, RO(ttft_halt_pct), 0, 10000, false },
    { "ttft_stat", CONFIG_STR, RO(ttft_stat), 0, 0, false },
    { "excess_5xx_points", CONFIG_NUM, RO(excess_5xx_points), 0, 100, false },
    { "excess_5xx_for_s", CONFIG_INT, RO(excess_5xx_for_s), 1, 86400, false },
    { "excess_min_requests", CONFIG_INT, RO(excess_min_requests), 1, 1000000, false },
    { "concurrency_ratio", CONFIG_NUM, RO(concurrency_ratio), 1, 1000, false },
    { "concurrency_for_s", CONFIG_INT, RO(concurrency_for_s), 0, 86400, false },
    { "concurrency_min_connections", CONFIG_INT, RO(concurrency_min_connections), 1, 1000000, false },
    { "drain_idle_s", CONFIG_INT, RO(drain_idle_s), 0, 86400, false },
    { "min_dwell_s", CONFIG_INT, RO(min_dwell_s), 0, 86400, false },
    { "window_s", CONFIG_INT, RO(window_s), 1, 3600, false },
    { "min_samples", CONFIG_INT, RO(min_samples), 1, 100000, false },
    { "auto_rollback", CONFIG_BOOL, RO(auto_rollback), 0, 0, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key probe_keys[] = {
    { "interval_s", CONFIG_NUM, PRB(interval_s), 0.1, 3600, false },
    { "timeout_s", CONFIG_NUM, PRB(timeout_s), 0.1, 3600, false },
    { "burst_rate", CONFIG_NUM, PRB(burst_rate), 0.1, 100, false },
    { "burst_max", CONFIG_INT, PRB(burst_max), 1, 100000, false },
    { "burst_parallel", CONFIG_INT, PRB(burst_parallel), 1, 16, false },
    { "down_after", CONFIG_INT, PRB(down_after), 1, 1000, false },
    { "path", CONFIG_STR, PRB(path), 0, 0, true },
    { "body", CONFIG_JSON, PRB(body), 0, 0, true },
    { "headers", CONFIG_HEADERS, PRB(headers), 0, 0, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key signals_keys[] = {
    { "history_s", CONFIG_INT, SIG(history_s), 60, 7 * 86400, false },
    { "sockets", CONFIG_STR, SIG(sockets), 0, 0, true },
    { "backfill_s", CONFIG_INT, SIG(backfill_s), 0, 86400, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key server_keys[] = {
    { "watch_group", CONFIG_STR, SRV(watch_group), 0, 0, false },
    { "control_grace_s", CONFIG_NUM, SRV(control_grace_s), 0, 86400, false },
    { "snapshot_series_s", CONFIG_INT, SRV(snapshot_series_s), 0, 3600, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key hooks_keys[] = {
    { "on_rollback", CONFIG_ARGV_LIST, HK(on_rollback), 0, 0, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key gateway_keys[] = {
    { "idle_timeout_s", CONFIG_INT, GW(idle_timeout_s), 1, 86400, false },
    { "debug_paths", CONFIG_LIST, GW(debug_paths), 0, 0, false },
    { "min_nofile", CONFIG_INT, GW(min_nofile), 1, 16777216, false },
    { "health_path", CONFIG_STR, GW(health_path), 0, 0, true },
    { "failure_patterns", CONFIG_LIST, GW(failure_patterns), 0, 0, false },
    { "ready_path", CONFIG_STR, GW(ready_path), 0, 0, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key ui_keys[] = {
    { "theme", CONFIG_STR, UI(theme), 0, 0, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key timeline_keys[] = {
    { "preroll_s", CONFIG_INT, TL(preroll_s), 0, 3600, false },
    { "postroll_s", CONFIG_INT, TL(postroll_s), 0, 86400, false },
    { "keep_mb", CONFIG_INT, TL(keep_mb), 1, 1048576, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key export_keys[] = {
    { "every_s", CONFIG_INT, EX(every_s), 1, 86400, false },
    { "file", CONFIG_STR, EX(file), 0, 0, false },
    { "format", CONFIG_STR, EX(format), 0, 0, false },
    { "prometheus_listen", CONFIG_STR, EX(prometheus_listen), 0, 0, false },
    { "grafana_url", CONFIG_STR, EX(grafana_url), 0, 0, false },
    { "grafana_token_env", CONFIG_STR, EX(grafana_token_env), 0, 0, false },
    { "grafana_timeout_ms", CONFIG_INT, EX(grafana_timeout_ms), 1, 60000, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

static const struct config_key color_keys[] = {
    { "addr", CONFIG_STR, COL(addr), 0, 0, true },
    { "stop", CONFIG_ARGV, COL(stop), 0, 0, false },
    { "start", CONFIG_ARGV, COL(start), 0, 0, false },
    { "version", CONFIG_ARGV, COL(version), 0, 0, false },
    { "secret_files", CONFIG_LIST, COL(secret_files), 0, 0, false },
    { "log_file", CONFIG_STR, COL(log_file), 0, 0, false },
    { "pid_file", CONFIG_STR, COL(pid_file), 0, 0, false },
    { "config_file", CONFIG_STR, COL(config_file), 0, 0, false },
    { NULL, CONFIG_STR, 0, 0, 0, false }
};

const struct config_section config_sections[] = {
    { "nginx", nginx_keys, false },
    { "colors", color_keys, true },
    { "rollout", rollout_keys, false },
    { "probe", probe_keys, false },
    { "signals", signals_keys, false },
    { "server", server_keys, false },
    { "hooks", hooks_keys, false },
    { "gateway", gateway_keys, false },
    { "ui", ui_keys, false },
    { "timeline", timeline_keys, false },
    { "export", export_keys, false },
    { NULL, NULL, false }
};

/* The sections again, then the two top-level scalars (config.c loads them). */
const char *const config_top_keys[] = {
    "nginx", "colors", "rollout", "probe", "signals", "server", "hooks", "gateway", "ui",
    "timeline", "export", "state_dir", "command_timeout_ms", NULL
};

/* ---- storage: what a struct config owns -------------------------------- */

char *config_dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void config_argv_clear(struct config_argv *a)
{
    if (a->argv != NULL)
        for (int i = 0; i < a->argc; i++)
            free(a->argv[i]);
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}

/* Builds an argv from a NULL-terminated list; returns -1 on out of memory. */
int config_argv_set(struct config_argv *a, const char *const *words, int n)
{
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (v == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        v[i] = config_dup_str(words[i]);
        if (v[i] == NULL) {
            struct config_argv tmp = { v, i };
            config_argv_clear(&tmp);
            return -1;
        }
    }
    config_argv_clear(a);
    a->argv = v;
    a->argc = n;
    return 0;
}

void config_argv_list_clear(struct config_argv_list *l)
{
    for (int i = 0; l->items != NULL && i < l->count; i++)
        config_argv_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void config_headers_clear(struct config_headers *h)
{
    for (int i = 0; i < h->count; i++) {
        free(h->name[i]);
        free(h->value[i]);
    }
    free(h->name);
    free(h->value);
    memset(h, 0, sizeof *h);
}

int config_set_str(char **slot, const char *value)
{
    char *d = config_dup_str(value);
    if (d == NULL)
        return -1;
    free(*slot);
    *slot = d;
    return 0;
}

/* ---- the runbook's defaults -------------------------------------------- */

int config_load_defaults(struct config *cfg)
{
    static const char *const test[] = { "nginx", "-t" };
    static const char *const reload[] = { "nginx", "-s", "reload" };
    static const char *const addr[COLOR_COUNT] = { "127.0.0.1:8787", "127.0.0.1:8788" };
    static const char *const debug[] = { "/debug", "/admin", "/_internal" };
    /* OpenClaw's one WARN per failed streamed run (core/gwlog.h). */
    static const char *const failure[] = { GWLOG_DEFAULT_PATTERN };
    int rc = 0;
    rc |= config_set_str(&cfg->nginx.upstream_file, "/etc/nginx/conf.d/cutover-upstream.conf");
    rc |= config_set_str(&cfg->nginx.upstream_name, "openclaw_gateway");
    rc |= config_set_str(&cfg->nginx.balance, "least_conn");
    rc |= config_set_str(&cfg->nginx.server_params, "max_fails=3 fail_timeout=10s");
    rc |= config_set_str(&cfg->nginx.zone_size, "64k");
    rc |= config_argv_set(&cfg->nginx.test, test, 2);
    rc |= config_argv_set(&cfg->nginx.reload, reload, 3);
    rc |= config_set_str(&cfg->nginx.pid_file, "/run/nginx.pid");
    rc |= config_set_str(&cfg->nginx.access_log, "/var/log/nginx/cutover-access.log");
    cfg->nginx.reload_confirm_ms = 5000;
    for (int c = 0; c < COLOR_COUNT; c++) {
        rc |= config_set_str(&cfg->colors[c].addr, addr[c]);
        rc |= config_argv_set(&cfg->colors[c].stop, NULL, 0);
        rc |= config_argv_set(&cfg->colors[c].start, NULL, 0);
        rc |= config_argv_set(&cfg->colors[c].version, NULL, 0);
        rc |= config_argv_set(&cfg->colors[c].secret_files, NULL, 0);
        rc |= config_set_str(&cfg->colors[c].log_file, "");
        rc |= config_set_str(&cfg->colors[c].pid_file, "");
        rc |= config_set_str(&cfg->colors[c].config_file, "");
    }
    cfg->rollout.step = 10;
    cfg->rollout.ttft_halt_pct = 8;
    rc |= config_set_str(&cfg->rollout.ttft_stat, "median");
    cfg->rollout.excess_5xx_points = 0.5;
    cfg->rollout.excess_5xx_for_s = 180;
    cfg->rollout.excess_min_requests = 20;
    cfg->rollout.concurrency_ratio = 2;
    cfg->rollout.concurrency_for_s = 30;
    cfg->rollout.concurrency_min_connections = 10;
    cfg->rollout.drain_idle_s = 120;
    cfg->rollout.min_dwell_s = 60;
    cfg->rollout.window_s = 60;
    cfg->rollout.min_samples = 40;
    cfg->rollout.auto_rollback = true;
    cfg->probe.interval_s = 10;
    cfg->probe.burst_rate = 6;
    cfg->probe.burst_max = 360;
    cfg->probe.burst_parallel = 8;
    cfg->probe.down_after = 2;
    cfg->probe.timeout_s = 10;
    rc |= config_set_str(&cfg->probe.path, "/v1/chat/completions");
    /* A fixed user per color and slot, so probes do not pile up sessions on
     * the gateway, and a burst's parallel probes are not queued behind one
     * another in one session. */
    rc |= config_set_str(&cfg->probe.body,
                  "{\"model\":\"openclaw\",\"stream\":true,\"user\":\"cutover-probe-{color}-{slot}\","
                  "\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Reply with: ok\"}]}");
    cfg->signals.history_s = 86400;
    rc |= config_set_str(&cfg->signals.sockets, "auto");
    cfg->signals.backfill_s = 0;
    rc |= config_set_str(&cfg->server.watch_group, "");
    cfg->server.control_grace_s = 30;
    cfg->server.snapshot_series_s = 120;
    /* hooks.on_rollback stays empty (calloc'd): nothing runs unless configured. */
    cfg->gateway.idle_timeout_s = 300;
    rc |= config_argv_set(&cfg->gateway.debug_paths, debug, 3);
    cfg->gateway.min_nofile = 4096;
    rc |= config_set_str(&cfg->gateway.health_path, "/healthz");
    rc |= config_argv_set(&cfg->gateway.failure_patterns, failure, 1);
    rc |= config_set_str(&cfg->gateway.ready_path, "/readyz");
    rc |= config_set_str(&cfg->ui.theme, "");
    cfg->timeline.preroll_s = 60;
    cfg->timeline.postroll_s = 120;
    cfg->timeline.keep_mb = 256;
    cfg->export.every_s = 10;
    rc |= config_set_str(&cfg->export.file, "");
    rc |= config_set_str(&cfg->export.format, "csv");
    rc |= config_set_str(&cfg->export.prometheus_listen, "");
    rc |= config_set_str(&cfg->export.grafana_url, "");
    rc |= config_set_str(&cfg->export.grafana_token_env, "GRAFANA_TOKEN");
    cfg->export.grafana_timeout_ms = 2000;
    cfg->state_dir = NULL;
    cfg->command_timeout_ms = 10000;
    return rc;
}
