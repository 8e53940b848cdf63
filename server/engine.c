/* engine: clients, control lock, snapshots, journal events. Commands that
 * move traffic are in engine_cmd.c. */
#include "server/engine_priv.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/protocol.h"
#include "runtime/snapshot.h"
#include "runtime/timeline_writer.h"
#include "runtime/statedir.h"

void engine_socket_path(const char *state_dir, char *buf, size_t len)
{
    snprintf(buf, len, "%s/server.sock", state_dir);
}

void engine_pid_path(const char *state_dir, char *buf, size_t len)
{
    snprintf(buf, len, "%s/server.pid", state_dir);
}

/* ---- clients ------------------------------------------------------------ */

struct client *engine_find_client(struct engine *e, uint64_t id)
{
    for (struct client *c = e->clients; c; c = c->next)
        if (conn_id(c->conn) == id)
            return c;
    return NULL;
}

void engine_send(struct client *c, const char *line)
{
    if (line)
        conn_send(c->conn, line);
}

void engine_reply(struct client *c, long long id, bool ok, int status, const char *message)
{
    char *line = protocol_encode_reply(id, ok, protocol_wire_code(status), message);
    engine_send(c, line);
    free(line);
}

void engine_broadcast(struct engine *e, const char *line)
{
    for (struct client *c = e->clients; c; c = c->next)
        if (c->greeted)
            conn_send(c->conn, line);
}

static void user_name(unsigned long uid, char *buf, size_t len)
{
    struct passwd *pw = getpwuid((uid_t)uid);
    if (pw && pw->pw_name)
        snprintf(buf, len, "%s", pw->pw_name);
    else
        snprintf(buf, len, "uid %lu", uid);
}

/* Journal lines about control carry the weights of the moment. */
void engine_journal_control(struct engine *e, const struct control_who *who, const char *action,
                            const char *outcome, const char *detail)
{
    struct mover_current cur;
    char msg[256];
    if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0)
        memset(&cur, 0, sizeof cur);
    struct mover_actor actor = {.user = who->user, .ssh_client = who->ssh_client};
    mover_journal(e->cfg, &actor, &cur, action, outcome, detail);
}

static void send_hello(struct engine *e, struct client *c)
{
    struct control_view v;
    control_holder(&e->control, collector_now(), &v);
    cJSON *o = cJSON_CreateObject();
    cJSON *h = cJSON_AddObjectToObject(o, "hello");
    cJSON_AddNumberToObject(h, "version", PROTOCOL_VERSION);
    cJSON_AddNumberToObject(h, "server_pid", (double)getpid());
    cJSON_AddStringToObject(h, "state_dir", e->cfg->state_dir);
    cJSON *you = cJSON_AddObjectToObject(h, "you");
    cJSON_AddNumberToObject(you, "client_id", (double)c->who.client_id);
    cJSON_AddStringToObject(you, "user", c->who.user);
    cJSON_AddBoolToObject(you, "may_control", c->may_control);
    cJSON_AddStringToObject(h, "control", v.text);
    char *line = cJSON_PrintUnformatted(o);
    engine_send(c, line);
    free(line);
    cJSON_Delete(o);
}

/* Asks for control for c; returns the outcome and journals steals and
 * reclaims (who lost control is news for everyone). */
enum control_outcome engine_request_control(struct engine *e, struct client *c, bool steal,
                                            char *text, size_t textlen)
{
    struct control_result r;
    control_request(&e->control, &c->who, collector_now(), steal, c->may_control, &r);
    if (r.grace_expired)
        engine_journal_control(e, &r.expired, "control", "released",
                               "the disconnected controller's grace ran out");
    if (r.outcome == CONTROL_STOLEN) {
        char detail[300];
        snprintf(detail, sizeof detail, "taken over from %s (pid %ld)", r.other.user, r.other.pid);
        engine_journal_control(e, &c->who, "take-control", "stolen", detail);
    } else if (r.outcome == CONTROL_RECLAIMED) {
        engine_journal_control(e, &c->who, "take-control", "reclaimed",
                               "the same user took control back within the grace");
    } else if (r.outcome == CONTROL_GRANTED) {
        engine_journal_control(e, &c->who, "take-control", "ok", NULL);
    }
    snprintf(text, textlen, "%s", r.text);
    return r.outcome;
}

