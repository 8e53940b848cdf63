/* preflight_gateway: what the real gateway (OpenClaw) shows over HTTP beyond
 * a probe: whether it is ready or still starting (/readyz), and whether an
 * admin surface answers every path (its Control UI), told apart from debug
 * routes that really are open. */
#include "backends/preflight.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "core/color.h"
#include "core/nginxconf.h"

/* ---- readiness ---- */

/* The reasons a 503 readiness answer gives: OpenClaw's "failing" list
 * ("startup-sidecars", a channel id), else its "status" ("draining"). */
static void ready_reasons(const cJSON *body, char *buf, size_t len, bool *starting,
                          double *uptime_s)
{
    buf[0] = '\0';
    *starting = false;
    *uptime_s = -1;
    const cJSON *failing = cJSON_GetObjectItemCaseSensitive(body, "failing");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(body, "status");
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(body, "uptimeMs");
    const cJSON *f;
    size_t used = 0;
    cJSON_ArrayForEach(f, failing) {
        if (!cJSON_IsString(f) || used + 1 >= len)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%.60s", used ? ", " : "",
                                 f->valuestring);
        *starting |= strcmp(f->valuestring, "startup-sidecars") == 0;
    }
    if (!buf[0] && cJSON_IsString(status)) {
        snprintf(buf, len, "%.60s", status->valuestring);
        *starting = strcmp(status->valuestring, "starting") == 0;
    }
    if (cJSON_IsNumber(up) && up->valuedouble >= 0)
        *uptime_s = up->valuedouble / 1000.0;
}

/* A 503 from the readiness path: starting warns, anything else fails. */
static enum preflight_status judge_not_ready(const char *path, const struct preflight_http *h,
                                             char *text, size_t len)
{
    char why[200];
    bool starting;
    double up;
    cJSON *body = cJSON_Parse(h->body);
    ready_reasons(body, why, sizeof why, &starting, &up);
    cJSON_Delete(body);
    if (starting && up >= 0) {
        snprintf(text, len, "starting, %.0f s (GET %s 503 %s)", up, path, why);
        return PREFLIGHT_WARN;
    }
    if (starting) {
        snprintf(text, len, "starting (GET %s 503 %s; it does not say since when)", path, why);
        return PREFLIGHT_WARN;
    }
    snprintf(text, len, "not ready: GET %s 503%s%s", path, why[0] ? " " : "", why);
    return PREFLIGHT_FAIL;
}

/* The liveness path, where there is no readiness path (or it is turned off). */
static enum preflight_status live_state(const struct config *cfg, enum color c,
                                        const char *before, char *text, size_t len)
{
    char msg[256];
    const char *path = cfg->gateway.health_path;
    int st = preflight_http_get(cfg->colors[c].addr, path, cfg->probe.timeout_s, msg,
                                sizeof msg);
    if (st < 0) {
        snprintf(text, len, "%sGET %s on %s: %s", before, path, cfg->colors[c].addr, msg);
        return PREFLIGHT_FAIL;
    }
    snprintf(text, len, "%sGET %s %d", before, path, st);
    return st >= 200 && st < 300 ? PREFLIGHT_OK : PREFLIGHT_FAIL;
}

enum preflight_status preflight_ready_state(const struct config *cfg, int color, char *text,
                                            size_t len)
{
    enum color c = (enum color)color;
    const char *path = cfg->gateway.ready_path;
    if (!path[0])
        return live_state(cfg, c, "", text, len);
    struct preflight_http h;
    char msg[256], before[200];
    preflight_http_fetch(cfg->colors[c].addr, path, cfg->probe.timeout_s, &h, msg, sizeof msg);
    if (h.status < 0) {
        snprintf(text, len, "GET %s on %s: %s", path, cfg->colors[c].addr, msg);
        return PREFLIGHT_FAIL;
    }
    /* A catch-all UI answers any path with its page: that says nothing of
     * readiness, so it counts as no readiness path. */
    if (h.status == 404 || (h.status == 200 && preflight_http_is_html(&h))) {
        snprintf(before, sizeof before, "no %s (%s); ", path,
                 h.status == 404 ? "404" : "an HTML page");
        return live_state(cfg, c, before, text, len);
    }
    if (h.status == 200) {
        snprintf(text, len, "ready: GET %s 200", path);
        return PREFLIGHT_OK;
    }
    if (h.status == 503)
        return judge_not_ready(path, &h, text, len);
    snprintf(text, len, "GET %s %d", path, h.status);
    return PREFLIGHT_FAIL;
}

/* ---- debug routes and the Control UI ---- */

#define CONTROL_UI_FIX "turn it off (gateway.controlUi.enabled false) or proxy only /v1/ " \
                       "through nginx"

/* Does this color answer a path nobody serves with a 200 HTML page? Two
 * random paths, so one real page at an unlucky name cannot fool it.
 * *openclaw: the page is OpenClaw's Control UI (its <html> carries
 * data-openclaw-control-ui-* attributes, seen on 2026.9.6). */
