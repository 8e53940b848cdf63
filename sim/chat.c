/* Chat completions as the gateway sends them: 200, headers and the role chunk before the model
 * answers, then SSE chunks; failures arrive inside the stream, which is why TTFT and in-stream
 * errors must be measured by a client and cannot be seen in nginx's status codes. The chunks
 * follow OpenAI's chat.completion.chunk shape (id, object, created, model, choices, and a
 * usage chunk when stream_options asks for it), which a real OpenClaw needs of its provider. */
#include "sim/chat.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAIL_MESSAGE "upstream model failed"

struct chat {
    uv_timer_t timer;
    const struct chat_env *env;
    struct httpd_conn *conn; /* NULL once the client has gone */
    int stream, fail, fail_text, include_usage;
    long sent, tokens, token_ms, fail_after, prompt_tokens;
    const char *finish_reason;
    double jitter_pct;
    uint64_t start_ns;   /* uv_hrtime when the request arrived */
    double ttft;         /* ms to the first content (or failure) actually written */
    long created;
    char id[40];
    char *rid, *model;
    char model_json[260];  /* the model as a JSON string, quoted and escaped */
    char *content; /* the answer so far, for non-streaming replies */
    size_t content_len;
};

long chat_jitter(struct sim_rng *rng, long ms, double jitter_pct)
{
    double spread = (2.0 * rng_next(rng) - 1.0) * jitter_pct / 100.0;
    double d = (double)ms * (1.0 + spread);
    return d < 0 ? 0 : (long)(d + 0.5);
}

long chat_ttft_delay(struct sim_rng *rng, const struct sim_tunables *tun)
{
    if (!(tun->ttft_sigma > 0))
        return chat_jitter(rng, tun->ttft_ms, tun->jitter_pct);
    double d = (double)tun->ttft_ms * exp(tun->ttft_sigma * rng_normal(rng));
    return d > 600000 ? 600000 : (long)(d + 0.5);
}

static void on_closed(uv_handle_t *handle)
{
    struct chat *ch = handle->data;
    free(ch->rid);
    free(ch->model);
    free(ch->content);
    free(ch);
}

static void log_chat(struct chat *ch, int status, const char *level, const char *msg)
{
    struct simlog_entry e = {
        .level = level, .color = ch->env->name, .version = ch->env->version, .rid = ch->rid,
        .run_id = ch->id,
        .method = "POST", .path = "/v1/chat/completions", .status = status,
        .ttft_ms = ch->sent > 0 || ch->fail ? ch->ttft : -1, .msg = msg,
    };
    simlog_write(ch->env->log, &e);
}

/* Every way out ends here: tell the gateway, then let libuv release the timer. */
static void chat_done(struct chat *ch)
{
    uv_timer_stop(&ch->timer);
    ch->conn = NULL;
    ch->env->on_end(ch->env->arg);
    uv_close((uv_handle_t *)&ch->timer, on_closed);
}

static void on_abort(void *arg)
{
    struct chat *ch = arg;
    log_chat(ch, 499, "warn", "client disconnected");
    chat_done(ch);
}

static int add_content(struct chat *ch, const char *text)
{
    size_t n = strlen(text);
    char *nc = realloc(ch->content, ch->content_len + n + 1);
    if (!nc)
        return -1;
    memcpy(nc + ch->content_len, text, n + 1);
    ch->content = nc;
    ch->content_len += n;
    return 0;
}

/* {"id","object","created","model"}: the head every chunk and answer shares. */
static cJSON *head_new(const struct chat *ch, const char *object)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", ch->id);
    cJSON_AddStringToObject(o, "object", object);
    cJSON_AddNumberToObject(o, "created", (double)ch->created);
    cJSON_AddStringToObject(o, "model", ch->model ? ch->model : "cutover-sim");
    return o;
}

static void add_usage(const struct chat *ch, cJSON *o)
{
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)ch->prompt_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)ch->sent);
    cJSON_AddNumberToObject(u, "total_tokens", (double)(ch->prompt_tokens + ch->sent));
}