static void on_hello(struct engine *e, struct client *c, const struct protocol_hello *h)
{
    const struct peercred *pc = conn_peer(c->conn);
    c->greeted = true;
    c->who.client_id = (long)conn_id(c->conn);
    c->who.uid = (unsigned long)pc->uid;
    user_name(c->who.uid, c->who.user, sizeof c->who.user);
    c->who.pid = pc->pid > 0 ? (long)pc->pid : h->pid;
    snprintf(c->who.ssh_client, sizeof c->who.ssh_client, "%s", h->ssh_client);
    /* Only the server's own user moves traffic; everyone else who can reach
     * the socket (server.watch_group) watches. */
    c->may_control = pc->uid == geteuid();
    send_hello(e, c);
    if (h->want_control && c->may_control) {
        char text[320];
        engine_request_control(e, c, false, text, sizeof text);
    }
    engine_send_snapshot(e, c);
}

static void on_line(struct conn *conn, const char *line, size_t len)
{
    struct client *c = conn_data(conn);
    struct engine *e = c->e;
    struct protocol_msg m;
    char err[256];
    if (protocol_decode_client(line, len, &m, err, sizeof err) != 0) {
        char *reply = protocol_encode_error(err);
        engine_send(c, reply);
        free(reply);
        if (!c->greeted)
            conn_close(conn, "bad hello");
        return;
    }
    if (m.kind == MSG_HELLO) {
        if (!c->greeted)
            on_hello(e, c, &m.hello);
        return;
    }
    if (!c->greeted) {
        char *reply = protocol_encode_error("say hello first");
        engine_send(c, reply);
        free(reply);
        conn_close(conn, "no hello");
        return;
    }
    engine_command(e, c, &m.cmd);
}

static void on_close(struct conn *conn, const char *reason)
{
    struct client *c = conn_data(conn);
    struct engine *e = c->e;
    for (struct client **p = &e->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    if (c->greeted && control_disconnected(&e->control, c->who.client_id, collector_now())) {
        char detail[300];
        snprintf(detail, sizeof detail, "controller disconnected (%s); control kept for %s for %.0f s",
                 reason, c->who.user, e->cfg->server.control_grace_s);
        engine_journal_control(e, &c->who, "control", "lost", detail);
    }
    /* A step still deciding goes forward only with its asker there: a CLI
     * stopped with Ctrl-C (or a dropped session) gives it up. A move
     * already under way finishes, as it always did. */
    if (e->pending.decider && e->pending.conn_id == conn_id(conn))
        decider_cancel(e->pending.decider);
    free(c);
    engine_maybe_finish_stop(e);
}

static void on_connection(struct conn *conn, const char *error, void *data)
{
    struct engine *e = data;
    char msg[256];
    if (!conn) {
        fprintf(stderr, "cutover server: %s\n", error);
        return;
    }
    struct client *c = calloc(1, sizeof *c);
    if (!c) {
        conn_close(conn, "out of memory");
        return;
    }
    c->e = e;
    c->conn = conn;
    c->next = e->clients;
    e->clients = c;
    struct conn_options opt = {.on_line = on_line, .on_close = on_close, .data = c};
    conn_start(conn, &opt, msg, sizeof msg);
}

/* ---- snapshots ---------------------------------------------------------- */

static void add_weights(struct engine *e, cJSON *s)
{
    struct mover_current cur;
    char msg[512];
    if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0) {
        cJSON_AddNullToObject(s, "weights");
        cJSON_AddStringToObject(s, "weights_error", msg);
        return;
    }
    /* An interrupted move: what nginx was confirmed to run, what the file
     * holds, what resolves it. Not while our own move is in flight. */
    if (cur.rec.verdict == INTENT_RECONCILE && !e->busy)
        cJSON_AddItemToObject(s, "reconcile", engine_reconcile_json(&cur.rec));
    cJSON *w = cJSON_AddObjectToObject(s, "weights");
    for (int c = 0; c < COLOR_COUNT; c++)
        cJSON_AddNumberToObject(w, color_name((enum color)c), cur.weight[c]);
    /* the balancer's workers from before the last reload, still finishing streams */
    cJSON_AddNumberToObject(s, "old_workers_draining", e->old_workers);
    if (!cur.stable_known) {
        cJSON_AddStringToObject(s, "stable_unknown", cur.why_unknown);
        return;
    }
    int step = e->cfg->rollout.step;
    cJSON_AddStringToObject(s, "stable", color_name(cur.stable));
    cJSON_AddStringToObject(s, "candidate", color_name(cur.candidate));
    cJSON_AddStringToObject(s, "phase",
                            rollout_phase_name(rollout_phase(cur.weight, cur.stable, &cur.state, step)));
}

