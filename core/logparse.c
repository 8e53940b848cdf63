/* logparse: a left-to-right scan with memchr over the fixed prefix, then a
 * key=value loop for the rest, so unknown trailing fields cost nothing and a
 * truncated line shows up as a missing key or an unterminated quote. */
#include "core/logparse.h"

#include <string.h>

struct cursor {
    const char *p;
    const char *end;
};

/* The key=value fields we need, by slot. */
enum key { K_RT, K_UCT, K_UHT, K_URT, K_UA, K_US, K_RID, K_MSEC, K_COUNT };

struct fields {
    struct logparse_str v[K_COUNT];
    unsigned seen;
};

static int fail(struct logparse_record *rec, enum logparse_reason r)
{
    rec->reason = r;
    return -1;
}

static bool eat(struct cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* Takes bytes up to (not including) `ch`, and steps over `ch`. The fields
 * taken this way are a few bytes long, where a plain loop beats a memchr
 * call (quoted fields, the long ones, use memchr). */
static bool take_until(struct cursor *c, char ch, struct logparse_str *out)
{
    const char *q = c->p;
    while (q < c->end && *q != ch)
        q++;
    if (q == c->end)
        return false;
    out->p = c->p;
    out->len = (size_t)(q - c->p);
    c->p = q + 1;
    return true;
}

/* A quoted field, cursor on the opening quote. nginx writes a quote inside a
 * value as \x22, but `\"` (other escapers) is also stepped over, so a
 * field's end is the first quote not preceded by an odd run of backslashes. */
static bool take_quoted(struct cursor *c, struct logparse_str *out)
{
    if (!eat(c, '"'))
        return false;
    const char *start = c->p;
    const char *from = start;
    for (;;) {
        const char *q = memchr(from, '"', (size_t)(c->end - from));
        if (!q)
            return false;
        size_t slashes = 0;
        while (q - slashes > start && q[-1 - (ptrdiff_t)slashes] == '\\')
            slashes++;
        if (slashes % 2 == 0) {
            out->p = start;
            out->len = (size_t)(q - start);
            c->p = q + 1;
            return true;
        }
        from = q + 1;
    }
}

/* "12.345" -> microseconds. nginx prints seconds with millisecond digits;
 * up to six fraction digits are kept, more are ignored. */
static int64_t parse_seconds_us(const char *p, size_t len)
{
    size_t i = 0;
    int64_t whole = 0, frac = 0, scale = 1000000;
    if (len == 0 || len > 24)
        return -1;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        if (i >= 10)
            return -1;
        whole = whole * 10 + (p[i] - '0');
    }
    if (i == 0)
        return -1;
    if (i < len) {
        if (p[i++] != '.' || i == len)
            return -1;
        for (; i < len; i++) {
            if (p[i] < '0' || p[i] > '9')
                return -1;
            if (scale > 1) {
                scale /= 10;
                frac += (p[i] - '0') * scale;
            }
        }
    }
    return whole * 1000000 + frac;
}

/* $msec is always "%T.%03M": demanding the three digits catches a line cut
 * inside its last field. */