/* Writes o (consumed) as one SSE event. */
static void write_event(struct chat *ch, cJSON *o)
{
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text)
        return; /* out of memory: the client sees a chunk fewer */
    size_t n = strlen(text);
    char *buf = malloc(n + 9);
    if (buf) {
        memcpy(buf, "data: ", 6);
        memcpy(buf + 6, text, n);
        memcpy(buf + 6 + n, "\n\n", 2);
        httpd_stream_write(ch->conn, buf, n + 8);
        free(buf);
    }
    cJSON_free(text);
}

/* One choices[0] chunk: role, content, or (both NULL) the finish chunk. Formatted, not
 * built with cJSON: a sim under load writes thousands a second, and its own CPU time
 * would show as TTFT. Role, content and finish_reason are our own plain words; the
 * request's model was escaped once, at the start. */
static void send_delta(struct chat *ch, const char *role, const char *content)
{
    char delta[96], buf[768];
    if (role)
        snprintf(delta, sizeof delta, "{\"role\":\"%s\"}", role);
    else if (content)
        snprintf(delta, sizeof delta, "{\"content\":\"%s\"}", content);
    else
        snprintf(delta, sizeof delta, "{}");
    char finish[32] = "null";
    if (!role && !content)
        snprintf(finish, sizeof finish, "\"%s\"", ch->finish_reason);
    int n = snprintf(buf, sizeof buf,
                     "data: {\"id\":\"%s\",\"object\":\"chat.completion.chunk\",\"created\":%ld,"
                     "\"model\":%s,\"choices\":[{\"index\":0,\"delta\":%s,"
                     "\"finish_reason\":%s}]}\n\n",
                     ch->id, ch->created, ch->model_json, delta, finish);
    if (n > 0 && (size_t)n < sizeof buf)
        httpd_stream_write(ch->conn, buf, (size_t)n);
}

static void send_content(struct chat *ch, const char *text)
{
    if (ch->stream)
        send_delta(ch, NULL, text);
    else
        add_content(ch, text);
}

static void end_stream(struct chat *ch)
{
    httpd_stream_write(ch->conn, "data: [DONE]\n\n", 14);
    httpd_stream_end(ch->conn);
}

static void respond_json(struct chat *ch, int status, cJSON *o)
{
    char *body = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (body)
        httpd_respond(ch->conn, status, "application/json", body, strlen(body));
    else
        httpd_respond(ch->conn, 500, "application/json", "{}", 2);
    cJSON_free(body);
}

static void finish(struct chat *ch)
{
    if (ch->stream) {
        send_delta(ch, NULL, NULL);
        if (ch->include_usage) {
            cJSON *u = head_new(ch, "chat.completion.chunk");
            cJSON_AddArrayToObject(u, "choices");
            add_usage(ch, u);
            write_event(ch, u);
        }
        end_stream(ch);
    } else {
        cJSON *o = head_new(ch, "chat.completion");
        cJSON *choice = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), choice);
        cJSON_AddNumberToObject(choice, "index", 0);
        cJSON *msg = cJSON_AddObjectToObject(choice, "message");
        cJSON_AddStringToObject(msg, "role", "assistant");
        cJSON_AddStringToObject(msg, "content", ch->content ? ch->content : "");
        cJSON_AddStringToObject(choice, "finish_reason", ch->finish_reason);
        add_usage(ch, o);
        respond_json(ch, 200, o);
    }
    log_chat(ch, 200, "info", "chat completed");
    chat_done(ch);
}

/* The model fails: as OpenAI and OpenClaw 2026.9 report it inside a stream (an error event,
 * then [DONE]), or as older OpenClaw builds did (an "Error: ..." content chunk). A request
 * that did not stream has no stream to fail in: it gets 500. */
static void fail(struct chat *ch)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "message", FAIL_MESSAGE);
    cJSON_AddStringToObject(e, "type", "server_error");
    if (!ch->stream) {
        respond_json(ch, 500, o);
    } else if (ch->fail_text) {
        cJSON_Delete(o);
        send_delta(ch, NULL, "Error: " FAIL_MESSAGE);
        end_stream(ch);
    } else {
        write_event(ch, o);
        end_stream(ch);
    }
    log_chat(ch, ch->stream ? 200 : 500, "error", "chat failed");
    chat_done(ch);
}

