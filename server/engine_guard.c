/* engine_guard: the guards in the server. Every second they read the same
 * window the clients see: the 5xx excess tracker may roll back on its own,
 * the drain tracker follows the color at 0, and the verdict on the next step
 * (every rule of core/guards.h's table) goes into the snapshot. */
#include "server/engine_priv.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "backends/spawn.h"
#include "runtime/statedir.h"

static const struct mover_actor auto_actor = {.user = "cutover (auto-rollback)", .ssh_client = ""};

static void on_hook_done(const struct spawn_result *r, void *data)
{
    struct engine *e = data;
    char why[256];
    struct mover_current cur;
    char msg[256];
    if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0)
        memset(&cur, 0, sizeof cur);
    spawn_describe(r, why, sizeof why);
    mover_journal(e->cfg, &auto_actor, &cur, "hook", spawn_succeeded(r) ? "ok" : "failed",
                  spawn_succeeded(r) ? NULL : why);
    e->async_ops--;
    engine_maybe_finish_stop(e);
}

/* hooks.on_rollback: argv arrays, the reason in the environment (never a
 * shell line). */
static void run_rollback_hooks(struct engine *e, const char *reason, const struct mover_current *cur)
{
    char r[GUARDS_TEXT + 32], stable[32], cand[32], before[64];
    snprintf(r, sizeof r, "CUTOVER_REASON=%s", reason);
    snprintf(stable, sizeof stable, "CUTOVER_STABLE=%s", color_name(cur->stable));
    snprintf(cand, sizeof cand, "CUTOVER_CANDIDATE=%s", color_name(cur->candidate));
    snprintf(before, sizeof before, "CUTOVER_WEIGHTS_BEFORE=blue %d / green %d",
             cur->weight[COLOR_BLUE], cur->weight[COLOR_GREEN]);
    char *env[] = {r, stable, cand, before, NULL};
    const struct config_argv_list *hooks = &e->cfg->hooks.on_rollback;
    for (int i = 0; i < hooks->count; i++) {
        char msg[256];
        if (spawn_start(e->loop, hooks->items[i].argv, env, e->cfg->command_timeout_ms,
                        on_hook_done, e, msg, sizeof msg) != 0)
            mover_journal(e->cfg, &auto_actor, cur, "hook", "failed", msg);
        else
            e->async_ops++;
    }
}

/* The reason every console shows whole, from the guard's numbers: the part
 * before " (" is the chart marker's label (view/model reads it so). */
static void excess_reason(const struct engine *e, enum color stable, char *buf, size_t len)
{
    guards_excess_reason(&e->excess, &e->gp, stable, buf, len);
}

/* The auto-rollback's start names the move it makes (before -> after), so
 * the journal's line reads "50/50->100/0", not the weights twice. */
static void journal_auto_start(const struct engine *e, const struct mover_current *cur,
                               const int after[COLOR_COUNT], const char *reason)
{
    char msg[256];
    struct journal_event ev = {.user = (char *)auto_actor.user,
                               .action = "auto-rollback", .outcome = "started",
                               .error = (char *)reason};
    struct timeval tv;
    gettimeofday(&tv, NULL);
    ev.time = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
    ev.candidate = (char *)color_name(cur->candidate);
    memcpy(ev.before, cur->weight, sizeof ev.before);
    memcpy(ev.after, after, sizeof ev.after);
    statedir_journal_append(e->cfg->state_dir, &ev, msg, sizeof msg);
}

/* Rolls back on the guard's word: all weight to the stable color, the
 * candidate stopped, the hooks run. A move already in flight is let finish;
 * the next tick tries again. */
static void auto_rollback(struct engine *e)
{
    char msg[512];
    struct pending *p = &e->pending;
    /* A step still deciding its verdict holds nothing: give it up. */
    if (p->decider)
        decider_cancel(p->decider);
    if (e->busy || e->stopping)
        return;
    memset(p, 0, sizeof *p);
    p->lock_fd = statedir_lock(e->cfg->state_dir, msg, sizeof msg);
    if (p->lock_fd < 0)
        return;
    if (mover_read_current(e->cfg, COLOR_NONE, &p->cur, msg, sizeof msg) != 0 ||
        !p->cur.stable_known) {
        statedir_unlock(p->lock_fd);
        return;
    }
    e->auto_rollback_due = false;
    p->name = CMD_ROLLBACK;
    p->actor = auto_actor;
    int after[COLOR_COUNT];
    rollout_set(p->cur.stable, 0, e->cfg->rollout.step, after, msg, sizeof msg);
    char reason[GUARDS_TEXT];
    excess_reason(e, p->cur.stable, reason, sizeof reason);
    journal_auto_start(e, &p->cur, after, reason);
    run_rollback_hooks(e, reason, &p->cur);
    e->busy = true;
    snprintf(e->busy_text, sizeof e->busy_text, "auto-rollback");
    if (mover_apply(e->loop, e->cfg, &p->actor, &p->cur, after, "rollback", engine_on_move_done, e,
                    msg, sizeof msg) != 0) {
        statedir_unlock(p->lock_fd);
        e->busy = false;
        mover_journal(e->cfg, &auto_actor, &p->cur, "auto-rollback", "failed", msg);
    }
}

