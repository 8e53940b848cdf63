/* preflight_logs: each color's gateway log (colors.<c>.log_file) is its own
 * file. The runbook: separate output files per color. Two gateways writing
 * one file interleave their lines, and the failures each logs would count
 * for both colors (the collector reads a color's failures from its file). */
#include "backends/preflight.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/color.h"

/* The file's real path; for a file not written yet, its folder's real path
 * and its name, so two names for one future file still compare equal. */
static void real_path(const char *path, char *out, size_t len)
{
    char buf[PATH_MAX];
    if (realpath(path, buf)) {
        snprintf(out, len, "%s", buf);
        return;
    }
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    if (realpath(dir, buf))
        snprintf(out, len, "%s/%s", strcmp(buf, "/") == 0 ? "" : buf, slash ? slash + 1 : path);
    else
        snprintf(out, len, "%s", path);
}

void preflight_logs(const struct config *cfg, struct preflight_report *r)
{
    const char *p[COLOR_COUNT];
    int set = 0;
    for (int c = 0; c < COLOR_COUNT; c++) {
        p[c] = cfg->colors[c].log_file ? cfg->colors[c].log_file : "";
        set += p[c][0] != '\0';
    }
    if (set == 0) {
        preflight_add(r, "log_files", PREFLIGHT_SKIPPED,
                      "no colors.<c>.log_file: in-stream failures (HTTP 200) are not counted");
        return;
    }
    if (set == 1) {
        enum color without = p[COLOR_BLUE][0] ? COLOR_GREEN : COLOR_BLUE;
        preflight_add(r, "log_files", PREFLIGHT_WARN,
                      "only %s has a log_file: %s's in-stream failures are not counted, so the "
                      "colors' failure ratios do not compare", color_name(color_other(without)),
                      color_name(without));
        return;
    }
    char a[PATH_MAX + 64], b[PATH_MAX + 64];
    real_path(p[COLOR_BLUE], a, sizeof a);
    real_path(p[COLOR_GREEN], b, sizeof b);
    if (strcmp(a, b) == 0)
        preflight_add(r, "log_files", PREFLIGHT_FAIL,
                      "blue and green both log to %.300s: the runbook asks separate output files "
                      "per color (each color's failures are read from its own file)", a);
    else
        preflight_add(r, "log_files", PREFLIGHT_OK, "blue and green log to separate files");
}
