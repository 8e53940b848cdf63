/* cutover demo: nginx and two simulated gateways on loopback, with load,
 * until Ctrl-C; with --gateway openclaw, two real OpenClaw instances whose
 * models are cutover-sims (cli/demo_openclaw). Every process is a child on our loop; all of them are
 * stopped, a cutover server a console started on the sandbox too, and the
 * sandbox removed, on exit. Each phase of the start is a line on stderr
 * ("cutover demo: ..."), so nobody stares at a blank screen. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/demo_openclaw.h"
#include "cli/drill.h"
#include "cli/sandbox.h"
#include "server/server.h"

/* CHILD_BLUE and CHILD_GREEN are the sims: the gateways themselves, or with
 * OpenClaw their models; the real gateways come last, so they stop first. */
enum { CHILD_BLUE, CHILD_GREEN, CHILD_NGINX, CHILD_LOAD, CHILD_GW_BLUE, CHILD_GW_GREEN,
       CHILD_COUNT };

/* How long real gateways may take to answer /readyz 200: 35-140 s seen on
 * two busy cores. */
#define OPENCLAW_READY_S 400

struct demo;

struct child {
    uv_process_t proc;
    struct demo *demo;
    const char *label;
    int stop_signal;       /* how this one is asked to stop gracefully */
    bool group;            /* in a process group of its own: the signal goes to it all */
    bool running;
};

struct demo {
    uv_loop_t loop;
    struct sandbox sb;
    struct child child[CHILD_COUNT];
    uv_signal_t sig[3];
    uv_timer_t timer;      /* readiness polling, then the stop deadline */
    int ready_tries;
    bool stopping;
    bool load;
    int rps;
    enum sandbox_gateway gateway;
    struct drill *drill;   /* --scenario: NULL without */
    int exit_code;
};

static const char *const child_labels[CHILD_COUNT] = {
    "blue gateway (sim)", "green gateway (sim)", "nginx", "load generator",
    "blue gateway (OpenClaw)", "green gateway (OpenClaw)"};
static const char *const model_labels[COLOR_COUNT] = {"blue's model (cutover-sim)",
                                                      "green's model (cutover-sim)"};

static void on_child_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_child_exit(uv_process_t *proc, int64_t status, int term_signal)
{
    struct child *ch = proc->data;
    ch->running = false;
    if (!ch->demo->stopping)
        fprintf(stderr, "cutover demo: %s exited (status %lld, signal %d)\n", ch->label,
                (long long)status, term_signal);
    uv_close((uv_handle_t *)proc, on_child_closed);
}

/* stdout and stderr of each child go to DIR/<name>.out, never to our screen. */
static int start_child(struct demo *d, int idx, char **argv, const char *outname)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", d->sb.dir, outname);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "cutover demo: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = fd},
        {.flags = UV_INHERIT_FD, .data.fd = fd},
    };
    struct child *ch = &d->child[idx];
    uv_process_options_t opt = {
        .file = argv[0], .args = argv, .exit_cb = on_child_exit, .stdio_count = 3, .stdio = stdio,
        .flags = ch->group ? UV_PROCESS_DETACHED : 0,
    };
    ch->demo = d;
    if (!ch->label)
        ch->label = child_labels[idx];
    ch->proc.data = ch;
    int rc = uv_spawn(&d->loop, &ch->proc, &opt);
    close(fd);
    if (rc != 0) {
        fprintf(stderr, "cutover demo: cannot start %s (%s): %s\n", ch->label, argv[0], uv_strerror(rc));
        uv_close((uv_handle_t *)&ch->proc, on_child_closed); /* libuv wants it closed even so */
        return -1;
    }
    ch->running = true;
    return 0;
}

