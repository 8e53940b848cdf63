/* "HOST:PORT" <-> sockaddr, for the sim's listener. Numeric addresses only (plus "localhost"),
 * so a typo never waits on DNS. */
#include "sim/hostport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *s, int *port)
{
    char *end;
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return -1;
    long v = strtol(s, &end, 10);
    if (v < 0 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

int hostport_parse(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen)
{
    char host[64];
    const char *colon;
    int port, rc;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(close - s - 1), s + 1);
        if (parse_port(close + 2, &port) < 0)
            goto bad;
        rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss);
    } else {
        if (!(colon = strrchr(s, ':')) || (size_t)(colon - s) >= sizeof host)
            goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
        if (parse_port(colon + 1, &port) < 0)
            goto bad;
        if (strcmp(host, "localhost") == 0 || host[0] == '\0')
            snprintf(host, sizeof host, "127.0.0.1");
        rc = uv_ip4_addr(host, port, (struct sockaddr_in *)ss);
    }
    if (rc == 0)
        return 0;
bad:
    snprintf(err, errlen, "bad listen address '%s' (want HOST:PORT or [IPv6]:PORT)", s);
    return -1;
}

int hostport_format(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    char ip[64];
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        uv_ip6_name(a, ip, sizeof ip);
        snprintf(buf, len, "[%s]:%d", ip, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        uv_ip4_name(a, ip, sizeof ip);
        snprintf(buf, len, "%s:%d", ip, ntohs(a->sin_port));
    }
    return 0;
}
