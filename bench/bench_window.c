/* bench_window: what the window costs. Feeds 24 h of simulated traffic (both
 * colors, retries-free requests, a probe per color every 2 s, a connection
 * gauge each second) through one 60 s window with 24 h of history, then
 * prints the planned bytes, the peak resident set of this process, the cost
 * of one sample and of closing one second. Not part of `make check`. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/window.h"
#include "tests/unit/feed.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmHWM / VmRSS from /proc (Linux); -1 elsewhere. */
static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long kb = -1;
    size_t len = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0)
            kb = strtol(line + len, NULL, 10);
    fclose(f);
    return kb;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int main(int argc, char **argv)
{
    int per_second = argc > 1 ? atoi(argv[1]) : 200;
    const double t0 = 1764000000.0;
    char err[160];
    long rss_before = status_kb("VmRSS:");
    struct window *w = window_new(60, 86400, err, sizeof err);
    if (w == NULL) {
        fprintf(stderr, "bench_window: %s\n", err);
        return 1;
    }
    uint64_t seed = 42, samples = 0;
    double add_time = 0, close_time = 0;
    for (int s = 0; s < 86400; s++) {
        double start = mono();
        for (int i = 0; i < per_second; i++) {
            enum color c = i % 10 == 0 ? COLOR_GREEN : COLOR_BLUE;   /* 90/10 */
            int status = next_rand(&seed) % 200 == 0 ? 502 : 200;
            add_request(w, c, t0 + s + (double)i / per_second, status,
                               5000 + next_rand(&seed) % 400000);
        }
        samples += (uint64_t)per_second;
        if (s % 2 == 0)
            for (int c = 0; c < COLOR_COUNT; c++)
                add_probe(w, (enum color)c, t0 + s + 0.5, 1,
                                 150000 + next_rand(&seed) % 50000);
        double mid = mono();
        for (int c = 0; c < COLOR_COUNT; c++)
            set_connections(w, (enum color)c, t0 + s + 0.9, 100 + s % 50);
        struct window_stats st;
        window_stats(w, COLOR_BLUE, t0 + s + 0.95, &st);
        window_stats(w, COLOR_GREEN, t0 + s + 0.95, &st);
        window_advance(w, t0 + s + 1);
        double end = mono();
        add_time += mid - start;
        close_time += end - mid;
    }
    struct window_second last;
    window_history(w, COLOR_BLUE, window_history_last(w), window_history_last(w), &last, 1);
    printf("planned bytes (60 s window, 24 h history): %zu (%.2f MiB)\n",
           window_memory_bytes(60, 86400), window_memory_bytes(60, 86400) / 1048576.0);
    printf("resident before window_new: %ld KiB, peak after 24 h fed: %ld KiB\n",
           rss_before, status_kb("VmHWM:"));
    printf("samples: %llu, %.1f ns per sample\n", (unsigned long long)samples,
           add_time / (double)samples * 1e9);
    printf("per second closed (2x stats + gauge + advance): %.2f us\n",
           close_time / 86400 * 1e6);
    printf("last history second: blue requests %lld, win p95 header %lld us\n",
           (long long)last.v[METRIC_REQUESTS], (long long)last.v[METRIC_HEADER]);
    window_free(w);
    return 0;
}
