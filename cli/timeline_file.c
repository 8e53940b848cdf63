/* timeline_file: a timeline file read whole and parsed. */
#include "cli/timeline_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int timeline_file_load(const char *path, struct timeline *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msglen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t r;
    while (text && (r = fread(text + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            char *g = realloc(text, cap *= 2);
            if (!g) {
                free(text);
                text = NULL;
                break;
            }
            text = g;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (!text || failed) {
        snprintf(msg, msglen, "%s: %s", path, text ? "read error" : "out of memory");
        free(text);
        return -1;
    }
    char err[256];
    int rc = timeline_parse(text, len, out, err, sizeof err);
    free(text);
    if (rc != 0)
        snprintf(msg, msglen, "%s: %s", path, err);
    return rc;
}
