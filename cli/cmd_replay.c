/* cutover replay TIMELINE [--speed N]: the console, read-only, on a
 * cutover's timeline: the chart and panels show what the operator saw then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/atomicfile.h"
#include "cli/commands.h"
#include "cli/timeline_path.h"
#include "cli/exitcode.h"
#include "tui/console.h"
#include "tui/replay.h"

static int parse_args(struct app *app, int argc, char **argv, const char **file, double *speed)
{
    *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--speed") == 0 && i + 1 < argc) {
            char *end;
            *speed = strtod(argv[++i], &end);
            if (*end || *speed < 0.25 || *speed > 64) {
                app_errorf(app, "replay: --speed wants a number from 0.25 to 64, got '%s'", argv[i]);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] != '-' && !*file) {
            *file = argv[i];
        } else {
            app_errorf(app, "replay: unexpected '%s' (usage: cutover replay TIMELINE [--speed N])",
                       argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!*file) {
        app_errorf(app, "replay: which timeline? (a file, an id, or latest)");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_replay(struct app *app, int argc, char **argv)
{
    const char *arg;
    double speed = 1;
    char path[1280], err[512];
    int rc = parse_args(app, argc, argv, &arg, &speed);
    if (rc != EXIT_OK)
        return rc;
    if (timeline_path_resolve(app->cfg, arg, path, sizeof path, err, sizeof err) != 0) {
        app_errorf(app, "replay: %s", err);
        return EXIT_USAGE;
    }
    char *text = NULL;
    size_t len = 0;
    if (atomicfile_read(path, &text, &len, err, sizeof err) != 0) {
        app_errorf(app, "replay: %s", err);
        return EXIT_FAILURE_IO;
    }
    struct replay *r;
    rc = replay_open(text, len, path, &r, err, sizeof err);
    free(text);
    if (rc != 0) {
        app_errorf(app, "replay: %s: %s", path, err);
        return EXIT_USAGE;
    }
    const char *theme = app->cfg->ui.theme[0] ? app->cfg->ui.theme : NULL;
    struct console_options opt = {.host = replay_host(r), .theme = theme, .watch = true,
                                  .step = app->cfg->rollout.step, .record_path = app->record_path,
                                  .replay = r, .replay_speed = speed};
    rc = console_run(&opt);
    replay_free(r);
    return rc;
}