static void add_control(struct engine *e, cJSON *s)
{
    struct control_view v;
    enum control_state st = control_holder(&e->control, collector_now(), &v);
    cJSON *o = cJSON_AddObjectToObject(s, "control");
    cJSON_AddStringToObject(o, "state", st == CONTROL_FREE ? "free" : st == CONTROL_HELD ? "held" : "grace");
    cJSON_AddStringToObject(o, "text", v.text);
    if (st != CONTROL_FREE) {
        cJSON *h = cJSON_AddObjectToObject(o, "holder");
        cJSON_AddNumberToObject(h, "client_id", (double)v.holder.client_id);
        cJSON_AddStringToObject(h, "user", v.holder.user);
        cJSON_AddNumberToObject(h, "pid", (double)v.holder.pid);
        cJSON_AddStringToObject(h, "ssh_client", v.holder.ssh_client);
        cJSON_AddNumberToObject(h, "since", v.since);
        if (st == CONTROL_GRACE)
            cJSON_AddNumberToObject(o, "grace_until", v.grace_until);
    }
}

static void add_events(struct engine *e, cJSON *s)
{
    cJSON *arr = cJSON_AddArrayToObject(s, "events");
    for (int i = 0; i < e->ev_count; i++) {
        int idx = (e->ev_head - e->ev_count + i + ENGINE_EVENTS_KEPT) % ENGINE_EVENTS_KEPT;
        cJSON *ev = cJSON_Parse(e->events[idx]);
        if (ev)
            cJSON_AddItemToArray(arr, ev);
    }
}

/* Newest first, as the collector keeps them: the console lists them so an
 * operator can pick one and look it up in that color's log (by its rid or
 * run id, or its time). Every client gets them: no log text is in a row. */
static void add_failures(cJSON *s, const struct collector_snapshot *snap)
{
    cJSON *arr = cJSON_AddArrayToObject(s, "failures");
    for (int i = 0; i < snap->n_failures; i++) {
        const struct collector_failure *f = &snap->failure[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "time", f->time);
        cJSON_AddStringToObject(o, "color", color_name((enum color)f->color));
        cJSON_AddStringToObject(o, "kind", f->kind == FAILURE_5XX     ? "5xx"
                                           : f->kind == FAILURE_PROBE ? "probe"
                                                                      : "stream");
        cJSON_AddNumberToObject(o, "status", f->status);
        cJSON_AddStringToObject(o, "path", f->path);
        cJSON_AddStringToObject(o, "rid", f->rid);
        cJSON_AddStringToObject(o, "run", f->run);
        cJSON_AddStringToObject(o, "detail", f->detail);
        cJSON_AddItemToArray(arr, o);
    }
}

