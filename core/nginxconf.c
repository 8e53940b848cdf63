/* nginxconf: nginx -T output -> a flat list of directives with parent links
 * (includes spliced in where they appear), then the lookups the preflight
 * needs, walking from a proxy_pass up through its enclosing blocks. */
#include "core/nginxconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/nginxlex.h"

#define HEADER "# configuration file "
#define MAX_ARGS 4
#define MAX_INCLUDE_DEPTH 16
#define MAX_DIRECTIVES 200000

struct directive {
    char *name;
    char *argv[MAX_ARGS];  /* the first arguments; the rest are not needed */
    int argc;              /* all of them, even past MAX_ARGS */
    int parent;            /* index of the enclosing block; -1 at the top */
    int file;
    int line;
    int block;
};

struct parser {
    struct nginxconf *nc;
    char **texts;          /* each file's text, by file index */
    struct directive *d;
    int n, cap;
    char *err;
    size_t errlen;
};

/* A statement being read: its words until ';' or '{'. */
struct stmt {
    char *words[MAX_ARGS + 1];
    int count;
    int line;
};

static void stmt_clear(struct stmt *st)
{
    for (int i = 0; i < st->count && i <= MAX_ARGS; i++)
        free(st->words[i]);
    memset(st, 0, sizeof *st);
}

/* ---- splitting the dump into files ---- */

static int add_file(struct parser *ps, const char *path, size_t plen, const char *text,
                    size_t tlen)
{
    struct nginxconf *nc = ps->nc;
    char **files = realloc(nc->files, (size_t)(nc->file_count + 1) * sizeof *files);
    if (files)
        nc->files = files;
    char **texts = realloc(ps->texts, (size_t)(nc->file_count + 1) * sizeof *texts);
    if (texts)
        ps->texts = texts;
    if (!files || !texts)
        return -1;
    nc->files[nc->file_count] = strndup(path, plen);
    ps->texts[nc->file_count] = strndup(text, tlen);
    nc->file_count++;
    return nc->files[nc->file_count - 1] && ps->texts[nc->file_count - 1] ? 0 : -1;
}

/* A header line is "# configuration file PATH:"; *plen excludes the colon. */
static const char *header_path(const char *line, const char *eol, size_t *plen)
{
    size_t hl = strlen(HEADER);
    if ((size_t)(eol - line) <= hl + 1 || strncmp(line, HEADER, hl) != 0 || eol[-1] != ':')
        return NULL;
    *plen = (size_t)(eol - line) - hl - 1;
    return line + hl;
}

static int split_files(struct parser *ps, const char *dump)
{
    const char *path = NULL, *body = NULL;
    size_t plen = 0;
    for (const char *line = dump; *line != '\0';) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        size_t hlen;
        const char *h = header_path(line, eol, &hlen);
        if (h) {
            if (path && add_file(ps, path, plen, body, (size_t)(line - body)) != 0)
                return -1;
            path = h;
            plen = hlen;
            body = *eol ? eol + 1 : eol;
        }
        line = *eol ? eol + 1 : eol;
    }
    if (!path) {
        snprintf(ps->err, ps->errlen, "no \"%sPATH:\" line: not nginx -T output", HEADER);
        return -1;
    }
    return add_file(ps, path, plen, body, strlen(body));
}

/* ---- parsing ---- */

static int add_directive(struct parser *ps, struct stmt *st, int parent, int file, int block)
{
    if (ps->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 256;
        struct directive *d = cap <= MAX_DIRECTIVES ? realloc(ps->d, (size_t)cap * sizeof *d)
                                                    : NULL;
        if (!d) {
            snprintf(ps->err, ps->errlen, "configuration too large (or out of memory)");
            return -1;
        }
        ps->d = d;
        ps->cap = cap;
    }
    struct directive *d = &ps->d[ps->n];
    memset(d, 0, sizeof *d);
    d->name = st->words[0];
    for (int i = 1; i < st->count && i <= MAX_ARGS; i++)
        d->argv[i - 1] = st->words[i];
    d->argc = st->count - 1;
    d->parent = parent;
    d->file = file;
    d->line = st->line;
    d->block = block;
    memset(st, 0, sizeof *st);   /* the words now belong to the directive */
    return ps->n++;
}

/* An include pattern names files relative to nginx's prefix when it is not
 * absolute; nginx -T prints full paths, so a relative pattern is matched
 * against the same number of trailing path components. */
static int include_matches(const char *pattern, const char *path)
{
    if (pattern[0] == '/')
        return fnmatch(pattern, path, FNM_PATHNAME) == 0;
    int parts = 1;
    for (const char *p = pattern; *p; p++)
        parts += *p == '/';
    const char *tail = path + strlen(path);
    while (tail > path && parts > 0) {
        tail--;
        if (*tail == '/')
            parts--;
    }
    if (parts > 0)
        return 0;
    return fnmatch(pattern, tail + 1, FNM_PATHNAME) == 0;
}

