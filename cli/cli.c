/* cli: global options, then one subcommand. */
#include "cli/cli.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cmd_check.h"
#include "cli/cmd_stats.h"
#include "cli/commands.h"

static const char usage_text[] =
    "usage: cutover [-c FILE] [--watch] [--theme NAME] [--record FILE.cast]   the console\n"
    "       cutover [-c FILE] COMMAND [ARGS]\n"
    "\n"
    "Drives a blue/green traffic drain of a gateway behind nginx: moves the\n"
    "upstream weights in steps, validates with nginx -t, reloads, rolls back.\n"
    "\n"
    "commands:\n"
    "  status [--json] [--sample S] [--stable C]\n"
    "                       weights nginx really has, phase, stable and candidate, and the live\n"
    "                       signals per color (sampled for S seconds, default 3; 0: weights only)\n"
    "  shift +N | -N | --to N [--stable C] [--force --reason TEXT] [--sample S]\n"
    "                       move N points toward the candidate (+) or the stable color (-),\n"
    "                       or set the candidate's weight to N. Steps toward the candidate\n"
    "                       pass the guards (TTFT within rollout.ttft_halt_pct, the dwell);\n"
    "                       --force --reason overrides them, journaled. Without a server the\n"
    "                       signals are sampled for S seconds first\n"
    "  rollback [--stable C] all weight back to the stable color, then stop the candidate\n"
    "  reconcile [--apply | --restore]\n"
    "                       after a move that did not finish (a killed cutover or server):\n"
    "                       what nginx was last confirmed to run and what the file holds;\n"
    "                       --apply: nginx -t and reload the file (one step at most),\n"
    "                       --restore: put back the confirmed weights. Shifts wait for it\n"
    "  stats LOG [--json] [--since T] [--window S] [--threads N]\n"
    "                       per color from a whole access log: requests, 5xx, header-time p50/p95/p99\n"
    "  server [start | stop [--force] | status | --foreground] [--export-format csv|json]\n"
    "                       the engine that keeps collecting and guarding when SSH drops;\n"
    "                       status, shift and rollback go through it when it runs\n"
    "  attach [--watch] [--steal]\n"
    "                       connect to the server (starting it if needed) and print its\n"
    "                       messages as JSON lines; takes control unless --watch\n"
    "  check [--json]       preflight: loopback listeners, health and a probe, nginx -T settings,\n"
    "                       secrets parity, debug routes, port distance, open-files limit\n"
    "  report TIMELINE [--json]\n"
    "                       a cutover after the fact: each step with its dwell and signals,\n"
    "                       every guard event and action with who and why, total time\n"
    "  replay TIMELINE [--speed N]\n"
    "                       the console, read-only, on a cutover's timeline (state_dir/timelines)\n"
    "  init                 print the nginx snippets and a sample config\n"
    "  demo [--dir D] [--no-load] [--rps N] [--no-console] [--scenario NAME|FILE]\n"
    "                       a sandbox: nginx and two simulated gateways on loopback, with load;\n"
    "                       on a terminal it opens the console on it (q quits and cleans up)\n"
    "\n"
    "The console (no command) starts the server if needed and opens in CONTROL when\n"
    "it gets control, else in WATCH; --watch never asks for control. Keys: ? in it.\n"
    "\n"
    "options:\n"
    "  -c FILE    config file (else $CUTOVER_CONFIG, ./cutover.json,\n"
    "             $XDG_CONFIG_HOME/cutover/config.json, else the built-in defaults)\n"
    "  --watch    console: read-only, moving keys not bound\n"
    "  --theme T  console: default, colorblind, mono, high-contrast or a .theme file\n"
    "  --record F console, watch and replay: record the screen as an asciicast v2 file\n"
    "             (asciinema play F); keys are never recorded\n"
    "  --help     this text\n"
    "  --version  print the version\n"
    "\n"
    "exit codes:\n"
    "  0 done   1 I/O error   2 usage or config error (nothing touched)\n"
    "  3 nginx -t rejected the new file (previous file restored)\n"
    "  4 reload failed or not applied   5 refused (at an end, locked, stable unknown,\n"
    "    a guard, a failed preflight check, a move to reconcile first)\n"
    "  6 rollback done but the candidate's stop command failed\n";

struct command {
    const char *name;
    int (*run)(struct app *app, int argc, char **argv);
};

static const struct command commands[] = {
    {"status", cmd_status},
    {"shift", cmd_shift},
    {"rollback", cmd_rollback},
    {"reconcile", cmd_reconcile},
    {"init", cmd_init},
    {"stats", cmd_stats},
    {"check", cmd_check},
    {"server", cmd_server},
    {"attach", cmd_attach},
    {"report", cmd_report},
    {"replay", cmd_replay},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int cli_parse_color_arg(struct app *app, const char *flag, const char *value, int *bad)
{
    int c = value ? color_parse(value) : COLOR_NONE;
    if (c == COLOR_NONE) {
        app_errorf(app, "%s: expected blue or green, got '%s'", flag, value ? value : "");
        *bad = 1;
    }
    return c;
}

int cli_main(int argc, char **argv)
{
    const char *config_flag = NULL;
    const char *theme = NULL;
    const char *record = NULL;
    bool watch = false;
    int i = 1;
    /* A child's closed pipe must come back as an error, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("cutover %s\n", PACKAGE_VERSION);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            config_flag = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--watch") == 0) {
            watch = true;
            continue;
        }
        if (strcmp(argv[i], "--theme") == 0 && i + 1 < argc) {
            theme = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--record") == 0 && i + 1 < argc) {
            record = argv[++i];
            continue;
        }
        fprintf(stderr, "cutover: unknown option '%s' (see cutover --help)\n", argv[i]);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        struct app app = {.record_path = record};
        int rc = app_open(&app, config_flag);
        if (rc != EXIT_OK)
            return rc;
        rc = cmd_console(&app, watch, theme);
        app_close(&app);
        return rc;
    }
    if (strcmp(argv[i], "demo") == 0)
        return cmd_demo(argc - i - 1, argv + i + 1, record);
    const struct command *cmd = find_command(argv[i]);
    if (!cmd) {
        fprintf(stderr, "cutover: unknown command '%s' (see cutover --help)\n", argv[i]);
        return EXIT_USAGE;
    }
    struct app app = {.record_path = record};
    int rc = app_open(&app, config_flag);
    if (rc != EXIT_OK)
        return rc;
    rc = cmd->run(&app, argc - i - 1, argv + i + 1);
    app_close(&app);
    return rc;
}
