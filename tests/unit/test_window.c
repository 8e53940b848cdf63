/* window: the numbers the guards steer by (5xx ratio, p95s, connections)
 * over a sliding window, with time driven by the test: expiry, gaps, late
 * lines, history summaries, and the memory bound for 24 h of history. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/hist.h"
#include "core/window.h"
#include "tests/unit/feed.h"

#define T0 1764000000.0

static struct window *make(int window_s, int history_s)
{
    char err[160];
    struct window *w = window_new(window_s, history_s, err, sizeof err);
    if (w == NULL)
        fail_msg("window_new: %s", err);
    return w;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t exact_p(uint64_t *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_u64);
    size_t rank = (size_t)(q * (double)n);
    if ((double)rank < q * (double)n)
        rank++;
    return v[rank ? rank - 1 : 0];
}

static double ratio_5xx(const struct window_stats *st)
{
    double r;
    metric_stats_ratio(METRIC_STATUS_5XX, st, &r);
    return r;
}

static void assert_near(uint64_t got, uint64_t want)
{
    double d = (double)got - (double)want;
    if (d < 0)
        d = -d;
    if (d > 0.01 * (double)want)
        fail_msg("got %llu, want %llu within 1%%", (unsigned long long)got,
                 (unsigned long long)want);
}

static void test_ratio_and_quantiles(void **state)
{
    (void)state;
    struct window *w = make(60, 3600);
    uint64_t hdr[2000], ttft[40];
    size_t nh = 0, nt = 0, n5 = 0;
    uint64_t seed = 7;
    for (int s = 0; s < 20; s++) {
        for (int i = 0; i < 100; i++) {
            int status = (i == 0 && s % 4 == 0) ? 502 : 200;
            n5 += status == 502;
            hdr[nh] = 20000 + next_rand(&seed) % 300000;
            add_request(w, COLOR_BLUE, T0 + s + i / 100.0, status, hdr[nh++]);
        }
        /* green: every request fails, so mixing colors would show */
        add_request(w, COLOR_GREEN, T0 + s, 503, NO_TIME);
        ttft[nt] = 150000 + next_rand(&seed) % 250000;
        add_probe(w, COLOR_BLUE, T0 + s + 0.5, 1, ttft[nt++]);
        add_probe(w, COLOR_BLUE, T0 + s + 0.6, s % 5 != 0, ttft[nt - 1] * 50);
    }
    struct window_stats st;
    window_stats(w, COLOR_BLUE, T0 + 19.9, &st);
    assert_int_equal(st.to, (int64_t)T0 + 19);
    assert_int_equal(st.from, (int64_t)T0 + 19 - 59);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 2000);
    assert_int_equal(st.v[METRIC_STATUS_5XX].sum, n5);
    assert_true(ratio_5xx(&st) == (double)n5 / 2000.0);
    assert_int_equal(st.v[METRIC_HEADER].count, 2000);
    assert_near(st.v[METRIC_HEADER].p50_us, exact_p(hdr, nh, 0.50));
    assert_near(st.v[METRIC_HEADER].p95_us, exact_p(hdr, nh, 0.95));
    assert_near(st.v[METRIC_HEADER].p99_us, exact_p(hdr, nh, 0.99));
    assert_int_equal(st.v[METRIC_PROBES].sum, 40);
    assert_int_equal(st.v[METRIC_PROBE_ERRORS].sum, 4);
    /* 16 of the 50x-slow probes succeeded too: build the same sample set */
    uint64_t all[40];
    size_t na = 0;
    for (int s = 0; s < 20; s++) {
        all[na++] = ttft[s];
        if (s % 5 != 0)
            all[na++] = ttft[s] * 50;
    }
    assert_near(st.v[METRIC_TTFT].p50_us, exact_p(all, na, 0.50));
    assert_near(st.v[METRIC_TTFT].p95_us, exact_p(all, na, 0.95));

    window_stats(w, COLOR_GREEN, T0 + 19.9, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 20);
    assert_int_equal(st.v[METRIC_STATUS_5XX].sum, 20);
    assert_true(ratio_5xx(&st) == 1.0);
    assert_int_equal(st.v[METRIC_HEADER].count, 0);
    assert_int_equal(st.v[METRIC_HEADER].p95_us, 0);
    assert_int_equal(st.v[METRIC_PROBES].sum, 0);
    window_free(w);
}

