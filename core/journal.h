/* journal: one JSON line per event (encode and decode). Pure: the caller
 * appends lines to the file. Strings in a decoded event are owned by it
 * and freed by journal_event_clear(). */
#ifndef CUTOVER_CORE_JOURNAL_H
#define CUTOVER_CORE_JOURNAL_H

#include <stddef.h>
#include "core/color.h"

struct journal_event {
    double time;                 /* unix seconds, millisecond precision */
    char *user;
    char *ssh_client;            /* $SSH_CLIENT, NULL when local */
    char *action;                /* "shift", "rollback", "reload", "stop", ... */
    int before[COLOR_COUNT];     /* -1 when unknown */
    int after[COLOR_COUNT];
    char *candidate;             /* "green" */
    char *candidate_version;     /* git SHA or version string, NULL if unknown */
    char *outcome;               /* "ok", "test-failed", "reload-failed", "refused", ... */
    char *error;                 /* nginx's own message when it failed */
    /* A move is two lines sharing a move id: action "intent" before the
     * balancer's file is written (before/after, who, why), then the
     * outcome under the move's own action. Both say which weights the
     * balancer is confirmed to run (`nginx`): the intent those from before,
     * the outcome those after. NULL / -1 on every other event. */
    char *move_id;
    char *move;                  /* intent only: "shift", "rollback", "reload", "restore" */
    char *reason;                /* why, in the operator's words; NULL when none given */
    int nginx[COLOR_COUNT];      /* confirmed weights; -1 when not said */
};

/* One line of JSON, no trailing newline; caller frees. Secrets never reach
 * here: callers pass only the fields above. */
char *journal_encode(const struct journal_event *ev);
/* Returns 0, or -1 with err for a line that is not a journal event. */
int journal_decode(const char *line, struct journal_event *out, char *err, size_t errlen);
void journal_event_clear(struct journal_event *ev);

#endif