static cJSON *build_snapshot(struct engine *e, const struct collector_snapshot *snapshot)
{
    struct collector_snapshot fresh;
    const struct collector_snapshot *snap = snapshot;
    if (!snap) {
        collector_snapshot(e->collector, &fresh);
        snap = &fresh;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *s = cJSON_AddObjectToObject(o, "snapshot");
    cJSON_AddNumberToObject(s, "seq", (double)++e->seq);
    cJSON_AddNumberToObject(s, "at", snap->at);
    cJSON_AddNumberToObject(s, "server_pid", (double)getpid());
    add_weights(e, s);
    if (e->busy)
        cJSON_AddStringToObject(s, "busy", e->busy_text);
    else
        cJSON_AddNullToObject(s, "busy");
    add_control(e, s);
    add_failures(s, snap);
    int clients = 0;
    cJSON *list = cJSON_CreateArray();
    for (struct client *c = e->clients; c; c = c->next) {
        if (!c->greeted)
            continue;
        clients++;
        /* queued_bytes shows a slow client's cost to the server: bounded by
         * the conn's output limit, past which the client is dropped. */
        cJSON *ci = cJSON_CreateObject();
        cJSON_AddNumberToObject(ci, "client_id", (double)c->who.client_id);
        cJSON_AddStringToObject(ci, "user", c->who.user);
        cJSON_AddNumberToObject(ci, "pid", (double)c->who.pid);
        cJSON_AddBoolToObject(ci, "may_control", c->may_control);
        cJSON_AddNumberToObject(ci, "queued_bytes", (double)conn_queued(c->conn));
        cJSON_AddItemToArray(list, ci);
    }
    cJSON_AddNumberToObject(s, "clients", clients);
    cJSON_AddItemToObject(s, "client_list", list);
    cJSON_AddItemToObject(s, "signals", snapshot_signals_json(snap, e->cfg->rollout.window_s));
    cJSON_AddItemToObject(s, "guards", engine_guards_json(e));
    int64_t to = (int64_t)snap->at - 1;
    cJSON_AddItemToObject(s, "series", snapshot_series_json(collector_window(e->collector),
                                                            to - e->cfg->server.snapshot_series_s + 1, to));
    add_events(e, s);
    return o;
}

static char *snapshot_line(cJSON *o)
{
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return line;
}

/* The newest snapshot everyone has seen; built now only before the first tick. */
void engine_send_snapshot(struct engine *e, struct client *c)
{
    if (!e->last_snapshot)
        e->last_snapshot = snapshot_line(build_snapshot(e, NULL));
    engine_send(c, e->last_snapshot);
}

static void on_tick(uv_timer_t *t)
{
    struct engine *e = t->data;
    struct control_who expired;
    if (control_tick(&e->control, collector_now(), &expired))
        engine_journal_control(e, &expired, "control", "released",
                               "the disconnected controller's grace ran out");
    /* The guards and the clients read the same numbers. */
    struct collector_snapshot snap;
    collector_snapshot(e->collector, &snap);
    engine_guard_tick(e, &snap);
    e->old_workers = balancer_of(e->cfg)->workers_left(&e->draining);
    /* One snapshot, encoded once, for every client. */
    cJSON *o = build_snapshot(e, &snap);
    free(e->last_snapshot);
    e->last_snapshot = cJSON_PrintUnformatted(o);
    engine_broadcast(e, e->last_snapshot);
    /* The same numbers for the record and the exports. */
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "snapshot");
    const struct window *w = collector_window(e->collector);
    if (e->timeline)
        timeline_writer_second(e->timeline, s, w);
    struct export_second xs = {.snapshot = s, .snap = &snap, .window = w};
    if (e->exporter)
        export_second(e->exporter, &xs);
    cJSON_Delete(o);
}

/* ---- journal events as they are written --------------------------------- */

static void on_journal_line(const char *line, size_t len, void *data)
{
    struct engine *e = data;
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, line, len);
    copy[len] = '\0';
    cJSON *ev = cJSON_Parse(copy);
    if (!ev) {
        free(copy);
        return;
    }
    free(e->events[e->ev_head]);
    e->events[e->ev_head] = copy;
    e->ev_head = (e->ev_head + 1) % ENGINE_EVENTS_KEPT;
    if (e->ev_count < ENGINE_EVENTS_KEPT)
        e->ev_count++;
    if (e->timeline)
        timeline_writer_event(e->timeline, copy);
    if (e->exporter)
        export_event(e->exporter, ev);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "event", ev);
    char *msg = cJSON_PrintUnformatted(o);
    engine_broadcast(e, msg);
    free(msg);
    cJSON_Delete(o);
}

/* ---- life --------------------------------------------------------------- */

static int start_parts(struct engine *e, char *msg, size_t msglen)
{
    char path[1024];
    struct collector_options copt = {.tail = true, .probes = true, .sockets = true,
                                     .backfill_bytes = 32u << 20};
    if (collector_start(e->loop, e->cfg, &copt, &e->collector, msg, msglen) != 0)
        return -1;
    statedir_path(e->cfg->state_dir, "journal.jsonl", path, sizeof path);
    struct accesslog_options jo = {.path = path, .on_line = on_journal_line, .data = e,
                                   .backfill_bytes = 16384};
    if (accesslog_start(e->loop, &jo, &e->journal_tail, msg, msglen) != 0)
        return -1;
    const char *group = e->cfg->server.watch_group[0] ? e->cfg->server.watch_group : NULL;
    if (listener_open(e->loop, e->socket_path, 0, group, on_connection, e, &e->listener, msg,
                      msglen) != 0)
        return -1;
    if (export_start(e->loop, e->cfg, &e->exporter, msg, msglen) != 0)
        return -1;
    /* Without its timeline the server still guards: say so, go on. */
    char tmsg[512];
    if (timeline_writer_open(e->cfg, &e->timeline, tmsg, sizeof tmsg) != 0)
        fprintf(stderr, "cutover server: no timeline: %s\n", tmsg);
    if (listener_replaced_stale(e->listener))
        fprintf(stderr, "cutover server: replaced a stale socket at %s\n", e->socket_path);
    return 0;
}

