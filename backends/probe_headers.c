/* probe_headers: see probe_headers.h. */
#include "backends/probe_headers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *s;
    size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *ns = realloc(b->s, cap);
        if (!ns)
            return -1;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* Secrets should not linger in freed memory. */
static void buf_wipe(struct buf *b)
{
    if (b->s) {
        volatile char *v = b->s;
        for (size_t i = 0; i < b->cap; i++)
            v[i] = 0;
    }
    free(b->s);
    b->s = NULL;
}

/* Appends value to b with every ${NAME} replaced from the environment. The
 * message names the header and the variable, never the value. */
static int expand_value(struct buf *b, const char *header, const char *value,
                        char *msg, size_t msglen)
{
    const char *s = value;
    while (*s) {
        const char *d = strstr(s, "${");
        if (!d)
            return buf_add(b, s, strlen(s));
        if (buf_add(b, s, (size_t)(d - s)) != 0)
            return -1;
        const char *end = strchr(d + 2, '}');
        if (!end) {
            snprintf(msg, msglen, "probe header %s: unterminated ${", header);
            return -1;
        }
        char name[128];
        size_t n = (size_t)(end - d - 2);
        if (n == 0 || n >= sizeof name) {
            snprintf(msg, msglen, "probe header %s: bad variable name", header);
            return -1;
        }
        memcpy(name, d + 2, n);
        name[n] = '\0';
        const char *env = getenv(name);
        if (!env) {
            snprintf(msg, msglen, "probe header %s: $%s is not set", header, name);
            return -1;
        }
        if (buf_add(b, env, strlen(env)) != 0)
            return -1;
        s = end + 1;
    }
    return 0;
}

/* "Name: value" for one configured header, expanded; NULL with msg set. */
static struct curl_slist *add_header(struct curl_slist *list, const char *name,
                                     const char *value, char *msg, size_t msglen)
{
    struct buf b = {0};
    struct curl_slist *out = NULL;
    if (buf_add(&b, name, strlen(name)) == 0 && buf_add(&b, ": ", 2) == 0 &&
        expand_value(&b, name, value, msg, msglen) == 0) {
        if (strpbrk(b.s, "\r\n"))  /* would smuggle in another header */
            snprintf(msg, msglen, "probe header %s: value has a line break", name);
        else
            out = curl_slist_append(list, b.s);
    }
    if (!out && !msg[0])
        snprintf(msg, msglen, "probe header %s: out of memory", name);
    buf_wipe(&b);
    return out;
}

struct curl_slist *probe_headers_build(char *const *names, char *const *values, int count,
                                       char *msg, size_t msglen)
{
    /* "Expect:" off: curl would wait up to 1 s for 100-continue on big bodies. */
    static const char *const fixed[] = {
        "Content-Type: application/json", "Accept: text/event-stream", "Expect:",
    };
    struct curl_slist *list = NULL;
    msg[0] = '\0';
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *l = curl_slist_append(list, fixed[i]);
        if (!l)
            goto fail;
        list = l;
    }
    for (int i = 0; i < count; i++) {
        struct curl_slist *l = add_header(list, names[i], values[i], msg, msglen);
        if (!l)
            goto fail;
        list = l;
    }
    return list;
fail:
    curl_slist_free_all(list);
    if (!msg[0])
        snprintf(msg, msglen, "probe headers: out of memory");
    return NULL;
}