static void on_excess_tripped(struct engine *e, const struct mover_current *cur)
{
    if (e->cfg->rollout.auto_rollback) {
        e->auto_rollback_due = true;
        return;
    }
    /* auto_rollback off: the alarm is the journal line every console shows. */
    char reason[GUARDS_TEXT];
    excess_reason(e, cur->stable, reason, sizeof reason);
    mover_journal(e->cfg, &auto_actor, cur, "alarm", "5xx-excess", reason);
}

void engine_guard_tick(struct engine *e, const struct collector_snapshot *snap)
{
    struct mover_current cur;
    char msg[512];
    double now = snap->at;
    if (mover_read_current(e->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0 ||
        !cur.stable_known) {
        e->have_guards = false;
        return;
    }
    struct window_stats st[COLOR_COUNT];
    int64_t conns[COLOR_COUNT];
    struct guards_probes probes[COLOR_COUNT];
    collector_guards_probes(snap, probes);
    for (int c = 0; c < COLOR_COUNT; c++) {
        st[c] = snap->color[c].win;
        conns[c] = st[c].v[METRIC_CONNECTIONS].level;
    }
    if (guards_excess_update(&e->excess, &e->gp, now, cur.stable, cur.weight, st))
        on_excess_tripped(e, &cur);
    if (e->auto_rollback_due)
        auto_rollback(e);
    if (guards_drain_update(&e->drain, &e->gp, now, cur.weight, conns))
        mover_journal(e->cfg, &auto_actor, &cur, "drain", "drained", e->drain.text);
    if (guards_concurrency_update(&e->concurrency, &e->gp, now, cur.stable, cur.weight, conns))
        mover_journal(e->cfg, &auto_actor, &cur, "alarm", "concurrency", e->concurrency.text);
    int next[COLOR_COUNT];
    int step = e->cfg->rollout.step;
    bool has_next = rollout_step(cur.weight, cur.stable, step, step, next, msg, sizeof msg) == 0;
    struct guards_step gs;
    if (has_next) {
        guards_check_step(&e->gp, cur.stable, cur.weight, next, st, probes,
                          mover_weights_since(e->cfg), now, &gs);
        gs.deciding = e->pending.decider != NULL;
    }
    guards_view_fill(&e->guards, has_next ? &gs : NULL, &e->excess, &e->drain,
                     &e->concurrency);
    e->have_guards = true;
}

cJSON *engine_guards_json(const struct engine *e)
{
    if (!e->have_guards)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < GUARDS_ITEM_COUNT; i++) {
        const struct guards_item *it = &e->guards.item[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", it->name);
        cJSON_AddStringToObject(j, "level", guards_level_name(it->level));
        cJSON_AddStringToObject(j, "text", it->text);
        cJSON_AddItemToArray(items, j);
    }
    cJSON_AddNumberToObject(o, "dwell_remaining_s", e->guards.step.dwell_remaining_s);
    cJSON_AddStringToObject(o, "drain", guards_drain_state_name(e->drain.state));
    cJSON_AddBoolToObject(o, "auto_rollback", e->cfg->rollout.auto_rollback);
    return o;
}

int engine_check_step(struct engine *e, const struct mover_current *cur, const int after[COLOR_COUNT],
                      struct guards_step *out)
{
    struct collector_snapshot snap;
    struct window_stats st[COLOR_COUNT];
    collector_snapshot(e->collector, &snap);
    for (int c = 0; c < COLOR_COUNT; c++)
        st[c] = snap.color[c].win;
    struct guards_probes probes[COLOR_COUNT];
    collector_guards_probes(&snap, probes);
    guards_check_step(&e->gp, cur->stable, cur->weight, after, st, probes,
                      mover_weights_since(e->cfg),
                      snap.at, out);
    return out->allowed ? 0 : -1;
}
