/* upstream: the managed upstream block, rendered from two percents and parsed
 * back from whatever nginx is really configured with. A color at 0 is left
 * out rather than written as weight=0 (nginx rejects it) or `down` (a down
 * sibling lets max_fails take the last live server out: 502 "no live
 * upstreams"; nginx never marks a lone server failed). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/nginxlex.h"
#include "core/upstream.h"

/* ---- render ----------------------------------------------------------- */

struct buf {
    char *s;
    size_t len, cap;
    bool oom;
};

__attribute__((format(printf, 2, 3)))
static void buf_add(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->oom)
        return;
    va_start(ap, fmt);
    n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
        va_start(ap, fmt);
        n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    if (n < 0)
        b->oom = true;
    else
        b->len += (size_t)n;
}

/* A value written into nginx's config must stay one word on its line. */
static bool safe_word(const char *s, bool allow_space)
{
    if (s == NULL)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || strchr(";{}#\"'\\", ch) != NULL || (ch == ' ' && !allow_space))
            return false;
    }
    return true;
}

static int check_spec(const struct upstream_spec *sp, char *err, size_t errlen)
{
    const int *w = sp->weight;
    if (w[0] < 0 || w[0] > 100 || w[1] < 0 || w[1] > 100 || w[0] + w[1] != 100) {
        snprintf(err, errlen, "weights blue %d, green %d: each must be 0-100 and they "
                 "must sum to 100", w[0], w[1]);
        return -1;
    }
    if (!safe_word(sp->name, false) || sp->name[0] == '\0' || !safe_word(sp->balance, false)
        || !safe_word(sp->server_params, true)
        || (sp->zone_size != NULL && !safe_word(sp->zone_size, false))
        || !safe_word(sp->addr[0], false) || !safe_word(sp->addr[1], false)
        || sp->addr[0][0] == '\0' || sp->addr[1][0] == '\0') {
        snprintf(err, errlen, "refusing to render: a name, address or parameter is "
                 "missing or holds characters nginx would not read as one word");
        return -1;
    }
    return 0;
}

static void render_server(struct buf *b, const struct upstream_spec *sp, enum color c)
{
    if (sp->weight[c] == 0) {
        buf_add(b, "    # %s (%s) is at weight 0: left out, nginx rejects weight=0\n",
                color_name(c), sp->addr[c]);
        return;
    }
    buf_add(b, "    server %s weight=%d%s%s;\n", sp->addr[c], sp->weight[c],
            sp->server_params[0] != '\0' ? " " : "", sp->server_params);
}

