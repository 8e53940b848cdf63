/* server: process lifecycle of `cutover server`. */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "core/errcode.h"
#include "server/engine.h"
#include "server/sockpath.h"
#include "server/statedir.h"

struct server {
    uv_loop_t loop;
    struct engine *engine;
    uv_signal_t sig[3];
    int stopped;
};

pid_t server_running_pid(const char *state_dir)
{
    char path[1024];
    engine_pid_path(state_dir, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    pid_t pid = 0;
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
        pid = fl.l_pid;
    close(fd);
    return pid;
}

/* Takes the pid file's lock and writes our pid. The lock, not the file's
 * existence, says a server runs: a crashed server's file is simply reused. */
static int take_pid_lock(const char *state_dir, char *msg, size_t msglen)
{
    char path[1024];
    engine_pid_path(state_dir, path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(msg, msglen, "cannot open %.400s: %s", path, strerror(errno));
        return -1;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        pid_t other = server_running_pid(state_dir);
        snprintf(msg, msglen, "a cutover server (pid %ld) already runs for %s", (long)other, state_dir);
        close(fd);
        return -1;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, buf, (size_t)n) != n) {
        snprintf(msg, msglen, "cannot write %.400s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd; /* kept open for our whole life: closing it drops the lock */
}

static void on_engine_stopped(void *data)
{
    struct server *s = data;
    s->engine = NULL;
    for (int i = 0; i < 3; i++)
        uv_close((uv_handle_t *)&s->sig[i], NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct server *s = h->data;
    fprintf(stderr, "cutover server: signal %d, stopping\n", signum);
    if (s->engine && !s->stopped) {
        s->stopped = 1;
        engine_stop(s->engine);
    }
}

static void log_time(void)
{
    char buf[32];
    time_t now = time(NULL);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", localtime(&now));
    fprintf(stderr, "%s ", buf);
}

/* With server.watch_group, the group's members must reach the socket in
 * state_dir: let them traverse the folder (0710), and nothing more — the
 * journal and state files stay private. */
static int open_state_dir_to_group(const struct config *cfg, char *msg, size_t msglen)
{
    const char *name = cfg->server.watch_group;
    if (!name[0])
        return 0;
    struct group *g = getgrnam(name);
    if (!g) {
        snprintf(msg, msglen, "server.watch_group: no group named '%s'", name);
        return -1;
    }
    if (chown(cfg->state_dir, (uid_t)-1, g->gr_gid) != 0 || chmod(cfg->state_dir, 0710) != 0) {
        snprintf(msg, msglen, "cannot open %.400s to group %s: %s", cfg->state_dir, name,
                 strerror(errno));
        return -1;
    }
    return 0;
}

int server_run(const struct config *cfg)
{
    char msg[512], sock[1024];
    if (statedir_prepare(cfg->state_dir, msg, sizeof msg) != 0) {
        fprintf(stderr, "cutover server: %s\n", msg);
        return ERRCODE_IO;
    }
    if (open_state_dir_to_group(cfg, msg, sizeof msg) != 0) {
        fprintf(stderr, "cutover server: %s\n", msg);
        return ERRCODE_USAGE;
    }
    int pid_fd = take_pid_lock(cfg->state_dir, msg, sizeof msg);
    if (pid_fd < 0) {
        fprintf(stderr, "cutover server: %s\n", msg);
        return ERRCODE_REFUSED;
    }
    signal(SIGPIPE, SIG_IGN);
    struct server s = {0};
    uv_loop_init(&s.loop);
    engine_socket_path(cfg->state_dir, sock, sizeof sock);
    struct engine_options eo = {.socket_path = sock, .on_stopped = on_engine_stopped, .data = &s};
    int rc = 0;
    if (engine_start(&s.loop, cfg, &eo, &s.engine, msg, sizeof msg) != 0) {
        fprintf(stderr, "cutover server: %s\n", msg);
        rc = ERRCODE_IO;
    } else {
        const int signums[3] = {SIGTERM, SIGINT, SIGHUP};
        for (int i = 0; i < 3; i++) {
            uv_signal_init(&s.loop, &s.sig[i]);
            s.sig[i].data = &s;
            uv_signal_start(&s.sig[i], on_signal, signums[i]);
        }
        log_time();
        fprintf(stderr, "cutover server: pid %ld listening on %s\n", (long)getpid(), sock);
    }
    uv_run(&s.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&s.loop) != 0)
        fprintf(stderr, "cutover server: handles left open at exit\n");
    log_time();
    fprintf(stderr, "cutover server: stopped\n");
    close(pid_fd);
    return rc;
}

static void on_spawned_exit(uv_process_t *p, int64_t status, int sig)
{
    (void)status;
    (void)sig;
    uv_close((uv_handle_t *)p, NULL);
}

/* Detached: libuv's child calls setsid(), so the server has no controlling
 * terminal and outlives our session; we never wait for it. */
int server_spawn(const char *exe, const char *config_path, const struct config *cfg, int wait_ms,
                 char *msg, size_t msglen)
{
    char log[1024], sock[1024];
    if (statedir_prepare(cfg->state_dir, msg, msglen) != 0)
        return -1;
    statedir_path(cfg->state_dir, "server.log", log, sizeof log);
    engine_socket_path(cfg->state_dir, sock, sizeof sock);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(msg, msglen, "cannot open %s: %s", log, strerror(errno));
        return -1;
    }
    char *args[10];
    int n = 0;
    args[n++] = (char *)exe;
    if (config_path && config_path[0]) {
        args[n++] = "-c";
        args[n++] = (char *)config_path;
    }
    args[n++] = "server";
    args[n++] = "--foreground";
    /* `server start --export-format F` changed cfg, not the file: say it
     * again. Any other value is the file's, and the server names it. */
    const char *fmt = cfg->export.format;
    if (strcmp(fmt, "csv") == 0 || strcmp(fmt, "json") == 0) {
        args[n++] = "--export-format";
        args[n++] = (char *)fmt;
    }
    args[n] = NULL;
    uv_loop_t loop;
    uv_loop_init(&loop);
    uv_process_t proc;
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = fd},
        {.flags = UV_INHERIT_FD, .data.fd = fd},
    };
    uv_process_options_t opt = {.file = exe, .args = args, .exit_cb = on_spawned_exit,
                                .flags = UV_PROCESS_DETACHED, .stdio_count = 3, .stdio = stdio};
    int rc = uv_spawn(&loop, &proc, &opt);
    close(fd);
    if (rc != 0) {
        snprintf(msg, msglen, "cannot start the server (%s): %s", exe, uv_strerror(rc));
        uv_close((uv_handle_t *)&proc, NULL);
    } else {
        uv_unref((uv_handle_t *)&proc);
        uv_close((uv_handle_t *)&proc, NULL);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    if (rc != 0)
        return -1;
    for (int waited = 0; waited < wait_ms; waited += 50) {
        enum sockpath_state st;
        char why[256];
        if (sockpath_probe(sock, &st, why, sizeof why) == 0 && st == SOCKPATH_LIVE)
            return 0;
        usleep(50 * 1000);
    }
    snprintf(msg, msglen, "the server did not answer on %s within %d ms; see %s", sock, wait_ms, log);
    return -1;
}
