/* procnet: one line of Linux's /proc/net/tcp or /proc/net/tcp6 -> a plain
 * struct. Pure text parsing (the caller reads the file), so it is tested with
 * literal lines. Nothing here owns memory. */
#ifndef CUTOVER_CORE_PROCNET_H
#define CUTOVER_CORE_PROCNET_H

#include <stdbool.h>

/* The kernel's TCP state numbers (include/net/tcp_states.h). */
#define PROCNET_ESTABLISHED 0x01
#define PROCNET_LISTEN      0x0A

struct procnet_entry {
    int family;                 /* 4 or 6 */
    unsigned char local[16];    /* network byte order; IPv4 uses the first 4 bytes */
    unsigned char remote[16];
    int local_port;
    int remote_port;
    int state;                  /* PROCNET_* */
};

/* Parses "  0: 0100007F:1F8B 0100007F:C8E2 01 ..." (the address width tells
 * IPv4 from IPv6). The kernel prints each 32-bit word of an address as the
 * host reads it, so the bytes come out right on the host that wrote the line.
 * Returns 0, or -1 for the header line or anything malformed. */
int procnet_parse_line(const char *line, struct procnet_entry *e);

#endif
