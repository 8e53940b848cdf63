/* demo_openclaw: the real gateway in `cutover demo --gateway openclaw`:
 * scripts/openclaw.sh installs pinned node and OpenClaw into a cache folder
 * on first use and writes each instance's config; the demo runs the two
 * instances as its children, each with a cutover-sim as its model provider
 * (the sim a drill tunes). Every program runs from an argv, never a shell
 * command line. */
#ifndef CUTOVER_CLI_DEMO_OPENCLAW_H
#define CUTOVER_CLI_DEMO_OPENCLAW_H

#include <stdbool.h>
#include <stddef.h>
#include "cli/sandbox.h"

/* Installs (once; minutes the first time) and writes both instances'
 * configs, with a progress line on stderr every 15 s. Returns 0, or -1
 * with msg saying why (no npm, no registry: the script's own words). */
int demo_openclaw_prepare(const struct sandbox *sb, char *msg, size_t msglen);

/* The argv that runs color c's gateway; bufs hold its strings. */
void demo_openclaw_argv(const struct sandbox *sb, enum color c, char *argv[6], char dir[600],
                        char port[16]);

/* Whether the gateway on loopback:port answers GET /readyz with 200 (503
 * until its sidecars have started). Blocks 2 s at most. */
bool demo_openclaw_ready(int port);

#endif