static int parse_file(struct parser *ps, int file, int parent, int depth);

static int splice_include(struct parser *ps, const char *pattern, int parent, int depth)
{
    for (int f = 1; f < ps->nc->file_count; f++)
        if (include_matches(pattern, ps->nc->files[f]) && parse_file(ps, f, parent, depth + 1) != 0)
            return -1;
    return 0;
}

static int fail_at(struct parser *ps, int file, int line, const char *why)
{
    snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->nc->files[file], line, why);
    return -1;
}

/* Ends a statement at ';' or '{'; a '{' reads the block's body. */
static int end_statement(struct parser *ps, struct nginxlex *lx, struct stmt *st, int file,
                         int parent, int depth, int block);

/* Reads statements until '}' (inside a block) or the end of the file. */
static int parse_block(struct parser *ps, struct nginxlex *lx, int file, int parent, int depth,
                       int inside)
{
    struct stmt st = {0};
    struct nginxlex_token t;
    int rc = 0;
    for (;;) {
        nginxlex_next(lx, &t);
        if (t.kind == NGINXLEX_ERROR) {
            rc = fail_at(ps, file, t.line, t.text);
        } else if (t.kind == NGINXLEX_EOF || t.kind == NGINXLEX_CLOSE) {
            if (st.count > 0)
                rc = fail_at(ps, file, t.line, "directive without ';'");
            else if ((t.kind == NGINXLEX_EOF) == (inside != 0))
                rc = fail_at(ps, file, t.line, inside ? "missing '}'" : "unexpected '}'");
            break;
        } else if (t.kind == NGINXLEX_WORD) {
            if (st.count == 0)
                st.line = t.line;
            if (st.count <= MAX_ARGS && !(st.words[st.count] = strdup(t.text)))
                rc = fail_at(ps, file, t.line, "out of memory");
            st.count++;
        } else if (st.count == 0) {
            rc = fail_at(ps, file, t.line, "unexpected ';' or '{'");
        } else {
            rc = end_statement(ps, lx, &st, file, parent, depth, t.kind == NGINXLEX_OPEN);
        }
        if (rc != 0)
            break;
    }
    stmt_clear(&st);
    return rc;
}

static int end_statement(struct parser *ps, struct nginxlex *lx, struct stmt *st, int file,
                         int parent, int depth, int block)
{
    int idx = add_directive(ps, st, parent, file, block);
    if (idx < 0)
        return -1;
    if (block)
        return parse_block(ps, lx, file, idx, depth, 1);
    const struct directive *d = &ps->d[idx];
    if (strcmp(d->name, "include") == 0 && d->argc >= 1) {
        char pattern[NGINXLEX_WORD_MAX];
        snprintf(pattern, sizeof pattern, "%s", d->argv[0]);   /* ps->d may move */
        return splice_include(ps, pattern, parent, depth);
    }
    return 0;
}

static int parse_file(struct parser *ps, int file, int parent, int depth)
{
    if (depth > MAX_INCLUDE_DEPTH) {
        snprintf(ps->err, ps->errlen, "%s: includes nested deeper than %d",
                 ps->nc->files[file], MAX_INCLUDE_DEPTH);
        return -1;
    }
    struct nginxlex lx;
    nginxlex_init(&lx, ps->texts[file]);
    return parse_block(ps, &lx, file, parent, depth, 0);
}

/* ---- lookups ---- */

static void set_where(const struct parser *ps, const struct directive *d, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d", ps->nc->files[d->file], d->line);
}

/* argv[from..] joined by spaces. */
static void join_args(const struct directive *d, int from, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t used = 0;
    for (int i = from; i < d->argc && i < MAX_ARGS; i++)
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
                                 i > from ? " " : "", d->argv[i]);
}

/* The first child of block `level` named name, or -1. */
static int find_child(const struct parser *ps, int level, const char *name)
{
    for (int i = level + 1; i < ps->n; i++)
        if (ps->d[i].parent == level && strcmp(ps->d[i].name, name) == 0)
            return i;
    return -1;
}

/* A simple directive in force at block `level`: its own, else inherited. */
static void lookup(const struct parser *ps, int level, const char *name,
                   struct nginxconf_value *v)
{
    for (; level >= 0; level = ps->d[level].parent) {
        int i = find_child(ps, level, name);
        if (i >= 0) {
            v->set = true;
            join_args(&ps->d[i], 0, v->value, sizeof v->value);
            set_where(ps, &ps->d[i], v->where, sizeof v->where);
            return;
        }
    }
}

