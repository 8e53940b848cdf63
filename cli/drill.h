/* drill: runs a scenario (core/scenario.h) on the demo's sandbox. Each half
 * second it reads the weights nginx has from the upstream file, fires the
 * rules that are due, sets the sims' tunables through `cutover-sim ctl ADDR
 * set K=V...` (one call at a time, in order), prints each rule's text on
 * stderr and appends a note line to DIR/drill.jsonl. The drill owns its
 * scenario, timer and processes; the caller owns the loop and the sandbox,
 * which must outlive it. */
#ifndef CUTOVER_CLI_DRILL_H
#define CUTOVER_CLI_DRILL_H

#include <stddef.h>
#include <stdio.h>
#include <uv.h>

#include "cli/sandbox.h"

struct drill;

typedef void (*drill_ready_fn)(void *arg);

/* Finds a scenario by name (scenarios/NAME.scenario, installed beside the
 * binary's data or in the source tree of an uninstalled build) or by path
 * (anything with a '/' or ending in .scenario), and parses it. Returns 0 with
 * *out, or -1 with msg: FILE:LINE and what is wrong, or an unknown name with
 * the names available. */
int drill_load(const char *name_or_path, struct drill **out, char *msg, size_t msglen);

/* The scenario's name (file name without .scenario) and summary text. */
const char *drill_name(const struct drill *d);
const char *drill_summary(const struct drill *d);

/* Starts the drill on loop: the start rules fire now; ready(arg) is called
 * once their settings have reached the sims (or failed, which is reported). */
void drill_start(struct drill *d, uv_loop_t *loop, const struct sandbox *sb, drill_ready_fn ready,
                 void *arg);

/* Stops firing rules and drops settings not yet sent; a ctl call already
 * running ends on its own. Safe to call twice or before drill_start. */
void drill_stop(struct drill *d);

/* After the loop has run out (every handle closed). NULL is fine. */
void drill_free(struct drill *d);

/* Prints the notes of DIR/drill.jsonl as "+12s rule: text [settings]" lines,
 * for a debrief once the console has closed. Prints nothing without notes. */
void drill_print_debrief(const char *dir, FILE *out);

#endif
