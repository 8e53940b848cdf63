/* grafana: a reload annotation for every shift, rollback or reload that
 * went through, posted to Grafana's HTTP API (POST {url}/api/annotations)
 * on the loop through curluv. Nothing waits for it: a post that fails or
 * times out (timeout_ms) is said once on stderr and dropped, so a dead
 * Grafana never delays a move. The token is read from the environment
 * variable the config names, sent only as the Authorization header, and
 * never printed; grafana_new removes that variable from the environment so
 * the commands the server runs do not inherit it.
 *
 * Ownership: grafana_new allocates; grafana_free cancels what still runs,
 * frees every post and hands curluv's watchers to the loop to close. */
#ifndef CUTOVER_SERVER_GRAFANA_H
#define CUTOVER_SERVER_GRAFANA_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <uv.h>

#define GRAFANA_MAX_IN_FLIGHT 16

struct grafana;

/* url: "http://host:3000" (a trailing slash is fine). Returns 0, or -1 with
 * a one-line err (not an http(s) URL, a user or password in it, curl cannot
 * start); err never holds the URL's userinfo. A missing token is
 * a warning on stderr, not an error: Grafana will say 401, once. */
int grafana_new(uv_loop_t *loop, const char *url, const char *token_env, int timeout_ms,
                struct grafana **out, char *err, size_t errlen);

/* The annotation's JSON body for a journal event, or NULL when the event is
 * not a reload that went through (action shift, rollback or reload with
 * outcome "ok"). Caller frees. Pure, for tests. */
char *grafana_body(const cJSON *event);

/* Posts the event's annotation if it is a reload; returns at once. */
void grafana_annotate(struct grafana *g, const cJSON *event);

/* Posts started, finished ok, and failed so far (for tests and logs). */
void grafana_counts(const struct grafana *g, int *started, int *ok, int *failed);

void grafana_free(struct grafana *g);

#endif
