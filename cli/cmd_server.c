/* cutover server [--foreground | start | stop [--force] | status], and
 * cutover attach [--watch] [--steal]: a plain client that prints every
 * message from the server (JSON lines), for scripts and tests. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "server/mover.h"
#include "server/server.h"

/* The server is started with this very binary and an absolute config path:
 * it runs in `/`-independent ways and outlives our working directory. */
int cli_start_server(struct app *app)
{
    char exe[PATH_MAX], cfg[PATH_MAX] = "", msg[1024];
    size_t n = sizeof exe;
    if (uv_exepath(exe, &n) != 0) {
        app_errorf(app, "cannot find the cutover binary to start the server");
        return EXIT_FAILURE_IO;
    }
    if (app->config_path[0] && !realpath(app->config_path, cfg)) {
        app_errorf(app, "%s: %s", app->config_path, strerror(errno));
        return EXIT_FAILURE_IO;
    }
    pid_t running = server_running_pid(app->cfg->state_dir);
    if (running > 0) {
        fprintf(app->out, "a cutover server already runs (pid %ld)\n", (long)running);
        return EXIT_OK;
    }
    if (server_spawn(exe, cfg, app->cfg, 10000, msg, sizeof msg) != 0) {
        app_errorf(app, "%s", msg);
        return EXIT_FAILURE_IO;
    }
    fprintf(app->out, "cutover server started (pid %ld), log in %s/server.log\n",
            (long)server_running_pid(app->cfg->state_dir), app->cfg->state_dir);
    return EXIT_OK;
}

/* A cutover is in progress while neither color holds all the weight: stopping
 * the server then would leave it unguarded. */
static bool cutover_in_progress(struct app *app, char *why, size_t len)
{
    struct mover_current cur;
    if (mover_read_current(app->cfg, COLOR_NONE, &cur, why, len) != 0)
        return false;
    if (cur.weight[COLOR_BLUE] == 100 || cur.weight[COLOR_GREEN] == 100)
        return false;
    snprintf(why, len, "a cutover is in progress (blue %d / green %d)", cur.weight[COLOR_BLUE],
             cur.weight[COLOR_GREEN]);
    return true;
}

static int stop_server(struct app *app, bool force)
{
    char why[512];
    pid_t pid = server_running_pid(app->cfg->state_dir);
    if (pid <= 0) {
        fprintf(app->out, "no cutover server runs for %s\n", app->cfg->state_dir);
        return EXIT_OK;
    }
    if (!force && cutover_in_progress(app, why, sizeof why)) {
        app_errorf(app, "refused: %s and the server guards it; finish or roll back first, "
                        "or stop it anyway with `cutover server stop --force`", why);
        return EXIT_REFUSED;
    }
    if (kill(pid, SIGTERM) != 0) {
        app_errorf(app, "cannot signal the server (pid %ld): %s", (long)pid, strerror(errno));
        return EXIT_FAILURE_IO;
    }
    for (int i = 0; i < 100 && server_running_pid(app->cfg->state_dir) > 0; i++)
        usleep(100 * 1000);
    if (server_running_pid(app->cfg->state_dir) > 0) {
        app_errorf(app, "the server (pid %ld) has not stopped after 10 s", (long)pid);
        return EXIT_FAILURE_IO;
    }
    fprintf(app->out, "cutover server (pid %ld) stopped\n", (long)pid);
    return EXIT_OK;
}

/* --export-format csv|json overrides export.format for `start` and
 * `--foreground` (it is passed on to the detached server); it is taken out
 * of argv, so the subcommand reads the same either way. Returns EXIT_OK,
 * or EXIT_USAGE after saying why; *given tells whether it was there. */
static int take_export_format(struct app *app, int *argc, char **argv, bool *given)
{
    int out = 0;
    *given = false;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--export-format") != 0) {
            argv[out++] = argv[i];
            continue;
        }
        const char *v = i + 1 < *argc ? argv[++i] : "";
        if (strcmp(v, "csv") != 0 && strcmp(v, "json") != 0) {
            app_errorf(app, "--export-format: expected csv or json, got '%s'", v);
            return EXIT_USAGE;
        }
        char *copy = strdup(v);
        if (!copy) {
            app_errorf(app, "out of memory");
            return EXIT_FAILURE_IO;
        }
        free(app->cfg->export.format);
        app->cfg->export.format = copy;
        *given = true;
    }
    *argc = out;
    return EXIT_OK;
}

int cmd_server(struct app *app, int argc, char **argv)
{
    bool format_given;
    int rc = take_export_format(app, &argc, argv, &format_given);
    if (rc != EXIT_OK)
        return rc;
    if (argc == 0 || strcmp(argv[0], "start") == 0)
        return cli_start_server(app);
    if (strcmp(argv[0], "--foreground") == 0)
        return exitcode_of(server_run(app->cfg));
    if (format_given) {
        app_errorf(app, "--export-format goes with server start or server --foreground");
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "stop") == 0) {
        bool force = argc > 1 && strcmp(argv[1], "--force") == 0;
        return stop_server(app, force);
    }
    if (strcmp(argv[0], "status") == 0) {
        pid_t pid = server_running_pid(app->cfg->state_dir);
        if (pid > 0)
            fprintf(app->out, "cutover server running (pid %ld) for %s\n", (long)pid, app->cfg->state_dir);
        else
            fprintf(app->out, "no cutover server runs for %s\n", app->cfg->state_dir);
        return pid > 0 ? EXIT_OK : EXIT_FAILURE_IO;
    }
    app_errorf(app, "server: unknown argument '%s' (expected start, stop [--force], status "
                    "or --foreground)", argv[0]);
    return EXIT_USAGE;
}

static int print_messages(struct app *app, struct client *c)
{
    char msg[256];
    char *hello = cJSON_PrintUnformatted(c->hello);
    fprintf(app->out, "%s\n", hello);
    free(hello);
    fflush(app->out);
    for (;;) {
        cJSON *j = client_read(c, 24 * 3600 * 1000, msg, sizeof msg);
        if (!j) {
            app_errorf(app, "%s", msg);
            return EXIT_FAILURE_IO;
        }
        char *line = cJSON_PrintUnformatted(j);
        fprintf(app->out, "%s\n", line);
        fflush(app->out);
        free(line);
        cJSON_Delete(j);
    }
}

int cmd_attach(struct app *app, int argc, char **argv)
{
    bool watch = false, steal = false;
    char msg[512];
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--watch") == 0)
            watch = true;
        else if (strcmp(argv[i], "--steal") == 0)
            steal = true;
        else {
            app_errorf(app, "attach: unknown argument '%s' (expected --watch, --steal)", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!client_server_live(app->cfg)) {
        int rc = cli_start_server(app);
        if (rc != EXIT_OK)
            return rc;
    }
    struct client c;
    if (client_open(&c, app->cfg, !watch && !steal, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot reach the cutover server: %s", msg);
        return EXIT_FAILURE_IO;
    }
    if (steal) {
        struct protocol_cmd take = {.id = 1, .name = CMD_TAKE_CONTROL, .steal = true,
                                    .stable = COLOR_NONE};
        cJSON *r = client_call(&c, &take, 10000, msg, sizeof msg);
        cJSON_Delete(r);
    }
    int rc = print_messages(app, &c);
    client_close(&c);
    return rc;
}
