/* Chat completions as the gateway sends them: 200 and headers before the model answers,
 * then SSE chunks; agent failures arrive inside the stream, which is why TTFT and in-stream
 * errors must be measured by a client and cannot be seen in nginx's status codes. */
#include "sim/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL_TEXT "Error: upstream model failed"

struct chat {
    uv_timer_t timer;
    const struct chat_env *env;
    struct httpd_conn *conn; /* NULL once the client has gone */
    int stream, fail;
    long sent, tokens, token_ms;
    double jitter_pct;
    uint64_t start_ns;   /* uv_hrtime when the request arrived */
    double ttft;         /* ms to the first content actually written */
    char id[40];
    char *rid;
    char *content; /* the answer so far, for non-streaming replies */
    size_t content_len;
};

long chat_jitter(struct sim_rng *rng, long ms, double jitter_pct)
{
    double spread = (2.0 * rng_next(rng) - 1.0) * jitter_pct / 100.0;
    double d = (double)ms * (1.0 + spread);
    return d < 0 ? 0 : (long)(d + 0.5);
}

static void on_closed(uv_handle_t *handle)
{
    struct chat *ch = handle->data;
    free(ch->rid);
    free(ch->content);
    free(ch);
}

static void log_chat(struct chat *ch, int status, const char *level, const char *msg)
{
    struct simlog_entry e = {
        .level = level, .color = ch->env->name, .version = ch->env->version, .rid = ch->rid,
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

static void send_chunk(struct chat *ch, const char *text)
{
    char buf[512];
    if (!ch->stream) {
        add_content(ch, text);
        return;
    }
    int n = snprintf(buf, sizeof buf,
                     "data: {\"id\":\"%s\",\"object\":\"chat.completion.chunk\","
                     "\"model\":\"cutover-sim\",\"choices\":[{\"index\":0,"
                     "\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n",
                     ch->id, text);
    httpd_stream_write(ch->conn, buf, (size_t)n);
}

static void finish(struct chat *ch)
{
    if (ch->stream) {
        httpd_stream_write(ch->conn, "data: [DONE]\n\n", 14);
        httpd_stream_end(ch->conn);
    } else {
        char head[256];
        const char *text = ch->content ? ch->content : "";
        int n = snprintf(head, sizeof head,
                         "{\"id\":\"%s\",\"object\":\"chat.completion\",\"model\":\"cutover-sim\","
                         "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                         "\"content\":\"", ch->id);
        size_t len = (size_t)n + strlen(text) + 64;
        char *body = malloc(len);
        if (body) {
            n = snprintf(body, len, "%s%s\"},\"finish_reason\":\"stop\"}]}", head, text);
            httpd_respond(ch->conn, 200, "application/json", body, (size_t)n);
            free(body);
        } else {
            httpd_respond(ch->conn, 500, "application/json", "{}", 2);
        }
    }
    log_chat(ch, 200, ch->fail ? "error" : "info", ch->fail ? "chat failed" : "chat completed");
    chat_done(ch);
}

static void on_tick(uv_timer_t *t)
{
    struct chat *ch = t->data;
    char tok[32];
    if (ch->sent == 0)
        ch->ttft = (double)(uv_hrtime() - ch->start_ns) / 1e6;
    if (ch->fail) {
        send_chunk(ch, FAIL_TEXT);
        finish(ch);
        return;
    }
    snprintf(tok, sizeof tok, ch->sent == 0 ? "tok%ld" : " tok%ld", ch->sent);
    send_chunk(ch, tok);
    if (++ch->sent >= ch->tokens) {
        finish(ch);
        return;
    }
    uv_timer_start(t, on_tick, (uint64_t)chat_jitter(ch->env->rng, ch->token_ms, ch->jitter_pct),
                   0);
}

int chat_start(const struct chat_env *env, struct httpd_conn *conn, const struct httpd_req *req,
               int stream, int fail_in_stream)
{
    struct chat *ch = calloc(1, sizeof *ch);
    const char *rid = httpd_req_header(req, "X-Request-Id");
    if (!ch || (rid && !(ch->rid = strdup(rid)))) {
        free(ch);
        httpd_respond(conn, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
        return -1;
    }
    const struct sim_tunables *tun = env->tun;
    ch->env = env;
    ch->conn = conn;
    ch->stream = stream;
    ch->fail = fail_in_stream;
    ch->tokens = tun->tokens;
    ch->token_ms = tun->token_ms;
    ch->jitter_pct = tun->jitter_pct;
    ch->start_ns = uv_hrtime();
    snprintf(ch->id, sizeof ch->id, "chatcmpl-%08lx", (unsigned long)(rng_next(env->rng) * 4e9));
    uv_timer_init(env->loop, &ch->timer);
    ch->timer.data = ch;
    httpd_set_abort(conn, on_abort, ch);
    if (stream) /* as the real gateway: 200 before the model has said a word */
        httpd_stream_begin(conn, 200, "text/event-stream");
    uv_timer_start(&ch->timer, on_tick, (uint64_t)chat_jitter(env->rng, tun->ttft_ms,
                                                              tun->jitter_pct), 0);
    return 0;
}
