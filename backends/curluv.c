/* curluv: see curluv.h. curl tells us which sockets to watch and when to
 * wake it (its socket and timer callbacks); libuv watches and wakes; every
 * wake-up is one curl_multi_socket_action followed by draining finished
 * transfers. curl is never called from inside its own callbacks, except
 * curl_multi_assign, which its manual allows there. */
#include "backends/curluv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct xfer {                 /* one running transfer */
    struct xfer *prev, *next;
    CURL *easy;
    curluv_done_cb cb;
    void *data;
};

struct sock {                 /* one socket curl asked us to watch */
    uv_poll_t poll;           /* first: the close callback gets this pointer */
    struct sock *prev, *next;
    curl_socket_t fd;
    struct curluv *cu;
};

struct curluv {
    uv_loop_t *loop;
    CURLM *multi;             /* NULL once curluv_free has cleaned it up */
    uv_timer_t timer;
    int handles;              /* open libuv handles, counting closing ones */
    int running;
    bool closing;
    struct xfer *xfers;
    struct sock *socks;
};

static void maybe_release(struct curluv *cu)
{
    if (cu->closing && cu->handles == 0)
        free(cu);
}

static void on_sock_closed(uv_handle_t *h)
{
    struct sock *sk = (struct sock *)h;
    struct curluv *cu = sk->cu;
    free(sk);
    cu->handles--;
    maybe_release(cu);
}

/* Unlinks first, so a socket is closed at most once whoever asks. */
static void sock_close(struct sock *sk)
{
    struct curluv *cu = sk->cu;
    if (sk->prev)
        sk->prev->next = sk->next;
    else
        cu->socks = sk->next;
    if (sk->next)
        sk->next->prev = sk->prev;
    uv_poll_stop(&sk->poll);
    uv_close((uv_handle_t *)&sk->poll, on_sock_closed);
}

static void xfer_unlink(struct curluv *cu, struct xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        cu->xfers = x->next;
    if (x->next)
        x->next->prev = x->prev;
}

/* Hands finished transfers back. Called after every socket_action, also when
 * nothing runs any more: the last transfer's message waits here otherwise. */
static void drain_done(struct curluv *cu)
{
    CURLMsg *msg;
    int left;
    while (cu->multi && (msg = curl_multi_info_read(cu->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        struct xfer *x = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(cu->multi, easy);
        if (!x)
            continue;
        xfer_unlink(cu, x);
        curluv_done_cb cb = x->cb;
        void *data = x->data;
        free(x);
        cb(easy, result, data);   /* may add, cancel, or free cu */
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct sock *sk = (struct sock *)h;
    struct curluv *cu = sk->cu;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    /* sk may be closed inside this call (CURL_POLL_REMOVE): not used after. */
    curl_multi_socket_action(cu->multi, sk->fd, flags, &cu->running);
    drain_done(cu);
}

static void on_timeout(uv_timer_t *t)
{
    struct curluv *cu = t->data;
    curl_multi_socket_action(cu->multi, CURL_SOCKET_TIMEOUT, 0, &cu->running);
    drain_done(cu);
}

/* curl's timer callback: only arms our timer. A 0 ms timeout still goes
 * through the loop, so curl is not re-entered from its own callback. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct curluv *cu = userp;
    if (cu->closing)
        return 0;
    if (timeout_ms < 0)
        uv_timer_stop(&cu->timer);
    else
        uv_timer_start(&cu->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

static struct sock *sock_open(struct curluv *cu, curl_socket_t s)
{
    struct sock *sk = calloc(1, sizeof *sk);
    if (!sk)
        return NULL;
    if (uv_poll_init_socket(cu->loop, &sk->poll, s) != 0) {
        free(sk);
        return NULL;
    }
    sk->fd = s;
    sk->cu = cu;
    sk->next = cu->socks;
    if (cu->socks)
        cu->socks->prev = sk;
    cu->socks = sk;
    cu->handles++;
    curl_multi_assign(cu->multi, s, sk);
    return sk;
}

/* curl's socket callback. On CURL_POLL_REMOVE curl is about to close the
 * descriptor (and may reuse its number for the next socket at once), so the
 * poll stops and is closed now; its memory goes in the close callback. */
static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    struct curluv *cu = userp;
    struct sock *sk = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (sk)
            sock_close(sk);
        return 0;
    }
    if (!sk && (sk = sock_open(cu, s)) == NULL)
        return -1;
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    return uv_poll_start(&sk->poll, events, on_poll) == 0 ? 0 : -1;
}

struct curluv *curluv_new(uv_loop_t *loop, char *err, size_t errlen)
{
    struct curluv *cu = calloc(1, sizeof *cu);
    if (!cu) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "curl_global_init failed");
        free(cu);
        return NULL;
    }
    cu->loop = loop;
    cu->multi = curl_multi_init();
    if (!cu->multi) {
        snprintf(err, errlen, "curl_multi_init failed");
        curl_global_cleanup();
        free(cu);
        return NULL;
    }
    uv_timer_init(loop, &cu->timer);
    cu->timer.data = cu;
    cu->handles = 1;
    curl_multi_setopt(cu->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(cu->multi, CURLMOPT_SOCKETDATA, cu);
    curl_multi_setopt(cu->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(cu->multi, CURLMOPT_TIMERDATA, cu);
    return cu;
}

int curluv_add(struct curluv *cu, CURL *easy, curluv_done_cb cb, void *data,
               char *err, size_t errlen)
{
    struct xfer *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    x->easy = easy;
    x->cb = cb;
    x->data = data;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    CURLMcode mc = curl_multi_add_handle(cu->multi, easy);
    if (mc != CURLM_OK) {
        snprintf(err, errlen, "curl_multi_add_handle: %s", curl_multi_strerror(mc));
        free(x);
        return -1;
    }
    x->next = cu->xfers;
    if (cu->xfers)
        cu->xfers->prev = x;
    cu->xfers = x;
    return 0;
}

void curluv_cancel(struct curluv *cu, CURL *easy)
{
    for (struct xfer *x = cu->xfers; x; x = x->next) {
        if (x->easy != easy)
            continue;
        xfer_unlink(cu, x);
        free(x);
        curl_multi_remove_handle(cu->multi, easy);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        return;
    }
}

int curluv_running(const struct curluv *cu)
{
    int n = 0;
    for (const struct xfer *x = cu->xfers; x; x = x->next)
        n++;
    return n;
}

int curluv_handles(const struct curluv *cu)
{
    return cu->handles;
}

static void on_timer_closed(uv_handle_t *h)
{
    struct curluv *cu = h->data;
    cu->handles--;
    maybe_release(cu);
}

void curluv_free(struct curluv *cu)
{
    if (!cu || cu->closing)
        return;
    while (cu->xfers)
        curluv_cancel(cu, cu->xfers->easy);
    cu->closing = true;
    curl_multi_cleanup(cu->multi);    /* calls the socket callback: REMOVE */
    cu->multi = NULL;
    curl_global_cleanup();
    while (cu->socks)                 /* any socket curl did not remove */
        sock_close(cu->socks);
    uv_timer_stop(&cu->timer);
    uv_close((uv_handle_t *)&cu->timer, on_timer_closed);
}
