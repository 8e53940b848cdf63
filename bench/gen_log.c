/* gen_log: writes a realistic access log in cutover's format to stdout, the
 * same bytes for the same seed, so benchmarks and tests can be repeated.
 *
 *   gen_log [-n LINES] [-s SEED] [--blue ADDR] [--green ADDR] [--start UNIX_S] [--rate PER_S]
 *
 * Mix: 90/10 blue/green by address, about 0.5% 5xx attempts, 1% retries
 * with two attempts (the first one failing to the other color), a few
 * internal redirects (" : "), lines nginx answered itself ("-"), attempts
 * to an unknown address and to the group name (no live upstream), IPv6
 * clients, and escaped quotes and spaces in requests and user agents. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gen {
    uint64_t rng;
    const char *addr[2];               /* blue, green */
    int64_t t_us;                      /* the clock of the log */
    int64_t rate;                      /* lines per second */
    time_t stamp_sec;                  /* second the cached $time_local is for */
    char stamp[40];
};

static uint64_t next_u64(struct gen *g)
{
    /* splitmix64: tiny, good enough, and the same everywhere */
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t pick(struct gen *g, uint32_t n)
{
    return (uint32_t)((next_u64(g) >> 32) * n >> 32);
}

/* A chance of per_100k in 100,000. */
static int chance(struct gen *g, uint32_t per_100k)
{
    return pick(g, 100000) < per_100k;
}

/* A header time with a long tail: mostly 60..260 ms, 1% up to 2.5 s. */
static int64_t header_ms(struct gen *g, int color)
{
    double u = (double)pick(g, 1000000) / 1e6;
    int64_t ms = 60 + (int64_t)(200.0 * u * u * u) + (color ? 20 : 0);
    if (chance(g, 1000))
        ms += pick(g, 2500);
    return ms;
}

static const char *time_local(struct gen *g)
{
    time_t sec = (time_t)(g->t_us / 1000000);
    if (sec != g->stamp_sec) {
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(g->stamp, sizeof g->stamp, "%d/%b/%Y:%H:%M:%S +0000", &tm);
        g->stamp_sec = sec;
    }
    return g->stamp;
}

static void client_part(struct gen *g, FILE *out, int status)
{
    static const char *const requests[] = {
        "POST /v1/chat/completions HTTP/1.1", "POST /v1/chat/completions HTTP/1.1",
        "POST /v1/chat/completions HTTP/1.1", "GET /health HTTP/1.1",
        "GET /search?q=\\x22two words\\x22 x HTTP/1.1",
    };
    static const char *const agents[] = {
        "openai-python/1.30.1", "curl/8.5.0", "kube-probe/1.29",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        "bot \\x22quoted\\x22 ua=\\x22127.0.0.1:8787\\x22",
    };
    uint32_t r = pick(g, 100);
    const char *req = requests[r < 80 ? 0 : r < 90 ? 1 : r < 96 ? 2 : r < 99 ? 3 : 4];
    const char *agent = agents[pick(g, 5)];
    if (chance(g, 3000))
        fprintf(out, "2001:db8::%x", pick(g, 65536));
    else
        fprintf(out, "10.%u.%u.%u", pick(g, 256), pick(g, 256), 1 + pick(g, 254));
    fprintf(out, " - %s [%s] \"%s\" %d %u \"-\" \"%s\" ", chance(g, 500) ? "alice" : "-",
            time_local(g), req, status, pick(g, 20000), agent);
}

static int status_5xx(struct gen *g)
{
    static const int s[] = { 500, 502, 503, 504 };
    return s[pick(g, 4)];
}

/* One line: picks the outcome, then prints the upstream lists. */
static void write_line(struct gen *g, FILE *out)
{
    char uct[96], uht[96], ua[256], us[64];
    int color = chance(g, 10000) ? 1 : 0;
    int status = chance(g, 500) ? status_5xx(g) : 200;
    int64_t h = header_ms(g, color);
    uint32_t kind = pick(g, 100000);
    if (kind < 300) {                          /* nginx answered itself */
        status = kind < 150 ? 499 : 400;
        strcpy(uct, "-"); strcpy(uht, "-"); strcpy(ua, "-"); strcpy(us, "-");
    } else if (kind < 350) {                   /* no live upstream: group name */
        status = 502;
        strcpy(uct, "-"); strcpy(uht, "-"); strcpy(ua, "openclaw_gateway"); strcpy(us, "502");
    } else if (kind < 1350) {                  /* retry: the first try fails, the next peer answers */
        snprintf(uct, sizeof uct, "0.000, 0.00%u", pick(g, 10));
        snprintf(uht, sizeof uht, "-, %" PRId64 ".%03" PRId64, h / 1000, h % 1000);
        snprintf(ua, sizeof ua, "%s, %s", g->addr[color], g->addr[!color]);
        snprintf(us, sizeof us, "502, %d", status);
    } else if (kind < 1450) {                  /* internal redirect */
        snprintf(uct, sizeof uct, "0.001 : 0.001");
        snprintf(uht, sizeof uht, "0.004 : %" PRId64 ".%03" PRId64, h / 1000, h % 1000);
        snprintf(ua, sizeof ua, "%s : %s", g->addr[color], g->addr[color]);
        snprintf(us, sizeof us, "404 : %d", status);
    } else {
        const char *addr = kind < 1950 ? "[::1]:8799" : g->addr[color];
        snprintf(uct, sizeof uct, "0.00%u", pick(g, 3));
        snprintf(uht, sizeof uht, "%" PRId64 ".%03" PRId64, h / 1000, h % 1000);
        snprintf(ua, sizeof ua, "%s", addr);
        snprintf(us, sizeof us, "%d", status);
    }
    int64_t rt_ms = (strcmp(uht, "-") == 0 ? 1 : h) + pick(g, 8000);
    int64_t msec = g->t_us / 1000;
    client_part(g, out, status);
    fprintf(out, "rt=%" PRId64 ".%03" PRId64 " uct=\"%s\" uht=\"%s\" urt=\"%s\" ua=\"%s\" us=\"%s\" "
            "rid=%016" PRIx64 "%016" PRIx64 " msec=%" PRId64 ".%03" PRId64 "\n",
            rt_ms / 1000, rt_ms % 1000, uct, uht, uht, ua, us, next_u64(g), next_u64(g),
            msec / 1000, msec % 1000);
    g->t_us += (int64_t)pick(g, (uint32_t)(2000000 / g->rate));
}

static int usage(void)
{
    fprintf(stderr, "usage: gen_log [-n LINES] [-s SEED] [--blue ADDR] [--green ADDR] "
                    "[--start UNIX_S] [--rate PER_S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    long long lines = 2000000;
    struct gen g = { .rng = 1, .addr = { "127.0.0.1:8787", "127.0.0.1:8788" },
                     .t_us = 1728568536LL * 1000000, .rate = 2000, .stamp_sec = -1 };
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        if (strcmp(argv[i], "-n") == 0)
            lines = atoll(v);
        else if (strcmp(argv[i], "-s") == 0)
            g.rng = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--blue") == 0)
            g.addr[0] = v;
        else if (strcmp(argv[i], "--green") == 0)
            g.addr[1] = v;
        else if (strcmp(argv[i], "--start") == 0)
            g.t_us = atoll(v) * 1000000;
        else if (strcmp(argv[i], "--rate") == 0)
            g.rate = atoll(v);
        else
            return usage();
        i++;
    }
    if (lines < 0 || g.rate <= 0 || g.rate > 1000000)
        return usage();
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    for (long long n = 0; n < lines; n++)
        write_line(&g, stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
