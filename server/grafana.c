/* grafana: see grafana.h. Each post owns its easy handle, its header list
 * and its body; it is freed in curluv's done callback or by grafana_free.
 * Failures are said once until a post works again, so a Grafana that is
 * down for an hour of shifts costs one line in the log. */
#include "server/grafana.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/curluv.h"

struct post {
    struct post *prev, *next;
    struct grafana *g;
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    char err[CURL_ERROR_SIZE];
};

struct grafana {
    struct curluv *cu;
    char *endpoint;                 /* {url}/api/annotations */
    char *auth;                     /* "Authorization: Bearer ..."; NULL without a token */
    long timeout_ms;
    struct post *posts;
    int in_flight;
    int started, ok, failed;
    bool failing;                   /* the last post failed and we said so */
};

/* ---- the annotation ----------------------------------------------------- */

static bool is_reload(const cJSON *ev)
{
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "action"));
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "outcome"));
    if (!action || !outcome || strcmp(outcome, "ok") != 0)
        return false;
    return !strcmp(action, "shift") || !strcmp(action, "rollback") || !strcmp(action, "reload");
}

/* Weights {"blue": B, "green": G} into w; false when absent or null. */
static bool weights(const cJSON *ev, const char *key, int w[2])
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(ev, key);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "blue");
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "green");
    if (!cJSON_IsNumber(b) || !cJSON_IsNumber(g))
        return false;
    w[0] = (int)b->valuedouble;
    w[1] = (int)g->valuedouble;
    return true;
}

static const char *str_or(const cJSON *ev, const char *key, const char *fallback)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, key));
    return s && s[0] ? s : fallback;
}

/* "shift blue 100/green 0 -> 90/10 by alice, green 9a7d3e2" */
static void annotation_text(const cJSON *ev, const int after[2], char *buf, size_t len)
{
    int before[2];
    char from[48] = "";
    if (weights(ev, "before", before))
        snprintf(from, sizeof from, " blue %d/green %d", before[0], before[1]);
    int n = snprintf(buf, len, "%s%s -> %d/%d by %s", str_or(ev, "action", "?"), from, after[0],
                     after[1], str_or(ev, "user", "unknown"));
    const char *cand = str_or(ev, "candidate", NULL);
    if (cand && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", %s %s", cand,
                 str_or(ev, "candidate_version", "(version unknown)"));
}

char *grafana_body(const cJSON *ev)
{
    int after[2];
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev, "time");
    if (!is_reload(ev) || !weights(ev, "after", after) || !cJSON_IsNumber(t))
        return NULL;
    char tag[64], text[512];
    snprintf(tag, sizeof tag, "blue %d / green %d", after[0], after[1]);
    annotation_text(ev, after, text, sizeof text);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "time", round(t->valuedouble * 1000.0));
    cJSON *tags = cJSON_AddArrayToObject(o, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString("cutover"));
    cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
    cJSON_AddStringToObject(o, "text", text);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return body;
}

/* ---- posting ------------------------------------------------------------ */

static void post_free(struct post *p)
{
    struct grafana *g = p->g;
    if (p->prev)
        p->prev->next = p->next;
    else
        g->posts = p->next;
    if (p->next)
        p->next->prev = p->prev;
    g->in_flight--;
    curl_easy_cleanup(p->easy);
    curl_slist_free_all(p->headers);
    free(p->body);
    free(p);
}

/* Grafana's answer body is not needed: only its status is. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *data)
{
    (void)ptr;
    (void)data;
    return size * nmemb;
}

static void say_failure(struct grafana *g, const char *why)
{
    g->failed++;
    if (g->failing)
        return;
    g->failing = true;
    fprintf(stderr, "cutover server: grafana annotation to %s failed: %s (said once until one "
                    "works again)\n", g->endpoint, why);
}

static void on_done(CURL *easy, CURLcode result, void *data)
{
    struct post *p = data;
    struct grafana *g = p->g;
    long status = 0;
    char why[CURL_ERROR_SIZE + 64];
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (result != CURLE_OK) {
        snprintf(why, sizeof why, "%s", p->err[0] ? p->err : curl_easy_strerror(result));
        say_failure(g, why);
    } else if (status < 200 || status >= 300) {
        snprintf(why, sizeof why, "HTTP %ld", status);
        say_failure(g, why);
    } else {
        g->ok++;
        if (g->failing)
            fprintf(stderr, "cutover server: grafana annotations work again\n");
        g->failing = false;
    }
    post_free(p);
}

static struct post *post_new(struct grafana *g, char *body)
{
    struct post *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->g = g;
    p->body = body;
    p->easy = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (h && g->auth)
        h = curl_slist_append(h, g->auth) ? h : (curl_slist_free_all(h), NULL);
    p->headers = h;
    if (!p->easy || !h) {
        curl_easy_cleanup(p->easy);
        curl_slist_free_all(h);
        free(p);
        return NULL;
    }
    CURL *e = p->easy;
    curl_easy_setopt(e, CURLOPT_URL, g->endpoint);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(p->body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "cutover");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, g->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, g->timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->err);
    return p;
}

void grafana_annotate(struct grafana *g, const cJSON *event)
{
    char *body = grafana_body(event);
    if (!body)
        return;
    g->started++;
    if (g->in_flight >= GRAFANA_MAX_IN_FLIGHT) {
        free(body);
        say_failure(g, "too many annotations still waiting for an answer");
        return;
    }
    struct post *p = post_new(g, body);
    if (!p) {
        free(body);
        say_failure(g, "out of memory");
        return;
    }
    p->next = g->posts;
    if (g->posts)
        g->posts->prev = p;
    g->posts = p;
    g->in_flight++;
    char err[256];
    if (curluv_add(g->cu, p->easy, on_done, p, err, sizeof err) != 0) {
        say_failure(g, err);
        post_free(p);
    }
}

/* ---- life --------------------------------------------------------------- */

