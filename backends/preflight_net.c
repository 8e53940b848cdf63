/* preflight_net: what the colors show on the network: who listens on their
 * ports, whether they are ready and stream a first token, and plain HTTP
 * for the other families (readiness and the admin surfaces are judged in
 * preflight_gateway.c). */
#include "backends/preflight.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "backends/probe.h"
#include "backends/sockets.h"
#include "core/color.h"

#define MAX_LISTENERS 16

/* ---- loopback listeners ---- */

static void describe_listener(const struct sockets_listener *l, char *buf, size_t len)
{
    if (strchr(l->addr, ':'))
        snprintf(buf, len, "[%.63s]:%d", l->addr, l->port);
    else
        snprintf(buf, len, "%.63s:%d", l->addr, l->port);
}

static void check_listeners(struct sockets *s, const struct config *cfg, enum color c,
                            struct preflight_report *r)
{
    char name[32], msg[256];
    snprintf(name, sizeof name, "loopback.%s", color_name(c));
    const char *addr = cfg->colors[c].addr;
    int port = preflight_addr_port(addr);
    if (port < 0) {
        preflight_add(r, name, PREFLIGHT_SKIPPED, "%s is not a TCP address", addr);
        return;
    }
    struct sockets_listener ls[MAX_LISTENERS];
    int n = 0;
    if (sockets_listeners(s, port, ls, MAX_LISTENERS, &n, msg, sizeof msg) != 0) {
        preflight_add(r, name, PREFLIGHT_FAIL, "cannot list listeners on port %d: %s", port, msg);
        return;
    }
    if (n == 0) {
        preflight_add(r, name, PREFLIGHT_FAIL, "nothing listens on %s", addr);
        return;
    }
    char bad[400] = "", good[400] = "";
    for (int i = 0; i < n; i++) {
        char one[80];
        describe_listener(&ls[i], one, sizeof one);
        char *list = ls[i].loopback ? good : bad;
        size_t used = strlen(list);
        snprintf(list + used, sizeof bad - used, "%s%s", used ? ", " : "", one);
    }
    if (bad[0])
        preflight_add(r, name, PREFLIGHT_FAIL, "%s listens on %s: must be loopback only",
                      color_name(c), bad);
    else
        preflight_add(r, name, PREFLIGHT_OK, "listens on %s only", good);
}

void preflight_loopback(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r)
{
    char msg[256];
    int impl = sockets_impl_parse(cfg->signals.sockets);
    struct sockets *s = sockets_new(loop, impl < 0 ? SOCKETS_AUTO : (enum sockets_impl)impl,
                                    cfg->command_timeout_ms, msg, sizeof msg);
    for (int c = 0; c < COLOR_COUNT; c++) {
        if (s) {
            check_listeners(s, cfg, (enum color)c, r);
        } else {
            char name[32];
            snprintf(name, sizeof name, "loopback.%s", color_name((enum color)c));
            preflight_add(r, name, PREFLIGHT_FAIL, "cannot list listeners: %s", msg);
        }
    }
    sockets_free(s);
}

/* ---- plain HTTP ---- */

/* Keeps the start of the body, cut at the buffer's end. */
static size_t keep_body(char *p, size_t size, size_t n, void *data)
{
    struct preflight_http *res = data;
    size_t used = strlen(res->body), room = sizeof res->body - 1 - used, len = size * n;
    memcpy(res->body + used, p, len < room ? len : room);
    res->body[used + (len < room ? len : room)] = '\0';
    return size * n;
}

