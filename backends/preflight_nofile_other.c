/* preflight_nofile_other: without /proc there is no unprivileged way to read
 * another process's open-files limit, so the check says so instead of
 * guessing (run `launchctl limit maxfiles` or `ulimit -n` as the gateway). */
#include "backends/preflight.h"

#include <stdio.h>

int preflight_nofile_limit(long pid, long long *soft, char *msg, size_t msglen)
{
    *soft = -1;
    snprintf(msg, msglen, "pid %ld: reading another process's open-files limit needs Linux's "
             "/proc; check `ulimit -n` as the gateway's user", pid);
    return 1;
}
