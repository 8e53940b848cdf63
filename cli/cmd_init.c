/* cutover init: what to add to nginx, and a config to start from. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/balancer.h"
#include "cli/cfgedit.h"
#include "cli/commands.h"
#include "cli/snippets.h"

/* One LaunchAgent per color, as the runbook asks: launchctl targets the right
 * process family, and each color logs to its own file. */
static void fill_launchd_commands(struct config *cfg)
{
    for (int c = 0; c < COLOR_COUNT; c++) {
        char target[128], plist[256], repo[128];
        snprintf(target, sizeof target, "gui/%ld/ai.openclaw.gateway.%s", (long)getuid(),
                 color_name((enum color)c));
        snprintf(plist, sizeof plist, "/Users/you/Library/LaunchAgents/ai.openclaw.gateway.%s.plist",
                 color_name((enum color)c));
        snprintf(repo, sizeof repo, "/opt/openclaw/%s", color_name((enum color)c));
        char domain[64];
        snprintf(domain, sizeof domain, "gui/%ld", (long)getuid());
        const char *stop[] = {"launchctl", "bootout", target, NULL};
        const char *start[] = {"launchctl", "bootstrap", domain, plist, NULL};
        const char *version[] = {"git", "-C", repo, "rev-parse", "--short", "HEAD", NULL};
        cfgedit_set_argv(&cfg->colors[c].stop, stop);
        cfgedit_set_argv(&cfg->colors[c].start, start);
        cfgedit_set_argv(&cfg->colors[c].version, version);
    }
}

int cmd_init(struct app *app, int argc, char **argv)
{
    if (argc > 0) {
        app_errorf(app, "init: takes no arguments");
        return EXIT_USAGE;
    }
    const struct config *cfg = app->cfg;
    FILE *out = app->out;
    fprintf(out, "# 1. In the http {} block of nginx.conf: our access-log format, and the\n"
                 "#    upstream file cutover owns (it holds only the upstream block).\n");
    fprintf(out, "%s\n", balancer_of(cfg)->log_format);
    fprintf(out, "access_log %s cutover;\n", cfg->nginx.access_log);
    fprintf(out, "include %s;\n\n", cfg->nginx.upstream_file);
    fprintf(out, "# 2. In the server {} block: the location that proxies the gateway.\n");
    snippets_print_location(out, "", cfg->nginx.upstream_name, cfg->gateway.idle_timeout_s);
    fprintf(out, "\n# 3. A config to start from (save as ~/.config/cutover/config.json).\n"
                 "#    stop/start/version are argument arrays, never a shell line.\n");

    struct config *sample = config_new_defaults();
    if (!sample)
        return EXIT_FAILURE_IO;
    fill_launchd_commands(sample);
    char *json = config_to_json(sample);
    fprintf(out, "%s\n", json ? json : "{}");
    free(json);
    config_free(sample);
    return EXIT_OK;
}
