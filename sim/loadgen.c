/* Load generator: libcurl multi driven by libuv. One uv_timer for curl's timeout, one uv_poll
 * per curl socket (kept with curl_multi_assign, closed on CURL_POLL_REMOVE, freed in its close
 * callback); after every curl_multi_socket_action the finished transfers are drained. A pacing
 * timer starts requests at --rps, never more than --concurrency at once. */
#include "sim/loadgen.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim/loadstats.h"
#include "sim/opt.h"
#include "sim/loadsse.h"

#define TICK_MS 5

/* The request body; --model names the model (a real OpenClaw takes only
 * "openclaw" or "openclaw/<agent>"), as plain characters so it needs no JSON
 * escaping. */
static const char body_format[] =
    "{\"model\":\"%s\",\"stream\":true,"
    "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";

struct lg_opts {
    const char *url;
    double rps;
    long concurrency, count, timeout_s;
    double duration_s;
    int quiet;
    char body[192];
};

struct xfer {
    CURL *easy;
    struct loadgen *lg;
    struct xfer *prev, *next;
    struct loadsse sse;
    uint64_t start_ns;
    double ttft_ms; /* < 0 until the first content chunk */
};

struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct loadgen *lg;
};

struct loadgen {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t curl_timer, tick, deadline, progress;
    uv_signal_t sigint, sigterm;
    struct lg_opts o;
    struct curl_slist *headers;
    struct xfer *xfers;
    long in_flight, sent, skipped;
    struct loadstats stats;
    uint64_t t0;
    int stopping; /* start nothing new */
    int shut;     /* everything closed or closing */
    long live_polls;
};

static void shutdown_all(struct loadgen *lg);

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t n = size * nmemb;
    if (loadsse_feed(&x->sse, ptr, n))
        x->ttft_ms = (double)(uv_hrtime() - x->start_ns) / 1e6;
    return n;
}

static int start_one(struct loadgen *lg)
{
    struct xfer *x = calloc(1, sizeof *x);
    if (!x || !(x->easy = curl_easy_init())) {
        free(x);
        return -1;
    }
    x->lg = lg;
    x->ttft_ms = -1;
    loadsse_init(&x->sse);
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, lg->o.url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, lg->o.body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, lg->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, lg->o.timeout_s);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    x->start_ns = uv_hrtime();
    if (curl_multi_add_handle(lg->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        free(x);
        return -1;
    }
    x->next = lg->xfers;
    if (lg->xfers)
        lg->xfers->prev = x;
    lg->xfers = x;
    lg->in_flight++;
    lg->sent++;
    return 0;
}

static void unlink_free(struct loadgen *lg, struct xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        lg->xfers = x->next;
    if (x->next)
        x->next->prev = x->prev;
    curl_multi_remove_handle(lg->multi, x->easy);
    curl_easy_cleanup(x->easy);
    free(x);
    lg->in_flight--;
}

static int can_start(const struct loadgen *lg)
{
    return !lg->stopping && lg->in_flight < lg->o.concurrency &&
           (lg->o.count == 0 || lg->sent < lg->o.count);
}

/* Tops up to the target: all the concurrency allows with --rps 0, else the schedule. */
static void fill(struct loadgen *lg)
{
    long target = lg->sent + lg->o.concurrency;
    if (lg->o.rps > 0) {
        double elapsed = (double)(uv_hrtime() - lg->t0) / 1e9;
        target = (long)(elapsed * lg->o.rps) + 1 - lg->skipped;
    }
    while (lg->sent < target && can_start(lg))
        if (start_one(lg) < 0)
            break;
    /* Slots missed while saturated are dropped, not fired later in one burst. */
    if (lg->o.rps > 0 && target - lg->sent > lg->o.concurrency)
        lg->skipped += target - lg->sent - lg->o.concurrency;
}

static void finish_xfer(struct loadgen *lg, struct xfer *x, CURLcode result)
{
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    if (result != CURLE_OK)
        loadstats_transport_error(&lg->stats);
    else
        loadstats_response(&lg->stats, code, x->sse.have_content, x->sse.is_error, x->ttft_ms);
    unlink_free(lg, x);
}

static void check_finished(struct loadgen *lg)
{
    if (lg->shut || lg->in_flight > 0)
        return;
    if (lg->stopping || (lg->o.count > 0 && lg->sent >= lg->o.count))
        shutdown_all(lg);
}

/* Drains finished transfers; called after every curl_multi_socket_action. */
static void check_info(struct loadgen *lg)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(lg->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct xfer *x = NULL;
        CURLcode result = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        finish_xfer(lg, x, result);
    }
    if (lg->o.rps <= 0)
        fill(lg);
    check_finished(lg);
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    struct sock *sk = handle->data;
    struct loadgen *lg = sk->lg;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else
        flags = (events & UV_READABLE ? CURL_CSELECT_IN : 0) |
                (events & UV_WRITABLE ? CURL_CSELECT_OUT : 0);
    curl_multi_socket_action(lg->multi, sk->fd, flags, &running);
    check_info(lg);
}