/* The same later traffic fed to two windows; one also saw an early bad
 * second. Once that second leaves, both must read exactly the same. */
static void feed_second(struct window *w, int s, uint64_t *seed)
{
    for (int i = 0; i < 30; i++) {
        add_request(w, s % 2 ? COLOR_BLUE : COLOR_GREEN, T0 + s + i / 30.0,
                           i == 7 ? 500 : 200, 1000 + next_rand(seed) % 90000);
        if (i % 10 == 0)
            add_probe(w, COLOR_BLUE, T0 + s + i / 30.0, i != 20,
                             100000 + next_rand(seed) % 9000);
    }
    set_connections(w, COLOR_BLUE, T0 + s + 0.5, 40 + s);
}

static void test_expired_slot_leaves_no_trace(void **state)
{
    (void)state;
    struct window *a = make(10, 100), *b = make(10, 100);
    for (int i = 0; i < 500; i++) {
        add_request(a, COLOR_BLUE, T0, 503, 9000000 + (uint64_t)i);
        add_probe(a, COLOR_BLUE, T0 + 0.2, i % 2, 7000000);
        window_add_malformed(a, T0 + 0.3);
    }
    window_advance(b, T0);
    uint64_t seed_a = 3, seed_b = 3;
    struct window_stats sa, sb;
    for (int s = 1; s <= 14; s++) {
        feed_second(a, s, &seed_a);
        feed_second(b, s, &seed_b);
        for (int c = 0; c < COLOR_COUNT; c++) {
            window_stats(a, (enum color)c, T0 + s + 0.9, &sa);
            window_stats(b, (enum color)c, T0 + s + 0.9, &sb);
            if (s >= 10) {
                assert_memory_equal(&sa, &sb, sizeof sa);
                assert_true(sa.v[METRIC_REQUESTS].sum > 0);
            } else if (c == COLOR_BLUE) {
                /* still inside: the bad second shows */
                assert_int_equal(sa.malformed, 500);
                assert_int_equal(sa.v[METRIC_REQUESTS].sum, sb.v[METRIC_REQUESTS].sum + 500);
                assert_true(sa.v[METRIC_HEADER].p99_us > sb.v[METRIC_HEADER].p99_us);
                assert_true(sa.v[METRIC_TTFT].p99_us > sb.v[METRIC_TTFT].p99_us);
            }
        }
    }
    window_free(a);
    window_free(b);
}

static void test_window_boundary_and_late_samples(void **state)
{
    (void)state;
    struct window *w = make(60, 3600);
    window_advance(w, T0 + 100.2);
    add_request(w, COLOR_BLUE, T0 + 41.9, 500, 1000);   /* oldest second inside */
    add_request(w, COLOR_BLUE, T0 + 40.9, 500, 1000);   /* just outside: dropped */
    add_request(w, COLOR_BLUE, T0 + 95, 200, 1000);     /* a late log line */
    add_request(w, COLOR_BLUE, -5, 200, 1000);          /* nonsense time */
    struct window_stats st;
    window_stats(w, COLOR_BLUE, T0 + 100.5, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 2);
    assert_int_equal(st.v[METRIC_STATUS_5XX].sum, 1);
    assert_int_equal(st.late_dropped, 2);
    /* the late second shows in history once advanced */
    struct window_second h[1];
    assert_int_equal(window_history(w, COLOR_BLUE, (int64_t)T0 + 95, (int64_t)T0 + 95, h, 1), 1);
    assert_int_equal(h[0].v[METRIC_REQUESTS], 1);
    /* one more second and the T0+41 sample leaves */
    window_stats(w, COLOR_BLUE, T0 + 101, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 1);
    assert_int_equal(st.v[METRIC_STATUS_5XX].sum, 0);
    /* going back in time changes nothing */
    window_advance(w, T0 + 50);
    window_stats(w, COLOR_BLUE, T0 + 50, &st);
    assert_int_equal(st.to, (int64_t)T0 + 101);
    window_free(w);
}

