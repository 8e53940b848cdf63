/* Routing and state of the simulated gateway. Counters and tunables live here; chats are
 * paced in chat.c. Quitting is graceful: the listener closes first, open streams finish,
 * and only then are the remaining (idle keep-alive) connections closed. */
#include "sim/gateway.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/chat.h"
#include "sim/httpd.h"
#include "sim/rng.h"

#define QUIT_GRACE_MS 30000

struct gateway {
    uv_loop_t *loop;
    struct httpd *httpd; /* NULL once closing */
    uv_timer_t quit_timer;
    int timer_closed, httpd_closed, failed;
    char *name, *version;
    struct sim_tunables tun;
    struct sim_rng rng;
    struct simlog *log;
    struct chat_env env;
    unsigned long requests, chat_requests, chat_5xx, stream_errors;
    long in_flight;
    uint64_t started_ms;      /* uv_now at creation: the uptime /readyz reports */
    int quitting, finishing;
    void (*closed)(void *arg);
    void *arg;
};

static const char *const health_paths[] = {"/health", "/healthz", "/readyz", "/startupz"};

static void log_req(struct gateway *gw, const struct httpd_req *req, int status,
                    const char *msg)
{
    struct simlog_entry e = {
        .level = status >= 500 ? "error" : status >= 400 ? "warn" : "info",
        .color = gw->name, .version = gw->version,
        .rid = httpd_req_header(req, "X-Request-Id"), .method = req->method, .path = req->path,
        .status = status, .ttft_ms = -1, .msg = msg,
    };
    simlog_write(gw->log, &e);
}

/* Sends o (consumed) as the answer, and logs the request. */
static void answer_json(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req,
                        int status, cJSON *o, const char *msg)
{
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    if (text)
        httpd_respond(c, status, "application/json", text, strlen(text));
    else
        httpd_respond(c, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
    log_req(gw, req, text ? status : 500, msg);
    cJSON_free(text);
    cJSON_Delete(o);
}

static void answer_error(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req,
                         int status, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddStringToObject(e, "type", status >= 500 ? "server_error" : "invalid_request_error");
    cJSON_AddNumberToObject(e, "code", status);
    answer_json(gw, c, req, status, o, message);
}

static void on_chat_end(void *arg);

/* What a chat request asks for; the strings point into body, which must outlive ask. */
static void read_ask(const cJSON *body, size_t body_len, struct chat_ask *ask)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(body, "model");
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(body, "stream_options");
    const char *limits[] = {"max_completion_tokens", "max_tokens"};
    memset(ask, 0, sizeof *ask);
    ask->stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"));
    ask->include_usage =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts, "include_usage"));
    ask->model = cJSON_IsString(model) && model->valuestring[0] ? model->valuestring : NULL;
    ask->prompt_tokens = (long)(body_len / 4);
    for (size_t i = 0; i < sizeof limits / sizeof limits[0] && !ask->max_tokens; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(body, limits[i]);
        if (cJSON_IsNumber(n) && n->valuedouble >= 1 && n->valuedouble < 1e9)
            ask->max_tokens = (long)n->valuedouble;
    }
}

static void handle_chat(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req)
{
    struct chat_ask ask = {0};
    cJSON *body = NULL;
    gw->chat_requests++;
    if (req->body_len > 0) {
        body = cJSON_ParseWithLength(req->body, req->body_len);
        if (!body || !cJSON_IsObject(body)) {
            cJSON_Delete(body);
            answer_error(gw, c, req, 400, "request body is not a JSON object");
            return;
        }
        read_ask(body, req->body_len, &ask);
    }
    if (rng_next(&gw->rng) < gw->tun.error_rate) {
        int status = rng_next(&gw->rng) < 0.5 ? 500 : 503;
        gw->chat_5xx++;
        cJSON_Delete(body);
        answer_error(gw, c, req, status, "chat failed");
        return;
    }
    int fail = rng_next(&gw->rng) < gw->tun.stream_error_rate;
    gw->stream_errors += (unsigned long)fail;
    gw->in_flight++;
    if (chat_start(&gw->env, c, req, &ask, fail) < 0)
        gw->in_flight--;
    cJSON_Delete(body);
}

/* GET /v1/models, as an OpenAI-compatible provider lists its models. */
static void handle_models(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "data"), m);
    cJSON_AddStringToObject(m, "id", "cutover-sim");
    cJSON_AddStringToObject(m, "object", "model");
    cJSON_AddNumberToObject(m, "created", 0);
    cJSON_AddStringToObject(m, "owned_by", "cutover");
    answer_json(gw, c, req, 200, o, "models");
}

