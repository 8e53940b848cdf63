/* config: one JSON file -> struct config, with the runbook's defaults.
 * config_parse() returns a struct the caller owns and frees with config_free();
 * every string and argv inside it belongs to that struct. Pure: no I/O. */
#ifndef CUTOVER_CORE_CONFIG_H
#define CUTOVER_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "core/color.h"

/* A program and its arguments, never a shell line. argv is NULL-terminated. */
struct config_argv {
    char **argv;
    int argc;
};

/* Several commands, each its own argv (e.g. the hooks run on a rollback). */
struct config_argv_list {
    int count;
    struct config_argv *items;
};

struct config_color {
    char *addr;                    /* "127.0.0.1:8787", "[::1]:8788" or "unix:/path" */
    struct config_argv stop;       /* empty (argc 0) when not configured */
    struct config_argv start;
    struct config_argv version;    /* prints the build's version (git SHA) on stdout */
    struct config_argv secret_files; /* a list of paths (not a command): preflight
                                        compares their SHA-256 across colors */
    char *log_file;                /* "": the gateway's own log, when known */
    char *pid_file;                /* "": the gateway's pid file (open-files check) */
    char *config_file;             /* "": the gateway's own config (JSON5), which
                                      preflight compares across colors */
};

/* HTTP headers sent with each probe. A value may name environment variables
 * as ${NAME}: they are expanded when the probe is sent, so no secret has to
 * sit in the file, and values are never logged or recorded. */
struct config_headers {
    int count;
    char **name;
    char **value;
};

struct config {
    struct {
        char *upstream_file;       /* the include file cutover owns */
        char *upstream_name;       /* "openclaw_gateway" */
        char *balance;             /* "least_conn", "ip_hash", "" for round robin */
        char *server_params;       /* "max_fails=3 fail_timeout=10s" */
        char *zone_size;           /* "64k": shared memory for the upstream zone */
        struct config_argv test;   /* ["nginx", "-t"] */
        struct config_argv reload; /* ["nginx", "-s", "reload"] */
        char *pid_file;            /* master's pid file, to confirm a reload */
        char *access_log;
        int reload_confirm_ms;     /* how long to wait for new workers */
    } nginx;
    struct config_color colors[COLOR_COUNT];
    struct {
        int step;                  /* 10: weight points per step, divides 100 */
        double ttft_halt_pct;      /* 8 */
        char *ttft_stat;           /* "median" (the runbook's) or "p95": what the TTFT halt compares */
        double excess_5xx_points;  /* 0.5 */
        int excess_5xx_for_s;      /* 180 */
        double concurrency_ratio;  /* 2: candidate's connections per weight over the stable's */
        int concurrency_for_s;     /* 30: that long over the ratio raises the alarm */
        int concurrency_min_connections;  /* 10: fewer candidate connections are not compared */
        int excess_min_requests;   /* 20: fewer candidate requests in the window are not
                                      judged by the sustained rule (1 of 1 reads as 100%) */
        int drain_idle_s;          /* 120 */
        int min_dwell_s;           /* 60 */
        int window_s;              /* 60 */
        int min_samples;           /* 40: fewest ok probes per color to judge TTFT (the
                                      verdict's, bench/README.md says why) */
        bool auto_rollback;        /* true: a 5xx excess rolls back; false: alarm only */
    } rollout;
    struct {
        double interval_s;         /* 10: one streaming chat per color this often (each is
                                      a billed model call on the real gateway) */
        double timeout_s;          /* 10: a probe slower than this is an error */
        double burst_rate;         /* 6: rounds a second while a step's TTFT is undecided */
        int burst_max;             /* 360: at most this many rounds for one decision */
        int burst_parallel;        /* 8: probes a color may have in flight in a burst (at
                                      6/s and ~1 s a probe, one at a time would be 1/s) */
        int down_after;            /* 2: a candidate whose latest probes failed this many
                                      times in a row is down */
        char *path;                /* "/v1/chat/completions" */
        char *body;                /* JSON text; "{color}" becomes blue/green, "{slot}" the
                                      probe's slot (0 at steady state, 0..burst_parallel-1
                                      in a burst) */
        struct config_headers headers;
    } probe;
    struct {
        int history_s;             /* 86400: per-second history kept for charts */
        char *sockets;             /* "auto", "procnet" (Linux) or "lsof" */
        int backfill_s;            /* 0: seconds of access log read at start */
    } signals;
    struct {
        char *watch_group;         /* "": only our user connects; else this group watches */
        double control_grace_s;    /* 30: a dropped controller's seat is kept this long */
        int snapshot_series_s;     /* 120: seconds of per-second series in each snapshot */
    } server;
    struct {
        struct config_argv_list on_rollback; /* run after a rollback; empty by default */
    } hooks;
    struct {
        int idle_timeout_s;        /* 300: nginx's proxy_read_timeout must equal it */
        struct config_argv debug_paths; /* a list of paths (not a command) that must
                                           answer 403/404: /debug /admin /_internal */
        int min_nofile;            /* 4096: the gateway's open-files limit floor */
        char *health_path;         /* "/healthz" */
        struct config_argv failure_patterns; /* a list (not a command): lines of a color's
                                           log_file that are a failed user request,
                                           "LEVEL:text" or "text" (core/gwlog.h) */
        char *ready_path;          /* "/readyz": asked first; a 404 falls back to
                                      health_path; "" asks health_path only */
    } gateway;
    struct {
        char *theme;               /* "": default (mono with NO_COLOR); a name or a .theme path */
    } ui;
    struct {
        int preroll_s;             /* 60: seconds of samples before the first move */
        int postroll_s;            /* 120: a cutover's file stays open this long after it ends */
        int keep_mb;               /* 256: timelines kept in state_dir/timelines, oldest removed */
    } timeline;
    struct {
        int every_s;               /* 10: one row per color this often */
        char *file;                /* "": no export file */
        char *format;              /* "csv" or "json" (JSON lines) */
        char *prometheus_listen;   /* "": off; "127.0.0.1:9464"; other addresses only if named */
        char *grafana_url;         /* "": off; "http://grafana:3000" */
        char *grafana_token_env;   /* "GRAFANA_TOKEN": the env var holding the API token */
        int grafana_timeout_ms;    /* 2000: an annotation never waits longer */
    } export;
    /* journal, lock, rollout state, backups. NULL unless the file sets it:
     * the default ($HOME/.local/state/cutover) depends on the environment,
     * so the CLI fills it in; core stays pure. */
    char *state_dir;
    int command_timeout_ms;        /* limit for every child process */
};

/* Parses JSON text. `source` names it in messages (a file path).
 * Returns 0, or -1 with a one-line message in err such as
 * "cutover.json:3: rollout.stepp: unknown key". */
int config_parse(const char *json, const char *source, struct config **out,
                 char *err, size_t errlen);
/* A config holding only defaults (what config_parse("{}") gives). */
struct config *config_new_defaults(void);
void config_free(struct config *cfg);

/* Renders a config as pretty JSON (for `cutover init`); caller frees. */
char *config_to_json(const struct config *cfg);
/* One section that is not per color (e.g. "rollout") as a new JSON object,
 * walked from the same key table: a timeline's header records the rules it
 * ran under without naming them. NULL for an unknown or per-color section,
 * or out of memory; caller deletes. */
struct cJSON;
struct cJSON *config_section_json(const struct config *cfg, const char *section);

#endif
