/* upstream: render the managed nginx upstream block from two weights, and parse
 * a block (ours or written by hand) back into weights. Pure: no I/O.
 * Rendered text is malloc'd and owned by the caller. */
#ifndef CUTOVER_CORE_UPSTREAM_H
#define CUTOVER_CORE_UPSTREAM_H

#include <stddef.h>
#include "core/color.h"

struct upstream_spec {
    const char *name;            /* upstream group name */
    const char *balance;         /* "least_conn", "ip_hash" or "" */
    const char *server_params;   /* appended to each server line */
    const char *zone_size;       /* "64k" */
    const char *addr[COLOR_COUNT];
    int weight[COLOR_COUNT];     /* percent, summing to 100 */
};

/* Returns the whole file text, or NULL with err filled (weights invalid). */
char *upstream_render(const struct upstream_spec *spec, char *err, size_t errlen);

/* Finds `upstream <name> { ... }` in text and reads each color's weight as a
 * percent of the total (a color absent, `down` or `backup` counts 0; nginx's
 * default weight is 1). Returns 0, or -1 with err naming what is wrong: group
 * missing, a server that is neither color, no live server, syntax. */
int upstream_parse(const char *text, const char *name,
                   const char *const addr[COLOR_COUNT], int weight_out[COLOR_COUNT],
                   char *err, size_t errlen);

#endif