static int start_sims(struct demo *d)
{
    /* green answers its first token a little later than blue (5%, inside the
     * 8% TTFT guard), so the comparison has something to show */
    const char *ttft[COLOR_COUNT] = {"120", "122"};
    const char *version[COLOR_COUNT] = {"b1e0c4f", "9a7d3e2"};
    for (int c = 0; c < COLOR_COUNT; c++) {
        char log[700], out[32];
        sandbox_color_log(&d->sb, (enum color)c, log, sizeof log);
        snprintf(out, sizeof out, "%s-sim.out", color_name((enum color)c));
        if (d->gateway == SANDBOX_OPENCLAW) { /* the model's requests, beside its gateway's log */
            snprintf(log, sizeof log, "%s/%s-model.log", d->sb.dir, color_name((enum color)c));
            d->child[c].label = model_labels[c];
        }
        /* A light sim is the gateway: it also writes OpenClaw's own lines for
         * each chat into its log (--gateway-log, the same file, the color's
         * log_file), so a drill's in-stream errors, 200s to nginx, reach the
         * failure ratio as they do on the real gateway, and a 5xx's rid is
         * still found by its line. Behind OpenClaw the sim is only the model:
         * the real gateway writes those lines. */
        char *argv[] = {d->sb.sim_bin, "serve", "--listen", d->sb.ctl_addr[c], "--name",
                        (char *)color_name((enum color)c), "--version-string", (char *)version[c],
                        "--ttft-ms", (char *)ttft[c], "--jitter-pct", "2", "--log", log,
                        "--gateway-log", log, NULL};
        if (d->gateway == SANDBOX_OPENCLAW)
            argv[sizeof argv / sizeof argv[0] - 3] = NULL; /* ends before --gateway-log */
        if (start_child(d, c, argv, out) != 0)
            return -1;
        d->child[c].stop_signal = SIGTERM;
    }
    return 0;
}

/* The real gateways, each in a process group of its own (node may start
 * helpers): stopping one stops all of it. */
static int start_gateways(struct demo *d)
{
    for (int c = 0; c < COLOR_COUNT; c++) {
        char *argv[6], dir[600], port[16], out[32];
        demo_openclaw_argv(&d->sb, (enum color)c, argv, dir, port);
        snprintf(out, sizeof out, "%s-gateway.out", color_name((enum color)c));
        d->child[CHILD_GW_BLUE + c].group = true;
        d->child[CHILD_GW_BLUE + c].stop_signal = SIGTERM;
        if (start_child(d, CHILD_GW_BLUE + c, argv, out) != 0)
            return -1;
    }
    return 0;
}

static int start_nginx(struct demo *d)
{
    char *argv[] = {d->sb.nginx_bin, "-e", d->sb.error_log, "-p", d->sb.dir, "-c", d->sb.nginx_conf, NULL};
    d->child[CHILD_NGINX].stop_signal = SIGQUIT; /* graceful: finish open streams */
    return start_child(d, CHILD_NGINX, argv, "nginx.out");
}

/* Real gateways take OpenClaw's model name and the token, and refuse a
 * forwarded loopback client: the load names a documentation address
 * (TEST-NET-2) for nginx to forward. */
static int start_load(struct demo *d)
{
    char url[128], rps[16], auth[80];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", d->sb.nginx_port);
    snprintf(rps, sizeof rps, "%d", d->rps);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", d->sb.gateway_token);
    char *argv[24] = {d->sb.sim_bin, "load", "--url", url, "--rps", rps, "--concurrency", "64",
                      "--quiet", NULL};
    if (d->gateway == SANDBOX_OPENCLAW) {
        argv[7] = "8"; /* a real chat takes seconds: more in flight only queue */
        char *more[] = {"--model", "openclaw", "--header", SANDBOX_CLIENT_HEADER ": 198.51.100.7",
                        "--header", auth, "--timeout", "300", NULL};
        for (int i = 0; more[i]; i++)
            argv[9 + i] = more[i];
    }
    d->child[CHILD_LOAD].stop_signal = SIGTERM;
    return start_child(d, CHILD_LOAD, argv, "load.out");
}

/* One line per phase of the start; the console flow echoes them. */
static void phase(const char *what)
{
    fprintf(stderr, "cutover demo: %s\n", what);
    fflush(stderr);
}

static bool port_accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void begin_stop(struct demo *d);

/* The banner's commands must work when pasted: name this binary by its path,
 * since a fresh build is not on PATH. */
static void self_path(char *buf, size_t len)
{
    size_t n = len;
    if (uv_exepath(buf, &n) != 0)
        snprintf(buf, len, "cutover");
}