int preflight_http_fetch(const char *addr, const char *path, double timeout_s,
                         struct preflight_http *res, char *msg, size_t msglen)
{
    memset(res, 0, sizeof *res);
    res->status = -1;
    CURL *easy = curl_easy_init();
    if (!easy) {
        snprintf(msg, msglen, "curl_easy_init failed");
        return -1;
    }
    char url[1200];
    if (strncmp(addr, "unix:", 5) == 0) {
        curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, addr + 5);
        snprintf(url, sizeof url, "http://localhost%s", path);
    } else {
        snprintf(url, sizeof url, "http://%s%s", addr, path);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");    /* loopback: never via a proxy */
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)((timeout_s > 0 ? timeout_s : 10) * 1000));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, res);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(easy);
    long status = -1;
    if (rc == CURLE_OK) {
        char *type = NULL;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &type);
        snprintf(res->content_type, sizeof res->content_type, "%s", type ? type : "");
    } else {
        snprintf(msg, msglen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_easy_cleanup(easy);
    res->status = (int)status;
    return res->status;
}

int preflight_http_get(const char *addr, const char *path, double timeout_s, char *msg,
                       size_t msglen)
{
    struct preflight_http res;
    return preflight_http_fetch(addr, path, timeout_s, &res, msg, msglen);
}

bool preflight_http_is_html(const struct preflight_http *res)
{
    return strncasecmp(res->content_type, "text/html", 9) == 0;
}

/* ---- health and one probe ---- */

struct probe_wait {
    int pending;
    struct probe_result res[COLOR_COUNT];
};

static void on_probe(const struct probe_result *res, void *data)
{
    struct probe_wait *w = data;
    if (res->target >= 0 && res->target < COLOR_COUNT) {
        w->res[res->target] = *res;
        w->res[res->target].name = NULL;   /* owned by the probe, gone after free */
    }
    w->pending--;
}

/* One round to both colors; returns -1 with msg when the probe cannot start. */
static int probe_once(uv_loop_t *loop, const struct config *cfg, struct probe_wait *w,
                      char *msg, size_t msglen)
{
    struct probe_target targets[COLOR_COUNT];
    for (int c = 0; c < COLOR_COUNT; c++) {
        targets[c].name = color_name((enum color)c);
        targets[c].address = cfg->colors[c].addr;
    }
    struct probe_params p = {
        .interval_s = cfg->probe.interval_s, .timeout_s = cfg->probe.timeout_s,
        .path = cfg->probe.path, .body = cfg->probe.body,
        .header_count = cfg->probe.headers.count,
        .header_names = (const char *const *)cfg->probe.headers.name,
        .header_values = (const char *const *)cfg->probe.headers.value,
        .target_count = COLOR_COUNT, .targets = targets,
    };
    struct probe *pr;
    if (probe_new(loop, &p, on_probe, w, &pr, msg, msglen) != 0)
        return -1;
    w->pending = COLOR_COUNT;
    probe_round(pr, 1);
    while (w->pending > 0)
        uv_run(loop, UV_RUN_ONCE);
    probe_free(pr);
    uv_run(loop, UV_RUN_DEFAULT);   /* the probe's close callbacks */
    return 0;
}

static void describe_probe(const struct probe_result *res, char *buf, size_t len)
{
    if (res->outcome == PROBE_OK)
        snprintf(buf, len, "probe ok, first token in %.0f ms", (double)res->ttft_us / 1000.0);
    else if (res->outcome == PROBE_HTTP_STATUS)
        snprintf(buf, len, "probe answered %d", res->http_status);
    else
        snprintf(buf, len, "probe %s%s%s", probe_outcome_name(res->outcome),
                 res->message[0] ? ": " : "", res->message);
}

void preflight_health(uv_loop_t *loop, const struct config *cfg, struct preflight_report *r)
{
    enum preflight_status ready[COLOR_COUNT];
    char ready_text[COLOR_COUNT][300], pmsg[256] = "";
    for (int c = 0; c < COLOR_COUNT; c++)
        ready[c] = preflight_ready_state(cfg, (enum color)c, ready_text[c], sizeof ready_text[c]);
    struct probe_wait w;
    memset(&w, 0, sizeof w);
    int probed = probe_once(loop, cfg, &w, pmsg, sizeof pmsg);
    for (int c = 0; c < COLOR_COUNT; c++) {
        char name[32], probe_text[300];
        snprintf(name, sizeof name, "health.%s", color_name((enum color)c));
        if (probed == 0)
            describe_probe(&w.res[c], probe_text, sizeof probe_text);
        else
            snprintf(probe_text, sizeof probe_text, "probe not sent: %s", pmsg);
        /* A gateway still starting is a warning whatever its probe says:
         * it is on its way, not broken. */
        bool probe_ok = probed == 0 && w.res[c].outcome == PROBE_OK;
        enum preflight_status st = ready[c] == PREFLIGHT_OK && !probe_ok ? PREFLIGHT_FAIL : ready[c];
        preflight_add(r, name, st, "%s; %s", ready_text[c], probe_text);
    }
}
