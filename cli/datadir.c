/* datadir: see datadir.h. Which folder is decided by where the binary sits,
 * not by what exists: an installed cutover never reads a stale source tree. */
#include "cli/datadir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

void datadir_path(const char *rel, char *out, size_t len)
{
    char exe[PATH_MAX], build[PATH_MAX];
    size_t n = sizeof exe;
    bool in_build = false;
    if (uv_exepath(exe, &n) == 0 && realpath(CUTOVER_BUILDDIR, build)) {
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        char real[PATH_MAX];
        in_build = realpath(exe, real) && strcmp(real, build) == 0;
    }
    snprintf(out, len, "%s/%s", in_build ? CUTOVER_SRCDIR : CUTOVER_PKGDATADIR, rel);
}
