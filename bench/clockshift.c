/* clockshift: an LD_PRELOAD library for bench_live.sh that makes the wall
 * clock of one process run SPEED times faster from a given instant, so a
 * 30-second run of the collector closes a whole day of window seconds and
 * its history ring is as full (every page written) as after 24 real hours.
 * Only the wall clock moves (gettimeofday, clock_gettime(CLOCK_REALTIME)):
 * the monotonic clock that drives libuv's timers stays real, so the loop
 * still ticks once a second, and each tick jumps the window SPEED seconds.
 *
 *   CLOCKSHIFT_T0_US=<unix µs>  CLOCKSHIFT_SPEED=<factor>  LD_PRELOAD=clockshift.so cmd
 *
 * fake(t) = T0 + (t - T0) * SPEED for real times t; unset variables: no shift.
 * Built by bench_live.sh with `cc -shared -fPIC`; not part of cutover. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static int64_t shift_us(int64_t real_us)
{
    const char *t0s = getenv("CLOCKSHIFT_T0_US"), *sp = getenv("CLOCKSHIFT_SPEED");
    if (!t0s || !sp)
        return real_us;
    int64_t t0 = strtoll(t0s, NULL, 10);
    double speed = strtod(sp, NULL);
    if (real_us < t0 || speed <= 0)
        return real_us;
    return t0 + (int64_t)((double)(real_us - t0) * speed);
}

static clock_gettime_fn real_clock_gettime(void)
{
    return (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int r = real_clock_gettime()(id, ts);
    if (r != 0 || id != CLOCK_REALTIME)
        return r;
    int64_t us = shift_us((int64_t)ts->tv_sec * 1000000 + ts->tv_nsec / 1000);
    ts->tv_sec = (time_t)(us / 1000000);
    ts->tv_nsec = (long)(us % 1000000) * 1000;
    return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    struct timespec ts;
    if (real_clock_gettime()(CLOCK_REALTIME, &ts) != 0)
        return -1;
    int64_t us = shift_us((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
    tv->tv_sec = (time_t)(us / 1000000);
    tv->tv_usec = (suseconds_t)(us % 1000000);
    return 0;
}