static void on_tick(uv_timer_t *t)
{
    struct chat *ch = t->data;
    char tok[32];
    if (ch->sent == 0)
        ch->ttft = (double)(uv_hrtime() - ch->start_ns) / 1e6;
    if (ch->fail && ch->sent >= ch->fail_after) {
        fail(ch);
        return;
    }
    snprintf(tok, sizeof tok, ch->sent == 0 ? "tok%ld" : " tok%ld", ch->sent);
    send_content(ch, tok);
    if (++ch->sent >= ch->tokens && !(ch->fail && ch->sent >= ch->fail_after)) {
        finish(ch);
        return;
    }
    uv_timer_start(t, on_tick, (uint64_t)chat_jitter(ch->env->rng, ch->token_ms, ch->jitter_pct),
                   0);
}

/* Escapes the model name once; one too long for a chunk is named "cutover-sim". */
static void quote_model(struct chat *ch)
{
    cJSON *m = cJSON_CreateString(ch->model ? ch->model : "cutover-sim");
    char *q = m ? cJSON_PrintUnformatted(m) : NULL;
    cJSON_Delete(m);
    snprintf(ch->model_json, sizeof ch->model_json, "%s",
             q && strlen(q) < sizeof ch->model_json ? q : "\"cutover-sim\"");
    cJSON_free(q);
}

static void take_ask(struct chat *ch, const struct sim_tunables *tun, const struct chat_ask *ask,
                     int fail_in_stream)
{
    ch->stream = ask->stream;
    ch->include_usage = ask->include_usage;
    ch->prompt_tokens = ask->prompt_tokens;
    ch->fail = fail_in_stream;
    ch->fail_text = tun->stream_error_text;
    ch->tokens = tun->tokens;
    ch->finish_reason = "stop";
    if (ask->max_tokens > 0 && ask->max_tokens < ch->tokens) {
        ch->tokens = ask->max_tokens;  /* as a model does: cut at the limit */
        ch->finish_reason = "length";
    }
    /* A failure planned after the last token still comes before the finish chunk. */
    ch->fail_after = tun->stream_error_after < ch->tokens ? tun->stream_error_after : ch->tokens;
    ch->token_ms = tun->token_ms;
    ch->jitter_pct = tun->jitter_pct;
}

int chat_start(const struct chat_env *env, struct httpd_conn *conn, const struct httpd_req *req,
               const struct chat_ask *ask, int fail_in_stream)
{
    struct chat *ch = calloc(1, sizeof *ch);
    const char *rid = httpd_req_header(req, "X-Request-Id");
    if (!ch || (rid && !(ch->rid = strdup(rid))) ||
        (ask->model && !(ch->model = strdup(ask->model)))) {
        if (ch) {
            free(ch->rid);
            free(ch);
        }
        httpd_respond(conn, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
        return -1;
    }
    const struct sim_tunables *tun = env->tun;
    ch->env = env;
    ch->conn = conn;
    take_ask(ch, tun, ask, fail_in_stream);
    quote_model(ch);
    ch->start_ns = uv_hrtime();
    ch->created = (long)time(NULL);
    /* OpenClaw's run id shape: its log names the run by it (runId=chatcmpl_...). */
    snprintf(ch->id, sizeof ch->id, "chatcmpl_%08lx", (unsigned long)(rng_next(env->rng) * 4e9));
    uv_timer_init(env->loop, &ch->timer);
    ch->timer.data = ch;
    httpd_set_abort(conn, on_abort, ch);
    if (ch->stream) { /* as the real gateway: 200 and the role before the model says a word */
        httpd_stream_begin(conn, 200, "text/event-stream");
        send_delta(ch, "assistant", NULL);
    }
    /* The loop's clock was read before this request was parsed (and a busy machine may
     * have paused us since): the first token is due ttft_ms from now, as the log says. */
    uv_update_time(env->loop);
    uv_timer_start(&ch->timer, on_tick, (uint64_t)chat_ttft_delay(env->rng, tun), 0);
    return 0;
}
