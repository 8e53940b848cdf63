/* app: the one object a cutover command runs in: its loop, its config, where
 * its state lives, and who is running it. The app owns all of them. */
#ifndef CUTOVER_CLI_APP_H
#define CUTOVER_CLI_APP_H

#include <stdbool.h>
#include <stdio.h>
#include <uv.h>
#include "core/config.h"
#include "cli/exitcode.h"


struct app {
    uv_loop_t loop;
    struct config *cfg;
    char config_path[1024];    /* "" when running on defaults */
    char user[64];
    char ssh_client[128];      /* "" when not over SSH */
    FILE *out;                 /* stdout, or a test's stream */
    FILE *err;
    const char *record_path;   /* --record FILE: consoles record into it; NULL none */
    const char *console_note;  /* the console's note (the demo's sandbox); NULL none */
    char tried[1200];          /* on the defaults: the paths looked at, for the first error */
    bool tried_said;
};

/* Where the config comes from: -c FILE, else $CUTOVER_CONFIG, else ./cutover.json,
 * else $XDG_CONFIG_HOME/cutover/config.json; none found means the runbook's defaults.
 * A file named explicitly (-c or $CUTOVER_CONFIG) must exist.
 * Returns EXIT_OK, or EXIT_USAGE with a one-line message printed to app->err. */
int app_open(struct app *app, const char *config_flag);
void app_close(struct app *app);

/* printf to app->err with a "cutover: " prefix and a newline. On the
 * built-in defaults (no config file found), the first error is followed by
 * a line naming the paths that were tried: a failure on the defaults is
 * most often a config that was not found. */
void app_errorf(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
