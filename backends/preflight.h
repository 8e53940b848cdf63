/* preflight: the runbook's checks before traffic moves (`cutover check`, and
 * before the first step of a cutover). Each check ends ok, warn, fail or
 * skipped with a one-line reason; warn never blocks. A check says which
 * file, color, port or number is wrong and never prints a secret: secret
 * files are compared by SHA-256 and only their paths are named.
 *
 * Unlike the other backends, preflight reads the whole config: it is the
 * one place that judges the config against the world. It is blocking: each
 * family turns the loop it is given until its children, probes and
 * listeners are done, and plain HTTP checks use libcurl's easy interface.
 * So call it from a one-shot command, or from a thread with a loop of its
 * own, never from inside a callback of a running loop. The report is a
 * plain value the caller owns. Linking needs libcore.a (nginxconf, sha256,
 * sse), $(LIBUV_LIBS), $(CURL_LIBS) and $(CJSON_LIBS). */
#ifndef CUTOVER_BACKENDS_PREFLIGHT_H
#define CUTOVER_BACKENDS_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "core/config.h"

enum preflight_status {
    PREFLIGHT_OK = 0,
    PREFLIGHT_WARN,       /* worth knowing, does not block */
    PREFLIGHT_FAIL,       /* blocks a cutover unless overridden */
    PREFLIGHT_SKIPPED     /* nothing to check here (reason says why) */
};

#define PREFLIGHT_MAX_CHECKS 24

struct preflight_check {
    char name[32];        /* "loopback.blue", "nginx.streaming", "secrets", ... */
    enum preflight_status status;
    char detail[512];
};

struct preflight_report {
    int count;
    struct preflight_check checks[PREFLIGHT_MAX_CHECKS];
};

/* Runs every family below, in that order, into r (emptied first). */
void preflight_run(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r);
/* true when no check failed (warnings and skips pass). */
bool preflight_passed(const struct preflight_report *r);
/* The failed checks as one line, "name: detail; name: detail", for refusals
 * and the journal; "" when none failed. */
void preflight_failures(const struct preflight_report *r, char *buf, size_t len);

/* "ok", "warn", "fail", "skipped". */
const char *preflight_status_name(enum preflight_status s);

/* The families; each appends its checks to r. They may be run alone: the
 * loopback check also runs after every shift, as the runbook asks. */

/* loopback.<color>: every listener on the color's port is on loopback;
 * "green listens on 0.0.0.0:8788: must be loopback only". */
void preflight_loopback(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r);
/* health.<color>: the gateway is ready (GET gateway.ready_path, /readyz,
 * answers 200; a 404 there, or an HTML page, falls back to
 * gateway.health_path answering 2xx), and one streaming chat probe
 * (probe.*) gets its first content. A gateway still starting (/readyz 503
 * with startup-sidecars pending) warns "starting, N s". */
void preflight_health(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r);
/* nginx.include, nginx.streaming, nginx.xff from `nginx -T`: nginx.test's
 * argv with its "-t" turned into "-T" ("-T" appended when there is none), so
 * the same binary, prefix and config file are read. */
void preflight_nginx(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r);
/* secrets: colors.<c>.secret_files compared pairwise by position. */
void preflight_secrets(const struct config *cfg, struct preflight_report *r);
/* log_files: colors.<c>.log_file are separate files (after realpath); the
 * same file for both colors fails. */
void preflight_logs(const struct config *cfg, struct preflight_report *r);
/* debug_routes: each gateway.debug_paths answers 403 or 404 on both colors;
 * control_ui: no admin surface answers every path (a random path answering
 * 200 text/html is a catch-all UI, OpenClaw's Control UI; its answers on the
 * debug paths are then its pages, not debug routes, and this row names it
 * and how to close it: it fails, or warns when nginx -T shows that nginx
 * proxies only /v1/ to the gateway, so the UI is reachable on loopback only). */
void preflight_debug_routes(uv_loop_t *loop, const struct config *cfg,
                            struct preflight_report *r);
/* gateway.config, gateway.secrets, gateway.limits: the colors' own gateway
 * configs (colors.<c>.config_file, JSON5) compared key by key, beyond the
 * keys each instance has its own of; secret values only as "differs"; rate
 * limits in them against nginx's limit_req zones (nginx -T). */
void preflight_gateway_config(uv_loop_t *loop, const struct config *cfg,
                              struct preflight_report *r);
/* ports: the colors' ports are at least PREFLIGHT_PORT_GAP apart (warn). */
void preflight_ports(const struct config *cfg, struct preflight_report *r);
/* nofile.<color>: the soft RLIMIT_NOFILE of the color's process (from
 * colors.<c>.pid_file, else `lsof -t` on its port) is >= gateway.min_nofile. */
void preflight_nofile(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r);

/* OpenClaw's rule for instances on one host: each reaches base + 110 (its
 * browser control port is base + 2, whose CDP range runs to base + 110),
 * so base ports at least 120 apart (docs/gateway/multiple-gateways.md). */
#define PREFLIGHT_PORT_GAP 120

/* --- For the implementations (backends/preflight_*.c) only. --- */

/* Appends a check (dropped when the report is full). */
void preflight_add(struct preflight_report *r, const char *name, enum preflight_status status,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "127.0.0.1:8787" / "[::1]:8788" -> 8787 / 8788; "unix:/path" or no port -> -1. */
int preflight_addr_port(const char *addr);
/* GET http://ADDR PATH (ADDR may be "unix:/path"); returns the HTTP status,
 * or -1 with msg when no answer came. timeout_s <= 0 means 10 s. */
int preflight_http_get(const char *addr, const char *path, double timeout_s, char *msg,
                       size_t msglen);
/* The same, keeping what the answer was: its content type and the start of
 * its body. */
struct preflight_http {
    int status;               /* -1: no answer (msg says why) */
    char content_type[96];
    char body[2048];          /* the body's start, NUL-terminated */
};
int preflight_http_fetch(const char *addr, const char *path, double timeout_s,
                         struct preflight_http *res, char *msg, size_t msglen);
/* The answer is an HTML page (text/html). */
bool preflight_http_is_html(const struct preflight_http *res);
/* The readiness part of health.<color>: OK (ready, or live where there is no
 * readiness endpoint), WARN (starting) or FAIL, with text saying what was
 * asked and answered. */
enum preflight_status preflight_ready_state(const struct config *cfg, int color, char *text,
                                            size_t len);
/* nginx -T, read: 0 with *nc (the caller frees it), or -1 with why. */
struct nginxconf;
int preflight_nginx_read(uv_loop_t *loop, const struct config *cfg, struct nginxconf **nc,
                         char *why, size_t whylen);
/* The soft open-files limit of process pid: 0 with *soft (-1 = unlimited),
 * -1 with msg on error, 1 with msg when this platform cannot tell
 * (preflight_nofile_linux.c reads /proc; elsewhere a fallback says so). */
int preflight_nofile_limit(long pid, long long *soft, char *msg, size_t msglen);

#endif