static void on_poll_closed(uv_handle_t *handle)
{
    struct sock *sk = handle->data;
    sk->lg->live_polls--;
    free(sk);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct loadgen *lg = userp;
    struct sock *sk = socketp;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (sk) { /* curl forgets fd after this call; no curl_multi_assign needed */
            uv_poll_stop(&sk->poll);
            uv_close((uv_handle_t *)&sk->poll, on_poll_closed);
        }
        return 0;
    }
    if (!sk) {
        if (!(sk = calloc(1, sizeof *sk)))
            return -1;
        sk->fd = fd;
        sk->lg = lg;
        if (uv_poll_init_socket(lg->loop, &sk->poll, fd) < 0) {
            free(sk);
            return -1;
        }
        sk->poll.data = sk;
        lg->live_polls++;
        curl_multi_assign(lg->multi, fd, sk);
    }
    int events = (what & CURL_POLL_IN ? UV_READABLE : 0) | (what & CURL_POLL_OUT ? UV_WRITABLE : 0);
    uv_poll_start(&sk->poll, events, on_poll);
    return 0;
}

static void on_curl_timeout(uv_timer_t *t)
{
    struct loadgen *lg = t->data;
    int running;
    curl_multi_socket_action(lg->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_info(lg);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct loadgen *lg = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&lg->curl_timer);
    else /* 0 means "as soon as possible": the next loop turn, never from inside curl */
        uv_timer_start(&lg->curl_timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

static void on_tick(uv_timer_t *t)
{
    struct loadgen *lg = t->data;
    fill(lg);
    check_finished(lg);
}

static void stop_starting(struct loadgen *lg)
{
    lg->stopping = 1;
    uv_timer_stop(&lg->tick);
    check_finished(lg);
}

static void on_deadline(uv_timer_t *t)
{
    stop_starting(t->data);
}

static void on_progress(uv_timer_t *t)
{
    struct loadgen *lg = t->data;
    fprintf(stderr, "cutover-sim load: sent %ld, in flight %ld, completed %ld\n", lg->sent,
            lg->in_flight, lg->stats.completed);
}

/* First signal: start nothing new, let open streams end. Second: abort them. */
static void on_signal(uv_signal_t *s, int signum)
{
    struct loadgen *lg = s->data;
    (void)signum;
    if (lg->stopping)
        shutdown_all(lg);
    else
        stop_starting(lg);
}

static void shutdown_all(struct loadgen *lg)
{
    if (lg->shut)
        return;
    lg->shut = 1;
    uv_close((uv_handle_t *)&lg->tick, NULL);
    uv_close((uv_handle_t *)&lg->deadline, NULL);
    uv_close((uv_handle_t *)&lg->progress, NULL);
    uv_close((uv_handle_t *)&lg->sigint, NULL);
    uv_close((uv_handle_t *)&lg->sigterm, NULL);
    while (lg->xfers) {
        lg->stats.aborted++;
        unlink_free(lg, lg->xfers);
    }
    curl_multi_cleanup(lg->multi); /* may still call on_socket with CURL_POLL_REMOVE */
    lg->multi = NULL;
    uv_close((uv_handle_t *)&lg->curl_timer, NULL);
}

static int parse_number(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d >= lo && d <= hi)) {
        fprintf(stderr, "cutover-sim load: %s: '%s' is not a number %g..%g\n", opt, v, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

static int set_model(struct loadgen *lg, const char *model)
{
    if (!model[0] || strlen(model) > 64 ||
        strspn(model, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.:-") !=
            strlen(model)) {
        fprintf(stderr, "cutover-sim load: --model: '%s' is not a model name "
                        "(letters, digits and / _ . : -, 64 at most)\n", model);
        return -1;
    }
    snprintf(lg->o.body, sizeof lg->o.body, body_format, model);
    return 0;
}

/* One option at argv[*i]; returns 0, or -1 after printing why. */
static int parse_opt(int argc, char **argv, int *i, struct loadgen *lg)
{
    static const struct { const char *name; double lo, hi; } nums[] = {
        {"--rps", 0, 1e6}, {"--concurrency", 1, 100000}, {"--count", 1, 1e12},
        {"--duration", 0.001, 1e9}, {"--timeout", 1, 86400},
    };
    const char *v = NULL;
    int m;
    if (strcmp(argv[*i], "--quiet") == 0) {
        lg->o.quiet = 1;
        return 0;
    }
    if ((m = opt_match(argc, argv, i, "--url", &v)) != 0) {
        lg->o.url = v;
    } else if ((m = opt_match(argc, argv, i, "--model", &v)) != 0) {
        if (v && set_model(lg, v) < 0)
            return -1;
    } else if ((m = opt_match(argc, argv, i, "--header", &v)) != 0) {
        struct curl_slist *n = v ? curl_slist_append(lg->headers, v) : NULL;
        if (n)
            lg->headers = n;
    } else {
        for (size_t k = 0; k < sizeof nums / sizeof nums[0] && m == 0; k++) {
            double d;
            if ((m = opt_match(argc, argv, i, nums[k].name, &v)) <= 0)
                continue;
            if (parse_number(nums[k].name, v, nums[k].lo, nums[k].hi, &d) < 0)
                return -1;
            switch (k) {
            case 0: lg->o.rps = d; break;
            case 1: lg->o.concurrency = (long)d; break;
            case 2: lg->o.count = (long)d; break;
            case 3: lg->o.duration_s = d; break;
            default: lg->o.timeout_s = (long)d; break;
            }
        }
        if (m == 0) {
            fprintf(stderr, "cutover-sim load: unknown option '%s' (see --help)\n", argv[*i]);
            return -1;
        }
    }
    if (m < 0) {
        fprintf(stderr, "cutover-sim load: %s needs a value\n", argv[*i]);
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct loadgen *lg)
{
    lg->o = (struct lg_opts){.rps = 50, .concurrency = 16, .timeout_s = 60};
    set_model(lg, "cutover-sim");
    /* Expect: off, so a slow gateway's missing 100 Continue never delays the body. */
    const char *defaults[] = {"Content-Type: application/json", "Accept: text/event-stream",
                              "Expect:"};
    for (size_t k = 0; k < 3; k++) {
        struct curl_slist *n = curl_slist_append(lg->headers, defaults[k]);
        if (!n)
            return -1;
        lg->headers = n;
    }
    for (int i = 1; i < argc; i++)
        if (parse_opt(argc, argv, &i, lg) < 0)
            return -1;
    if (!lg->o.url) {
        fprintf(stderr, "cutover-sim load: --url is required\n");
        return -1;
    }
    return 0;
}

static void init_timer(struct loadgen *lg, uv_timer_t *t)
{
    uv_timer_init(lg->loop, t);
    t->data = lg;
}

static void init_signal(struct loadgen *lg, uv_signal_t *s, int signum)
{
    uv_signal_init(lg->loop, s);
    s->data = lg;
    uv_signal_start(s, on_signal, signum);
}

static int run(struct loadgen *lg)
{
    if (!(lg->multi = curl_multi_init())) {
        fprintf(stderr, "cutover-sim load: cannot initialise libcurl\n");
        return -1;
    }
    curl_multi_setopt(lg->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(lg->multi, CURLMOPT_SOCKETDATA, lg);
    curl_multi_setopt(lg->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(lg->multi, CURLMOPT_TIMERDATA, lg);
    init_timer(lg, &lg->curl_timer);
    init_timer(lg, &lg->tick);
    init_timer(lg, &lg->deadline);
    init_timer(lg, &lg->progress);
    init_signal(lg, &lg->sigint, SIGINT);
    init_signal(lg, &lg->sigterm, SIGTERM);
    lg->t0 = uv_hrtime();
    if (lg->o.duration_s > 0)
        uv_timer_start(&lg->deadline, on_deadline, (uint64_t)(lg->o.duration_s * 1000), 0);
    if (!lg->o.quiet)
        uv_timer_start(&lg->progress, on_progress, 1000, 1000);
    if (lg->o.rps > 0)
        uv_timer_start(&lg->tick, on_tick, 0, TICK_MS);
    else
        fill(lg);
    uv_run(lg->loop, UV_RUN_DEFAULT);
    return 0;
}

int loadgen_main(int argc, char **argv)
{
    struct loadgen lg;
    uv_loop_t loop;
    int rc = 0;
    memset(&lg, 0, sizeof lg);
    if (parse_args(argc, argv, &lg) < 0) {
        curl_slist_free_all(lg.headers);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a reset socket is an error code, not a dead process */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "cutover-sim load: cannot initialise libcurl\n");
        curl_slist_free_all(lg.headers);
        return 1;
    }
    uv_loop_init(&loop);
    lg.loop = &loop;
    if (run(&lg) < 0)
        rc = 1;
    if (lg.live_polls != 0 || uv_loop_close(&loop) != 0) {
        fprintf(stderr, "cutover-sim load: handles left open at exit\n");
        rc = 1;
    }
    char *summary = rc == 0 ? loadstats_json(&lg.stats, lg.sent) : NULL;
    if (summary)
        printf("%s\n", summary);
    cJSON_free(summary);
    loadstats_free(&lg.stats);
    curl_slist_free_all(lg.headers);
    curl_global_cleanup();
    return rc;
}
