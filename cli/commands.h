/* The subcommands. Each takes the opened app and its own arguments (after the
 * subcommand's name) and returns an exit code from enum exit_code. */
#ifndef CUTOVER_CLI_COMMANDS_H
#define CUTOVER_CLI_COMMANDS_H

#include "cli/app.h"

int cmd_status(struct app *app, int argc, char **argv);
int cmd_shift(struct app *app, int argc, char **argv);
int cmd_rollback(struct app *app, int argc, char **argv);
int cmd_init(struct app *app, int argc, char **argv);
/* demo builds its own config, so it runs without an opened app. */
int cmd_demo(int argc, char **argv);

/* Parses "blue"/"green" for --stable; prints an error and returns COLOR_NONE
 * (and sets *bad) when it is neither. */
int cli_parse_color_arg(struct app *app, const char *flag, const char *value, int *bad);

#endif
