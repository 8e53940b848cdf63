/* cutover shift / rollback, run directly (no server): one lock-held move. */
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/remote.h"
#include "cli/sample.h"
#include "backends/balancer.h"
#include "backends/preflight.h"
#include "core/errcode.h"
#include "core/guards.h"
#include "runtime/mover.h"
#include "runtime/statedir.h"

/* "+10" / "-10" / "10" -> 10 or -10; false when not a whole number. */
static bool parse_signed(const char *s, int *out)
{
    char *end;
    if (!s || !*s)
        return false;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < -100 || v > 100)
        return false;
    *out = (int)v;
    return true;
}

int cli_parse_shift_args(struct app *app, int argc, char **argv, struct shift_args *a)
{
    int bad = 0;
    bool have = false;
    memset(a, 0, sizeof *a);
    a->named_stable = COLOR_NONE;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--to") == 0) {
            a->absolute = true;
            if (i + 1 >= argc || !parse_signed(argv[i + 1], &a->amount) || a->amount < 0) {
                app_errorf(app, "shift --to: expected the candidate's weight, 0 to 100");
                return EXIT_USAGE;
            }
            i++;
            have = true;
        } else if (strcmp(argv[i], "--stable") == 0) {
            a->named_stable = cli_parse_color_arg(app, "--stable", i + 1 < argc ? argv[++i] : NULL, &bad);
        } else if (strcmp(argv[i], "--force") == 0) {
            a->force = true;
        } else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc) {
            snprintf(a->reason, sizeof a->reason, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc) {
            char *end;
            a->sample_s = strtod(argv[++i], &end);
            if (*end || a->sample_s <= 0 || a->sample_s > 600) {
                app_errorf(app, "shift --sample: expected seconds, more than 0 and at most 600");
                return EXIT_USAGE;
            }
        } else if ((argv[i][0] == '+' || argv[i][0] == '-') && parse_signed(argv[i], &a->amount)) {
            have = true;
        } else {
            app_errorf(app, "shift: unknown argument '%s' (expected +N, -N or --to N)", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (bad)
        return EXIT_USAGE;
    if (a->force && !a->reason[0]) {
        app_errorf(app, "shift --force: say why with --reason TEXT (it is journaled)");
        return EXIT_USAGE;
    }
    /* No --sample: the verdict bursts probes until it is decided, so only
     * the access log's window is read back first. */
    if (!have || (!a->absolute && a->amount == 0)) {
        app_errorf(app, "shift: say how far: +%d, -%d or --to N", app->cfg->rollout.step,
                   app->cfg->rollout.step);
        return EXIT_USAGE;
    }
    int step = app->cfg->rollout.step;
    if (a->amount % step != 0) {
        app_errorf(app, "shift: %d is not a multiple of rollout.step (%d)", a->amount, step);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_parse_rollback_args(struct app *app, int argc, char **argv, int *named)
{
    int bad = 0;
    *named = COLOR_NONE;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--stable") == 0) {
            *named = cli_parse_color_arg(app, "--stable", i + 1 < argc ? argv[++i] : NULL, &bad);
        } else {
            app_errorf(app, "rollback: unknown argument '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    return bad ? EXIT_USAGE : EXIT_OK;
}

/* Takes the lock and reads the current weights; on success the caller owns *lock_fd. */
static int begin(struct app *app, int named, struct mover_current *cur, int *lock_fd)
{
    char msg[512];
    if (statedir_prepare(app->cfg->state_dir, msg, sizeof msg) != 0) {
        app_errorf(app, "%s", msg);
        return EXIT_FAILURE_IO;
    }
    *lock_fd = statedir_lock(app->cfg->state_dir, msg, sizeof msg);
    if (*lock_fd < 0) {
        app_errorf(app, "%s", msg);
        return EXIT_REFUSED;
    }
    int rc = mover_read_current(app->cfg, named, cur, msg, sizeof msg);
    if (rc == 0 && !cur->stable_known) {
        snprintf(msg, sizeof msg, "%s", cur->why_unknown);
        rc = ERRCODE_REFUSED;
    }
    if (rc != 0) {
        app_errorf(app, "%s", msg);
        statedir_unlock(*lock_fd);
    }
    return exitcode_of(rc);
}

/* Prints what a move did: the summary on stdout when it worked, else stderr. */
static int report(struct app *app, const struct mover_result *r)
{
    if (r->status == 0)
        fprintf(app->out, "%s\n", r->summary);
    else
        app_errorf(app, "%s", r->summary);
    if (r->status == ERRCODE_REJECTED && r->detail[0])
        app_errorf(app, "%s said: %s", balancer_of(app->cfg)->name, r->detail);
    if (r->warnings[0])
        app_errorf(app, "warning: %s", r->warnings);
    return exitcode_of(r->status);
}

static void actor_of(const struct app *app, struct mover_actor *who)
{
    who->user = app->user;
    who->ssh_client = app->ssh_client;
}

/* Without a server, the guards judge a step toward the candidate on signals
 * sampled here first. Returns EXIT_OK to go on. */
static int guards_allow_direct(struct app *app, const struct shift_args *a,
                               const struct mover_current *cur, const int after[COLOR_COUNT],
                               const struct mover_actor *who)
{
    if (after[cur->candidate] <= cur->weight[cur->candidate])
        return EXIT_OK;
    struct guards_params gp;
    struct guards_step gs;
    double since = mover_weights_since(app->cfg);
    guards_params_from_config(app->cfg, &gp);
    /* The dwell first: no probe is sent (each is a model call) for a step
     * the clock refuses anyway. */
    double wait = guards_dwell_remaining(gp.min_dwell_s, since, collector_now());
    if (wait > 0 && !a->force) {
        char text[200], why[180];
        guards_dwell_text(gp.min_dwell_s - wait, gp.min_dwell_s, wait, why, sizeof why);
        snprintf(text, sizeof text, "refused: %s", why);
        mover_journal(app->cfg, who, cur, "shift", "refused", text);
        app_errorf(app, "shift %s (override: --force --reason TEXT)", text);
        return EXIT_REFUSED;
    }
    /* A forced step goes anyway: no burst of model calls to decide it. */
    int rc = sample_decide_step(app, a->sample_s, !a->force, &gp, cur->stable, cur->weight,
                                after, since, &gs);
    if (rc != EXIT_OK)
        return rc;
    if (gs.allowed)
        return EXIT_OK;
    char detail[600];
    if (a->force) {
        snprintf(detail, sizeof detail, "override of \"%.240s\" by %.60s: %.200s", gs.text,
                 who->user, a->reason);
        mover_journal(app->cfg, who, cur, "override", "ok", detail);
        app_errorf(app, "warning: %s", detail);
        return EXIT_OK;
    }
    mover_journal(app->cfg, who, cur, "shift", "refused", gs.text);
    app_errorf(app, "shift %s (override: --force --reason TEXT)", gs.text);
    return EXIT_REFUSED;
}

/* The first step of a cutover waits for every preflight check; a failure
 * refuses it unless forced with a reason (journaled). */
static int preflight_first_step(struct app *app, const struct shift_args *a,
                                const struct mover_current *cur, const int after[COLOR_COUNT],
                                const struct mover_actor *who)
{
    if (!(cur->weight[cur->candidate] == 0 && after[cur->candidate] > 0))
        return EXIT_OK;
    struct preflight_report r;
    char failed[1200], detail[1500];
    preflight_run(&app->loop, app->cfg, &r);
    preflight_failures(&r, failed, sizeof failed);
    if (!failed[0]) {
        mover_journal(app->cfg, who, cur, "preflight", "ok", NULL);
        return EXIT_OK;
    }
    if (a->force) {
        snprintf(detail, sizeof detail, "override of failed preflight (%.1100s) by %.60s: %.200s",
                 failed, who->user, a->reason);
        mover_journal(app->cfg, who, cur, "override", "ok", detail);
        app_errorf(app, "warning: %s", detail);
        return EXIT_OK;
    }
    mover_journal(app->cfg, who, cur, "preflight", "failed", failed);
    app_errorf(app, "shift refused: preflight failed before the first step: %s "
                    "(see `cutover check`; override: --force --reason TEXT)", failed);
    return EXIT_REFUSED;
}

/* After every shift, as the runbook asks: nothing may listen off loopback. */
static void loopback_after_shift(struct app *app, const struct mover_actor *who)
{
    struct preflight_report r = { 0 };   /* the family appends to it */
    struct mover_current cur;
    char failed[1200], msg[256];
    preflight_loopback(&app->loop, app->cfg, &r);
    preflight_failures(&r, failed, sizeof failed);
    if (!failed[0])
        return;
    if (mover_read_current(app->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0)
        memset(&cur, 0, sizeof cur);
    mover_journal(app->cfg, who, &cur, "alarm", "listener-check-failed", failed);
    app_errorf(app, "warning: %s", failed);
}

int cmd_shift_direct(struct app *app, const struct shift_args *a)
{
    struct mover_current cur;
    struct mover_actor who = {0};
    int lock_fd;
    int rc = begin(app, a->named_stable, &cur, &lock_fd);
    if (rc != EXIT_OK)
        return rc;
    actor_of(app, &who);
    int after[COLOR_COUNT];
    char why[1024]; /* room for a reconcile text */
    rc = exitcode_of(mover_plan_shift(app->cfg, &cur, a->absolute, a->amount, after, why,
                                      sizeof why));
    if (rc != EXIT_OK) {
        app_errorf(app, "shift refused: %s", why);
        mover_journal(app->cfg, &who, &cur, "shift", "refused", why);
    } else if (after[COLOR_BLUE] == cur.weight[COLOR_BLUE]) {
        fprintf(app->out, "already at blue %d / green %d: nothing to do\n",
                cur.weight[COLOR_BLUE], cur.weight[COLOR_GREEN]);
    } else if ((rc = guards_allow_direct(app, a, &cur, after, &who)) == EXIT_OK &&
               (rc = preflight_first_step(app, a, &cur, after, &who)) == EXIT_OK) {
        struct mover_result r;
        mover_apply_run(&app->loop, app->cfg, &who, &cur, after, "shift", &r);
        rc = report(app, &r);
        if (rc == EXIT_OK)
            loopback_after_shift(app, &who);
    }
    statedir_unlock(lock_fd);
    return rc;
}

int cmd_rollback_direct(struct app *app, int named)
{
    struct mover_current cur;
    struct mover_actor who = {0};
    struct mover_result r;
    int lock_fd;
    int rc = begin(app, named, &cur, &lock_fd);
    if (rc != EXIT_OK)
        return rc;
    actor_of(app, &who);
    int after[COLOR_COUNT];
    char why[256];
    rollout_set(cur.stable, 0, app->cfg->rollout.step, after, why, sizeof why);
    if (cur.weight[cur.stable] != 100) {
        mover_apply_run(&app->loop, app->cfg, &who, &cur, after, "rollback", &r);
        rc = report(app, &r);
    } else {
        fprintf(app->out, "%s already holds 100\n", color_name(cur.stable));
    }
    /* Stop the candidate only once no new request can reach it. */
    if (rc == EXIT_OK) {
        mover_stop_candidate_run(&app->loop, app->cfg, &who, &cur, &r);
        rc = report(app, &r);
    }
    statedir_unlock(lock_fd);
    return rc;
}

/* With a server running, the move goes through it: same lock, same guards,
 * and the server's clients see it happen. Without one, it runs here. */
int cmd_shift(struct app *app, int argc, char **argv)
{
    struct shift_args a;
    int rc = cli_parse_shift_args(app, argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    if (!client_server_live(app->cfg))
        return cmd_shift_direct(app, &a);
    struct protocol_cmd cmd = {.name = CMD_SHIFT, .absolute = a.absolute, .amount = a.amount,
                               .stable = a.named_stable, .force = a.force};
    snprintf(cmd.reason, sizeof cmd.reason, "%s", a.reason);
    return remote_move(app, &cmd);
}

int cmd_rollback(struct app *app, int argc, char **argv)
{
    int named;
    int rc = cli_parse_rollback_args(app, argc, argv, &named);
    if (rc != EXIT_OK)
        return rc;
    if (!client_server_live(app->cfg))
        return cmd_rollback_direct(app, named);
    struct protocol_cmd cmd = {.name = CMD_ROLLBACK, .stable = named};
    return remote_move(app, &cmd);
}
