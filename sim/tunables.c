/* Tunables by name, validated, so the command line and /_sim/config share one set of rules. */
#include "sim/tunables.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DELAY_MS 600000L
#define MAX_TOKENS 100000L

void tunables_default(struct sim_tunables *t)
{
    t->ttft_ms = 150;
    t->token_ms = 20;
    t->tokens = 16;
    t->error_rate = 0.0;
    t->stream_error_rate = 0.0;
    t->stream_error_after = 0;
    t->stream_error_text = 0;
    t->jitter_pct = 10.0;
    t->ttft_sigma = 0.0;
    t->draining = 0;
    t->starting = 0;
    t->catch_all_html = 0;
}

static int get_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

static int get_double(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d >= lo && d <= hi)) /* also rejects NaN */
        return -1;
    *out = d;
    return 0;
}

static int get_bool(const char *v, int *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

int tunables_set(struct sim_tunables *t, const char *key, const char *value, char *err,
                 size_t errlen)
{
    char k[32];
    size_t i;
    for (i = 0; key[i] && i + 1 < sizeof k; i++)
        k[i] = key[i] == '-' ? '_' : key[i];
    k[i] = '\0';
    int rc;
    const char *want;
    if (!strcmp(k, "ttft_ms"))
        want = "an integer 0..600000", rc = get_long(value, 0, MAX_DELAY_MS, &t->ttft_ms);
    else if (!strcmp(k, "token_ms"))
        want = "an integer 0..600000", rc = get_long(value, 0, MAX_DELAY_MS, &t->token_ms);
    else if (!strcmp(k, "tokens"))
        want = "an integer 1..100000", rc = get_long(value, 1, MAX_TOKENS, &t->tokens);
    else if (!strcmp(k, "error_rate"))
        want = "a number 0..1", rc = get_double(value, 0, 1, &t->error_rate);
    else if (!strcmp(k, "stream_error_rate"))
        want = "a number 0..1", rc = get_double(value, 0, 1, &t->stream_error_rate);
    else if (!strcmp(k, "stream_error_after"))
        want = "an integer 0..100000", rc = get_long(value, 0, MAX_TOKENS, &t->stream_error_after);
    else if (!strcmp(k, "stream_error_text"))
        want = "0 or 1", rc = get_bool(value, &t->stream_error_text);
    else if (!strcmp(k, "jitter_pct"))
        want = "a number 0..100", rc = get_double(value, 0, 100, &t->jitter_pct);
    else if (!strcmp(k, "ttft_sigma"))
        want = "a number 0..3", rc = get_double(value, 0, 3, &t->ttft_sigma);
    else if (!strcmp(k, "draining"))
        want = "0 or 1", rc = get_bool(value, &t->draining);
    else if (!strcmp(k, "starting"))
        want = "0 or 1", rc = get_bool(value, &t->starting);
    else if (!strcmp(k, "catch_all_html"))
        want = "0 or 1", rc = get_bool(value, &t->catch_all_html);
    else {
        snprintf(err, errlen, "unknown tunable '%s'", key);
        return -1;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: '%s' is not %s", key, value, want);
        return -1;
    }
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' in place. */
static int url_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '+') {
            *o++ = ' ';
        } else if (*s == '%') {
            int hi = hexval((unsigned char)s[1]), lo = hi < 0 ? -1 : hexval((unsigned char)s[2]);
            if (lo < 0)
                return -1;
            *o++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return 0;
}

int tunables_set_query(struct sim_tunables *t, const char *query, char *err, size_t errlen)
{
    struct sim_tunables next = *t;
    char *copy = strdup(query);
    int rc = 0;
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!*copy) {
        snprintf(err, errlen, "no tunables given (want ?key=value&...)");
        rc = -1;
    }
    for (char *save = NULL, *pair = strtok_r(copy, "&", &save); pair && rc == 0;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq) {
            snprintf(err, errlen, "'%s' is not key=value", pair);
            rc = -1;
            break;
        }
        *eq = '\0';
        if (url_decode(pair) < 0 || url_decode(eq + 1) < 0) {
            snprintf(err, errlen, "bad %%-escape in '%s'", pair);
            rc = -1;
            break;
        }
        rc = tunables_set(&next, pair, eq + 1, err, errlen);
    }
    free(copy);
    if (rc == 0)
        *t = next;
    return rc;
}
