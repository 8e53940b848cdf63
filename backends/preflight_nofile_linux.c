/* preflight_nofile_linux: another process's limits are in /proc/PID/limits
 * ("Max open files  SOFT  HARD  files"), readable without privileges. */
#include "backends/preflight.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int preflight_nofile_limit(long pid, long long *soft, char *msg, size_t msglen)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/limits", pid);
    FILE *f = fopen(path, "re"); /* close-on-exec: the server may be spawning children */
    if (!f) {
        snprintf(msg, msglen, "pid %ld: cannot read %s: %s", pid, path, strerror(errno));
        return -1;
    }
    int rc = -1;
    snprintf(msg, msglen, "pid %ld: no \"Max open files\" in %s", pid, path);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Max open files", 14) != 0)
            continue;
        const char *v = line + 14 + strspn(line + 14, " \t");
        char *end;
        if (strncmp(v, "unlimited", 9) == 0) {
            *soft = -1;
            rc = 0;
        } else if ((*soft = strtoll(v, &end, 10)) >= 0 && end != v) {
            rc = 0;
        }
        break;
    }
    fclose(f);
    if (rc == 0)
        msg[0] = '\0';
    return rc;
}
