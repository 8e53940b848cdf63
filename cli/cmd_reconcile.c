/* cutover reconcile [--apply | --restore]: after a move that did not finish
 * (a killed cutover or server), says what the balancer was last confirmed to
 * run and what its file holds, and resolves it: --apply tests and reloads
 * the file (one step at most), --restore puts back the confirmed weights.
 * Through the server when one runs, else here under the state folder's lock. */
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/remote.h"
#include "core/errcode.h"
#include "runtime/mover.h"
#include "runtime/statedir.h"

enum mode { MODE_SHOW, MODE_APPLY, MODE_RESTORE };

static int parse(struct app *app, int argc, char **argv, enum mode *mode)
{
    *mode = MODE_SHOW;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--apply") == 0 && *mode == MODE_SHOW)
            *mode = MODE_APPLY;
        else if (strcmp(argv[i], "--restore") == 0 && *mode == MODE_SHOW)
            *mode = MODE_RESTORE;
        else {
            app_errorf(app, "reconcile: expected nothing, --apply or --restore, got '%s'",
                       argv[i]);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

static int report(struct app *app, const struct mover_result *r)
{
    if (r->status == 0)
        fprintf(app->out, "%s\n", r->summary);
    else
        app_errorf(app, "%s", r->summary);
    if (r->detail[0] && r->status != 0)
        app_errorf(app, "%s said: %s", balancer_of(app->cfg)->name, r->detail);
    if (r->warnings[0])
        app_errorf(app, "warning: %s", r->warnings);
    return exitcode_of(r->status);
}

/* Says where things stand; with a mode, resolves. Holds the lock throughout. */
static int run_direct(struct app *app, enum mode mode)
{
    char msg[512];
    struct mover_current cur;
    int rc = mover_read_current(app->cfg, COLOR_NONE, &cur, msg, sizeof msg);
    if (rc != 0) {
        app_errorf(app, "%s", msg);
        return exitcode_of(rc);
    }
    struct mover_actor who = {.user = app->user, .ssh_client = app->ssh_client,
                              .reason = "reconcile"};
    if (cur.rec.verdict == INTENT_CLEAR) {
        fprintf(app->out, "nothing to reconcile: %s runs blue %d / green %d as confirmed\n",
                balancer_of(app->cfg)->name, cur.rec.confirmed[COLOR_BLUE],
                cur.rec.confirmed[COLOR_GREEN]);
        return EXIT_OK;
    }
    if (cur.rec.verdict == INTENT_CLOSE) {
        mover_close_interrupted(app->cfg, &cur);
        fprintf(app->out, "%s\n", cur.rec.text);
        return EXIT_OK;
    }
    if (mode == MODE_SHOW) {
        app_errorf(app, "%s", cur.rec.text);
        return EXIT_REFUSED;
    }
    struct mover_result r;
    if (mode == MODE_APPLY)
        mover_reload_run(&app->loop, app->cfg, &who, &cur, &r);
    else
        mover_apply_run(&app->loop, app->cfg, &who, &cur, cur.rec.confirmed, "restore", &r);
    return report(app, &r);
}

int cmd_reconcile(struct app *app, int argc, char **argv)
{
    enum mode mode;
    char msg[512];
    int rc = parse(app, argc, argv, &mode);
    if (rc != EXIT_OK)
        return rc;
    if (mode != MODE_SHOW && client_server_live(app->cfg)) {
        struct protocol_cmd cmd = {.name = mode == MODE_APPLY ? CMD_RECONCILE_APPLY
                                                               : CMD_RECONCILE_RESTORE,
                                   .stable = COLOR_NONE};
        return remote_move(app, &cmd);
    }
    if (statedir_prepare(app->cfg->state_dir, msg, sizeof msg) != 0) {
        app_errorf(app, "%s", msg);
        return EXIT_FAILURE_IO;
    }
    /* Showing takes the lock too: a move in flight has an intent without
     * an outcome as well, and is no interrupted one. */
    int lock_fd = statedir_lock(app->cfg->state_dir, msg, sizeof msg);
    if (lock_fd < 0) {
        app_errorf(app, "%s", msg);
        return EXIT_REFUSED;
    }
    rc = run_direct(app, mode);
    statedir_unlock(lock_fd);
    return rc;
}