static void test_gap_within_and_beyond(void **state)
{
    (void)state;
    struct window *w = make(5, 100);
    set_connections(w, COLOR_GREEN, T0, 7);
    for (int i = 0; i < 10; i++)
        add_request(w, COLOR_GREEN, T0 + 0.5, 200, 50000);
    add_request(w, COLOR_GREEN, T0 + 3.5, 500, NO_TIME);  /* 3 s gap */
    struct window_stats st;
    window_stats(w, COLOR_GREEN, T0 + 4, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 11);
    window_advance(w, T0 + 20);
    window_stats(w, COLOR_GREEN, T0 + 20, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 0);
    assert_int_equal(st.v[METRIC_HEADER].p95_us, 0);
    assert_int_equal(st.v[METRIC_CONNECTIONS].level, 7);

    struct window_second h[100];
    size_t n = window_history(w, COLOR_GREEN, 0, INT64_MAX, h, 100);
    assert_int_equal(n, 20);
    assert_int_equal(h[0].sec, (int64_t)T0);
    assert_int_equal(h[0].v[METRIC_REQUESTS], 10);
    assert_int_equal(h[3].v[METRIC_REQUESTS], 1);
    assert_int_equal(h[3].v[METRIC_STATUS_5XX], 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(h[i].sec, (int64_t)T0 + (int64_t)i);
        assert_int_equal(h[i].v[METRIC_CONNECTIONS], 7);
        /* the window still held T0's samples for 5 seconds, then nothing */
        if (i < 5)
            assert_true(h[i].v[METRIC_HEADER] > 0);
        else
            assert_int_equal(h[i].v[METRIC_HEADER], 0);
    }
    window_free(w);
}

/* A laptop that slept for years: bounded work, history still contiguous. */
static void test_huge_gap(void **state)
{
    (void)state;
    struct window *w = make(60, 86400);
    add_request(w, COLOR_BLUE, T0, 500, 1000);
    double later = T0 + 3e9;
    add_request(w, COLOR_BLUE, later, 200, 2000);
    struct window_stats st;
    window_stats(w, COLOR_BLUE, later, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 1);
    assert_int_equal(st.v[METRIC_STATUS_5XX].sum, 0);
    assert_int_equal(window_history_last(w), (int64_t)later - 1);
    assert_int_equal(window_history_first(w), (int64_t)later - 86400);
    struct window_second *h = calloc(86400, sizeof *h);
    assert_non_null(h);
    assert_int_equal(window_history(w, COLOR_BLUE, 0, INT64_MAX, h, 86400), 86400);
    for (size_t i = 0; i < 86400; i++) {
        assert_int_equal(h[i].sec, (int64_t)later - 86400 + (int64_t)i);
        assert_int_equal(h[i].v[METRIC_REQUESTS], 0);
    }
    free(h);
    window_free(w);
}

/* Random traffic for 200 s: each history second carries that second's own
 * counts and p95, and the window p95 a reader saw just before it closed. */