/* Where the URL's userinfo ("user:password@") ends, or NULL when it has
 * none: an @ in the authority, before the path, query or fragment. */
static const char *userinfo_end(const char *url)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t n = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', n);
    const char *last = at;
    while (at && (at = memchr(at + 1, '@', n - (size_t)(at + 1 - auth))) != NULL)
        last = at;   /* the host starts after the last one */
    return last;
}

/* The URL for a message: its userinfo, if any, replaced by "***@". */
static void url_redacted(const char *url, char *buf, size_t len)
{
    const char *end = userinfo_end(url);
    const char *auth = strstr(url, "://");
    size_t head = auth ? (size_t)(auth + 3 - url) : 0;
    if (end)
        snprintf(buf, len, "%.*s***@%.200s", (int)head, url, end + 1);
    else
        snprintf(buf, len, "%.200s", url);
}

int grafana_new(uv_loop_t *loop, const char *url, const char *token_env, int timeout_ms,
                struct grafana **out, char *err, size_t errlen)
{
    *out = NULL;
    char shown[300];
    url_redacted(url, shown, sizeof shown);
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, errlen, "export.grafana_url: expected an http:// or https:// URL, got '%s'",
                 shown);
        return -1;
    }
    /* The URL is printed with every failure in the server's log, and a
     * password in it would go there (and to curl's basic auth): refused. */
    if (userinfo_end(url)) {
        snprintf(err, errlen, "export.grafana_url: a user or password in the URL is refused (%s); "
                 "put a Grafana API token in the environment variable export.grafana_token_env "
                 "names ($%.60s)", shown, token_env && token_env[0] ? token_env : "GRAFANA_TOKEN");
        return -1;
    }
    struct grafana *g = calloc(1, sizeof *g);
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    if (g)
        g->endpoint = malloc(ul + sizeof "/api/annotations");
    if (!g || !g->endpoint) {
        if (g)
            free(g);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(g->endpoint, url, ul);
    memcpy(g->endpoint + ul, "/api/annotations", sizeof "/api/annotations");
    g->timeout_ms = timeout_ms;
    const char *token = token_env && token_env[0] ? getenv(token_env) : NULL;
    if (token && token[0]) {
        size_t n = strlen(token) + sizeof "Authorization: Bearer ";
        g->auth = malloc(n);
        if (g->auth)
            snprintf(g->auth, n, "Authorization: Bearer %s", token);
        /* Every command the server runs (nginx -t, the reload, hooks, stop
         * commands) gets the server's environment: with the token copied,
         * it leaves the environment so no child inherits it (and no hook
         * that dumps or logs its environment can leak it). */
        unsetenv(token_env);
    } else {
        fprintf(stderr, "cutover server: warning: export.grafana_url is set but $%s is empty: "
                        "annotations go without a token\n", token_env ? token_env : "");
    }
    g->cu = curluv_new(loop, err, errlen);
    if (!g->cu) {
        grafana_free(g);
        return -1;
    }
    *out = g;
    return 0;
}

void grafana_counts(const struct grafana *g, int *started, int *ok, int *failed)
{
    *started = g->started;
    *ok = g->ok;
    *failed = g->failed;
}

void grafana_free(struct grafana *g)
{
    if (!g)
        return;
    /* Cancels without callbacks: the posts are still ours to free. */
    curluv_free(g->cu);
    while (g->posts)
        post_free(g->posts);
    if (g->auth) {
        /* The token leaves no copy behind in freed memory. */
        volatile char *s = g->auth;
        while (*s)
            *s++ = '\0';
    }
    free(g->auth);
    free(g->endpoint);
    free(g);
}
