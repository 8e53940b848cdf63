/* procnet: the fixed-width fields of /proc/net/tcp{,6}, parsed by hand because
 * a busy gateway's table has tens of thousands of lines read every second. */
#include "core/procnet.h"

#include <stdint.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads exactly n hex digits at *p into *out and advances *p. */
static int hex_n(const char **p, int n, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        int d = hexval((*p)[i]);
        if (d < 0)
            return -1;
        v = (v << 4) | (uint32_t)d;
    }
    *p += n;
    *out = v;
    return 0;
}

static int hex_width(const char *p)
{
    int n = 0;
    while (hexval(p[n]) >= 0)
        n++;
    return n;
}

/* "ADDR:PORT" where ADDR is 8 (IPv4) or 32 (IPv6) hex digits. Each 32-bit word
 * is stored back as the host holds it, which restores network byte order. */
static int parse_endpoint(const char **p, int *family, unsigned char addr[16], int *port)
{
    int width = hex_width(*p);
    if (width != 8 && width != 32)
        return -1;
    memset(addr, 0, 16);
    for (int w = 0; w < width / 8; w++) {
        uint32_t word;
        if (hex_n(p, 8, &word) < 0)
            return -1;
        memcpy(addr + 4 * w, &word, 4);
    }
    uint32_t prt;
    if (**p != ':')
        return -1;
    (*p)++;
    if (hex_width(*p) != 4 || hex_n(p, 4, &prt) < 0)
        return -1;
    *family = width == 8 ? 4 : 6;
    *port = (int)prt;
    return 0;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int procnet_parse_line(const char *line, struct procnet_entry *e)
{
    const char *p = skip_spaces(line);
    /* "sl" slot number, then ':'; the header line ("sl  local_address") fails here. */
    if (hex_width(p) == 0)
        return -1;
    p += hex_width(p);
    if (*p != ':')
        return -1;
    p = skip_spaces(p + 1);
    int rfamily;
    if (parse_endpoint(&p, &e->family, e->local, &e->local_port) < 0)
        return -1;
    if (*p != ' ')
        return -1;
    p = skip_spaces(p);
    if (parse_endpoint(&p, &rfamily, e->remote, &e->remote_port) < 0 || rfamily != e->family)
        return -1;
    if (*p != ' ')
        return -1;
    p = skip_spaces(p);
    uint32_t st;
    if (hex_width(p) != 2 || hex_n(&p, 2, &st) < 0)
        return -1;
    if (*p != ' ' && *p != '\n' && *p != '\0')
        return -1;
    e->state = (int)st;
    return 0;
}