/* proxy_set_header is inherited only by levels that set none of their own. */
static void lookup_xff(const struct parser *ps, int level, struct nginxconf_value *v)
{
    for (; level >= 0; level = ps->d[level].parent)
        if (find_child(ps, level, "proxy_set_header") >= 0)
            break;
    if (level < 0)
        return;
    for (int i = level + 1; i < ps->n; i++) {
        const struct directive *d = &ps->d[i];
        if (d->parent == level && strcmp(d->name, "proxy_set_header") == 0 && d->argc >= 2
            && strcasecmp(d->argv[0], "X-Forwarded-For") == 0) {
            v->set = true;
            join_args(d, 1, v->value, sizeof v->value);
            set_where(ps, d, v->where, sizeof v->where);
        }
    }
}

/* http://NAME, https://NAME, optionally followed by a URI. */
static int proxies_to(const struct directive *d, const char *name)
{
    if (strcmp(d->name, "proxy_pass") != 0 || d->argc < 1 || d->block)
        return 0;
    const char *u = d->argv[0];
    if (strncmp(u, "http://", 7) == 0)
        u += 7;
    else if (strncmp(u, "https://", 8) == 0)
        u += 8;
    else
        return 0;
    size_t n = strlen(name);
    return strncmp(u, name, n) == 0 && (u[n] == '\0' || u[n] == '/');
}

static void add_location(struct parser *ps, int pass)
{
    struct nginxconf *nc = ps->nc;
    nc->location_total++;
    if (nc->location_count == NGINXCONF_MAX_LOCATIONS)
        return;
    struct nginxconf_location *l = &nc->locations[nc->location_count++];
    memset(l, 0, sizeof *l);
    set_where(ps, &ps->d[pass], l->where, sizeof l->where);
    int level = ps->d[pass].parent;
    for (int up = level; up >= 0; up = ps->d[up].parent)
        if (strcmp(ps->d[up].name, "location") == 0) {
            join_args(&ps->d[up], 0, l->match, sizeof l->match);
            break;
        }
    lookup(ps, level, "proxy_buffering", &l->buffering);
    lookup(ps, level, "proxy_http_version", &l->http_version);
    lookup(ps, level, "proxy_read_timeout", &l->read_timeout);
    lookup_xff(ps, level, &l->xff);
    lookup(ps, level, "limit_req", &l->limit_req);
}

/* limit_req_zone KEY zone=NAME:SIZE rate=R: its name and rate. */
static void add_zone(struct parser *ps, const struct directive *d)
{
    struct nginxconf *nc = ps->nc;
    if (nc->zone_count == NGINXCONF_MAX_ZONES)
        return;
    struct nginxconf_zone *z = &nc->zones[nc->zone_count++];
    memset(z, 0, sizeof *z);
    for (int i = 0; i < d->argc && i < MAX_ARGS; i++) {
        const char *a = d->argv[i];
        if (strncmp(a, "zone=", 5) == 0)
            snprintf(z->name, sizeof z->name, "%.*s", (int)strcspn(a + 5, ":"), a + 5);
        else if (strncmp(a, "rate=", 5) == 0)
            snprintf(z->rate, sizeof z->rate, "%s", a + 5);
    }
    set_where(ps, d, z->where, sizeof z->where);
}

static int analyze(struct parser *ps, const char *name)
{
    struct nginxconf *nc = ps->nc;
    for (int i = 0; i < ps->n; i++) {
        const struct directive *d = &ps->d[i];
        if (!nc->upstream_file && d->block && strcmp(d->name, "upstream") == 0 && d->argc >= 1
            && strcmp(d->argv[0], name) == 0) {
            if (!(nc->upstream_file = strdup(nc->files[d->file])))
                return -1;
            nc->upstream_line = d->line;
        }
        if (proxies_to(d, name))
            add_location(ps, i);
        if (strcmp(d->name, "limit_req_zone") == 0 && !d->block)
            add_zone(ps, d);
    }
    return 0;
}

static void parser_clear(struct parser *ps)
{
    for (int i = 0; i < ps->n; i++) {
        free(ps->d[i].name);
        for (int a = 0; a < MAX_ARGS; a++)
            free(ps->d[i].argv[a]);
    }
    free(ps->d);
    for (int f = 0; ps->texts && f < ps->nc->file_count; f++)
        free(ps->texts[f]);
    free(ps->texts);
}

int nginxconf_parse(const char *dump, const char *upstream_name, struct nginxconf **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    struct nginxconf *nc = calloc(1, sizeof *nc);
    if (!nc) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct parser ps = {.nc = nc, .err = err, .errlen = errlen};
    snprintf(err, errlen, "out of memory");
    int rc = split_files(&ps, dump);
    /* The first file is the main one; the rest are reached through includes. */
    if (rc == 0)
        rc = parse_file(&ps, 0, -1, 0);
    if (rc == 0)
        rc = analyze(&ps, upstream_name);
    parser_clear(&ps);
    if (rc != 0) {
        nginxconf_free(nc);
        return -1;
    }
    err[0] = '\0';
    *out = nc;
    return 0;
}

