/* demo_console: `cutover demo` on a terminal. The sandbox runs in a child
 * (`cutover demo --no-console --dir D`), the console in this process on the
 * sandbox's config; when the operator quits, the server and the sandbox are
 * stopped and the folder removed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/drill.h"

/* Runs `cutover ARGS...` and waits: the server's stop at the end. */
/* Runs this binary; quiet sends its output to /dev/null, else its stdout
 * joins our stderr (where the debrief goes). */
static void run_self(const char *exe, char *const args[], bool quiet)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = quiet ? open("/dev/null", O_WRONLY) : -1;
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        } else if (!quiet) {
            dup2(2, 1);
        }
        execv(exe, args);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

/* The sandbox child's phase lines ("cutover demo: ..."), from its log to
 * our terminal as they come: the screen is never blank while it starts. */
static void echo_phases(FILE *log)
{
    char line[1024];
    if (!log)
        return;
    clearerr(log);
    while (fgets(line, sizeof line, log))
        if (strncmp(line, "cutover demo: ", 14) == 0)
            fputs(line, stderr);
}

/* tries: of 50 ms each. */
static bool wait_ready(const char *dir, const char *logpath, pid_t child, int tries)
{
    char ready[600];
    snprintf(ready, sizeof ready, "%s/READY", dir);
    FILE *log = NULL;
    bool ok = false;
    for (int i = 0; i < tries && !ok; i++) {
        if (!log)
            log = fopen(logpath, "r");
        echo_phases(log);
        if (access(ready, F_OK) == 0)
            ok = true;
        else if (waitpid(child, NULL, WNOHANG) == child)
            break;
        else
            usleep(50 * 1000);
    }
    echo_phases(log);
    if (log)
        fclose(log);
    return ok;
}

/* With --scenario: a bad scenario stops us before anything starts, and the
 * trainee reads the brief before the console covers the screen (the rules'
 * texts go to the sandbox's log and come back in the debrief). */
static int brief_drill(int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "--scenario") == 0)
            name = argv[i + 1];
    if (!name)
        return EXIT_OK;
    struct drill *d;
    char msg[1536], line[64];
    if (drill_load(name, &d, msg, sizeof msg) != 0) {
        fprintf(stderr, "cutover demo: %s\n", msg);
        return EXIT_USAGE;
    }
    fprintf(stderr, "Drill '%s':\n%s\n\nPress Enter to start. ", drill_name(d),
            drill_summary(d));
    drill_free(d);
    return fgets(line, sizeof line, stdin) ? EXIT_OK : EXIT_USAGE;
}

/* `--gateway openclaw`: a first install takes minutes and a start 35-140 s
 * (the sandbox's child says each phase, and gives up after its own limit). */
static bool real_gateway(int argc, char **argv)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "--gateway") == 0 && strcmp(argv[i + 1], "openclaw") == 0)
            return true;
    return false;
}

static bool has_scenario(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--scenario") == 0 || strncmp(argv[i], "--scenario=", 11) == 0)
            return true;
    return false;
}

int demo_with_console(int argc, char **argv, const char *record_path)
{
    char exe[512], dir[512], log[600], config[600];
    int brief = brief_drill(argc, argv);
    if (brief != EXIT_OK)
        return brief;
    size_t n = sizeof exe;
    if (uv_exepath(exe, &n) != 0)
        return EXIT_FAILURE_IO;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/cutover-demo.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "cutover demo: cannot create a temp folder: %s\n", strerror(errno));
        return EXIT_FAILURE_IO;
    }
    snprintf(log, sizeof log, "%s.log", dir);
    snprintf(config, sizeof config, "%s/cutover.json", dir);
    char *args[16];
    int k = 0;
    args[k++] = exe;
    args[k++] = "demo";
    args[k++] = "--no-console";
    args[k++] = "--dir";
    args[k++] = dir;
    for (int i = 0; i < argc && k < 14; i++)
        args[k++] = argv[i];
    args[k] = NULL;
    bool real = real_gateway(argc, argv);
    fprintf(stderr, "cutover demo: starting nginx and two %s in %s ...\n",
            real ? "OpenClaw gateways (their models: cutover-sim)" : "simulated gateways", dir);
    pid_t child = fork();
    if (child == 0) {
        FILE *f = freopen(log, "w", stdout);
        (void)f;
        dup2(1, 2);
        execv(exe, args);
        _exit(127);
    }
    int rc = EXIT_FAILURE_IO;
    if (child > 0 && wait_ready(dir, log, child, real ? 20 * 3600 : 200)) {
        /* Where the sandbox is and the exact command that watches it, in
         * the console itself (the terminal's scrollback is hidden under it). */
        char note[2048];
        snprintf(note, sizeof note, "demo sandbox in %s; watch it from another terminal: %s -c %s "
                 "--watch  (? shows this again)", dir, exe, config);
        struct app app = {.record_path = record_path, .console_note = note};
        if ((rc = app_open(&app, config)) == EXIT_OK) {
            rc = cmd_console(&app, false, NULL);
            char *stop[] = {exe, "-c", config, "server", "stop", "--force", NULL};
            run_self(exe, stop, true);
            app_close(&app);
        }
    } else {
        fprintf(stderr, "cutover demo: the sandbox did not come up; see %s\n", log);
    }
    if (child > 0) {
        kill(child, SIGTERM);
        waitpid(child, NULL, 0);
    }
    drill_print_debrief(dir, stderr);
    if (has_scenario(argc, argv) && rc == EXIT_OK) {
        /* A drill's record is the point of it: the report now, and the
         * sandbox (journal, timeline, notes) kept for replay and a class. */
        char *report[] = {exe, "-c", config, "report", "latest", NULL};
        run_self(exe, report, false);
        fprintf(stderr, "\ncutover demo: the drill's sandbox is kept in %s\n"
                        "  %s -c %s replay latest     # watch it again\n"
                        "  %s -c %s report latest     # this report\n",
                dir, exe, config, exe, config);
        unlink(log);
        return rc;
    }
    char *rm[] = {"rm", "-rf", dir, NULL};
    pid_t p = fork();
    if (p == 0) {
        execvp("rm", rm);
        _exit(127);
    }
    if (p > 0)
        waitpid(p, NULL, 0);
    if (rc == EXIT_OK)
        unlink(log);
    return rc;
}
