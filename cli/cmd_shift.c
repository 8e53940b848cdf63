/* cutover shift / rollback: move the weights, one lock-held step at a time. */
#include <stdlib.h>
#include <string.h>

#include "backends/proc.h"
#include "cli/commands.h"
#include "cli/move.h"
#include "cli/statedir.h"

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

struct shift_args {
    bool absolute;     /* --to N */
    int amount;        /* delta, or the candidate's weight with --to */
    int named_stable;
};

static int parse_shift_args(struct app *app, int argc, char **argv, struct shift_args *a)
{
    int bad = 0;
    bool have = false;
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
        } else if ((argv[i][0] == '+' || argv[i][0] == '-') && parse_signed(argv[i], &a->amount)) {
            have = true;
        } else {
            app_errorf(app, "shift: unknown argument '%s' (expected +N, -N or --to N)", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (bad)
        return EXIT_USAGE;
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

/* Takes the lock and reads the current weights; on success the caller owns *lock_fd. */
static int begin(struct app *app, int named, struct move_current *cur, int *lock_fd)
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
    int rc = move_read_current(app, named, cur);
    if (rc == EXIT_OK && !cur->stable_known) {
        app_errorf(app, "%s", cur->why_unknown);
        rc = EXIT_REFUSED;
    }
    if (rc != EXIT_OK)
        statedir_unlock(*lock_fd);
    return rc;
}

int cmd_shift(struct app *app, int argc, char **argv)
{
    struct shift_args a = {0};
    int rc = parse_shift_args(app, argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    struct move_current cur;
    int lock_fd;
    rc = begin(app, a.named_stable, &cur, &lock_fd);
    if (rc != EXIT_OK)
        return rc;

    int after[COLOR_COUNT];
    char why[256];
    int step = app->cfg->rollout.step;
    int ok = a.absolute ? rollout_set(cur.stable, a.amount, step, after, why, sizeof why)
                        : rollout_step(cur.weight, cur.stable, a.amount, step, after, why, sizeof why);
    if (ok != 0) {
        app_errorf(app, "shift refused: %s", why);
        move_journal(app, &cur, "shift", "refused", why);
        rc = EXIT_REFUSED;
    } else if (after[COLOR_BLUE] == cur.weight[COLOR_BLUE]) {
        fprintf(app->out, "already at blue %d / green %d: nothing to do\n",
                cur.weight[COLOR_BLUE], cur.weight[COLOR_GREEN]);
        rc = EXIT_OK;
    } else {
        rc = move_apply(app, &cur, after, "shift");
    }
    statedir_unlock(lock_fd);
    return rc;
}

static int stop_candidate(struct app *app, const struct move_current *cur)
{
    char msg[512];
    const struct config_color *cc = &app->cfg->colors[cur->candidate];
    int rc = proc_run(&app->loop, "stop", cc->stop.argv, app->cfg->command_timeout_ms,
                      msg, sizeof msg);
    if (rc == 1) {
        fprintf(app->out, "no stop command configured for %s (colors.%s.stop): stop it by hand\n",
                color_name(cur->candidate), color_name(cur->candidate));
        return EXIT_OK;
    }
    /* By now the stable color holds all the weight. */
    struct move_current stopped = *cur;
    stopped.weight[cur->stable] = 100;
    stopped.weight[cur->candidate] = 0;
    if (rc != 0) {
        app_errorf(app, "rollback: weights are back on %s, but stopping %s failed: %s",
                   color_name(cur->stable), color_name(cur->candidate), msg);
        move_journal(app, &stopped, "stop", "failed", msg);
        return EXIT_STOP_FAILED;
    }
    move_journal(app, &stopped, "stop", "ok", NULL);
    fprintf(app->out, "stopped %s\n", color_name(cur->candidate));
    return EXIT_OK;
}

int cmd_rollback(struct app *app, int argc, char **argv)
{
    int named = COLOR_NONE, bad = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--stable") == 0) {
            named = cli_parse_color_arg(app, "--stable", i + 1 < argc ? argv[++i] : NULL, &bad);
        } else {
            app_errorf(app, "rollback: unknown argument '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (bad)
        return EXIT_USAGE;
    struct move_current cur;
    int lock_fd;
    int rc = begin(app, named, &cur, &lock_fd);
    if (rc != EXIT_OK)
        return rc;
    int after[COLOR_COUNT];
    char why[256];
    rollout_set(cur.stable, 0, app->cfg->rollout.step, after, why, sizeof why);
    if (cur.weight[cur.stable] != 100)
        rc = move_apply(app, &cur, after, "rollback");
    else
        fprintf(app->out, "%s already holds 100\n", color_name(cur.stable));
    /* Stop the candidate only once no new request can reach it. */
    if (rc == EXIT_OK)
        rc = stop_candidate(app, &cur);
    statedir_unlock(lock_fd);
    return rc;
}
