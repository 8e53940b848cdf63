/* curluv: libcurl's multi interface driven by the libuv loop, one uv_timer_t
 * for curl's timeout and one uv_poll_t per curl socket. Generic: the probe
 * uses it, and so can anything else that speaks HTTP on the loop.
 *
 * Ownership: the caller owns its easy handles and frees them; curluv owns the
 * multi handle and its watchers. curluv uses CURLOPT_PRIVATE of every easy it
 * runs, so callers must not. The done callback is always called from the
 * loop (never from inside curl_multi_add_handle or another curl call), after
 * the easy has left the multi, so it may free or re-add the easy.
 * The caller should ignore SIGPIPE; curluv sets CURLOPT_NOSIGNAL. */
#ifndef CUTOVER_BACKENDS_CURLUV_H
#define CUTOVER_BACKENDS_CURLUV_H

#include <stddef.h>
#include <curl/curl.h>
#include <uv.h>

struct curluv;

typedef void (*curluv_done_cb)(CURL *easy, CURLcode result, void *data);

/* NULL with err filled when curl or libuv cannot start. */
struct curluv *curluv_new(uv_loop_t *loop, char *err, size_t errlen);

/* Starts a transfer; cb runs once when it ends (whatever the result) unless
 * curluv_cancel or curluv_free comes first. Returns 0, or -1 with err. */
int curluv_add(struct curluv *cu, CURL *easy, curluv_done_cb cb, void *data,
               char *err, size_t errlen);

/* Stops a running transfer without calling its callback; the easy is the
 * caller's again. Does nothing for an easy curluv does not run. */
void curluv_cancel(struct curluv *cu, CURL *easy);

/* Transfers running now. */
int curluv_running(const struct curluv *cu);

/* libuv handles curluv has open (the timer plus one poll per socket), for
 * tests that check nothing is left behind. */
int curluv_handles(const struct curluv *cu);

/* Cancels what still runs (no callbacks), cleans up the multi handle and
 * closes every watcher; the memory goes when the loop has run their close
 * callbacks. NULL is fine. */
void curluv_free(struct curluv *cu);

#endif