static void test_history_matches(void **state)
{
    (void)state;
    enum { SECS = 200, PER = 50 };
    struct window *w = make(30, 150);
    uint32_t req[SECS] = { 0 }, s5[SECS] = { 0 }, win_p95[SECS] = { 0 };
    uint64_t p95[SECS] = { 0 };
    uint64_t seed = 11;
    for (int s = 0; s < SECS; s++) {
        uint64_t v[PER];
        int n = 1 + (int)(next_rand(&seed) % PER);
        for (int i = 0; i < n; i++) {
            v[i] = 1000 + next_rand(&seed) % (uint64_t)(1000 * (s + 1));
            int status = next_rand(&seed) % 20 == 0 ? 504 : 200;
            add_request(w, COLOR_GREEN, T0 + s + (double)i / PER, status, v[i]);
            req[s]++;
            s5[s] += status == 504;
        }
        p95[s] = exact_p(v, (size_t)n, 0.95);
        struct window_stats st;
        window_stats(w, COLOR_GREEN, T0 + s + 0.99, &st);
        win_p95[s] = (uint32_t)st.v[METRIC_HEADER].p95_us;
    }
    window_advance(w, T0 + SECS);
    struct window_second h[SECS];
    size_t n = window_history(w, COLOR_GREEN, (int64_t)T0, (int64_t)T0 + SECS, h, SECS);
    assert_int_equal(n, 150);                    /* history_s bounds it */
    for (size_t i = 0; i < n; i++) {
        size_t s = SECS - 150 + i;
        assert_int_equal(h[i].sec, (int64_t)T0 + (int64_t)s);
        assert_int_equal(h[i].v[METRIC_REQUESTS], req[s]);
        assert_int_equal(h[i].v[METRIC_STATUS_5XX], s5[s]);
        assert_near(h[i].own_p95_us[METRIC_HEADER], p95[s]);
        assert_int_equal(h[i].v[METRIC_HEADER], win_p95[s]);
        assert_int_equal(h[i].v[METRIC_CONNECTIONS], -1);
    }
    /* blue saw nothing */
    n = window_history(w, COLOR_BLUE, (int64_t)T0, (int64_t)T0 + SECS, h, SECS);
    assert_int_equal(n, 150);
    assert_int_equal(h[149].v[METRIC_REQUESTS], 0);
    window_free(w);
}

/* A back-filled line older than the first second seen still lands in the
 * window and in history. */
static void test_backfill_before_start(void **state)
{
    (void)state;
    struct window *w = make(60, 3600);
    window_advance(w, T0 + 60);
    add_request(w, COLOR_BLUE, T0 + 10, 502, 3000);
    window_add_malformed(w, T0 + 11);
    struct window_stats st;
    window_stats(w, COLOR_BLUE, T0 + 60, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, 1);
    assert_int_equal(st.malformed, 1);
    assert_int_equal(window_history_first(w), (int64_t)T0 + 10);
    struct window_second h[60];
    assert_int_equal(window_history(w, COLOR_BLUE, 0, INT64_MAX, h, 60), 50);
    assert_int_equal(h[0].v[METRIC_STATUS_5XX], 1);
    assert_near(h[0].own_p95_us[METRIC_HEADER], 3000);
    assert_int_equal(h[1].malformed, 1);
    assert_int_equal(h[2].v[METRIC_REQUESTS], 0);
    window_free(w);
}

static void test_connections_gauge(void **state)
{
    (void)state;
    struct window *w = make(60, 600);
    struct window_stats st;
    window_stats(w, COLOR_BLUE, T0, &st);
    assert_int_equal(st.v[METRIC_CONNECTIONS].level, -1);
    set_connections(w, COLOR_BLUE, T0 + 1, 12);
    set_connections(w, COLOR_BLUE, T0 + 3, 30);
    set_connections(w, COLOR_BLUE, T0 + 2, 99);   /* stale reading */
    set_connections(w, COLOR_GREEN, T0 + 3, 4);
    window_stats(w, COLOR_BLUE, T0 + 3.5, &st);
    assert_int_equal(st.v[METRIC_CONNECTIONS].level, 30);
    assert_true(st.v[METRIC_CONNECTIONS].level_at == T0 + 3);
    window_stats(w, COLOR_GREEN, T0 + 200, &st);        /* a gauge does not expire */
    assert_int_equal(st.v[METRIC_CONNECTIONS].level, 4);
    struct window_second h[3];
    assert_int_equal(window_history(w, COLOR_BLUE, (int64_t)T0 + 1, (int64_t)T0 + 3, h, 3), 3);
    assert_int_equal(h[0].v[METRIC_CONNECTIONS], 12);
    assert_int_equal(h[1].v[METRIC_CONNECTIONS], 12);
    assert_int_equal(h[2].v[METRIC_CONNECTIONS], 30);
    window_free(w);
}

