/* sockets: both implementations against real sockets made here (K
 * connections held open to a listener on an ephemeral port), plus table tests
 * of the two pure parsers. lsof cases are skipped when lsof is not installed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>

#include "backends/sockets.h"
#include "core/lsofparse.h"
#include "core/procnet.h"

#define MAXK 50

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN);
    uv_loop_t *loop = malloc(sizeof *loop);
    assert_non_null(loop);
    assert_int_equal(uv_loop_init(loop), 0);
    *state = loop;
    return 0;
}

/* No test may leave a handle or a child behind on the loop. */
static int teardown(void **state)
{
    uv_loop_t *loop = *state;
    assert_int_equal(uv_loop_alive(loop), 0);
    assert_int_equal(uv_loop_close(loop), 0);
    free(loop);
    return 0;
}

/* procnet only on Linux; lsof when installed (the test set-up installs it). */
static bool available(enum sockets_impl impl)
{
    if (impl == SOCKETS_PROCNET) {
#ifdef __linux__
        return true;
#else
        return false;
#endif
    }
    const char *path = getenv("PATH");
    char file[4096];
    while (path != NULL && *path != '\0') {
        size_t n = strcspn(path, ":");
        snprintf(file, sizeof file, "%.*s/lsof", (int)n, path);
        if (access(file, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static const enum sockets_impl both[] = { SOCKETS_PROCNET, SOCKETS_LSOF };

/* addr (numeric, v4 or v6) and port -> sockaddr; returns the family. */
static int make_addr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (strchr(addr, ':') == NULL) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        assert_int_equal(inet_pton(AF_INET, addr, &a->sin_addr), 1);
        *len = sizeof *a;
        return AF_INET;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    assert_int_equal(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
    *len = sizeof *a;
    return AF_INET6;
}

/* Binds fd to addr:port; with port 0, a free port below the ephemeral range
 * (as a gateway's fixed port is): an ephemeral listening port could equal
 * the local port of another process's client socket on another address
 * (say [::1]), which counts as a connection to it. */
static void bind_port(int fd, const char *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    for (int attempt = 0; attempt < 200; attempt++) {
        int p = port ? port : 20000 + (int)(((unsigned)getpid() * 7919u + (unsigned)attempt * 104729u) % 12000u);
        make_addr(addr, p, &ss, &len);
        if (bind(fd, (struct sockaddr *)&ss, len) == 0)
            return;
        if (port)
            break;
    }
    fail_msg("cannot bind %s", addr);
}

/* A listening socket on addr; *port 0 picks a free one and returns it. */
static int listen_on(const char *addr, int *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int af = make_addr(addr, *port, &ss, &len);
    int fd = socket(af, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int off = 0;            /* "::" dual stack, so IPv4 clients arrive mapped */
    if (af == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    bind_port(fd, addr, *port);
    len = sizeof ss;
    assert_int_equal(listen(fd, 128), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    *port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* Connects to `to`:port and accepts on lfd: one ESTABLISHED pair, accepted
 * (lsof sees only sockets a process holds, not the accept queue). */
static void connect_pair(int lfd, const char *to, int port, int *client, int *served)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int af = make_addr(to, port, &ss, &len);
    *client = socket(af, SOCK_STREAM, 0);
    assert_true(*client >= 0);
    assert_int_equal(connect(*client, (struct sockaddr *)&ss, len), 0);
    *served = accept(lfd, NULL, NULL);
    assert_true(*served >= 0);
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

struct async_result {
    int calls, status;
    int counts[COLOR_COUNT];
    char msg[512];
};

static void on_count(int status, const int counts[COLOR_COUNT], const char *msg, void *data)
{
    struct async_result *r = data;
    r->calls++;
    r->status = status;
    memcpy(r->counts, counts, sizeof r->counts);
    snprintf(r->msg, sizeof r->msg, "%s", msg);
}

/* Counts with both the one-shot and the async form; they must agree. */
static void count_both_ways(uv_loop_t *loop, struct sockets *s, const int ports[COLOR_COUNT],
                            int counts[COLOR_COUNT])
{
    char msg[512] = "";
    int rc = sockets_count(s, ports, counts, msg, sizeof msg);
    if (rc != 0)
        fail_msg("%s: %s", sockets_name(s), msg);
    struct async_result ar = { 0 };
    assert_int_equal(sockets_count_async(s, ports, on_count, &ar, msg, sizeof msg), 0);
    assert_int_equal(ar.calls, 0);      /* never from inside the call */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(ar.calls, 1);
    assert_int_equal(ar.status, 0);
    assert_int_equal(ar.counts[0], counts[0]);
    assert_int_equal(ar.counts[1], counts[1]);
}

/* K connections to blue's port, none to green's: blue K, green 0. */
static void check_k(uv_loop_t *loop, enum sockets_impl impl, int k)
{
    char msg[256];
    struct sockets *s = sockets_new(loop, impl, 10000, msg, sizeof msg);
    assert_non_null(s);
    int ports[COLOR_COUNT] = { 0, 0 };
    int blue = listen_on("127.0.0.1", &ports[COLOR_BLUE]);
    int green = listen_on("127.0.0.1", &ports[COLOR_GREEN]);
    int clients[MAXK], served[MAXK];
    for (int i = 0; i < k; i++)
        connect_pair(blue, "127.0.0.1", ports[COLOR_BLUE], &clients[i], &served[i]);
    int counts[COLOR_COUNT];
    count_both_ways(loop, s, ports, counts);
    assert_int_equal(counts[COLOR_BLUE], k);
    assert_int_equal(counts[COLOR_GREEN], 0);
    close_all(clients, k);
    close_all(served, k);
    close(blue);
    close(green);
    sockets_free(s);
}

static void test_procnet_counts_k(void **state)
{
    if (!available(SOCKETS_PROCNET))
        skip();
    check_k(*state, SOCKETS_PROCNET, 0);
    check_k(*state, SOCKETS_PROCNET, 1);
    check_k(*state, SOCKETS_PROCNET, 50);
}

static void test_lsof_counts_k(void **state)
{
    if (!available(SOCKETS_LSOF))
        skip();
    check_k(*state, SOCKETS_LSOF, 0);
    check_k(*state, SOCKETS_LSOF, 1);
    check_k(*state, SOCKETS_LSOF, 50);
}

/* A dual-stack listener: IPv4 clients arrive as mapped IPv6, ::1 as IPv6.
 * Green listens on ::1 only and gets one connection. */
static void check_ipv6(uv_loop_t *loop, enum sockets_impl impl)
{
    char msg[256];
    struct sockets *s = sockets_new(loop, impl, 10000, msg, sizeof msg);
    assert_non_null(s);
    int ports[COLOR_COUNT] = { 0, 0 };
    int blue = listen_on("::", &ports[COLOR_BLUE]);
    int green = listen_on("::1", &ports[COLOR_GREEN]);
    int fds[8], n = 0;
    connect_pair(blue, "127.0.0.1", ports[COLOR_BLUE], &fds[0], &fds[1]);
    connect_pair(blue, "127.0.0.1", ports[COLOR_BLUE], &fds[2], &fds[3]);
    connect_pair(blue, "::1", ports[COLOR_BLUE], &fds[4], &fds[5]);
    connect_pair(green, "::1", ports[COLOR_GREEN], &fds[6], &fds[7]);
    n = 8;
    int counts[COLOR_COUNT];
    count_both_ways(loop, s, ports, counts);
    assert_int_equal(counts[COLOR_BLUE], 3);
    assert_int_equal(counts[COLOR_GREEN], 1);
    close_all(fds, n);
    close(blue);
    close(green);
    sockets_free(s);
}

static void test_ipv6_and_mapped(void **state)
{
    for (size_t i = 0; i < 2; i++)
        if (available(both[i]))
            check_ipv6(*state, both[i]);
}

/* A forked child holds the same accepted sockets (as a pre-fork server or
 * nginx's workers do): lsof lists them once per process, we count them once. */
static void test_shared_sockets_counted_once(void **state)
{
    uv_loop_t *loop = *state;
    int ports[COLOR_COUNT] = { 0, 0 };
    int lfd = listen_on("127.0.0.1", &ports[COLOR_BLUE]);
    int other = listen_on("127.0.0.1", &ports[COLOR_GREEN]);
    int clients[3], served[3], gate[2];
    for (int i = 0; i < 3; i++)
        connect_pair(lfd, "127.0.0.1", ports[COLOR_BLUE], &clients[i], &served[i]);
    assert_int_equal(pipe(gate), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {             /* hold everything until the parent closes the gate */
        char c;
        close(gate[1]);
        ssize_t got = read(gate[0], &c, 1);
        _exit(got < 0 ? 1 : 0);
    }
    close(gate[0]);
    for (size_t i = 0; i < 2; i++) {
        if (!available(both[i]))
            continue;
        char msg[256];
        struct sockets *s = sockets_new(loop, both[i], 10000, msg, sizeof msg);
        assert_non_null(s);
        int counts[COLOR_COUNT];
        count_both_ways(loop, s, ports, counts);
        assert_int_equal(counts[COLOR_BLUE], 3);
        assert_int_equal(counts[COLOR_GREEN], 0);
        sockets_free(s);
    }
    close(gate[1]);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    close_all(clients, 3);
    close_all(served, 3);
    close(lfd);
    close(other);
}

/* Finds addr among the listeners; fails when absent. */
static const struct sockets_listener *find_listener(const struct sockets_listener *l, int n,
                                                    const char *addr)
{
    for (int i = 0; i < n; i++)
        if (strcmp(l[i].addr, addr) == 0)
            return &l[i];
    fail_msg("no listener on %s", addr);
    return NULL;
}

static void check_listeners(uv_loop_t *loop, enum sockets_impl impl)
{
    char msg[256];
    struct sockets *s = sockets_new(loop, impl, 10000, msg, sizeof msg);
    assert_non_null(s);
    int lo = 0, any = 0, any6 = 0;
    int lfd_lo = listen_on("127.0.0.1", &lo);
    int lo6 = lo;               /* the same port on ::1 too: two listeners */
    int lfd_lo6 = listen_on("::1", &lo6);
    int lfd_any = listen_on("0.0.0.0", &any);
    int lfd_any6 = listen_on("::", &any6);
    struct sockets_listener l[8];
    int n = -1;
    assert_int_equal(sockets_listeners(s, lo, l, 8, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 2);
    assert_true(find_listener(l, n, "127.0.0.1")->loopback);
    assert_true(find_listener(l, n, "::1")->loopback);
    assert_int_equal(l[0].port, lo);
    assert_int_equal(sockets_listeners(s, any, l, 8, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].addr, "0.0.0.0");
    assert_false(l[0].loopback);
    assert_int_equal(sockets_listeners(s, any6, l, 8, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].addr, "::");
    assert_false(l[0].loopback);
    close(lfd_any);             /* a port nobody listens on any more */
    assert_int_equal(sockets_listeners(s, any, l, 8, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 0);
    close(lfd_lo);
    close(lfd_lo6);
    close(lfd_any6);
    sockets_free(s);
}

static void test_listeners(void **state)
{
    for (size_t i = 0; i < 2; i++)
        if (available(both[i]))
            check_listeners(*state, both[i]);
}

/* Colors without a TCP port (unix sockets) are reported -1, not 0. */
static void test_no_tcp_port(void **state)
{
    uv_loop_t *loop = *state;
    for (size_t i = 0; i < 2; i++) {
        if (both[i] == SOCKETS_PROCNET && !available(both[i]))
            continue;           /* lsof need not be installed: nothing runs */
        char msg[256];
        struct sockets *s = sockets_new(loop, both[i], 10000, msg, sizeof msg);
        assert_non_null(s);
        int ports[COLOR_COUNT] = { 0, -1 }, counts[COLOR_COUNT] = { 7, 7 };
        assert_int_equal(sockets_count(s, ports, counts, msg, sizeof msg), 0);
        assert_int_equal(counts[0], -1);
        assert_int_equal(counts[1], -1);
        struct async_result ar = { 0 };
        assert_int_equal(sockets_count_async(s, ports, on_count, &ar, msg, sizeof msg), 0);
        uv_run(loop, UV_RUN_DEFAULT);
        assert_int_equal(ar.calls, 1);
        assert_int_equal(ar.counts[0], -1);
        sockets_free(s);
    }
}

/* An async count owns its state: the server may free its sockets (shutdown)
 * while one is in flight, and the callback still comes, once. */
static void test_free_before_callback(void **state)
{
    uv_loop_t *loop = *state;
    for (size_t i = 0; i < 2; i++) {
        if (!available(both[i]))
            continue;
        char msg[256];
        struct sockets *s = sockets_new(loop, both[i], 10000, msg, sizeof msg);
        int ports[COLOR_COUNT] = { 0, 0 };
        int lfd = listen_on("127.0.0.1", &ports[COLOR_BLUE]), fds[2];
        connect_pair(lfd, "127.0.0.1", ports[COLOR_BLUE], &fds[0], &fds[1]);
        struct async_result ar = { 0 };
        assert_int_equal(sockets_count_async(s, ports, on_count, &ar, msg, sizeof msg), 0);
        sockets_free(s);
        uv_run(loop, UV_RUN_DEFAULT);
        assert_int_equal(ar.calls, 1);
        assert_int_equal(ar.counts[COLOR_BLUE], 1);
        assert_int_equal(ar.counts[COLOR_GREEN], -1);
        close_all(fds, 2);
        close(lfd);
    }
}

/* lsof that cannot start is an error value through both forms, not zero. */
static void test_lsof_missing_is_an_error(void **state)
{
    uv_loop_t *loop = *state;
    char *saved = strdup(getenv("PATH") != NULL ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", "/nonexistent-cutover", 1);
    char msg[256] = "";
    struct sockets *s = sockets_new(loop, SOCKETS_LSOF, 5000, msg, sizeof msg);
    assert_non_null(s);
    int ports[COLOR_COUNT] = { 8787, 8788 }, counts[COLOR_COUNT];
    assert_int_equal(sockets_count(s, ports, counts, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "lsof"));
    assert_int_equal(counts[0], -1);
    /* uv_spawn may fail at once (then no callback) or in the child: either
     * way an error, never counts. The loop runs to let spawn close its handles. */
    struct async_result ar = { 0 };
    int rc = sockets_count_async(s, ports, on_count, &ar, msg, sizeof msg);
    uv_run(loop, UV_RUN_DEFAULT);
    if (rc == 0) {
        assert_int_equal(ar.calls, 1);
        assert_true(ar.status < 0);
        assert_int_equal(ar.counts[1], -1);
    } else {
        assert_int_equal(rc, -1);
        assert_int_equal(ar.calls, 0);
        assert_non_null(strstr(msg, "lsof"));
    }
    setenv("PATH", saved, 1);
    free(saved);
    sockets_free(s);
}

static void test_impl_choice(void **state)
{
    char msg[256];
    assert_int_equal(sockets_impl_parse("auto"), SOCKETS_AUTO);
    assert_int_equal(sockets_impl_parse("procnet"), SOCKETS_PROCNET);
    assert_int_equal(sockets_impl_parse("lsof"), SOCKETS_LSOF);
    assert_int_equal(sockets_impl_parse("netstat"), -1);
    assert_int_equal(sockets_impl_parse(NULL), -1);
    struct sockets *s = sockets_new(*state, SOCKETS_AUTO, 0, msg, sizeof msg);
    assert_non_null(s);
#ifdef __linux__
    assert_string_equal(sockets_name(s), "procnet");
#else
    assert_string_equal(sockets_name(s), "lsof");
#endif
    sockets_free(s);
    s = sockets_new(*state, SOCKETS_LSOF, 0, msg, sizeof msg);
    assert_string_equal(sockets_name(s), "lsof");
    sockets_free(s);
}

/* --- /proc/net/tcp lines, as the kernel prints them on this (little-endian) host --- */

struct pn_case {
    const char *line;
    int rc, family, state, lport, rport;
    const char *laddr;          /* numeric, as inet_pton reads it */
};

static const struct pn_case pn_cases[] = {
    { "   1: 0100007F:1F8B 0100007F:C8E2 01 00000000:00000000 00:00000000 00000000  1000"
      "        0 123456 1 0000000000000000 20 4 30 10 -1\n",
      0, 4, PROCNET_ESTABLISHED, 0x1F8B, 0xC8E2, "127.0.0.1" },
    { "   0: 00000000:2253 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
      "        0 2222 1 0000000000000000 100 0 0 10 0\n",
      0, 4, PROCNET_LISTEN, 8787, 0, "0.0.0.0" },
    { "  12: 0B01A8C0:0016 0A01A8C0:D431 06 00000000:00000000 03:00000F3A 00000000\n",
      0, 4, 0x06, 22, 0xD431, "192.168.1.11" },
    { "   0: 00000000000000000000000001000000:2254 00000000000000000000000001000000:9135 01"
      " 00000000:00000000 00:00000000 00000000  1000        0 99 1 0000000000000000 20 4 1 10 -1\n",
      0, 6, PROCNET_ESTABLISHED, 8788, 0x9135, "::1" },
    { "   3: 0000000000000000FFFF00000100007F:2253 0000000000000000FFFF00000100007F:B00A 01"
      " 00000000:00000000 00:00000000 00000000     0        0 77 1\n",
      0, 6, PROCNET_ESTABLISHED, 8787, 0xB00A, "::ffff:127.0.0.1" },
    { "   4: 000080FE00000000FF5E00020F3C12FE:0050 00000000000000000000000000000000:0000 0A\n",
      0, 6, PROCNET_LISTEN, 80, 0, "fe80::200:5eff:fe12:3c0f" },
    { "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n",
      -1, 0, 0, 0, 0, NULL },
    { "   1: 0100007F:1F8B 0100007F:C8E2", -1, 0, 0, 0, 0, NULL },           /* cut short */
    { "   1: 0100007F:1F8 0100007F:C8E2 01 0\n", -1, 0, 0, 0, 0, NULL },    /* 3-digit port */
    { "   1: 0100007F:1F8B 00000000000000000000000001000000:C8E2 01 0\n",  /* mixed widths */
      -1, 0, 0, 0, 0, NULL },
    { "   1: 0100007G:1F8B 0100007F:C8E2 01 0\n", -1, 0, 0, 0, 0, NULL },   /* not hex */
    { "\x01\xff garbage", -1, 0, 0, 0, 0, NULL },
    { "", -1, 0, 0, 0, 0, NULL },
};

static void test_procnet_lines(void **state)
{
    const uint16_t probe = 1;
    if (*(const unsigned char *)&probe != 1)
        skip();                 /* the literal lines are a little-endian kernel's */
    for (size_t i = 0; i < sizeof pn_cases / sizeof pn_cases[0]; i++) {
        const struct pn_case *c = &pn_cases[i];
        struct procnet_entry e;
        int rc = procnet_parse_line(c->line, &e);
        if (rc != c->rc)
            fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
        if (rc != 0)
            continue;
        assert_int_equal(e.family, c->family);
        assert_int_equal(e.state, c->state);
        assert_int_equal(e.local_port, c->lport);
        assert_int_equal(e.remote_port, c->rport);
        unsigned char want[16] = { 0 };
        assert_int_equal(inet_pton(c->family == 4 ? AF_INET : AF_INET6, c->laddr, want), 1);
        if (memcmp(e.local, want, c->family == 4 ? 4 : 16) != 0)
            fail_msg("case %zu: local address is not %s", i, c->laddr);
    }
}

/* One rule shows a listening address the same way for both implementations. */
static void test_listener_add(void **state)
{
    struct sockets_listener l[3];
    int n = 0;
    unsigned char b[16];
    inet_pton(AF_INET6, "::ffff:127.0.0.1", b);
    assert_int_equal(sockets_listener_add(l, 3, &n, AF_INET6, b, 8787), 1);
    assert_string_equal(l[0].addr, "127.0.0.1");
    assert_true(l[0].loopback);
    inet_pton(AF_INET, "127.0.0.1", b);
    assert_int_equal(sockets_listener_add(l, 3, &n, AF_INET, b, 8787), 0);  /* same */
    inet_pton(AF_INET, "127.8.0.9", b);
    assert_int_equal(sockets_listener_add(l, 3, &n, AF_INET, b, 8787), 1);
    assert_true(l[1].loopback);
    inet_pton(AF_INET6, "::ffff:10.0.0.1", b);
    assert_int_equal(sockets_listener_add(l, 3, &n, AF_INET6, b, 8787), 1);
    assert_string_equal(l[2].addr, "10.0.0.1");
    assert_false(l[2].loopback);
    inet_pton(AF_INET6, "::1", b);
    assert_int_equal(sockets_listener_add(l, 3, &n, AF_INET6, b, 8787), 0);  /* full */
    assert_int_equal(n, 3);
}

/* --- lsof -F output --- */

/* Captured from lsof 4.95 (-F pcfntT -Ts), then edited: pid 200 is a forked
 * copy holding the same accepted socket as pid 100; the first file is the
 * client's end; one is CLOSE_WAIT; one listener; a mapped peer on tIPv6. */
static const char lsof_sample[] =
    "p100\ncgateway\n"
    "f3\ntIPv4\nn127.0.0.1:8787\nTST=LISTEN\n"
    "f5\ntIPv4\nn127.0.0.1:47808->127.0.0.1:8787\nTST=ESTABLISHED\n"
    "f6\ntIPv4\nn127.0.0.1:8787->127.0.0.1:47808\nTST=ESTABLISHED\n"
    "f7\ntIPv6\nn127.0.0.1:8787->127.0.0.1:35098\nTST=ESTABLISHED\n"
    "f8\ntIPv4\nn127.0.0.1:8787->127.0.0.1:35100\nTST=CLOSE_WAIT\n"
    "p200\ncgateway\n"
    "f6\ntIPv4\nn127.0.0.1:8787->127.0.0.1:47808\nTST=ESTABLISHED\n"
    "f9\ntIPv6\nn[::1]:8788->[::1]:43406\nTST=ESTABLISHED\n"
    "f10\ntIPv6\nn[::1]:8788->[::1]:43408\nTST=ESTABLISHED";   /* no final newline */

static void test_lsof_count_sample(void **state)
{
    int ports[2] = { 8787, 8788 }, counts[2];
    assert_int_equal(lsofparse_count(lsof_sample, strlen(lsof_sample), ports, 2, counts), 0);
    assert_int_equal(counts[0], 2);     /* :47808 once for both pids, :35098 */
    assert_int_equal(counts[1], 2);
    int other[2] = { 47808, 0 };        /* a client's port is not a local listener's */
    assert_int_equal(lsofparse_count(lsof_sample, strlen(lsof_sample), other, 2, counts), 0);
    assert_int_equal(counts[0], 1);     /* only the client end has local port 47808 */
    assert_int_equal(counts[1], -1);
    assert_int_equal(lsofparse_count("", 0, ports, 2, counts), 0);
    assert_int_equal(counts[0], 0);
    const char junk[] = "\xff\x01zz\n\nf\nn:\nTST=\nnot lsof at all";
    assert_int_equal(lsofparse_count(junk, sizeof junk - 1, ports, 2, counts), 0);
    assert_int_equal(counts[0] + counts[1], 0);
}

static void test_lsof_files(void **state)
{
    struct lsof_iter it;
    struct lsof_file f;
    int n = 0;
    lsofparse_begin(&it, lsof_sample, strlen(lsof_sample));
    while (lsofparse_next(&it, &f)) {
        n++;
        if (n == 1) {
            assert_int_equal(f.pid, 100);
            assert_int_equal(f.ipv6, 0);
            assert_true(lsofparse_state_is(&f, "LISTEN"));
        }
        if (n == 6) {
            assert_int_equal(f.pid, 200);
            assert_true(lsofparse_state_is(&f, "ESTABLISHED"));
        }
        if (n == 8) {
            assert_int_equal(f.ipv6, 1);
            assert_int_equal(f.name_len, strlen("[::1]:8788->[::1]:43408"));
        }
    }
    assert_int_equal(n, 8);
}

static void test_lsof_names(void **state)
{
    struct lsof_endpoint l, r;
    const char *v4 = "127.0.0.1:8787->10.1.2.3:51234";
    assert_int_equal(lsofparse_name(v4, strlen(v4), &l, &r), 0);
    assert_string_equal(l.host, "127.0.0.1");
    assert_int_equal(l.port, 8787);
    assert_string_equal(r.host, "10.1.2.3");
    assert_int_equal(r.port, 51234);
    const char *v6 = "[::1]:8788->[fe80::1]:40000 (ESTABLISHED)";
    assert_int_equal(lsofparse_name(v6, strlen(v6), &l, &r), 0);
    assert_string_equal(l.host, "::1");
    assert_string_equal(r.host, "fe80::1");
    assert_int_equal(r.port, 40000);
    assert_int_equal(lsofparse_name("*:8787", 6, &l, &r), 0);
    assert_string_equal(l.host, "*");
    assert_int_equal(l.port, 8787);
    assert_int_equal(r.port, -1);
    const char *bad[] = { "localhost:http", "8787", ":8787", "1.2.3.4:70000",
                          "1.2.3.4:80->", "[::1]:", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (lsofparse_name(bad[i], strlen(bad[i]), &l, &r) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_procnet_counts_k, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lsof_counts_k, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_and_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_sockets_counted_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listeners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_tcp_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_before_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lsof_missing_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_impl_choice, setup, teardown),
        cmocka_unit_test(test_procnet_lines),
        cmocka_unit_test(test_listener_add),
        cmocka_unit_test(test_lsof_count_sample),
        cmocka_unit_test(test_lsof_files),
        cmocka_unit_test(test_lsof_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
