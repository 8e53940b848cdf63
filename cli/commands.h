/* The subcommands. Each takes the opened app and its own arguments (after the
 * subcommand's name) and returns an exit code from enum exit_code. */
#ifndef CUTOVER_CLI_COMMANDS_H
#define CUTOVER_CLI_COMMANDS_H

#include <stdbool.h>
#include "cli/app.h"

/* shift's arguments, parsed once whether the move runs directly or through
 * the server. */
struct shift_args {
    bool absolute;     /* --to N */
    int amount;        /* delta, or the candidate's weight with --to */
    int named_stable;  /* --stable C, or COLOR_NONE */
    bool force;        /* --force: override a guard's refusal... */
    char reason[200];  /* --reason TEXT: ...saying why (journaled) */
    double sample_s;   /* --sample S: without a server, signals sampled first */
};

int cmd_status(struct app *app, int argc, char **argv);
int cmd_shift(struct app *app, int argc, char **argv);
int cmd_rollback(struct app *app, int argc, char **argv);
/* cutover reconcile [--apply|--restore]: after an interrupted move (cli/cmd_reconcile.c). */
int cmd_reconcile(struct app *app, int argc, char **argv);
int cmd_init(struct app *app, int argc, char **argv);
int cmd_server(struct app *app, int argc, char **argv);
int cmd_attach(struct app *app, int argc, char **argv);
/* cutover report TIMELINE [--json]: a cutover after the fact (cli/cmd_report.c). */
int cmd_report(struct app *app, int argc, char **argv);
/* cutover replay TIMELINE [--speed N]: the console on a recorded timeline
 * (cli/cmd_replay.c). */
int cmd_replay(struct app *app, int argc, char **argv);
/* `cutover` with no command: the console, starting the server if needed. */
int cmd_console(struct app *app, bool watch, const char *theme);
/* Starts the server in the background unless one runs; prints what it did. */
int cli_start_server(struct app *app);
/* demo builds its own config, so it runs without an opened app. */
int cmd_demo(int argc, char **argv, const char *record_path);
/* demo on a terminal: the sandbox in a child, the console here. */
int demo_with_console(int argc, char **argv, const char *record_path);

int cli_parse_shift_args(struct app *app, int argc, char **argv, struct shift_args *a);
int cli_parse_rollback_args(struct app *app, int argc, char **argv, int *named);
/* The moves without a server: lock in state_dir, then the mover. */
int cmd_shift_direct(struct app *app, const struct shift_args *a);
int cmd_rollback_direct(struct app *app, int named);

/* Parses "blue"/"green" for --stable; prints an error and returns COLOR_NONE
 * (and sets *bad) when it is neither. */
int cli_parse_color_arg(struct app *app, const char *flag, const char *value, int *bad);

#endif
