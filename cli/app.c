/* app: config discovery and the per-run context. */
#include "cli/app.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/atomicfile.h"

void app_errorf(struct app *app, const char *fmt, ...)
{
    va_list ap;
    fputs("cutover: ", app->err);
    va_start(ap, fmt);
    vfprintf(app->err, fmt, ap);
    va_end(ap);
    fputc('\n', app->err);
    if (!app->config_path[0] && app->tried[0] && !app->tried_said) {
        app->tried_said = true;
        fprintf(app->err, "cutover: (no config file was found, so this ran on the built-in "
                          "defaults; tried %s: name one with -c FILE)\n", app->tried);
    }
}

static bool file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Fills path with the config to read; "" means none was found (defaults),
 * and then tried lists where it looked. Returns false when an explicitly
 * named file is missing. */
static bool locate_config(const char *flag, char *path, size_t len, const char **named_by,
                          char *tried, size_t tried_len)
{
    const char *env = getenv("CUTOVER_CONFIG");
    path[0] = '\0';
    *named_by = NULL;
    if (flag) {
        snprintf(path, len, "%s", flag);
        *named_by = "-c";
        return file_exists(path);
    }
    if (env && env[0]) {
        snprintf(path, len, "%s", env);
        *named_by = "$CUTOVER_CONFIG";
        return file_exists(path);
    }
    if (file_exists("cutover.json")) {
        snprintf(path, len, "cutover.json");
        return true;
    }
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char candidate[1024], cwd[512];
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    snprintf(tried, tried_len, "-c (not given), $CUTOVER_CONFIG (unset), %.400s/cutover.json", cwd);
    if (xdg && xdg[0])
        snprintf(candidate, sizeof candidate, "%s/cutover/config.json", xdg);
    else if (home && home[0])
        snprintf(candidate, sizeof candidate, "%s/.config/cutover/config.json", home);
    else
        return true;
    if (file_exists(candidate))
        snprintf(path, len, "%s", candidate);
    size_t n = strlen(tried);
    snprintf(tried + n, tried_len - n, ", %.500s", candidate);
    return true;
}

/* state_dir defaults to $XDG_STATE_HOME/cutover (~/.local/state/cutover). */
static char *default_state_dir(void)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char buf[1024];
    if (xdg && xdg[0])
        snprintf(buf, sizeof buf, "%s/cutover", xdg);
    else if (home && home[0])
        snprintf(buf, sizeof buf, "%s/.local/state/cutover", home);
    else
        snprintf(buf, sizeof buf, "/tmp/cutover-state-%ld", (long)geteuid());
    return strdup(buf);
}

static void fill_identity(struct app *app)
{
    const char *user = getenv("USER");
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        user = pw->pw_name;
    snprintf(app->user, sizeof app->user, "%s", user ? user : "unknown");
    const char *ssh = getenv("SSH_CLIENT");
    snprintf(app->ssh_client, sizeof app->ssh_client, "%s", ssh ? ssh : "");
}

static int load_config(struct app *app)
{
    char msg[512];
    if (!app->config_path[0]) {
        app->cfg = config_new_defaults();
        return app->cfg ? EXIT_OK : EXIT_FAILURE_IO;
    }
    char *text = NULL;
    size_t len = 0;
    if (atomicfile_read(app->config_path, &text, &len, msg, sizeof msg) != 0) {
        app_errorf(app, "%s", msg);
        return EXIT_USAGE;
    }
    int rc = config_parse(text, app->config_path, &app->cfg, msg, sizeof msg);
    free(text);
    if (rc != 0) {
        app_errorf(app, "%s", msg);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int app_open(struct app *app, const char *config_flag)
{
    const char *named_by;
    if (!app->out)
        app->out = stdout;
    if (!app->err)
        app->err = stderr;
    fill_identity(app);
    if (!locate_config(config_flag, app->config_path, sizeof app->config_path, &named_by,
                       app->tried, sizeof app->tried)) {
        app_errorf(app, "%s: config file not found (named by %s)", app->config_path, named_by);
        return EXIT_USAGE;
    }
    int rc = load_config(app);
    if (rc != EXIT_OK)
        return rc;
    if (!app->cfg->state_dir)
        app->cfg->state_dir = default_state_dir();
    if (uv_loop_init(&app->loop) != 0) {
        app_errorf(app, "cannot start the event loop");
        config_free(app->cfg);
        app->cfg = NULL;
        return EXIT_FAILURE_IO;
    }
    return EXIT_OK;
}

void app_close(struct app *app)
{
    if (app->cfg) {
        /* Children and timers are closed by their owners; this only drains
         * the close callbacks they left. */
        uv_run(&app->loop, UV_RUN_DEFAULT);
        uv_loop_close(&app->loop);
        config_free(app->cfg);
        app->cfg = NULL;
    }
}
