/* engine_priv: what engine.c and engine_cmd.c share; nobody else includes it. */
#ifndef CUTOVER_SERVER_ENGINE_PRIV_H
#define CUTOVER_SERVER_ENGINE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "backends/accesslog.h"
#include "core/control.h"
#include "core/guards.h"
#include "core/protocol.h"
#include "runtime/collector.h"
#include "runtime/decider.h"
#include "server/conn.h"
#include "server/engine.h"
#include "server/export.h"
#include "server/listener.h"
#include "runtime/mover.h"

#define ENGINE_EVENTS_KEPT 20

struct client {
    struct engine *e;
    struct conn *conn;
    struct client *next;
    bool greeted;
    bool may_control;           /* the server's own user */
    struct control_who who;
};

/* The move in flight, and whom to answer when it ends. */
struct pending {
    uint64_t conn_id;
    long long cmd_id;
    enum protocol_command name;
    struct mover_current cur;
    int after[COLOR_COUNT];     /* shift: where the weights go */
    bool force;                 /* shift: guards overridden... */
    char reason[200];           /* ...with these words */
    /* Who asked, copied: the client may be gone when the move ends. */
    char user[64];
    char ssh_client[128];
    struct mover_actor actor;   /* points at user and ssh_client */
    int lock_fd;
    struct decider *decider;    /* shift: the step being decided, or NULL */
};

struct engine {
    uv_loop_t *loop;
    const struct config *cfg;
    char socket_path[1024];
    void (*on_stopped)(void *data);
    void *data;
    struct collector *collector;
    struct accesslog *journal_tail;
    struct listener *listener;
    struct timeline_writer *timeline;   /* NULL when it could not be opened */
    struct exporter *exporter;
    struct control control;
    struct client *clients;
    uv_timer_t tick;
    uint64_t seq;
    char *last_snapshot;        /* the line every client got last second: a new
                                   client starts from the same numbers */
    bool busy;
    char busy_text[200];
    struct pending pending;
    char *events[ENGINE_EVENTS_KEPT];   /* journal lines, oldest first from ev_head - ev_count */
    int ev_head, ev_count;
    bool stopping, tick_closed;
    struct guards_params gp;
    struct guards_excess excess;
    struct guards_drain drain;
    struct guards_concurrency concurrency;
    struct guards_view guards;
    bool have_guards;
    bool auto_rollback_due;     /* tripped while a move ran: roll back when it ends */
    struct balancer_workers draining;  /* the balancer's old workers since the last reload */
    int old_workers;                /* how many of them still run, this second */
    int async_ops;              /* preflight jobs and hook children in flight: they
                                   call back into the engine, so it outlives them */
};

struct client *engine_find_client(struct engine *e, uint64_t id);
void engine_send(struct client *c, const char *line);
/* status: 0 or a negative errcode; the reply carries its wire number. */
void engine_reply(struct client *c, long long id, bool ok, int status, const char *message);
void engine_broadcast(struct engine *e, const char *line);
void engine_send_snapshot(struct engine *e, struct client *c);
/* The snapshot's "reconcile" object (an interrupted move). */
cJSON *engine_reconcile_json(const struct intent_reconcile *rec);
void engine_journal_control(struct engine *e, const struct control_who *who, const char *action,
                            const char *outcome, const char *detail);
enum control_outcome engine_request_control(struct engine *e, struct client *c, bool steal,
                                            char *text, size_t textlen);
void engine_maybe_finish_stop(struct engine *e);

/* engine_cmd.c */
void engine_command(struct engine *e, struct client *c, const struct protocol_cmd *cmd);
void engine_on_move_done(const struct mover_result *r, void *data);

/* engine_lookup.c: a failure's lines in its color's log (clients that may
 * control only). */
void engine_cmd_lookup(struct engine *e, struct client *c, const struct protocol_cmd *cmd);

/* engine_guard.c */
void engine_guard_tick(struct engine *e, const struct collector_snapshot *snap);
cJSON *engine_guards_json(const struct engine *e);
/* The guards' verdict on moving from cur to after now (0 allowed, -1 refused). */
int engine_check_step(struct engine *e, const struct mover_current *cur, const int after[COLOR_COUNT],
                      struct guards_step *out);

#endif
