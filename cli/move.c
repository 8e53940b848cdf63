/* move: the one path by which cutover changes nginx's weights. */
#include "cli/move.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "backends/atomicfile.h"
#include "backends/nginx.h"
#include "backends/proc.h"
#include "cli/statedir.h"
#include "core/journal.h"
#include "core/upstream.h"

static double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int read_weights(struct app *app, int weight[COLOR_COUNT])
{
    const struct config *cfg = app->cfg;
    char msg[512];
    char *text = NULL;
    size_t len;
    if (atomicfile_read(cfg->nginx.upstream_file, &text, &len, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot read the upstream file: %s", msg);
        return EXIT_FAILURE_IO;
    }
    const char *addr[COLOR_COUNT] = {cfg->colors[COLOR_BLUE].addr, cfg->colors[COLOR_GREEN].addr};
    int rc = upstream_parse(text, cfg->nginx.upstream_name, addr, weight, msg, sizeof msg);
    free(text);
    if (rc != 0) {
        app_errorf(app, "%s: %s", cfg->nginx.upstream_file, msg);
        return EXIT_FAILURE_IO;
    }
    return EXIT_OK;
}

int move_read_current(struct app *app, int named, struct move_current *cur)
{
    char msg[512];
    memset(cur, 0, sizeof *cur);
    int rc = read_weights(app, cur->weight);
    if (rc != EXIT_OK)
        return rc;
    if (statedir_load_rollout(app->cfg->state_dir, &cur->state, msg, sizeof msg) != 0) {
        app_errorf(app, "%s", msg);
        return EXIT_FAILURE_IO;
    }
    enum color stable;
    if (rollout_resolve_stable(cur->weight, &cur->state, named, &stable,
                               cur->why_unknown, sizeof cur->why_unknown) == 0) {
        cur->stable_known = true;
        cur->stable = stable;
        cur->candidate = color_other(stable);
    }
    return EXIT_OK;
}

static void nginx_params_from(const struct config *cfg, struct nginx_params *p)
{
    p->upstream_file = cfg->nginx.upstream_file;
    p->test_argv = cfg->nginx.test.argv;
    p->reload_argv = cfg->nginx.reload.argv;
    p->pid_file = cfg->nginx.pid_file;
    p->reload_confirm_ms = cfg->nginx.reload_confirm_ms;
    p->command_timeout_ms = cfg->command_timeout_ms;
}

static int exit_code_for(enum nginx_outcome o)
{
    switch (o) {
    case NGINX_OK: return EXIT_OK;
    case NGINX_WRITE_FAILED: return EXIT_FAILURE_IO;
    case NGINX_TEST_FAILED: return EXIT_TEST_FAILED;
    case NGINX_RESTORE_FAILED: return EXIT_FAILURE_IO;
    case NGINX_RELOAD_FAILED: return EXIT_RELOAD_FAILED;
    case NGINX_RELOAD_NOT_APPLIED: return EXIT_RELOAD_FAILED;
    }
    return EXIT_FAILURE_IO;
}

/* Fills the fields every journal line of this run shares. Strings are
 * borrowed: the event must not outlive app and cur. */
static void journal_base(struct app *app, const struct move_current *cur, const char *action,
                         struct journal_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->time = now_seconds();
    ev->user = app->user;
    ev->ssh_client = app->ssh_client[0] ? app->ssh_client : NULL;
    ev->action = (char *)action;
    for (int c = 0; c < COLOR_COUNT; c++) {
        ev->before[c] = cur->weight[c];
        ev->after[c] = -1;
    }
    ev->candidate = cur->stable_known ? (char *)color_name(cur->candidate) : NULL;
}

static void journal_write(struct app *app, const struct journal_event *ev)
{
    char msg[512];
    if (statedir_journal_append(app->cfg->state_dir, ev, msg, sizeof msg) != 0)
        app_errorf(app, "warning: journal not written: %s", msg);
}

void move_journal(struct app *app, const struct move_current *cur, const char *action,
                  const char *outcome, const char *error)
{
    struct journal_event ev;
    journal_base(app, cur, action, &ev);
    for (int c = 0; c < COLOR_COUNT; c++)
        ev.after[c] = cur->weight[c];
    ev.outcome = (char *)outcome;
    ev.error = (char *)error;
    journal_write(app, &ev);
}

static char *render_weights(struct app *app, const int after[COLOR_COUNT])
{
    const struct config *cfg = app->cfg;
    char msg[256];
    struct upstream_spec spec = {
        .name = cfg->nginx.upstream_name,
        .balance = cfg->nginx.balance,
        .server_params = cfg->nginx.server_params,
        .zone_size = cfg->nginx.zone_size,
        .addr = {cfg->colors[COLOR_BLUE].addr, cfg->colors[COLOR_GREEN].addr},
        .weight = {after[COLOR_BLUE], after[COLOR_GREEN]},
    };
    char *text = upstream_render(&spec, msg, sizeof msg);
    if (!text)
        app_errorf(app, "cannot render the upstream block: %s", msg);
    return text;
}

static void candidate_version(struct app *app, enum color candidate, char *out, size_t outlen)
{
    char msg[256];
    const struct config_color *cc = &app->cfg->colors[candidate];
    out[0] = '\0';
    if (proc_version(&app->loop, cc->version.argv, app->cfg->command_timeout_ms,
                     out, outlen, msg, sizeof msg) < 0)
        app_errorf(app, "warning: %s version unknown: %s", color_name(candidate), msg);
}

static void save_state(struct app *app, const struct move_current *cur,
                       const int after[COLOR_COUNT])
{
    char msg[512];
    struct rollout_state next = rollout_after_move(&cur->state, cur->stable, after, now_seconds());
    if (statedir_save_rollout(app->cfg->state_dir, &next, msg, sizeof msg) != 0)
        app_errorf(app, "warning: rollout state not saved: %s", msg);
}

static void print_outcome(struct app *app, const struct nginx_report *rep,
                          const int before[COLOR_COUNT], const int after[COLOR_COUNT])
{
    if (rep->outcome == NGINX_OK) {
        fprintf(app->out, "blue %d / green %d -> blue %d / green %d: %s\n",
                before[COLOR_BLUE], before[COLOR_GREEN], after[COLOR_BLUE], after[COLOR_GREEN],
                rep->message);
        return;
    }
    switch (rep->outcome) {
    case NGINX_TEST_FAILED:
        app_errorf(app, "nginx rejected the new upstream file; the previous file is restored "
                        "and traffic is unchanged. nginx said: %s", rep->message);
        break;
    case NGINX_RELOAD_FAILED:
    case NGINX_RELOAD_NOT_APPLIED:
        app_errorf(app, "%s (the new file passed nginx -t and stays in place; "
                        "`cutover status` shows it)", rep->message);
        break;
    default:
        app_errorf(app, "%s", rep->message);
        break;
    }
}

/* The stable color is written down before the first byte of the upstream
 * file changes: a cutover killed between the two would otherwise leave, say,
 * 30/70 with no state, and the heavier color would pass for the stable one. */
static int record_stable(struct app *app, const struct move_current *cur)
{
    char msg[512];
    if (cur->state.known && cur->state.stable == cur->stable)
        return EXIT_OK;
    struct rollout_state st = {.known = true, .stable = cur->stable, .since = now_seconds()};
    if (statedir_save_rollout(app->cfg->state_dir, &st, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot record the stable color before moving: %s", msg);
        return EXIT_FAILURE_IO;
    }
    return EXIT_OK;
}

int move_apply(struct app *app, const struct move_current *cur,
               const int after[COLOR_COUNT], const char *action)
{
    char version[128];
    int rc = record_stable(app, cur);
    if (rc != EXIT_OK)
        return rc;
    char *text = render_weights(app, after);
    if (!text)
        return EXIT_USAGE;
    candidate_version(app, cur->candidate, version, sizeof version);

    struct nginx_params params;
    struct nginx_report rep;
    nginx_params_from(app->cfg, &params);
    nginx_apply_run(&app->loop, &params, text, &rep);
    free(text);

    struct journal_event ev;
    journal_base(app, cur, action, &ev);
    for (int c = 0; c < COLOR_COUNT; c++)
        ev.after[c] = after[c];
    ev.candidate_version = version[0] ? version : NULL;
    ev.outcome = (char *)nginx_outcome_name(rep.outcome);
    ev.error = rep.outcome == NGINX_OK ? NULL : rep.message;
    journal_write(app, &ev);

    /* A reload that was sent but not confirmed still left the new file in
     * place, and nginx will serve it at the next reload: record the state. */
    if (rep.outcome == NGINX_OK || rep.outcome == NGINX_RELOAD_NOT_APPLIED ||
        rep.outcome == NGINX_RELOAD_FAILED)
        save_state(app, cur, after);
    print_outcome(app, &rep, cur->weight, after);
    return exit_code_for(rep.outcome);
}
