/* Pure HTTP/1.x request-head parsing for sim/httpd: no I/O, the caller owns every buffer.
 * Bytes may arrive in any pieces: hp_find_head_end resumes where it stopped. */
#ifndef SIM_HTTPPARSE_H
#define SIM_HTTPPARSE_H

#include <stddef.h>

#include "sim/httpd.h"

#define HP_MAX_HEADERS 100

/* Bytes of blank lines (CR/LF) before a request, which RFC 9112 says to ignore. */
size_t hp_skip_blank(const char *buf, size_t len);

/* Length of the head including its empty line, 0 while incomplete, or -431 when the head is
 * over HTTPD_MAX_HEAD. *scan (start at 0) remembers how far the search got. */
long hp_find_head_end(const char *buf, size_t len, size_t *scan);

/* Splits a NUL-terminated head copy in place into req (method, path, query, minor, headers
 * stored in hdrs[HP_MAX_HEADERS]) and reads Content-Length into *body_len.
 * Returns 0, or the HTTP status to answer with (400, 413, 431, 501, 505). */
int hp_parse_head(char *head, struct httpd_req *req, struct httpd_header *hdrs,
                  size_t *body_len);

#endif
