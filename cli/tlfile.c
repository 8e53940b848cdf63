/* tlfile: a timeline file read whole and parsed. */
#include "cli/tlfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/atomicfile.h"

int tlfile_load(const char *path, struct timeline *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    char *text = NULL, err[256];
    size_t len = 0;
    if (atomicfile_read(path, &text, &len, msg, msglen) != 0)
        return -1;
    int rc = timeline_parse(text, len, out, err, sizeof err);
    free(text);
    if (rc != 0)
        snprintf(msg, msglen, "%s: %s", path, err);
    return rc;
}