/* The drill's summary, one indented line per summary line. */
static void print_drill(struct demo *d)
{
    const char *s = drill_summary(d->drill);
    printf("  drill   %s (notes in %s/drill.jsonl)\n", drill_name(d->drill), d->sb.dir);
    while (*s) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        printf("          %.*s\n", len, s);
        s += len + (nl ? 1 : 0);
    }
}

static void print_banner(struct demo *d)
{
    const struct sandbox *sb = &d->sb;
    char self[512];
    self_path(self, sizeof self);
    printf("cutover demo: sandbox in %s\n"
           "  nginx   http://127.0.0.1:%d/  (conf %s, access log %s)\n",
           sb->dir, sb->nginx_port, sb->nginx_conf, sb->access_log);
    for (int c = 0; c < COLOR_COUNT; c++) {
        char log[700];
        sandbox_color_log(sb, (enum color)c, log, sizeof log);
        if (d->gateway == SANDBOX_OPENCLAW)
            printf("  %-6s  %s  (OpenClaw, log %s; its model: cutover-sim on %s)\n",
                   color_name((enum color)c), sb->color_addr[c], log, sb->ctl_addr[c]);
        else
            printf("  %-6s  %s  (cutover-sim, log %s)\n", color_name((enum color)c),
                   sb->color_addr[c], log);
    }
    if (d->load)
        printf("  load    %d streaming chats/s through nginx\n", d->rps);
    if (d->drill)
        print_drill(d);
    printf("  config  %s\n\n"
           "Try, in another terminal:\n"
           "  %s -c %s status\n"
           "  %s -c %s shift +10\n"
           "  %s -c %s stats %s\n"
           "  %s -c %s rollback\n"
           "Ctrl-C stops everything (a cutover server started on the sandbox too)%s.\n",
           sb->config_file, self, sb->config_file, self, sb->config_file, self, sb->config_file,
           sb->access_log, self, sb->config_file, sb->own_dir ? " and removes the sandbox" : "");
    fflush(stdout);
}

/* Tests and scripts wait for this file rather than parsing the banner. */
static void mark_ready(struct demo *d)
{
    char path[700];
    phase(d->load ? "load started; ready" : "ready");
    snprintf(path, sizeof path, "%s/READY", d->sb.dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%s\n", d->sb.config_file);
        fclose(f);
    }
}

/* READY waits for the drill's start settings, so a trainee (or a test)
 * never sees the sims before the scenario has set them up. */
static void on_drill_ready(void *arg)
{
    mark_ready(arg);
}

/* Real gateways: /readyz 200 from both (checked once a second; a line
 * every 15 s while they start). false while not yet, or after giving up. */
static bool openclaw_up(struct demo *d)
{
    int tick = ++d->ready_tries;
    if (tick % 10 != 0)
        return false;
    for (int c = 0; c < COLOR_COUNT; c++)
        if (!d->child[CHILD_GW_BLUE + c].running) {
            fprintf(stderr, "cutover demo: %s exited while starting; see %s/%s-gateway.out\n",
                    child_labels[CHILD_GW_BLUE + c], d->sb.dir, color_name((enum color)c));
            d->exit_code = EXIT_FAILURE_IO;
            begin_stop(d);
            return false;
        }
    if (demo_openclaw_ready(d->sb.color_port[COLOR_BLUE]) &&
        demo_openclaw_ready(d->sb.color_port[COLOR_GREEN]))
        return true;
    if (tick / 10 >= OPENCLAW_READY_S) {
        fprintf(stderr, "cutover demo: OpenClaw not ready within %d s; see %s/*-gateway.out\n",
                OPENCLAW_READY_S, d->sb.dir);
        d->exit_code = EXIT_FAILURE_IO;
        begin_stop(d);
    } else if (tick % 150 == 0) {
        fprintf(stderr, "cutover demo: starting OpenClaw blue and green: %d s ...\n", tick / 10);
    }
    return false;
}

