/* cutover check: runs the preflight on the app's loop and prints it. */
#include "cli/cmd_check.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/mover.h"
#include "runtime/statedir.h"

cJSON *cmd_check_report_json(const struct preflight_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "checks");
    for (int i = 0; i < r->count; i++) {
        const struct preflight_check *c = &r->checks[i];
        cJSON *one = cJSON_CreateObject();
        cJSON_AddStringToObject(one, "name", c->name);
        cJSON_AddStringToObject(one, "status", preflight_status_name(c->status));
        cJSON_AddStringToObject(one, "detail", c->detail);
        cJSON_AddItemToArray(list, one);
    }
    cJSON_AddBoolToObject(o, "passed", preflight_passed(r));
    return o;
}

static int print_json(struct app *app, const struct preflight_report *r)
{
    cJSON *o = cmd_check_report_json(r);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) {
        app_errorf(app, "out of memory");
        return EXIT_FAILURE_IO;
    }
    fprintf(app->out, "%s\n", text);
    free(text);
    return EXIT_OK;
}

static void print_text(struct app *app, const struct preflight_report *r)
{
    for (int i = 0; i < r->count; i++) {
        const struct preflight_check *c = &r->checks[i];
        fprintf(app->out, "%-7s  %-15s  %s\n", preflight_status_name(c->status), c->name,
                c->detail);
    }
}

/* Beside the preflight: does the balancer's file hold what it was last
 * confirmed to run? An interrupted move fails the check until reconciled. */
static void check_confirmed(struct app *app, struct preflight_report *r)
{
    struct mover_current cur;
    char msg[512];
    const char *name = balancer_of(app->cfg)->name;
    if (mover_read_current(app->cfg, COLOR_NONE, &cur, msg, sizeof msg) != 0) {
        preflight_add(r, "moves", PREFLIGHT_SKIPPED, "%s", msg);
        return;
    }
    const int *c = cur.rec.confirmed, *f = cur.rec.file;
    long holder = statedir_lock_holder(app->cfg->state_dir);
    if (cur.rec.verdict != INTENT_RECONCILE)
        preflight_add(r, "moves", PREFLIGHT_OK, "%s runs blue %d / green %d as confirmed; the "
                      "upstream file agrees", name, c[COLOR_BLUE], c[COLOR_GREEN]);
    else if (holder != 0)
        preflight_add(r, "moves", PREFLIGHT_WARN, "a move is in flight (pid %ld)", holder);
    else
        preflight_add(r, "moves", PREFLIGHT_FAIL, "%s was last confirmed to run blue %d / green "
                      "%d but the upstream file holds blue %d / green %d (%s): run `%s` or `%s` "
                      "(see `cutover reconcile`)", name, c[COLOR_BLUE], c[COLOR_GREEN],
                      f[COLOR_BLUE], f[COLOR_GREEN],
                      cur.rec.pending ? "a move did not finish" : "the last reload did not",
                      INTENT_CMD_APPLY, INTENT_CMD_RESTORE);
}

int cmd_check(struct app *app, int argc, char **argv)
{
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            app_errorf(app, "check: unknown argument '%s' (usage: cutover check [--json])",
                       argv[i]);
            return EXIT_USAGE;
        }
    }
    /* The report is a few KiB and this is a one-shot command. */
    struct preflight_report *r = malloc(sizeof *r);
    if (!r) {
        app_errorf(app, "out of memory");
        return EXIT_FAILURE_IO;
    }
    preflight_run(&app->loop, app->cfg, r);
    check_confirmed(app, r);
    int rc = EXIT_OK;
    if (json)
        rc = print_json(app, r);
    else
        print_text(app, r);
    fflush(app->out);
    if (rc == EXIT_OK && !preflight_passed(r))
        rc = EXIT_REFUSED;
    free(r);
    return rc;
}
