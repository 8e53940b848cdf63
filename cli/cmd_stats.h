/* cutover stats: per-color numbers from a whole access log. */
#ifndef CUTOVER_CLI_CMD_STATS_H
#define CUTOVER_CLI_CMD_STATS_H

#include "cli/app.h"

/* cutover stats FILE [--json] [--since T] [--window S]. Colors come from the
 * config's addresses (app->cfg->colors[c].addr); anything else is "other".
 * Returns an exit code from enum exit_code (EXIT_FAILURE_IO when FILE cannot
 * be read, EXIT_USAGE on a bad command line). */
int cmd_stats(struct app *app, int argc, char **argv);

#endif