cJSON *engine_reconcile_json(const struct intent_reconcile *rec)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", rec->text);
    cJSON_AddBoolToObject(o, "interrupted", rec->pending);
    cJSON_AddBoolToObject(o, "may_apply", rec->may_apply);
    const char *keys[] = {"confirmed", "file"};
    const int *w[] = {rec->confirmed, rec->file};
    for (int k = 0; k < 2; k++) {
        cJSON *wo = cJSON_AddObjectToObject(o, keys[k]);
        for (int c = 0; c < COLOR_COUNT; c++)
            cJSON_AddNumberToObject(wo, color_name((enum color)c), w[k][c]);
    }
    return o;
}

/* A move found interrupted at start, under the state folder's lock (a
 * direct cutover may be moving right now): one that never touched the file
 * is closed; otherwise it is journaled and said, and shifts wait for
 * `cutover reconcile` (the snapshot carries it for the consoles). */
static void reconcile_at_start(struct engine *e)
{
    struct mover_current cur;
    char msg[512];
    int fd = statedir_lock(e->cfg->state_dir, msg, sizeof msg);
    if (fd < 0)
        return;
    if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) == 0) {
        if (cur.rec.verdict == INTENT_CLOSE) {
            mover_close_interrupted(e->cfg, &cur);
        } else if (cur.rec.verdict == INTENT_RECONCILE) {
            struct mover_actor who = {.user = "cutover (server start)", .ssh_client = ""};
            mover_journal(e->cfg, &who, &cur, "reconcile", "needed", cur.rec.text);
            fprintf(stderr, "cutover server: %s\n", cur.rec.text);
        }
    }
    statedir_unlock(fd);
}

int engine_start(uv_loop_t *loop, const struct config *cfg, const struct engine_options *opt,
                 struct engine **out, char *msg, size_t msglen)
{
    struct engine *e = calloc(1, sizeof *e);
    *out = NULL;
    if (!e) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    e->loop = loop;
    e->cfg = cfg;
    e->on_stopped = opt->on_stopped;
    e->data = opt->data;
    snprintf(e->socket_path, sizeof e->socket_path, "%s", opt->socket_path);
    control_init(&e->control, cfg->server.control_grace_s, 0);
    guards_params_from_config(cfg, &e->gp);
    guards_excess_init(&e->excess);
    guards_drain_init(&e->drain);
    guards_concurrency_init(&e->concurrency);
    uv_timer_init(loop, &e->tick);
    e->tick.data = e;
    if (start_parts(e, msg, msglen) != 0) {
        /* The caller got no engine, so it is not told when this one is
         * gone (the server's own handles are not even set up yet). */
        e->on_stopped = NULL;
        engine_stop(e);
        return -1;
    }
    reconcile_at_start(e);
    uv_timer_start(&e->tick, on_tick, 1000, 1000);
    *out = e;
    return 0;
}

bool engine_cutover_in_progress(const struct engine *e)
{
    struct mover_current cur;
    char msg[256];
    if (e->busy)
        return true;
    if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0)
        return false;
    return cur.weight[COLOR_BLUE] != 100 && cur.weight[COLOR_GREEN] != 100;
}

void engine_maybe_finish_stop(struct engine *e)
{
    if (!e->stopping || e->clients || !e->tick_closed || e->busy || e->async_ops > 0)
        return;
    for (int i = 0; i < ENGINE_EVENTS_KEPT; i++)
        free(e->events[i]);
    free(e->last_snapshot);
    void (*done)(void *) = e->on_stopped;
    void *data = e->data;
    free(e);
    if (done)
        done(data);
}

static void on_tick_closed(uv_handle_t *h)
{
    struct engine *e = h->data;
    e->tick_closed = true;
    engine_maybe_finish_stop(e);
}

static void on_export_stopped(void *data)
{
    struct engine *e = data;
    e->async_ops--;
    engine_maybe_finish_stop(e);
}

void engine_stop(struct engine *e)
{
    if (e->stopping)
        return;
    e->stopping = true;
    /* Before the collector goes: the decider reads it. */
    if (e->pending.decider)
        decider_cancel(e->pending.decider);
    if (e->listener)
        listener_close(e->listener);
    if (e->journal_tail)
        accesslog_stop(e->journal_tail);
    collector_stop(e->collector);
    if (e->timeline)
        timeline_writer_close(e->timeline);
    e->timeline = NULL;
    if (e->exporter) {
        e->async_ops++;
        export_stop(e->exporter, on_export_stopped, e);
        e->exporter = NULL;
    }
    for (struct client *c = e->clients; c; c = c->next)
        conn_close(c->conn, "server stopping");
    uv_close((uv_handle_t *)&e->tick, on_tick_closed);
}
