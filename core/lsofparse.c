/* lsofparse: lsof's field output is line-oriented: 'p' starts a process set,
 * 'f' starts a file set inside it, and the other fields describe that file. */
#include "core/lsofparse.h"

#include <stdlib.h>
#include <string.h>

void lsofparse_begin(struct lsof_iter *it, const char *text, size_t len)
{
    it->p = text;
    it->end = text + len;
    it->pid = -1;
}

/* The next line without its '\n'; false at the end. */
static bool next_line(struct lsof_iter *it, const char **line, size_t *len)
{
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *stop = nl != NULL ? nl : it->end;
    *line = it->p;
    *len = (size_t)(stop - it->p);
    it->p = nl != NULL ? nl + 1 : it->end;
    return true;
}

static long parse_pid(const char *s, size_t len)
{
    long v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > 100000000L)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Applies one field line to the file being built. */
static void apply_field(struct lsof_file *f, const char *line, size_t len)
{
    const char *v = line + 1;
    size_t vlen = len - 1;
    switch (line[0]) {
    case 'n':
        f->name = v;
        f->name_len = vlen;
        break;
    case 't':
        if (vlen == 4 && memcmp(v, "IPv6", 4) == 0)
            f->ipv6 = 1;
        else if (vlen == 4 && memcmp(v, "IPv4", 4) == 0)
            f->ipv6 = 0;
        break;
    case 'T':
        if (vlen > 3 && memcmp(v, "ST=", 3) == 0) {
            f->state = v + 3;
            f->state_len = vlen - 3;
        }
        break;
    default:
        break;              /* fields we do not use (c, a, l, P, ...) */
    }
}

bool lsofparse_next(struct lsof_iter *it, struct lsof_file *f)
{
    const char *line;
    size_t len;
    bool in_file = false;
    while (it->p < it->end) {
        const char *save = it->p;
        if (!next_line(it, &line, &len) || len == 0)
            continue;
        if (line[0] == 'p' || line[0] == 'f') {
            if (in_file) {
                it->p = save;       /* this line starts the next set: read it next time */
                return true;
            }
            if (line[0] == 'p') {
                it->pid = parse_pid(line + 1, len - 1);
                continue;
            }
            memset(f, 0, sizeof *f);
            f->pid = it->pid;
            f->ipv6 = -1;
            in_file = true;
            continue;
        }
        if (in_file)
            apply_field(f, line, len);
    }
    return in_file;
}

bool lsofparse_state_is(const struct lsof_file *f, const char *state)
{
    size_t n = strlen(state);
    return f->state_len == n && memcmp(f->state, state, n) == 0;
}

/* "host:port" or "[v6]:port" -> endpoint. */
static int parse_endpoint(const char *s, size_t len, struct lsof_endpoint *ep)
{
    const char *colon = NULL;
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == ':') {
            colon = s + i - 1;
            break;
        }
    }
    if (colon == NULL)
        return -1;
    const char *host = s;
    size_t hlen = (size_t)(colon - s);
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    }
    long port = parse_pid(colon + 1, len - (size_t)(colon + 1 - s));
    if (hlen == 0 || hlen >= sizeof ep->host || port < 0 || port > 65535)
        return -1;
    memcpy(ep->host, host, hlen);
    ep->host[hlen] = '\0';
    ep->port = (int)port;
    return 0;
}

static const char *find_arrow(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '-' && s[i + 1] == '>')
            return s + i;
    return NULL;
}

int lsofparse_name(const char *name, size_t len, struct lsof_endpoint *local,
                   struct lsof_endpoint *remote)
{
    /* lsof may append " (ESTABLISHED)" when -T is off; the endpoint ends at a space. */
    const char *sp = memchr(name, ' ', len);
    if (sp != NULL)
        len = (size_t)(sp - name);
    const char *arrow = find_arrow(name, len);
    remote->host[0] = '\0';
    remote->port = -1;
    if (arrow == NULL)
        return parse_endpoint(name, len, local);
    if (parse_endpoint(name, (size_t)(arrow - name), local) < 0)
        return -1;
    return parse_endpoint(arrow + 2, len - (size_t)(arrow + 2 - name), remote);
}

struct name_ref {
    const char *name;
    size_t len;
    int slot;                   /* index into ports */
};

static int cmp_ref(const void *a, const void *b)
{
    const struct name_ref *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static int slot_of(const int *ports, int nports, int port)
{
    for (int i = 0; i < nports; i++)
        if (ports[i] > 0 && ports[i] == port)
            return i;
    return -1;
}

/* Collects the established connections on our ports; *n gets how many. */
static struct name_ref *collect(const char *text, size_t len, const int *ports, int nports,
                                size_t *n)
{
    size_t cap = 16, used = 0;
    struct name_ref *refs = malloc(cap * sizeof *refs);
    if (refs == NULL)
        return NULL;
    struct lsof_iter it;
    struct lsof_file f;
    lsofparse_begin(&it, text, len);
    while (lsofparse_next(&it, &f)) {
        struct lsof_endpoint local, remote;
        if (f.name == NULL || !lsofparse_state_is(&f, "ESTABLISHED") ||
            lsofparse_name(f.name, f.name_len, &local, &remote) < 0 || remote.port < 0)
            continue;
        int slot = slot_of(ports, nports, local.port);
        if (slot < 0)
            continue;
        if (used == cap) {
            struct name_ref *grown = realloc(refs, 2 * cap * sizeof *refs);
            if (grown == NULL) {
                free(refs);
                return NULL;
            }
            refs = grown;
            cap *= 2;
        }
        refs[used++] = (struct name_ref){ f.name, f.name_len, slot };
    }
    *n = used;
    return refs;
}

int lsofparse_count(const char *text, size_t len, const int *ports, int nports, int *counts)
{
    for (int i = 0; i < nports; i++)
        counts[i] = ports[i] > 0 ? 0 : -1;
    size_t n = 0;
    struct name_ref *refs = collect(text, len, ports, nports, &n);
    if (refs == NULL)
        return -1;
    /* Sorted, the copies of one connection sit side by side: count each run once. */
    qsort(refs, n, sizeof *refs, cmp_ref);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || cmp_ref(&refs[i - 1], &refs[i]) != 0)
            counts[refs[i].slot]++;
    free(refs);
    return 0;
}
