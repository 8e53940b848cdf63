/* Listen addresses as text: "127.0.0.1:8787", "[::1]:8787", "localhost:0". Pure apart from
 * libuv's address helpers; the caller owns every buffer. */
#ifndef SIM_HOSTPORT_H
#define SIM_HOSTPORT_H

#include <stddef.h>
#include <uv.h>

/* Returns 0, or -1 with a message naming the expected form. */
int hostport_parse(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen);
/* "HOST:PORT", brackets around IPv6. Returns 0. */
int hostport_format(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