static void handle_health(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req)
{
    cJSON *o = cJSON_CreateObject();
    if (gw->tun.draining) {
        cJSON_AddStringToObject(o, "status", "draining");
        answer_json(gw, c, req, 503, o, "health draining");
        return;
    }
    /* OpenClaw's answers (to a local caller) while its sidecars start: live,
     * not ready, not started. */
    double up_ms = (double)(uv_now(gw->loop) - gw->started_ms);
    if (gw->tun.starting && !strcmp(req->path, "/readyz")) {
        cJSON_AddFalseToObject(o, "ready");
        cJSON_AddItemToObject(o, "failing", cJSON_CreateStringArray(
            (const char *const[]){"startup-sidecars"}, 1));
        cJSON_AddNumberToObject(o, "uptimeMs", up_ms);
        answer_json(gw, c, req, 503, o, "health starting");
        return;
    }
    if (gw->tun.starting && !strcmp(req->path, "/startupz")) {
        cJSON_AddFalseToObject(o, "ok");
        cJSON_AddStringToObject(o, "status", "starting");
        cJSON_AddNumberToObject(o, "uptimeMs", up_ms);
        cJSON_AddStringToObject(o, "pendingReason", "startup-sidecars");
        answer_json(gw, c, req, 503, o, "health starting");
        return;
    }
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "name", gw->name);
    cJSON_AddStringToObject(o, "version", gw->version);
    answer_json(gw, c, req, 200, o, "health ok");
}

static cJSON *stats_json(const struct gateway *gw)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", gw->name);
    cJSON_AddStringToObject(o, "version", gw->version);
    cJSON_AddNumberToObject(o, "requests", (double)gw->requests);
    cJSON_AddNumberToObject(o, "chat_requests", (double)gw->chat_requests);
    cJSON_AddNumberToObject(o, "chat_5xx", (double)gw->chat_5xx);
    cJSON_AddNumberToObject(o, "stream_errors", (double)gw->stream_errors);
    cJSON_AddNumberToObject(o, "in_flight", (double)gw->in_flight);
    cJSON_AddBoolToObject(o, "draining", gw->tun.draining);
    return o;
}

static cJSON *config_json(const struct gateway *gw)
{
    const struct sim_tunables *t = &gw->tun;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "ttft_ms", (double)t->ttft_ms);
    cJSON_AddNumberToObject(o, "token_ms", (double)t->token_ms);
    cJSON_AddNumberToObject(o, "tokens", (double)t->tokens);
    cJSON_AddNumberToObject(o, "error_rate", t->error_rate);
    cJSON_AddNumberToObject(o, "stream_error_rate", t->stream_error_rate);
    cJSON_AddNumberToObject(o, "stream_error_after", (double)t->stream_error_after);
    cJSON_AddBoolToObject(o, "stream_error_text", t->stream_error_text);
    cJSON_AddNumberToObject(o, "jitter_pct", t->jitter_pct);
    cJSON_AddNumberToObject(o, "ttft_sigma", t->ttft_sigma);
    cJSON_AddBoolToObject(o, "draining", t->draining);
    cJSON_AddBoolToObject(o, "starting", t->starting);
    cJSON_AddBoolToObject(o, "catch_all_html", t->catch_all_html);
    return o;
}

static void handle_config(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req)
{
    char err[160];
    if (strcmp(req->method, "POST") == 0) {
        int was_draining = gw->tun.draining;
        if (tunables_set_query(&gw->tun, req->query, err, sizeof err) < 0) {
            answer_error(gw, c, req, 400, err);
            return;
        }
        if (gw->quitting) /* a quitting gateway stays unhealthy whatever it is told */
            gw->tun.draining = was_draining;
    }
    answer_json(gw, c, req, 200, config_json(gw), "config");
}

/* The /_sim/ endpoints: a method mismatch is 405, an unknown name 404. */
static void handle_control(struct gateway *gw, struct httpd_conn *c, const struct httpd_req *req)
{
    const char *what = req->path + strlen("/_sim/");
    int is_get = strcmp(req->method, "GET") == 0, is_post = strcmp(req->method, "POST") == 0;
    if (strcmp(what, "stats") == 0 && is_get) {
        answer_json(gw, c, req, 200, stats_json(gw), "stats");
    } else if (strcmp(what, "config") == 0 && (is_get || is_post)) {
        handle_config(gw, c, req);
    } else if (strcmp(what, "reset") == 0 && is_post) {
        gw->requests = gw->chat_requests = gw->chat_5xx = gw->stream_errors = 0;
        answer_json(gw, c, req, 200, stats_json(gw), "reset");
    } else if (strcmp(what, "quit") == 0 && is_post) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "status", "quitting");
        cJSON_AddNumberToObject(o, "in_flight", (double)gw->in_flight);
        answer_json(gw, c, req, 200, o, "quit");
        gateway_quit(gw);
    } else if (strcmp(what, "stats") == 0 || strcmp(what, "config") == 0 ||
               strcmp(what, "reset") == 0 || strcmp(what, "quit") == 0) {
        answer_error(gw, c, req, 405, "method not allowed");
    } else {
        answer_error(gw, c, req, 404, "no such control endpoint");
    }
}