void nginxconf_free(struct nginxconf *nc)
{
    if (!nc)
        return;
    for (int f = 0; f < nc->file_count; f++)
        free(nc->files[f]);
    free(nc->files);
    free(nc->upstream_file);
    free(nc);
}

/* ---- judging ---- */

static long long unit_ms(const char *u, size_t len)
{
    static const struct { const char *name; long long ms; } units[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000LL},
        {"w", 7 * 86400000LL}, {"M", 30 * 86400000LL}, {"y", 365 * 86400000LL},
    };
    if (len == 0)
        return 1000;   /* a bare number is seconds */
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == len && strncmp(units[i].name, u, len) == 0)
            return units[i].ms;
    return -1;
}

int nginxconf_time_ms(const char *text, long long *ms)
{
    long long total = 0;
    int parts = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (!isdigit((unsigned char)*p))
            return -1;
        long long n = 0;
        for (; isdigit((unsigned char)*p); p++) {
            if (n > 1000000000LL)
                return -1;
            n = n * 10 + (*p - '0');
        }
        const char *u = p;
        while (isalpha((unsigned char)*p))
            p++;
        long long unit = unit_ms(u, (size_t)(p - u));
        if (unit < 0)
            return -1;
        /* A bare number (seconds) must stand alone: "1m30" is not nginx. */
        const char *rest = p;
        while (*rest == ' ')
            rest++;
        if (u == p && (parts > 0 || *rest != '\0'))
            return -1;
        total += n * unit;
        parts++;
    }
    if (parts == 0)
        return -1;
    *ms = total;
    return 0;
}

int nginxconf_rate_per_s(const char *rate, double *per_s)
{
    char *end;
    double n = strtod(rate, &end);
    if (end == rate || !(n >= 0))
        return -1;
    if (strcmp(end, "r/s") == 0)
        *per_s = n;
    else if (strcmp(end, "r/m") == 0)
        *per_s = n / 60.0;
    else
        return -1;
    return 0;
}

/* Appends one reason, "; "-separated from the ones before. */
__attribute__((format(printf, 4, 5)))
static void add_reason(char *why, size_t len, int *count, const char *fmt, ...)
{
    size_t used = strlen(why);
    (*count)++;
    if (*count > 1 && used + 2 < len) {
        memcpy(why + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + used, len - used, fmt, ap);
    va_end(ap);
}

int nginxconf_judge_streaming(const struct nginxconf_location *l, int idle_timeout_s,
                              char *why, size_t whylen)
{
    int bad = 0;
    why[0] = '\0';
    if (!l->buffering.set)
        add_reason(why, whylen, &bad, "proxy_buffering is not set (nginx buffers by default)");
    else if (strcmp(l->buffering.value, "off") != 0)
        add_reason(why, whylen, &bad, "proxy_buffering %s (must be off for streams)",
                   l->buffering.value);
    if (!l->http_version.set)
        add_reason(why, whylen, &bad, "proxy_http_version is not set (must be 1.1)");
    else if (strcmp(l->http_version.value, "1.1") != 0)
        add_reason(why, whylen, &bad, "proxy_http_version %s (must be 1.1)",
                   l->http_version.value);
    long long ms = 60000;   /* nginx's default */
    const char *shown = l->read_timeout.set ? l->read_timeout.value : "60s (the default)";
    if (l->read_timeout.set && nginxconf_time_ms(l->read_timeout.value, &ms) != 0)
        add_reason(why, whylen, &bad, "proxy_read_timeout %s is not a time", shown);
    else if (ms != (long long)idle_timeout_s * 1000)
        add_reason(why, whylen, &bad, "proxy_read_timeout %s but gateway.idle_timeout_s is %d",
                   shown, idle_timeout_s);
    return bad;
}

int nginxconf_judge_xff(const struct nginxconf_location *l, char *why, size_t whylen)
{
    why[0] = '\0';
    if (l->xff.set && strcmp(l->xff.value, "$remote_addr") == 0)
        return 0;
    if (!l->xff.set)
        snprintf(why, whylen, "proxy_set_header X-Forwarded-For is not set: "
                 "set it to $remote_addr");
    else if (strstr(l->xff.value, "$proxy_add_x_forwarded_for"))
        snprintf(why, whylen, "X-Forwarded-For %s appends to the client's chain: the gateway "
                 "answers 403 to appended chains; set it to $remote_addr", l->xff.value);
    else
        snprintf(why, whylen, "X-Forwarded-For is %s: set it to $remote_addr", l->xff.value);
    return 1;
}
