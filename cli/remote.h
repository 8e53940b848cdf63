/* remote: shift, rollback and status through a running server, so a script
 * obeys the same control lock and guards as the console. */
#ifndef CUTOVER_CLI_REMOTE_H
#define CUTOVER_CLI_REMOTE_H

#include <cjson/cJSON.h>
#include "cli/app.h"
#include "core/protocol.h"

/* Takes control (never steals), runs cmd, releases. Prints the outcome;
 * returns the server's exit code for it. */
int remote_move(struct app *app, const struct protocol_cmd *cmd);

/* The server's latest snapshot (caller owns), or NULL after printing why. */
cJSON *remote_snapshot(struct app *app);

#endif