char *upstream_render(const struct upstream_spec *spec, char *err, size_t errlen)
{
    struct buf b = { NULL, 0, 0, false };
    if (check_spec(spec, err, errlen) != 0)
        return NULL;
    buf_add(&b, "# Managed by cutover. Written atomically on every shift; "
            "change it with `cutover shift`.\n");
    buf_add(&b, "# weights: blue %d, green %d\n", spec->weight[COLOR_BLUE],
            spec->weight[COLOR_GREEN]);
    buf_add(&b, "upstream %s {\n", spec->name);
    if (spec->zone_size != NULL && spec->zone_size[0] != '\0')
        buf_add(&b, "    zone %s %s;\n", spec->name, spec->zone_size);
    if (spec->balance[0] != '\0')
        buf_add(&b, "    %s;\n", spec->balance);
    render_server(&b, spec, COLOR_BLUE);
    render_server(&b, spec, COLOR_GREEN);
    buf_add(&b, "}\n");
    if (b.oom) {
        free(b.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return b.s;
}

/* ---- parse ------------------------------------------------------------ */

#define MAX_DEPTH 32

/* Walk state: where we are in the file and what the target block held. */
struct walk {
    const char *name;
    const char *const *addr;
    char *err;
    size_t errlen;
    int depth;
    int open_line[MAX_DEPTH];
    int target_depth;      /* depth inside the target block, 0 outside it */
    bool found;
    long long raw[COLOR_COUNT];
    /* the statement being read */
    int nwords;
    int stmt_line;
    char first[64];
    char second[NGINXLEX_WORD_MAX];
    bool zero;             /* `down` or `backup` seen on this server line */
    long weight;
};

__attribute__((format(printf, 2, 3)))
static int walk_fail(struct walk *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, w->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* "localhost:PORT" and "127.0.0.1:PORT" are the same server to nginx. */
static bool same_addr(const char *a, const char *b)
{
    static const char lh[] = "localhost:", v4[] = "127.0.0.1:";
    if (strncmp(a, lh, sizeof lh - 1) == 0 && strncmp(b, v4, sizeof v4 - 1) == 0)
        return strcmp(a + sizeof lh - 1, b + sizeof v4 - 1) == 0;
    if (strncmp(b, lh, sizeof lh - 1) == 0 && strncmp(a, v4, sizeof v4 - 1) == 0)
        return strcmp(b + sizeof lh - 1, a + sizeof v4 - 1) == 0;
    return strcmp(a, b) == 0;
}

static int server_param(struct walk *w, const char *p, int line)
{
    if (strcmp(p, "down") == 0 || strcmp(p, "backup") == 0) {
        w->zero = true;
    } else if (strncmp(p, "weight=", 7) == 0) {
        const char *v = p + 7;
        size_t n = strlen(v);
        if (n == 0 || n > 9 || strspn(v, "0123456789") != n || strtol(v, NULL, 10) < 1)
            return walk_fail(w, "line %d: server %s: invalid %s", line, w->second, p);
        w->weight = strtol(v, NULL, 10);
    }
    return 0;
}

static int server_end(struct walk *w)
{
    if (w->nwords < 2)
        return walk_fail(w, "line %d: `server` without an address", w->stmt_line);
    for (int c = 0; c < COLOR_COUNT; c++) {
        if (same_addr(w->second, w->addr[c])) {
            /* Two lines for one address add up, as they do in nginx. */
            w->raw[c] += w->zero ? 0 : w->weight;
            return 0;
        }
    }
    return walk_fail(w, "line %d: upstream %s: server %s is neither blue (%s) nor green (%s)",
                     w->stmt_line, w->name, w->second, w->addr[COLOR_BLUE],
                     w->addr[COLOR_GREEN]);
}

/* Copies a word, cutting it to fit: only the first two words are compared. */
static void copy_word(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int on_word(struct walk *w, const struct nginxlex_token *t)
{
    bool in_server = w->target_depth != 0 && w->depth == w->target_depth
                     && strcmp(w->first, "server") == 0;
    if (w->nwords == 0) {
        copy_word(w->first, sizeof w->first, t->text);
        w->stmt_line = t->line;
        w->zero = false;
        w->weight = 1;
    } else if (w->nwords == 1) {
        copy_word(w->second, sizeof w->second, t->text);
    } else if (in_server && server_param(w, t->text, t->line) != 0) {
        return -1;
    }
    w->nwords++;
    return 0;
}

static int on_semi(struct walk *w, int line)
{
    int rc = 0;
    if (w->nwords == 0)
        return walk_fail(w, "line %d: unexpected ';'", line);
    if (w->target_depth != 0 && w->depth == w->target_depth && strcmp(w->first, "server") == 0)
        rc = server_end(w);
    w->nwords = 0;
    return rc;
}

static int on_open(struct walk *w, int line)
{
    if (w->depth >= MAX_DEPTH)
        return walk_fail(w, "line %d: blocks nested too deep", line);
    if (w->target_depth == 0 && w->nwords == 2 && strcmp(w->first, "upstream") == 0
        && strcmp(w->second, w->name) == 0) {
        if (w->found)
            return walk_fail(w, "line %d: a second `upstream %s` block", line, w->name);
        w->found = true;
        w->target_depth = w->depth + 1;
    }
    w->open_line[w->depth++] = line;
    w->nwords = 0;
    return 0;
}

static int on_close(struct walk *w, int line)
{
    if (w->nwords != 0)
        return walk_fail(w, "line %d: unexpected '}' (missing ';'?)", line);
    if (w->depth == 0)
        return walk_fail(w, "line %d: unexpected '}' (no block open)", line);
    if (w->depth == w->target_depth)
        w->target_depth = 0;
    w->depth--;
    return 0;
}

static int on_eof(struct walk *w, int line)
{
    if (w->nwords != 0)
        return walk_fail(w, "line %d: unexpected end of file, expecting ';' or '{'", line);
    if (w->depth != 0)
        return walk_fail(w, "line %d: '{' is never closed", w->open_line[w->depth - 1]);
    return 0;
}

static int walk_text(struct walk *w, const char *text)
{
    struct nginxlex lx;
    struct nginxlex_token t;
    nginxlex_init(&lx, text);
    for (;;) {
        int rc = 0;
        nginxlex_next(&lx, &t);
        switch (t.kind) {
        case NGINXLEX_WORD: rc = on_word(w, &t); break;
        case NGINXLEX_SEMI: rc = on_semi(w, t.line); break;
        case NGINXLEX_OPEN: rc = on_open(w, t.line); break;
        case NGINXLEX_CLOSE: rc = on_close(w, t.line); break;
        case NGINXLEX_EOF: return on_eof(w, t.line);
        case NGINXLEX_ERROR: return walk_fail(w, "%s", t.text);
        }
        if (rc != 0)
            return rc;
    }
}

/* Raw nginx weights -> percents that sum to 100, rounded half up; a live
 * color never shows as 0 and a color never shows 100 while the other lives. */
static void to_percent(const long long raw[COLOR_COUNT], int out[COLOR_COUNT])
{
    long long total = raw[0] + raw[1];
    long long b = (200 * raw[0] + total) / (2 * total);
    if (raw[0] > 0 && b == 0)
        b = 1;
    if (raw[1] > 0 && b == 100)
        b = 99;
    out[COLOR_BLUE] = (int)b;
    out[COLOR_GREEN] = 100 - (int)b;
}

int upstream_parse(const char *text, const char *name,
                   const char *const addr[COLOR_COUNT], int weight_out[COLOR_COUNT],
                   char *err, size_t errlen)
{
    struct walk w;
    memset(&w, 0, sizeof w);
    w.name = name;
    w.addr = addr;
    w.err = err;
    w.errlen = errlen;
    if (walk_text(&w, text) != 0)
        return -1;
    if (!w.found)
        return walk_fail(&w, "no `upstream %s` block", name);
    if (w.raw[0] + w.raw[1] == 0)
        return walk_fail(&w, "upstream %s has no live server", name);
    to_percent(w.raw, weight_out);
    return 0;
}
