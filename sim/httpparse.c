/* HTTP/1.x request heads: find the end, then split in place. Strict where a lax parser would
 * let a malformed request through (tokens, versions, duplicate Content-Length), lenient about
 * bare LF line ends, as RFC 9112 allows. */
#include "sim/httpparse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t hp_skip_blank(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    return i;
}

long hp_find_head_end(const char *buf, size_t len, size_t *scan)
{
    /* *scan always sits at the start of a line not yet known to be the empty one. */
    size_t line = *scan;
    for (;;) {
        const char *nl = memchr(buf + line, '\n', len - line);
        if (!nl)
            break;
        size_t end = (size_t)(nl - buf);
        size_t n = end - line;
        if (n > 0 && buf[end - 1] == '\r')
            n--;
        if (n == 0 && line > 0)
            return end + 1 > HTTPD_MAX_HEAD ? -431 : (long)(end + 1);
        line = end + 1;
    }
    *scan = line;
    return len > HTTPD_MAX_HEAD ? -431 : 0;
}

static int is_tchar(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int all_tchars(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

/* Cuts the next line off *p (LF or CRLF), returning it NUL-terminated. */
static char *next_line(char **p)
{
    char *s = *p;
    char *nl = strchr(s, '\n');
    if (!nl)
        return NULL;
    *nl = '\0';
    if (nl > s && nl[-1] == '\r')
        nl[-1] = '\0';
    *p = nl + 1;
    return s;
}

static int parse_request_line(char *line, struct httpd_req *req)
{
    char *sp1 = strchr(line, ' ');
    if (!sp1)
        return 400;
    char *sp2 = strchr(sp1 + 1, ' ');
    if (!sp2 || strchr(sp2 + 1, ' '))
        return 400;
    *sp1 = *sp2 = '\0';
    char *target = sp1 + 1, *version = sp2 + 1;
    if (!all_tchars(line) || target[0] != '/')
        return 400;
    for (char *t = target; *t; t++)
        if ((unsigned char)*t <= ' ' || *t == 0x7f)
            return 400;
    if (strncmp(version, "HTTP/", 5) != 0 || !isdigit((unsigned char)version[5]) ||
        version[6] != '.' || !isdigit((unsigned char)version[7]) || version[8])
        return 400;
    if (version[5] != '1')
        return 505;
    req->method = line;
    req->minor = version[7] - '0';
    char *q = strchr(target, '?');
    if (q)
        *q++ = '\0';
    req->path = target;
    req->query = q ? q : "";
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static int parse_header(char *line, struct httpd_header *h)
{
    char *colon = strchr(line, ':');
    if (!colon)
        return 400;
    *colon = '\0';
    if (!all_tchars(line)) /* also rejects obsolete line folding and "Name :" */
        return 400;
    h->name = line;
    h->value = trim(colon + 1);
    return 0;
}

/* Content-Length must be plain digits; repeated values must agree (request smuggling). */
static int read_length(const struct httpd_req *req, size_t *body_len)
{
    int seen = 0;
    *body_len = 0;
    for (size_t i = 0; i < req->nheaders; i++) {
        if (strcasecmp(req->headers[i].name, "Content-Length") != 0)
            continue;
        const char *v = req->headers[i].value;
        if (!*v || strspn(v, "0123456789") != strlen(v))
            return 400;
        if (strlen(v) > 9)
            return 413;
        size_t n = (size_t)strtoul(v, NULL, 10);
        if (seen && n != *body_len)
            return 400;
        seen = 1;
        *body_len = n;
    }
    return *body_len > HTTPD_MAX_BODY ? 413 : 0;
}

int hp_parse_head(char *head, struct httpd_req *req, struct httpd_header *hdrs,
                  size_t *body_len)
{
    char *p = head;
    char *line = next_line(&p);
    if (!line)
        return 400;
    memset(req, 0, sizeof *req);
    int rc = parse_request_line(line, req);
    if (rc)
        return rc;
    size_t n = 0;
    while ((line = next_line(&p)) && *line) {
        if (n == HP_MAX_HEADERS)
            return 431;
        if ((rc = parse_header(line, &hdrs[n])))
            return rc;
        n++;
    }
    req->headers = hdrs;
    req->nheaders = n;
    /* Chunked request bodies are not needed by any client of the sim (nginx buffers). */
    if (httpd_req_header(req, "Transfer-Encoding"))
        return 501;
    return read_length(req, body_len);
}

/* Declared in httpd.h; lives here because the parser needs it and it does no I/O. */
const char *httpd_req_header(const struct httpd_req *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}
