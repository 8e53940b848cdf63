/* cutover (no command): the console on the configured host. */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "server/engine.h"
#include "tui/console.h"

int cmd_console(struct app *app, bool watch, const char *theme)
{
    char sock[1024], host[256] = "";
    /* A watcher never starts the server: it would outlive the watcher's q
     * and guard a cutover nobody started. The console waits for it and
     * says so. */
    if (!watch && !client_server_live(app->cfg)) {
        int rc = cli_start_server(app);
        if (rc != EXIT_OK)
            return rc;
    }
    engine_socket_path(app->cfg->state_dir, sock, sizeof sock);
    gethostname(host, sizeof host - 1);
    /* --theme wins over ui.theme; neither set leaves NULL, so NO_COLOR can
     * pick mono. */
    if (!theme && app->cfg->ui.theme[0])
        theme = app->cfg->ui.theme;
    struct console_options opt = {.socket_path = sock, .host = host, .theme = theme,
                                  .watch = watch, .step = app->cfg->rollout.step,
                                  .record_path = app->record_path, .note = app->console_note};
    return console_run(&opt);
}
