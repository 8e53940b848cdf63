/* preflight: the report, the order the families run in, and the checks that
 * need nothing but the config (port distance). */
#include "backends/preflight.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "core/color.h"

const char *preflight_status_name(enum preflight_status s)
{
    switch (s) {
    case PREFLIGHT_OK: return "ok";
    case PREFLIGHT_WARN: return "warn";
    case PREFLIGHT_FAIL: return "fail";
    case PREFLIGHT_SKIPPED: return "skipped";
    }
    return "?";
}

void preflight_add(struct preflight_report *r, const char *name, enum preflight_status status,
                   const char *fmt, ...)
{
    if (r->count >= PREFLIGHT_MAX_CHECKS)
        return;
    struct preflight_check *c = &r->checks[r->count++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

void preflight_failures(const struct preflight_report *r, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < r->count && used + 1 < len; i++) {
        const struct preflight_check *c = &r->checks[i];
        if (c->status != PREFLIGHT_FAIL)
            continue;
        int n = snprintf(buf + used, len - used, "%s%s: %s", used ? "; " : "", c->name, c->detail);
        if (n < 0)
            break;
        used += (size_t)n < len - used ? (size_t)n : len - used - 1;
    }
}

bool preflight_passed(const struct preflight_report *r)
{
    for (int i = 0; i < r->count; i++)
        if (r->checks[i].status == PREFLIGHT_FAIL)
            return false;
    return true;
}

int preflight_addr_port(const char *addr)
{
    if (strncmp(addr, "unix:", 5) == 0)
        return -1;
    const char *colon = strrchr(addr, ':');
    if (!colon || colon[1] == '\0')
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return *end == '\0' && port > 0 && port < 65536 ? (int)port : -1;
}

void preflight_ports(const struct config *cfg, struct preflight_report *r)
{
    int p[COLOR_COUNT];
    for (int c = 0; c < COLOR_COUNT; c++)
        p[c] = preflight_addr_port(cfg->colors[c].addr);
    if (p[COLOR_BLUE] < 0 || p[COLOR_GREEN] < 0) {
        preflight_add(r, "ports", PREFLIGHT_SKIPPED, "a color is not on a TCP port");
        return;
    }
    int gap = abs(p[COLOR_BLUE] - p[COLOR_GREEN]);
    if (gap >= PREFLIGHT_PORT_GAP)
        preflight_add(r, "ports", PREFLIGHT_OK, "%d and %d are %d apart", p[COLOR_BLUE],
                      p[COLOR_GREEN], gap);
    else
        preflight_add(r, "ports", PREFLIGHT_WARN,
                      "%d and %d are %d apart: the gateway derives helper ports from its base "
                      "port (OpenClaw reaches base + 110: keep them at least %d apart)",
                      p[COLOR_BLUE], p[COLOR_GREEN], gap, PREFLIGHT_PORT_GAP);
}

void preflight_run(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r)
{
    memset(r, 0, sizeof *r);
    /* One init for every easy handle below; libcurl counts the pairs. */
    bool curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    preflight_loopback(loop, cfg, r);
    preflight_health(loop, cfg, r);
    preflight_nginx(loop, cfg, r);
    preflight_secrets(cfg, r);
    preflight_logs(cfg, r);
    preflight_debug_routes(loop, cfg, r);
    preflight_gateway_config(loop, cfg, r);
    preflight_ports(cfg, r);
    preflight_nofile(loop, cfg, r);
    if (curl_ok)
        curl_global_cleanup();
}
