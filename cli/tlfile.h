/* tlfile: reads a timeline file (cli/tlpath.h finds it) and
 * parses it with core/timeline.h.
 *
 * Ownership: the caller owns out and frees it with timeline_free(), also
 * after a failure. */
#ifndef CUTOVER_CLI_TLFILE_H
#define CUTOVER_CLI_TLFILE_H

#include <stddef.h>
#include "core/timeline.h"

/* Reads and parses a whole file. Returns 0, or -1 with msg. */
int tlfile_load(const char *path, struct timeline *out, char *msg, size_t msglen);

#endif