static void test_malformed_window(void **state)
{
    (void)state;
    struct window *w = make(3, 10);
    window_add_malformed(w, T0);
    window_add_malformed(w, T0 + 1);
    window_add_malformed(w, T0 + 1);
    struct window_stats st;
    window_stats(w, COLOR_GREEN, T0 + 2, &st);
    assert_int_equal(st.malformed, 3);
    window_stats(w, COLOR_GREEN, T0 + 3, &st);
    assert_int_equal(st.malformed, 2);
    window_stats(w, COLOR_GREEN, T0 + 4, &st);
    assert_int_equal(st.malformed, 0);
    window_free(w);
}

/* 24 h of history for both colors within the process's 16 MB target, with
 * room left for the process itself (libraries alone are about 9 MB). */
static void test_memory_bound(void **state)
{
    (void)state;
    size_t bytes = window_memory_bytes(60, 86400);
    assert_true(bytes < 6u * 1024 * 1024);
    /* and it is the real layout, not a made-up constant: it grows with
     * both sizes at least by a histogram per slot and a summary per second */
    assert_true(window_memory_bytes(61, 86400) - bytes >= 2 * COLOR_COUNT * sizeof(struct hist));
    size_t per_second = window_memory_bytes(60, 86401) - bytes;
    assert_true(per_second >= COLOR_COUNT * 2 * sizeof(uint32_t));
    /* the day of history itself: packed summaries, at most 56 bytes a second
     * (three words a color since issue 12's two failure counts) */
    assert_true(per_second <= 56);
    assert_true(bytes - window_memory_bytes(60, 1) <= 86399u * 56);
    struct window *w = make(60, 86400);
    window_free(w);
    /* a long window still fits */
    assert_true(window_memory_bytes(300, 86400) < 16u * 1024 * 1024);
}

/* History stores p95s compactly: from 1 us to over an hour, each second's
 * own p95 and the window's read back within 1% of the sample, and the
 * window's exactly as window_stats computed it at the close. */