static void on_ready_poll(uv_timer_t *t)
{
    struct demo *d = t->data;
    const struct sandbox *sb = &d->sb;
    bool up = port_accepts(sb->nginx_port) && port_accepts(sb->ctl_port[COLOR_BLUE]) &&
              port_accepts(sb->ctl_port[COLOR_GREEN]);
    if (up && d->gateway == SANDBOX_OPENCLAW) {
        up = openclaw_up(d);
        if (!up)
            return;
    }
    if (!up) {
        if (++d->ready_tries > 100) {
            fprintf(stderr, "cutover demo: nginx or a gateway did not come up within 10 s; see %s\n",
                    sb->dir);
            d->exit_code = EXIT_FAILURE_IO;
            begin_stop(d);
        }
        return;
    }
    uv_timer_stop(t);
    phase(d->gateway == SANDBOX_OPENCLAW ? "nginx and both OpenClaw gateways answer (/readyz 200)"
                                         : "nginx and both gateways answer");
    if (d->load && start_load(d) != 0) {
        d->exit_code = EXIT_FAILURE_IO;
        begin_stop(d);
        return;
    }
    print_banner(d);
    if (d->drill)
        drill_start(d->drill, &d->loop, &d->sb, on_drill_ready, d);
    else
        mark_ready(d);
}

/* A child in a group of its own gets the signal as a group, helpers too. */
static void signal_child(struct child *ch, int signum)
{
    if (ch->group)
        kill(-ch->proc.pid, signum);
    else
        uv_process_kill(&ch->proc, signum);
}

static void on_stop_deadline(uv_timer_t *t)
{
    struct demo *d = t->data;
    for (int i = 0; i < CHILD_COUNT; i++)
        if (d->child[i].running)
            signal_child(&d->child[i], SIGKILL);
}

static void on_signal_closed(uv_handle_t *h)
{
    (void)h;
}

/* A console opened on the sandbox started a cutover server there: it goes
 * with the sandbox, as `q` in the demo's own console stops it. */
static void stop_sandbox_server(struct demo *d)
{
    char state[700];
    snprintf(state, sizeof state, "%s/state", d->sb.dir);
    pid_t pid = server_running_pid(state);
    if (pid <= 0)
        return;
    if (kill(pid, SIGTERM) == 0)
        fprintf(stderr, "cutover demo: stopping the cutover server (pid %ld) on the sandbox\n",
                (long)pid);
}

/* Before the sandbox goes: the server writes into it until it is gone. */
static void wait_sandbox_server(struct demo *d)
{
    char state[700];
    snprintf(state, sizeof state, "%s/state", d->sb.dir);
    for (int i = 0; i < 100 && server_running_pid(state) > 0; i++)
        usleep(100 * 1000);
}

static void begin_stop(struct demo *d)
{
    if (d->stopping)
        return;
    d->stopping = true;
    stop_sandbox_server(d);
    drill_stop(d->drill);
    for (int i = CHILD_COUNT - 1; i >= 0; i--)
        if (d->child[i].running)
            signal_child(&d->child[i], d->child[i].stop_signal);
    for (int i = 0; i < 3; i++)
        uv_close((uv_handle_t *)&d->sig[i], on_signal_closed);
    /* Whatever has not ended in 5 s is killed; unref so it never keeps the
     * loop alive once every child is gone. */
    uv_timer_stop(&d->timer);
    uv_timer_start(&d->timer, on_stop_deadline, 5000, 0);
    uv_unref((uv_handle_t *)&d->timer);
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    begin_stop(s->data);
}

