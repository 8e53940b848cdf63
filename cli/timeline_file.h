/* timeline_file: reads a timeline file (cli/timeline_path.h finds it) and
 * parses it with core/timeline.h.
 *
 * Ownership: the caller owns out and frees it with timeline_free(), also
 * after a failure. */
#ifndef CUTOVER_CLI_TIMELINE_FILE_H
#define CUTOVER_CLI_TIMELINE_FILE_H

#include <stddef.h>
#include "core/timeline.h"

/* Reads and parses a whole file. Returns 0, or -1 with msg. */
int timeline_file_load(const char *path, struct timeline *out, char *msg, size_t msglen);

#endif
