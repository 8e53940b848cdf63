/* datadir: where cutover's data files are (drills, the real-gateway
 * script): the source tree for a binary run from its build folder, else
 * $(pkgdatadir) as installed. */
#ifndef CUTOVER_CLI_DATADIR_H
#define CUTOVER_CLI_DATADIR_H

#include <stddef.h>

/* out = "<data folder>/rel", e.g. rel "scenarios" or "scripts/openclaw.sh". */
void datadir_path(const char *rel, char *out, size_t len);

#endif
