/* cutover check: runs the preflight on the app's loop and prints it. */
#include "cli/cmd_check.h"

#include <stdlib.h>
#include <string.h>

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