static int parse_demo_args(struct demo *d, int argc, char **argv, const char **dir,
                           const char **scenario)
{
    d->load = true;
    d->rps = 0; /* 20, or 2 on real gateways (1.5 chats/s each on two busy cores) */
    *dir = NULL;
    *scenario = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            *dir = argv[++i];
        } else if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) {
            *scenario = argv[++i];
        } else if (strcmp(argv[i], "--gateway") == 0 && i + 1 < argc) {
            const char *g = argv[++i];
            if (strcmp(g, "sims") != 0 && strcmp(g, "openclaw") != 0) {
                fprintf(stderr, "cutover demo: --gateway: expected sims (the default) or "
                                "openclaw, got '%s'\n", g);
                return EXIT_USAGE;
            }
            d->gateway = strcmp(g, "openclaw") == 0 ? SANDBOX_OPENCLAW : SANDBOX_SIMS;
        } else if (strcmp(argv[i], "--no-console") == 0) {
            continue;
        } else if (strcmp(argv[i], "--no-load") == 0) {
            d->load = false;
        } else if (strcmp(argv[i], "--rps") == 0 && i + 1 < argc) {
            d->rps = atoi(argv[++i]);
            if (d->rps <= 0 || d->rps > 5000) {
                fprintf(stderr, "cutover demo: --rps: expected 1 to 5000\n");
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "cutover demo: unknown argument '%s' "
                            "(expected --dir D, --no-load, --rps N, --no-console, "
                            "--scenario NAME|FILE, --gateway sims|openclaw)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (d->rps == 0)
        d->rps = d->gateway == SANDBOX_OPENCLAW ? 2 : 20;
    return EXIT_OK;
}

static void watch_signals(struct demo *d)
{
    const int signums[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&d->loop, &d->sig[i]);
        d->sig[i].data = d;
        uv_signal_start(&d->sig[i], on_signal, signums[i]);
    }
}

int cmd_demo(int argc, char **argv, const char *record_path)
{
    /* On a terminal, the demo opens the console on the sandbox; scripts and
     * tests (no terminal) and --no-console get the sandbox alone. */
    bool no_console = false;
    for (int i = 0; i < argc; i++)
        no_console |= strcmp(argv[i], "--no-console") == 0 || strcmp(argv[i], "--dir") == 0;
    if (!no_console && isatty(0) && isatty(1))
        return demo_with_console(argc, argv, record_path);
    if (record_path) {
        fprintf(stderr, "cutover demo: --record records the console, and this demo opens none "
                        "(--no-console, --dir or no terminal): record with "
                        "cutover -c DIR/cutover.json --record FILE\n");
        return EXIT_USAGE;
    }
    struct demo *d = calloc(1, sizeof *d);
    const char *dir, *scenario;
    char msg[1536];
    if (!d)
        return EXIT_FAILURE_IO;
    int rc = parse_demo_args(d, argc, argv, &dir, &scenario);
    if (rc == EXIT_OK && scenario && drill_load(scenario, &d->drill, msg, sizeof msg) != 0) {
        fprintf(stderr, "cutover demo: %s\n", msg);
        rc = EXIT_USAGE;
    }
    if (rc != EXIT_OK) {
        free(d);
        return rc;
    }
    if (d->gateway == SANDBOX_OPENCLAW)
        phase("checking the OpenClaw install (the first use installs node and OpenClaw into "
              "~/.cache/cutover/openclaw: minutes)");
    if (sandbox_create(&d->sb, dir, d->gateway, msg, sizeof msg) != 0 ||
        (d->gateway == SANDBOX_OPENCLAW && demo_openclaw_prepare(&d->sb, msg, sizeof msg) != 0)) {
        fprintf(stderr, "cutover demo: %s\n", msg);
        sandbox_remove(&d->sb);
        drill_free(d->drill);
        free(d);
        return EXIT_FAILURE_IO;
    }
    phase("sandbox written (nginx.conf, upstream file, config)");
    uv_loop_init(&d->loop);
    watch_signals(d);
    uv_timer_init(&d->loop, &d->timer);
    d->timer.data = d;
    phase(d->gateway == SANDBOX_OPENCLAW
              ? "starting nginx, two cutover-sim models and OpenClaw blue and green"
              : "starting nginx and two simulated gateways");
    if (start_sims(d) != 0 || start_nginx(d) != 0 ||
        (d->gateway == SANDBOX_OPENCLAW && start_gateways(d) != 0)) {
        d->exit_code = EXIT_FAILURE_IO;
        begin_stop(d);
    } else {
        uv_timer_start(&d->timer, on_ready_poll, 50, 100);
    }
    uv_run(&d->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&d->timer, NULL);
    uv_run(&d->loop, UV_RUN_DEFAULT);
    uv_loop_close(&d->loop);
    drill_free(d->drill);
    rc = d->exit_code;
    wait_sandbox_server(d);
    sandbox_remove(&d->sb);
    if (!d->sb.own_dir)
        fprintf(stderr, "cutover demo: stopped; the sandbox stays in %s\n", d->sb.dir);
    free(d);
    return rc;
}
