/* The serve subcommand: options, the loop, and signals (TERM/INT quit gracefully, USR1
 * toggles draining). Signal handles are closed once the gateway has closed, so the loop ends
 * on its own and uv_loop_close proves nothing was left open. */
#include "sim/serve.h"

#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "sim/gateway.h"
#include "sim/opt.h"
#include "sim/simlog.h"

struct serve {
    uv_signal_t term, intr, usr1;
    struct gateway *gw;
};

static const char *const tunable_opts[] = {
    "--ttft-ms", "--token-ms", "--tokens", "--error-rate", "--stream-error-rate",
    "--stream-error-after", "--stream-error-text", "--jitter-pct", "--ttft-sigma",
    "--starting", "--catch-all-html",
};

static void on_signal(uv_signal_t *s, int signum)
{
    struct serve *sv = s->data;
    if (signum == SIGUSR1)
        gateway_toggle_draining(sv->gw);
    else
        gateway_quit(sv->gw);
}

static void on_gateway_closed(void *arg)
{
    struct serve *sv = arg;
    uv_close((uv_handle_t *)&sv->term, NULL);
    uv_close((uv_handle_t *)&sv->intr, NULL);
    uv_close((uv_handle_t *)&sv->usr1, NULL);
}

static void start_signal(uv_loop_t *loop, uv_signal_t *s, struct serve *sv, int signum)
{
    uv_signal_init(loop, s);
    s->data = sv;
    uv_signal_start(s, on_signal, signum);
}

static int parse_tunable(int argc, char **argv, int *i, struct sim_tunables *t, int *bad)
{
    for (size_t k = 0; k < sizeof tunable_opts / sizeof tunable_opts[0]; k++) {
        const char *v;
        char err[160];
        int m = opt_match(argc, argv, i, tunable_opts[k], &v);
        if (m == 0)
            continue;
        if (m < 0 || tunables_set(t, tunable_opts[k] + 2, v, err, sizeof err) < 0) {
            fprintf(stderr, "cutover-sim serve: %s\n", m < 0 ? "missing value" : err);
            *bad = 1;
        }
        return 1;
    }
    return 0;
}

/* Fills opts from argv; returns 0, or -1 after printing why. */
static int parse_args(int argc, char **argv, struct gateway_opts *o, const char **log_path,
                      const char **gw_log_path)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int bad = 0, m;
        if ((m = opt_match(argc, argv, &i, "--listen", &v)) != 0)
            o->listen = v;
        else if ((m = opt_match(argc, argv, &i, "--name", &v)) != 0)
            o->name = v;
        else if ((m = opt_match(argc, argv, &i, "--version-string", &v)) != 0)
            o->version = v;
        else if ((m = opt_match(argc, argv, &i, "--log", &v)) != 0)
            *log_path = v;
        else if ((m = opt_match(argc, argv, &i, "--gateway-log", &v)) != 0)
            *gw_log_path = v;
        else if ((m = opt_match(argc, argv, &i, "--seed", &v)) != 0)
            o->seed = v ? strtoull(v, NULL, 10) : 0;
        else if (parse_tunable(argc, argv, &i, &o->tun, &bad)) {
            if (bad)
                return -1;
            continue;
        } else {
            fprintf(stderr, "cutover-sim serve: unknown option '%s' (see --help)\n", argv[i]);
            return -1;
        }
        if (m < 0) {
            fprintf(stderr, "cutover-sim serve: %s needs a value\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

static int run(uv_loop_t *loop, struct gateway_opts *opts)
{
    struct serve sv = {0};
    char err[256], addr[80];
    opts->closed = on_gateway_closed;
    opts->arg = &sv;
    if (gateway_new(loop, opts, &sv.gw, err, sizeof err) < 0) {
        fprintf(stderr, "cutover-sim serve: %s\n", err);
        uv_run(loop, UV_RUN_DEFAULT); /* releases the half-open listener */
        gateway_free(sv.gw);
        return 1;
    }
    gateway_local_addr(sv.gw, addr, sizeof addr);
    printf("listening %s\n", addr);
    fflush(stdout);
    start_signal(loop, &sv.term, &sv, SIGTERM);
    start_signal(loop, &sv.intr, &sv, SIGINT);
    start_signal(loop, &sv.usr1, &sv, SIGUSR1);
    uv_run(loop, UV_RUN_DEFAULT);
    gateway_free(sv.gw);
    return 0;
}

/* A gateway holding hundreds of streams runs with its open-files limit
 * raised (a LaunchAgent's SoftResourceLimits); so does the sim, up to the
 * hard limit, so `cutover check` sees what a real deployment would. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int serve_main(int argc, char **argv)
{
    struct gateway_opts opts = {
        .listen = "127.0.0.1:8787", .name = "sim", .version = "dev",
        .seed = uv_hrtime() ^ (uint64_t)getpid(),
    };
    const char *log_path = NULL, *gw_log_path = NULL;
    struct simlog *log = NULL;
    char err[256];
    uv_loop_t loop;
    tunables_default(&opts.tun);
    if (parse_args(argc, argv, &opts, &log_path, &gw_log_path) < 0)
        return 2;
    if ((log_path && simlog_open(log_path, &log, err, sizeof err) < 0) ||
        (gw_log_path && simlog_open_gateway(gw_log_path, &log, err, sizeof err) < 0)) {
        fprintf(stderr, "cutover-sim serve: %s\n", err);
        simlog_close(log);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a vanished client is an EPIPE, not a dead gateway */
    raise_nofile();
    opts.log = log;
    uv_loop_init(&loop);
    int rc = run(&loop, &opts);
    if (uv_loop_close(&loop) != 0) {
        fprintf(stderr, "cutover-sim serve: handles left open at exit\n");
        rc = 1;
    }
    simlog_close(log);
    return rc;
}
