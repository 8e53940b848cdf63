/* lsofparse: `lsof -F` field output (one field per line, the first character
 * names it) -> the network files it lists, and the per-port counts sockets
 * needs. Pure: the caller runs lsof and hands over its stdout. The file
 * records point into the caller's text; nothing here keeps memory. */
#ifndef CUTOVER_CORE_LSOFPARSE_H
#define CUTOVER_CORE_LSOFPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* One file set ('f' field and what follows it), with its process's pid. */
struct lsof_file {
    long pid;
    int ipv6;                   /* 't' field: 1 "IPv6", 0 "IPv4", -1 absent */
    const char *name;           /* 'n' field, not NUL-terminated; NULL when absent */
    size_t name_len;
    const char *state;          /* the value of the "TST=" field: "ESTABLISHED" */
    size_t state_len;           /* 0 when absent */
};

struct lsof_iter {
    const char *p, *end;
    long pid;
};

void lsofparse_begin(struct lsof_iter *it, const char *text, size_t len);
/* Fills f with the next file set; false at the end of the text. */
bool lsofparse_next(struct lsof_iter *it, struct lsof_file *f);

/* true when the file's state is exactly `state` ("ESTABLISHED", "LISTEN"). */
bool lsofparse_state_is(const struct lsof_file *f, const char *state);

/* An endpoint of a name: host without brackets ("127.0.0.1", "::1", or "*"
 * for any address) and port. */
struct lsof_endpoint {
    char host[64];
    int port;
};

/* Splits "127.0.0.1:8787->127.0.0.1:51234", "[::1]:8787->[::1]:40000" or a
 * listener's "*:8787". remote->port is -1 when there is no "->" part.
 * Returns 0, or -1 when the name is not host:port (a service name would be,
 * which is why sockets runs lsof with -P). */
int lsofparse_name(const char *name, size_t len, struct lsof_endpoint *local,
                   struct lsof_endpoint *remote);

/* For each ports[i] > 0: the number of ESTABLISHED connections whose local
 * port is ports[i], each counted once however many processes hold it (lsof
 * lists a socket once per process: a forked server, a master and its
 * workers). counts[i] = -1 where ports[i] <= 0. Returns 0, or -1 when out of
 * memory. */
int lsofparse_count(const char *text, size_t len, const int *ports, int nports, int *counts);

#endif
