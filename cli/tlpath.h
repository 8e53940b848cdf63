/* tlpath: what a TIMELINE argument names. A path to a file as is;
 * otherwise an id ("cutover-20261125T021500Z", with or without .jsonl) or
 * "latest" (the newest file), looked up in state_dir/timelines. */
#ifndef CUTOVER_CLI_TLPATH_H
#define CUTOVER_CLI_TLPATH_H

#include <stddef.h>
#include "core/config.h"

/* 0 with path filled, or -1 with err saying what was looked for. */
int tlpath_resolve(const struct config *cfg, const char *arg, char *path, size_t pathlen,
                   char *err, size_t errlen);

#endif