static int is_health(const char *path)
{
    for (size_t i = 0; i < sizeof health_paths / sizeof health_paths[0]; i++)
        if (strcmp(path, health_paths[i]) == 0)
            return 1;
    return 0;
}

static void on_request(void *arg, struct httpd_conn *c, const struct httpd_req *req)
{
    struct gateway *gw = arg;
    int is_get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    gw->requests++;
    if (strcmp(req->path, "/v1/chat/completions") == 0) {
        if (strcmp(req->method, "POST") == 0)
            handle_chat(gw, c, req);
        else
            answer_error(gw, c, req, 405, "method not allowed");
    } else if (strcmp(req->path, "/v1/models") == 0) {
        if (is_get)
            handle_models(gw, c, req);
        else
            answer_error(gw, c, req, 405, "method not allowed");
    } else if (is_health(req->path)) {
        if (is_get)
            handle_health(gw, c, req);
        else
            answer_error(gw, c, req, 405, "method not allowed");
    } else if (strncmp(req->path, "/_sim/", 6) == 0) {
        handle_control(gw, c, req);
    } else if (gw->tun.catch_all_html && is_get) {
        /* A single-page admin UI serves its page on every path; the attribute is
         * the one OpenClaw 2026.9.6's Control UI page carries. */
        static const char page[] = "<!doctype html><html data-openclaw-control-ui-base-path=\"\">"
                                   "<head><title>Control</title></head>"
                                   "<body><div id=\"app\"></div></body></html>\n";
        httpd_respond(c, 200, "text/html; charset=utf-8", page, sizeof page - 1);
        log_req(gw, req, 200, "catch-all page");
    } else {
        answer_error(gw, c, req, 404, "not found");
    }
}

static void part_closed(struct gateway *gw)
{
    if (gw->timer_closed && gw->httpd_closed && !gw->failed && gw->closed)
        gw->closed(gw->arg);
}

static void on_timer_closed(uv_handle_t *handle)
{
    struct gateway *gw = handle->data;
    gw->timer_closed = 1;
    part_closed(gw);
}

static void on_httpd_closed(void *arg)
{
    struct gateway *gw = arg;
    gw->httpd_closed = 1;
    part_closed(gw);
}

static void finish(struct gateway *gw, int force)
{
    struct httpd *h = gw->httpd;
    if (gw->finishing)
        return;
    gw->finishing = 1;
    gw->httpd = NULL;
    uv_close((uv_handle_t *)&gw->quit_timer, on_timer_closed);
    httpd_close(h, force, on_httpd_closed, gw);
}

static void on_quit_timeout(uv_timer_t *t)
{
    finish(t->data, 1);
}

static void on_chat_end(void *arg)
{
    struct gateway *gw = arg;
    gw->in_flight--;
    if (gw->quitting && gw->in_flight == 0)
        finish(gw, 0);
}

void gateway_quit(struct gateway *gw)
{
    if (gw->quitting)
        return;
    gw->quitting = 1;
    gw->tun.draining = 1;
    httpd_stop_listening(gw->httpd);
    if (gw->in_flight == 0)
        finish(gw, 0);
    else
        uv_timer_start(&gw->quit_timer, on_quit_timeout, QUIT_GRACE_MS, 0);
}

void gateway_toggle_draining(struct gateway *gw)
{
    if (!gw->quitting)
        gw->tun.draining = !gw->tun.draining;
}

int gateway_local_addr(const struct gateway *gw, char *buf, size_t len)
{
    return gw->httpd ? httpd_local_addr(gw->httpd, buf, len) : -1;
}

int gateway_new(uv_loop_t *loop, const struct gateway_opts *opts, struct gateway **out,
                char *err, size_t errlen)
{
    struct gateway *gw = calloc(1, sizeof *gw);
    *out = gw;
    if (!gw || !(gw->name = strdup(opts->name)) || !(gw->version = strdup(opts->version))) {
        snprintf(err, errlen, "out of memory");
        return -1; /* nothing on the loop yet; gateway_free copes with the half-made struct */
    }
    gw->loop = loop;
    gw->started_ms = uv_now(loop);
    gw->tun = opts->tun;
    gw->log = opts->log;
    gw->closed = opts->closed;
    gw->arg = opts->arg;
    rng_seed(&gw->rng, opts->seed);
    gw->env = (struct chat_env){
        .loop = loop, .tun = &gw->tun, .rng = &gw->rng, .log = gw->log, .name = gw->name,
        .version = gw->version, .on_end = on_chat_end, .arg = gw,
    };
    uv_timer_init(loop, &gw->quit_timer);
    gw->quit_timer.data = gw;
    if (httpd_new(loop, opts->listen, on_request, gw, &gw->httpd, err, errlen) < 0) {
        gw->failed = gw->finishing = 1;
        uv_close((uv_handle_t *)&gw->quit_timer, NULL);
        return -1;
    }
    return 0;
}

void gateway_free(struct gateway *gw)
{
    if (!gw)
        return;
    free(gw->name);
    free(gw->version);
    free(gw);
}
