/* sockets: picks an implementation (at build time for AUTO) and forwards to
 * its table; holds the one rule for how a listening address is shown. */
#include "backends/sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct sockets {
    uv_loop_t *loop;
    const struct sockets_ops *ops;
    int timeout_ms;
};

int sockets_impl_parse(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "auto") == 0)
        return SOCKETS_AUTO;
    if (strcmp(name, "procnet") == 0)
        return SOCKETS_PROCNET;
    if (strcmp(name, "lsof") == 0)
        return SOCKETS_LSOF;
    return -1;
}

static const struct sockets_ops *choose(enum sockets_impl impl, char *msg, size_t msglen)
{
    switch (impl) {
    case SOCKETS_AUTO:
#ifdef __linux__
        return &sockets_procnet_ops;
#else
        return &sockets_lsof_ops;
#endif
    case SOCKETS_PROCNET:
#ifdef __linux__
        return &sockets_procnet_ops;
#else
        snprintf(msg, msglen, "sockets: procnet reads /proc/net/tcp, which only Linux has; "
                 "use lsof");
        return NULL;
#endif
    case SOCKETS_LSOF:
        return &sockets_lsof_ops;
    }
    snprintf(msg, msglen, "sockets: unknown implementation %d", (int)impl);
    return NULL;
}

struct sockets *sockets_new(uv_loop_t *loop, enum sockets_impl impl, int timeout_ms,
                            char *msg, size_t msglen)
{
    const struct sockets_ops *ops = choose(impl, msg, msglen);
    if (ops == NULL)
        return NULL;
    struct sockets *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(msg, msglen, "sockets: out of memory");
        return NULL;
    }
    s->loop = loop;
    s->ops = ops;
    s->timeout_ms = timeout_ms;
    return s;
}

void sockets_free(struct sockets *s)
{
    free(s);
}

const char *sockets_name(const struct sockets *s)
{
    return s->ops->name;
}

int sockets_count(struct sockets *s, const int ports[COLOR_COUNT], int counts_out[COLOR_COUNT],
                  char *msg, size_t msglen)
{
    return s->ops->count(s->loop, s->timeout_ms, ports, counts_out, msg, msglen);
}

int sockets_count_async(struct sockets *s, const int ports[COLOR_COUNT], sockets_count_cb cb,
                        void *data, char *msg, size_t msglen)
{
    return s->ops->count_async(s->loop, s->timeout_ms, ports, cb, data, msg, msglen);
}

int sockets_listeners(struct sockets *s, int port, struct sockets_listener *out, int max,
                      int *n_out, char *msg, size_t msglen)
{
    *n_out = 0;
    if (port <= 0 || port > 65535) {
        snprintf(msg, msglen, "sockets: port %d is not a TCP port", port);
        return -1;
    }
    return s->ops->listeners(s->loop, s->timeout_ms, port, out, max, n_out, msg, msglen);
}

static const unsigned char v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* A mapped address is an IPv4 peer on a dual-stack socket: show it as IPv4,
 * as lsof does, so both implementations report the same text. */
static void normalize(int *af, const unsigned char **bytes)
{
    if (*af == AF_INET6 && memcmp(*bytes, v4mapped_prefix, 12) == 0) {
        *af = AF_INET;
        *bytes += 12;
    }
}

static bool is_loopback(int af, const unsigned char *b)
{
    static const unsigned char v6_loop[16] = { [15] = 1 };
    if (af == AF_INET)
        return b[0] == 127;
    return memcmp(b, v6_loop, 16) == 0;
}

int sockets_listener_add(struct sockets_listener *out, int max, int *n, int af,
                         const void *addr, int port)
{
    const unsigned char *b = addr;
    normalize(&af, &b);
    struct sockets_listener l = { .port = port, .loopback = is_loopback(af, b) };
    if (inet_ntop(af, b, l.addr, sizeof l.addr) == NULL)
        return 0;
    for (int i = 0; i < *n; i++)
        if (out[i].port == port && strcmp(out[i].addr, l.addr) == 0)
            return 0;
    if (*n >= max)
        return 0;
    out[(*n)++] = l;
    return 1;
}
