/* children: the pids of a process's children, read straight from the
 * system where it can be done without a child process (Linux: /proc's
 * children files), so confirming an nginx reload does not wait for a pgrep
 * that scans every process on a busy host. Elsewhere it says it cannot, and
 * the caller runs pgrep. */
#ifndef CUTOVER_BACKENDS_CHILDREN_H
#define CUTOVER_BACKENDS_CHILDREN_H

#include <sys/types.h>

/* Fills out with up to max child pids of parent. Returns how many, or -1
 * when this system cannot tell this way (the caller falls back to pgrep). */
int children_of(pid_t parent, pid_t *out, int max);

#endif