static bool catch_all(const struct config *cfg, enum color c, char *seen, size_t len,
                      bool *openclaw)
{
    unsigned long salt = (unsigned long)uv_hrtime() ^ (unsigned long)getpid();
    for (int i = 0; i < 2; i++) {
        char path[64], msg[256];
        struct preflight_http h;
        snprintf(path, sizeof path, "/cutover-nonexistent-%08lx/%d", salt & 0xffffffffUL, i);
        preflight_http_fetch(cfg->colors[c].addr, path, cfg->probe.timeout_s, &h, msg,
                             sizeof msg);
        if (h.status != 200 || !preflight_http_is_html(&h))
            return false;
        snprintf(seen, len, "GET %s answered 200 text/html", path);
        *openclaw |= strstr(h.body, "openclaw-control-ui") != NULL;
    }
    return true;
}

/* Appends "; one" to a list held in a fixed buffer. */
static void append(char *list, size_t len, int *count, const char *one)
{
    size_t used = strlen(list);
    if (used + 1 < len)
        snprintf(list + used, len - used, "%s%s", (*count)++ ? "; " : "", one);
}

/* A location that passes only /v1/ paths: "/v1/", "^~ /v1/", "= /v1/chat/completions",
 * "~ ^/v1/". */
static bool location_is_v1(const char *match)
{
    const char *uri = strrchr(match, ' ');
    uri = uri ? uri + 1 : match;
    bool regex = match[0] == '~';
    return strncmp(uri + (regex && uri[0] == '^'), "/v1/", 4) == 0 && (!regex || uri[0] == '^');
}

/* Does nginx proxy nothing but /v1/ to the gateway? Then the UI is reachable
 * on loopback only. False when nginx -T cannot tell. */
static bool nginx_only_v1(uv_loop_t *loop, const struct config *cfg)
{
    struct nginxconf *nc = NULL;
    char why[420];
    if (preflight_nginx_read(loop, cfg, &nc, why, sizeof why) != 0)
        return false;
    bool only = nc->location_total > 0 && nc->location_total == nc->location_count;
    for (int i = 0; only && i < nc->location_count; i++)
        only = location_is_v1(nc->locations[i].match);
    nginxconf_free(nc);
    return only;
}

static void add_control_ui(uv_loop_t *loop, const struct config *cfg,
                           struct preflight_report *r, const bool ui[COLOR_COUNT],
                           const char *seen, bool openclaw)
{
    if (!ui[COLOR_BLUE] && !ui[COLOR_GREEN]) {
        preflight_add(r, "control_ui", PREFLIGHT_OK,
                      "no admin surface answers every path (a random path is not a page)");
        return;
    }
    const char *who = ui[COLOR_BLUE] && ui[COLOR_GREEN] ? "blue and green answer"
                      : ui[COLOR_BLUE] ? "blue answers" : "green answers";
    const char *what = openclaw ? "that is OpenClaw's Control UI"
                                : "a single-page admin UI, as OpenClaw's Control UI is";
    if (nginx_only_v1(loop, cfg))
        preflight_add(r, "control_ui", PREFLIGHT_WARN,
                      "%s every path with an HTML page (%s): %s; nginx proxies only /v1/ to "
                      "the gateway, so it is reachable on loopback only (gateway.controlUi."
                      "enabled false closes it there too)", who, seen, what);
    else
        preflight_add(r, "control_ui", PREFLIGHT_FAIL,
                      "%s every path with an HTML page (%s): %s, an admin surface, reachable "
                      "wherever nginx proxies more than /v1/: " CONTROL_UI_FIX, who, seen, what);
}

void preflight_debug_routes(uv_loop_t *loop, const struct config *cfg,
                            struct preflight_report *r)
{
    bool ui[COLOR_COUNT], openclaw = false;
    char seen[160] = "";
    for (int c = 0; c < COLOR_COUNT; c++)
        ui[c] = catch_all(cfg, (enum color)c, seen, sizeof seen, &openclaw);
    const struct config_argv *paths = &cfg->gateway.debug_paths;
    char bad[480] = "";
    int nbad = 0, by_ui = 0;
    for (int i = 0; i < paths->argc; i++)
        for (int c = 0; c < COLOR_COUNT; c++) {
            char msg[256], one[300];
            struct preflight_http h;
            int st = preflight_http_fetch(cfg->colors[c].addr, paths->argv[i],
                                          cfg->probe.timeout_s, &h, msg, sizeof msg);
            if (st == 403 || st == 404)
                continue;
            if (st == 200 && ui[c] && preflight_http_is_html(&h)) {
                by_ui++;   /* the UI's page, judged by control_ui */
                continue;
            }
            if (st < 0)
                snprintf(one, sizeof one, "GET %s on %s: %s", paths->argv[i],
                         color_name((enum color)c), msg);
            else
                snprintf(one, sizeof one, "GET %s on %s answered %d", paths->argv[i],
                         color_name((enum color)c), st);
            append(bad, sizeof bad, &nbad, one);
        }
    if (paths->argc == 0)
        preflight_add(r, "debug_routes", PREFLIGHT_SKIPPED, "gateway.debug_paths is empty");
    else if (nbad)
        preflight_add(r, "debug_routes", PREFLIGHT_FAIL, "%s (must be 403 or 404)", bad);
    else if (by_ui)
        preflight_add(r, "debug_routes", PREFLIGHT_OK, "%d path(s) answer 403/404 or only the "
                      "Control UI's page (see control_ui)", paths->argc);
    else
        preflight_add(r, "debug_routes", PREFLIGHT_OK, "%d path(s) answer 403/404 on both colors",
                      paths->argc);
    add_control_ui(loop, cfg, r, ui, seen, openclaw);
}