static void test_history_p95_precision(void **state)
{
    (void)state;
    enum { MAXN = 400 };
    uint64_t v[MAXN], win[MAXN];
    size_t n = 0;
    for (double x = 1; x < 4.2e9 && n < MAXN - 6; x = x * 1.07 + 1)
        v[n++] = (uint64_t)x;
    /* the edges of the code's steps */
    const uint64_t edges[] = {63, 64, 127, 128, (1u << 31) - 1, UINT32_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        v[n++] = edges[i];
    struct window *w = make(1, MAXN);
    for (size_t i = 0; i < n; i++) {
        double t = T0 + (double)i;
        add_request(w, COLOR_GREEN, t, 200, v[i]);
        add_probe(w, COLOR_GREEN, t, 1, v[i]);
        struct window_stats st;
        window_stats(w, COLOR_GREEN, t + 0.5, &st);
        assert_near(st.v[METRIC_HEADER].p95_us, v[i]);
        win[i] = st.v[METRIC_HEADER].p95_us;
    }
    window_advance(w, T0 + (double)n);
    struct window_second h[MAXN];
    assert_int_equal(window_history(w, COLOR_GREEN, (int64_t)T0, INT64_MAX, h, MAXN), n);
    for (size_t i = 0; i < n; i++) {
        assert_near(h[i].own_p95_us[METRIC_HEADER], v[i]);
        assert_near(h[i].own_p95_us[METRIC_TTFT], v[i]);
        assert_near(h[i].v[METRIC_HEADER], v[i]);
        assert_near(h[i].v[METRIC_TTFT], v[i]);
        assert_int_equal(h[i].v[METRIC_HEADER], win[i]);
        assert_int_equal(h[i].own_p95_us[METRIC_HEADER], h[i].v[METRIC_HEADER]);
        if (v[i] < 128)
            assert_int_equal(h[i].own_p95_us[METRIC_HEADER], v[i]);   /* small ones exact */
    }
    window_free(w);
}

/* A second with more than a history field holds reads as the field's
 * maximum, never as the count wrapped around; the window itself counts on. */
static void test_history_saturates(void **state)
{
    (void)state;
    struct window *w = make(60, 600);
    uint64_t many = (uint64_t)WINDOW_SECOND_MAX_COUNT + 7;
    for (uint64_t i = 0; i < many; i++)
        add_request(w, COLOR_BLUE, T0 + 0.5, i < many - 3 ? 500 : 200, NO_TIME);
    for (unsigned i = 0; i < WINDOW_SECOND_MAX_PROBES + 20; i++)
        add_probe(w, COLOR_BLUE, T0 + 0.5, 0, 0);
    set_connections(w, COLOR_BLUE, T0 + 0.5, (int64_t)WINDOW_SECOND_MAX_CONNECTIONS + 3);
    /* one below each maximum in the next second: stored as is */
    for (uint64_t i = 0; i < 254; i++)
        add_probe(w, COLOR_GREEN, T0 + 1.5, 1, 1000);
    set_connections(w, COLOR_GREEN, T0 + 1.5, WINDOW_SECOND_MAX_CONNECTIONS);
    set_connections(w, COLOR_BLUE, T0 + 1.6, INT64_MAX);
    struct window_stats st;
    window_stats(w, COLOR_BLUE, T0 + 2, &st);
    assert_int_equal(st.v[METRIC_REQUESTS].sum, many);
    assert_int_equal(st.v[METRIC_STATUS_5XX].sum, many - 3);

    struct window_second b[2], g[2];
    assert_int_equal(window_history(w, COLOR_BLUE, (int64_t)T0, (int64_t)T0 + 1, b, 2), 2);
    assert_int_equal(window_history(w, COLOR_GREEN, (int64_t)T0, (int64_t)T0 + 1, g, 2), 2);
    assert_int_equal(b[0].v[METRIC_REQUESTS], WINDOW_SECOND_MAX_COUNT);
    assert_int_equal(b[0].v[METRIC_STATUS_5XX], WINDOW_SECOND_MAX_COUNT);
    assert_int_equal(b[0].v[METRIC_PROBES], WINDOW_SECOND_MAX_PROBES);
    assert_int_equal(b[0].v[METRIC_PROBE_ERRORS], WINDOW_SECOND_MAX_PROBES);
    assert_int_equal(b[0].v[METRIC_CONNECTIONS], WINDOW_SECOND_MAX_CONNECTIONS);
    assert_int_equal(b[1].v[METRIC_CONNECTIONS], WINDOW_SECOND_MAX_CONNECTIONS);
    assert_int_equal(b[1].v[METRIC_REQUESTS], 0);
    assert_int_equal(g[0].v[METRIC_CONNECTIONS], -1);
    assert_int_equal(g[1].v[METRIC_PROBES], 254);
    assert_int_equal(g[1].v[METRIC_PROBE_ERRORS], 0);
    assert_int_equal(g[1].v[METRIC_CONNECTIONS], WINDOW_SECOND_MAX_CONNECTIONS);
    window_free(w);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    char err[160] = "";
    assert_null(window_new(0, 86400, err, sizeof err));
    assert_non_null(strstr(err, "window_s"));
    assert_null(window_new(60, -1, err, sizeof err));
    assert_null(window_new(WINDOW_MAX_WINDOW_S + 1, 60, err, sizeof err));
    assert_int_equal(window_memory_bytes(0, 10), 0);
    window_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratio_and_quantiles),
        cmocka_unit_test(test_expired_slot_leaves_no_trace),
        cmocka_unit_test(test_window_boundary_and_late_samples),
        cmocka_unit_test(test_gap_within_and_beyond),
        cmocka_unit_test(test_huge_gap),
        cmocka_unit_test(test_history_matches),
        cmocka_unit_test(test_backfill_before_start),
        cmocka_unit_test(test_connections_gauge),
        cmocka_unit_test(test_malformed_window),
        cmocka_unit_test(test_memory_bound),
        cmocka_unit_test(test_history_p95_precision),
        cmocka_unit_test(test_history_saturates),
        cmocka_unit_test(test_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