static int64_t parse_msec(struct logparse_str s)
{
    if (s.len < 5 || s.len > 16 || s.p[s.len - 4] != '.')
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (i == s.len - 4)
            continue;
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

static int parse_uint(const char *p, size_t len, int max_digits)
{
    if (len == 0 || len > (size_t)max_digits)
        return -1;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static bool all_digits(struct logparse_str s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

static bool is_dash(struct logparse_str s)
{
    return s.len == 1 && s.p[0] == '-';
}

/* "POST /v1/chat HTTP/1.1" -> method and path. Never fails: nginx logs
 * whatever a broken client sent (a 400), and that is still a line. */
static void split_request(struct logparse_str req, struct logparse_record *rec)
{
    const char *sp = memchr(req.p, ' ', req.len);
    if (is_dash(req) || !sp)
        return;
    rec->method.p = req.p;
    rec->method.len = (size_t)(sp - req.p);
    const char *end = req.p + req.len;
    const char *path = sp + 1;
    const char *last = end;
    while (last > path && last[-1] != ' ')
        last--;
    if (last > path && (size_t)(end - last) >= 5 && memcmp(last, "HTTP/", 5) == 0)
        end = last - 1;     /* drop " HTTP/1.1"; a path with spaces keeps them */
    rec->path.p = path;
    rec->path.len = (size_t)(end - path);
}

/* One item of an upstream list. Returns the separator after it:
 * 0 end of list, 1 ", " (retry), 2 " : " (internal redirect), -1 malformed. */
static int list_next(struct cursor *c, struct logparse_str *item)
{
    const char *sp = memchr(c->p, ' ', (size_t)(c->end - c->p));
    const char *stop = sp ? sp : c->end;
    item->p = c->p;
    item->len = (size_t)(stop - c->p);
    if (!sp) {
        c->p = c->end;
        return item->len && stop[-1] != ',' ? 0 : -1;
    }
    if (item->len >= 2 && stop[-1] == ',') {
        item->len--;
        c->p = sp + 1;
        return c->p < c->end ? 1 : -1;
    }
    if (item->len >= 1 && c->end - sp >= 4 && sp[1] == ':' && sp[2] == ' ') {
        c->p = sp + 3;
        return 2;
    }
    return -1;
}

static int parse_addrs(struct logparse_str ua, struct logparse_record *rec)
{
    struct cursor c = { ua.p, ua.p + ua.len };
    int n = 0, sep = 1;
    bool redirect = false;
    while (sep > 0) {
        struct logparse_str extra;     /* attempts past the maximum */
        struct logparse_attempt *a = n < LOGPARSE_MAX_ATTEMPTS ? &rec->attempt[n] : NULL;
        sep = list_next(&c, a ? &a->addr : &extra);
        if (sep < 0)
            return -1;
        if (a) {
            a->status = -1;
            a->header_us = -1;
            a->connect_us = -1;
            a->after_redirect = redirect;
        }
        redirect = sep == 2;
        n++;
    }
    rec->n_attempts = n < LOGPARSE_MAX_ATTEMPTS ? n : LOGPARSE_MAX_ATTEMPTS;
    rec->attempts_truncated = n > LOGPARSE_MAX_ATTEMPTS;
    return n;
}

enum list_kind { L_STATUS, L_HEADER, L_CONNECT };

/* Walks a list beside the address list, filling one member per attempt.
 * Returns the item count or -1. */
static int parse_values(struct logparse_str list, enum list_kind kind,
                        struct logparse_record *rec)
{
    struct cursor c = { list.p, list.p + list.len };
    int n = 0, sep = 1;
    while (sep > 0) {
        struct logparse_str item;
        sep = list_next(&c, &item);
        if (sep < 0)
            return -1;
        int64_t v = -1;
        if (!is_dash(item)) {
            v = kind == L_STATUS ? parse_uint(item.p, item.len, 3)
                                 : parse_seconds_us(item.p, item.len);
            if (v < 0)
                return -1;
        }
        if (n < rec->n_attempts) {
            struct logparse_attempt *a = &rec->attempt[n];
            if (kind == L_STATUS)
                a->status = (int)v;
            else if (kind == L_HEADER)
                a->header_us = v;
            else
                a->connect_us = v;
        }
        n++;
    }
    return n;
}

static int parse_upstream(const struct fields *f, struct logparse_record *rec)
{
    if (is_dash(f->v[K_UA]))
        return 0;           /* nginx answered itself: no attempt */
    int n = parse_addrs(f->v[K_UA], rec);
    if (n < 0)
        return fail(rec, LOGPARSE_E_LIST);
    static const struct { enum key k; enum list_kind kind; } lists[] = {
        { K_US, L_STATUS }, { K_UHT, L_HEADER }, { K_UCT, L_CONNECT },
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        int m = parse_values(f->v[lists[i].k], lists[i].kind, rec);
        if (m < 0)
            return fail(rec, LOGPARSE_E_LIST);
        if (m != n)
            return fail(rec, LOGPARSE_E_MISMATCH);
    }
    return 0;
}

/* A switch rather than a table of memcmp calls: this runs for every field
 * of every line. */
static int key_slot(const char *p, size_t len)
{
    switch (len) {
    case 2:
        if (p[0] == 'r' && p[1] == 't')
            return K_RT;
        if (p[0] == 'u' && p[1] == 'a')
            return K_UA;
        if (p[0] == 'u' && p[1] == 's')
            return K_US;
        return -1;
    case 3:
        if (p[0] == 'r' && p[1] == 'i' && p[2] == 'd')
            return K_RID;
        if (p[0] != 'u' || p[2] != 't')
            return -1;
        return p[1] == 'c' ? K_UCT : p[1] == 'h' ? K_UHT : p[1] == 'r' ? K_URT : -1;
    case 4:
        return memcmp(p, "msec", 4) == 0 ? K_MSEC : -1;
    }
    return -1;
}

/* The " key=value" tail. A token without '=' (someone appended $host) is
 * skipped like an unknown key. */
static int parse_fields(struct cursor *c, struct fields *f, struct logparse_record *rec)
{
    const char *p = c->p, *end = c->end;
    while (p < end) {
        if (*p++ != ' ')
            return fail(rec, LOGPARSE_E_FIELD);
        const char *key = p;
        while (p < end && *p != '=' && *p != ' ' && *p != '"')
            p++;
        size_t klen = 0;
        if (p < end && *p == '=')
            klen = (size_t)(p++ - key);
        else
            p = key;            /* no '=': the whole token is a value */
        const char *v = p, *vend;
        if (p < end && *p == '"') {
            struct cursor q = { p, end };
            struct logparse_str s;
            if (!take_quoted(&q, &s))
                return fail(rec, LOGPARSE_E_QUOTED);
            v = s.p;
            vend = s.p + s.len;
            p = q.p;
        } else {
            /* rid is 32 bytes: memchr beats a byte loop here */
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            p = vend = sp ? sp : end;
        }
        /* Plain stores, not a struct copy: this loop is the hot path. */
        int slot = key_slot(key, klen);
        if (slot >= 0) {
            f->v[slot].p = v;
            f->v[slot].len = (size_t)(vend - v);
            f->seen |= 1u << slot;
        }
    }
    c->p = p;
    return 0;
}

/* $time_local is "10/Oct/2024:13:55:36 +0000]": check the usual length
 * first, scan only when it differs. */
static bool take_time(struct cursor *c, struct logparse_str *out)
{
    enum { TIME_LEN = 26 };
    if (c->end - c->p > TIME_LEN && c->p[TIME_LEN] == ']' &&
        !memchr(c->p, ']', TIME_LEN)) {
        out->p = c->p;
        out->len = TIME_LEN;
        c->p += TIME_LEN + 1;
        return true;
    }
    return take_until(c, ']', out);
}

/* remote_addr - remote_user [time_local] "request" status bytes "ref" "ua" */
static int parse_prefix(struct cursor *c, struct logparse_record *rec)
{
    struct logparse_str user, when, req, ref, agent;
    if (!take_until(c, ' ', &rec->remote_addr) || rec->remote_addr.len == 0)
        return fail(rec, LOGPARSE_E_PREFIX);
    if (!eat(c, '-') || !eat(c, ' ') || !take_until(c, '[', &user) || user.len < 2 ||
        user.p[user.len - 1] != ' ' || !take_time(c, &when) || !eat(c, ' '))
        return fail(rec, LOGPARSE_E_PREFIX);
    if (!take_quoted(c, &req) || !eat(c, ' '))
        return fail(rec, LOGPARSE_E_QUOTED);
    split_request(req, rec);
    struct logparse_str st, bytes;
    if (!take_until(c, ' ', &st) || !take_until(c, ' ', &bytes))
        return fail(rec, LOGPARSE_E_STATUS);
    rec->status = parse_uint(st.p, st.len, 3);
    if (rec->status < 0 || !all_digits(bytes))
        return fail(rec, LOGPARSE_E_STATUS);
    if (!take_quoted(c, &ref) || !eat(c, ' ') || !take_quoted(c, &agent))
        return fail(rec, LOGPARSE_E_QUOTED);
    return 0;
}

static void record_reset(struct logparse_record *rec)
{
    rec->status = -1;
    rec->request_us = -1;
    rec->msec = -1;
    rec->remote_addr = rec->method = rec->path = rec->rid = (struct logparse_str){ "", 0 };
    rec->n_attempts = 0;
    rec->attempts_truncated = false;
    rec->reason = LOGPARSE_OK;
}

int logparse_line(const char *line, size_t len, struct logparse_record *rec)
{
    record_reset(rec);
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return fail(rec, LOGPARSE_E_EMPTY);
    struct cursor c = { line, line + len };
    if (parse_prefix(&c, rec) < 0)
        return -1;
    struct fields f;            /* only the slots in f.seen are read */
    f.seen = 0;
    if (parse_fields(&c, &f, rec) < 0)
        return -1;
    if (f.seen != (1u << K_COUNT) - 1)
        return fail(rec, LOGPARSE_E_MISSING);
    rec->request_us = parse_seconds_us(f.v[K_RT].p, f.v[K_RT].len);
    rec->msec = parse_msec(f.v[K_MSEC]);
    if (rec->request_us < 0 || rec->msec < 0)
        return fail(rec, LOGPARSE_E_NUMBER);
    rec->rid = f.v[K_RID];
    return parse_upstream(&f, rec);
}

const char *logparse_reason_text(enum logparse_reason r)
{
    switch (r) {
    case LOGPARSE_OK: return "ok";
    case LOGPARSE_E_EMPTY: return "empty line";
    case LOGPARSE_E_PREFIX: return "bad address, user or time";
    case LOGPARSE_E_QUOTED: return "missing or unterminated quoted field";
    case LOGPARSE_E_STATUS: return "bad status or byte count";
    case LOGPARSE_E_FIELD: return "malformed key=value field";
    case LOGPARSE_E_NUMBER: return "bad request time or msec";
    case LOGPARSE_E_LIST: return "malformed upstream list";
    case LOGPARSE_E_MISMATCH: return "upstream lists differ in length";
    case LOGPARSE_E_MISSING: return "missing field (truncated line?)";
    }
    return "unknown";
}

int logparse_addr_index(struct logparse_str addr, const char *const *addrs,
                        const size_t *addr_lens, int n)
{
    for (int i = 0; i < n; i++)
        if (addrs[i] && addr.len == addr_lens[i] && memcmp(addr.p, addrs[i], addr.len) == 0)
            return i;
    return -1;
}

void logparse_attempt_sample(const struct logparse_attempt *a, struct metric_sample *out)
{
    memset(out, 0, sizeof *out);
    metric_sample_set(out, METRIC_REQUESTS, 1);
    metric_sample_set(out, METRIC_STATUS_5XX, a->status >= 500 && a->status <= 599);
    if (a->header_us >= 0)
        metric_sample_set(out, METRIC_HEADER, a->header_us);
}
