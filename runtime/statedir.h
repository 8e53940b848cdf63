/* statedir: the files cutover keeps in state_dir: the rollout state
 * (rollout.json), the journal (journal.jsonl) and the lock that lets one
 * shift run at a time. */
#ifndef CUTOVER_RUNTIME_STATEDIR_H
#define CUTOVER_RUNTIME_STATEDIR_H

#include <stddef.h>
#include "core/journal.h"
#include "core/rollout.h"

/* Creates the folder (and parents) with mode 0700 if missing. */
int statedir_prepare(const char *dir, char *msg, size_t msglen);

/* Takes the exclusive lock (fcntl, released when the process ends, even by
 * SIGKILL). Returns a descriptor, or -1 with msg naming the holder's pid. */
int statedir_lock(const char *dir, char *msg, size_t msglen);
void statedir_unlock(int fd);
/* The pid of another process holding the lock (a move in flight), or 0.
 * Never call it while holding the lock yourself: closing any descriptor of
 * the lock file drops this process's fcntl locks on it. */
long statedir_lock_holder(const char *dir);

/* Missing state file: st->known = false and 0. Returns -1 with msg when the
 * file exists but cannot be read or parsed. */
int statedir_load_rollout(const char *dir, struct rollout_state *st, char *msg, size_t msglen);
int statedir_save_rollout(const char *dir, const struct rollout_state *st,
                          char *msg, size_t msglen);

int statedir_journal_append(const char *dir, const struct journal_event *ev,
                            char *msg, size_t msglen);

/* The newest journal line carrying a move id (an intent or a move's
 * outcome), read from the end: 1 with *ev filled (the caller clears it),
 * 0 when there is none (or no journal), -1 with msg. */
int statedir_journal_last_move(const char *dir, struct journal_event *ev,
                               char *msg, size_t msglen);

/* Path of a file in the state folder, e.g. statedir_path(dir, "journal.jsonl"). */
void statedir_path(const char *dir, const char *name, char *buf, size_t buflen);

#endif
