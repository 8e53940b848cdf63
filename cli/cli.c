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
    "       [--gateway sims|openclaw]\n"
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

/* A command: its function (NULL for demo, which opens no config first) and
 * what `cutover COMMAND --help` prints: the usage line, then what it does. */
struct command {
    const char *name;
    int (*run)(struct app *app, int argc, char **argv);
    const char *usage;
    const char *help;
};

static const struct command commands[] = {
    {"status", cmd_status, "status [--json] [--sample S] [--stable blue|green]",
     "The weights nginx really has (read back from the upstream file), the phase, the\n"
     "stable and candidate colors, the next step, and per color the live signals. From\n"
     "the server when one runs; otherwise sampled here for S seconds (default 3; 0:\n"
     "weights only). --stable names the stable color at 50/50 with no cutover state.\n"},
    {"shift", cmd_shift,
     "shift +N | -N | --to N [--stable C] [--force --reason TEXT] [--sample S]",
     "One step toward the candidate (+) or the stable color (-), or the candidate's\n"
     "weight set to N (one step at most from what nginx runs). Steps toward the\n"
     "candidate pass the guards (the TTFT verdict, bursting probes while undecided;\n"
     "failure parity; the dwell) and, for the first step, the preflight checks;\n"
     "--force --reason overrides them (journaled with the numbers). Exit 5 when refused.\n"},
    {"rollback", cmd_rollback, "rollback [--stable blue|green]",
     "All weight back to the stable color, then the candidate's stop command.\n"},
    {"reconcile", cmd_reconcile, "reconcile [--apply | --restore]",
     "A move that did not finish (the file and what nginx was last confirmed to run\n"
     "differ): --apply tests and reloads the file as it stands, --restore puts back\n"
     "the weights nginx was confirmed to run. Nothing else moves until then.\n"},
    {"init", cmd_init, "init",
     "Prints the nginx snippets (the upstream include, our log_format, the streaming\n"
     "location) and a sample config.\n"},
    {"stats", cmd_stats, "stats LOG [--json] [--since T] [--window S] [--threads N]",
     "Per color from a whole access log in our format: upstream attempts, 5xx and\n"
     "their ratio, header-time p50/p95/p99, malformed lines.\n"},
    {"check", cmd_check, "check [--json]",
     "Preflight: loopback-only listeners, health and one probe per color, nginx -T\n"
     "settings, secrets parity, debug routes, port distance, open-files limit. Exit 5\n"
     "when a check fails.\n"},
    {"server", cmd_server,
     "server [start | stop [--force] | status | --foreground] [--export-format csv|json]",
     "The engine (one per state_dir) that keeps collecting and guarding when SSH\n"
     "drops; status, shift and rollback go through it when it runs. stop is refused\n"
     "mid-cutover unless --force.\n"},
    {"attach", cmd_attach, "attach [--watch] [--steal]",
     "Connects to the server (starting it if needed), takes control unless --watch\n"
     "(--steal takes it from its holder, journaled) and prints its messages as JSON\n"
     "lines.\n"},
    {"report", cmd_report, "report TIMELINE [--json]",
     "A cutover after the fact (TIMELINE: latest, an id, or a file in\n"
     "state_dir/timelines): each step with its dwell and signals, guard events,\n"
     "every action with who and why, total time.\n"},
    {"replay", cmd_replay, "replay TIMELINE [--speed N]",
     "The console, read-only, on a cutover's timeline: space pauses, < and > halve\n"
     "and double the speed, g jumps to the next event.\n"},
    {"demo", NULL,
     "demo [--dir D] [--no-load] [--rps N] [--no-console] [--scenario NAME|FILE]\n"
     "     [--gateway sims|openclaw]",
     "A sandbox: nginx and two simulated gateways (cutover-sim) on loopback, with\n"
     "load (--rps, default 20; --no-load: none). On a terminal it opens the console on\n"
     "it and shows where the sandbox is and the command that watches it from another\n"
     "terminal; q stops everything and removes the sandbox. With --dir D (or\n"
     "--no-console, or no terminal) it runs the sandbox in D until Ctrl-C.\n"
     "--scenario runs a drill (good, slow-green, failing-green, failing-stream,\n"
     "flapping, or a file).\n"
     "--gateway openclaw: two real OpenClaw gateways, each with a cutover-sim as its\n"
     "model (the one a drill tunes); installed into ~/.cache/cutover/openclaw on first\n"
     "use (npm); 35-140 s to start; load default 2/s.\n"},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* `cutover COMMAND --help` (or -h) anywhere after the command: usage on
 * stdout, exit 0, before any config is read. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static int print_help(const struct command *cmd)
{
    printf("usage: cutover [-c FILE] %s\n\n%s\nExit codes and the other commands: cutover --help\n",
           cmd->usage, cmd->help);
    return EXIT_OK;
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
    const struct command *cmd = find_command(argv[i]);
    if (!cmd) {
        fprintf(stderr, "cutover: unknown command '%s' (see cutover --help)\n", argv[i]);
        return EXIT_USAGE;
    }
    if (wants_help(argc - i - 1, argv + i + 1))
        return print_help(cmd);
    if (!cmd->run)
        return cmd_demo(argc - i - 1, argv + i + 1, record);
    struct app app = {.record_path = record};
    int rc = app_open(&app, config_flag);
    if (rc != EXIT_OK)
        return rc;
    rc = cmd->run(&app, argc - i - 1, argv + i + 1);
    app_close(&app);
    return rc;
}
