/* sandbox: files and ports for `cutover demo`. */
#include "cli/sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "backends/atomicfile.h"
#include "backends/balancer.h"
#include "cli/cfgedit.h"
#include "cli/datadir.h"
#include "cli/snippets.h"
#include "core/config.h"
#include "core/upstream.h"

/* Binds loopback:port (0: any) and lets go: the port, or -1 when taken.
 * Another process could take it before we bind it for real; on a sandbox
 * host that race is harmless. */
static int bind_port(int want)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)want)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Asks the kernel for a free loopback port. */
static int free_port(void)
{
    return bind_port(0);
}

/* Two free bases 120 apart for two OpenClaw instances (each also takes
 * ports up to base + 110), below the ephemeral range: a port in it, free
 * when picked, was taken by some client socket before the slow gateway
 * bound it. Returns the blue base, or -1. */
static int gateway_base(void)
{
    int lo = 32768;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d", &lo) != 1)
            lo = 32768;
        fclose(f);
    }
    int top = (lo < 30000 ? lo : 30000) - 250;
    if (top <= 10000)
        return -1;
    unsigned seed = (unsigned)uv_hrtime() ^ (unsigned)getpid();
    for (int i = 0; i < 200; i++) {
        seed = seed * 1103515245u + 12345u;
        int base = 10000 + (int)((seed >> 8) % (unsigned)(top - 10000));
        if (bind_port(base) == base && bind_port(base + 120) == base + 120)
            return base;
    }
    return -1;
}

/* A token for the sandbox's gateways: random, letters and digits. */
static int new_token(char *out, size_t len)
{
    unsigned char raw[16];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(raw, 1, sizeof raw, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof raw || len < 2 * sizeof raw + 6)
        return -1;
    int n = snprintf(out, len, "demo-");
    for (size_t i = 0; i < sizeof raw; i++)
        n += snprintf(out + n, len - (size_t)n, "%02x", raw[i]);
    return 0;
}

static bool executable(const char *path)
{
    return access(path, X_OK) == 0;
}

/* nginx lives in sbin, which a normal user's PATH often lacks. */
static bool find_nginx(char *out, size_t len)
{
    const char *fixed[] = {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/opt/homebrew/bin/nginx",
                           "/usr/local/bin/nginx", NULL};
    const char *path = getenv("PATH");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path ? path : "");
    for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, len, "%s/nginx", d);
        if (executable(out))
            return true;
    }
    for (int i = 0; fixed[i]; i++) {
        snprintf(out, len, "%s", fixed[i]);
        if (executable(out))
            return true;
    }
    return false;
}

/* cutover-sim is installed (and built) beside cutover. */
static bool find_sim(char *out, size_t len)
{
    char exe[480]; /* leaves room for "/cutover-sim" in sim_bin */
    size_t n = sizeof exe;
    if (uv_exepath(exe, &n) != 0)
        return false;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    snprintf(out, len, "%s/cutover-sim", exe);
    return executable(out);
}

static int make_dirs(struct sandbox *sb, const char *dir, char *msg, size_t msglen)
{
    if (dir) {
        snprintf(sb->dir, sizeof sb->dir, "%s", dir);
        if (mkdir(sb->dir, 0700) != 0 && errno != EEXIST) {
            snprintf(msg, msglen, "cannot create %s: %s", sb->dir, strerror(errno));
            return -1;
        }
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(sb->dir, sizeof sb->dir, "%s/cutover-demo.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(sb->dir)) {
            snprintf(msg, msglen, "cannot create a temp folder: %s", strerror(errno));
            return -1;
        }
        sb->own_dir = true;
    }
    const char *subs[] = {"tmp", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi",
                          "state", NULL};
    for (int i = 0; subs[i]; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s/%s", sb->dir, subs[i]);
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            snprintf(msg, msglen, "cannot create %s: %s", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int write_text(const char *path, const char *text, char *msg, size_t msglen)
{
    return atomicfile_write(path, text, strlen(text), false, msg, msglen);
}

static int write_nginx_conf(const struct sandbox *sb, char *msg, size_t msglen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    struct snippets_sandbox s = {
        .log_format = balancer_of(NULL)->log_format, .dir = sb->dir, .upstream_file = sb->upstream_file, .upstream_name = "openclaw_gateway",
        .access_log = sb->access_log, .pid_file = sb->pid_file, .listen_port = sb->nginx_port,
        .workers = 2, .read_timeout_s = 300, .run_as_root = geteuid() == 0,
        .real_ip_header = sb->gateway == SANDBOX_OPENCLAW ? SANDBOX_CLIENT_HEADER : NULL,
    };
    snippets_print_sandbox_conf(f, &s);
    fclose(f);
    int rc = write_text(sb->nginx_conf, text, msg, msglen);
    free(text);
    return rc;
}

/* Real gateways: the pinned version from the script (no node start), the
 * gateway's own log; stop and start do nothing, since a real gateway takes
 * a minute or more to start again and the demo keeps both running. Probes
 * carry the sandbox's token and wait out a cold first chat (70 s seen on
 * two busy cores), every 2 s, since each one is a real agent turn. */
static void configure_openclaw(const struct sandbox *sb, struct config *cfg)
{
    const char *nothing[] = {"true", NULL};
    const char *version[] = {"/bin/sh", sb->openclaw_script, "version", NULL};
    for (int c = 0; c < COLOR_COUNT; c++) {
        cfgedit_set_argv(&cfg->colors[c].stop, nothing);
        cfgedit_set_argv(&cfg->colors[c].start, nothing);
        cfgedit_set_argv(&cfg->colors[c].version, version);
    }
    char auth[64];
    snprintf(auth, sizeof auth, "Bearer %s", sb->gateway_token);
    const char *names[] = {"Authorization", NULL}, *values[] = {auth, NULL};
    cfgedit_set_headers(&cfg->probe.headers, names, values);
    cfg->probe.interval_s = 2;
    cfg->probe.timeout_s = 300;
}

static void configure_colors(const struct sandbox *sb, struct config *cfg)
{
    for (int c = 0; c < COLOR_COUNT; c++) {
        const char *addr = sb->color_addr[c];
        cfgedit_set_string(&cfg->colors[c].addr, addr);
        const char *stop[] = {sb->sim_bin, "ctl", addr, "quit", NULL};
        const char *version[] = {sb->sim_bin, "ctl", addr, "version", NULL};
        cfgedit_set_argv(&cfg->colors[c].stop, stop);
        cfgedit_set_argv(&cfg->colors[c].version, version);
        /* The gateways log JSON lines with the request id here: the console's
         * failures panel looks a failing request up in them, and OpenClaw's
         * log holds the in-stream failures nginx logs as 200. */
        char log[700];
        sandbox_color_log(sb, (enum color)c, log, sizeof log);
        cfgedit_set_string(&cfg->colors[c].log_file, log);
    }
    if (sb->gateway == SANDBOX_OPENCLAW)
        configure_openclaw(sb, cfg);
}

/* The demo's config: the same keys an operator writes, pointed at the sandbox. */
static int write_config(const struct sandbox *sb, char *msg, size_t msglen)
{
    struct config *cfg = config_new_defaults();
    if (!cfg) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    const char *test[] = {sb->nginx_bin, "-t", "-q", "-e", sb->error_log, "-p", sb->dir,
                          "-c", sb->nginx_conf, NULL};
    const char *reload[] = {sb->nginx_bin, "-e", sb->error_log, "-p", sb->dir, "-c",
                            sb->nginx_conf, "-s", "reload", NULL};
    cfgedit_set_argv(&cfg->nginx.test, test);
    cfgedit_set_argv(&cfg->nginx.reload, reload);
    cfgedit_set_string(&cfg->nginx.upstream_file, sb->upstream_file);
    cfgedit_set_string(&cfg->nginx.pid_file, sb->pid_file);
    cfgedit_set_string(&cfg->nginx.access_log, sb->access_log);
    char state[700];
    snprintf(state, sizeof state, "%s/state", sb->dir);
    cfg->state_dir = strdup(state);
    /* The runbook's guards, at a pace for practice: a probe every 0.5 s so
     * the probes' guard can judge after a few seconds, 10 s of dwell. */
    cfg->probe.interval_s = 0.5;
    cfg->rollout.min_samples = 3;
    cfg->rollout.min_dwell_s = 10;
    configure_colors(sb, cfg);
    char *json = config_to_json(cfg);
    int rc = json ? write_text(sb->config_file, json, msg, msglen) : -1;
    free(json);
    config_free(cfg);
    return rc;
}

static int write_upstream(const struct sandbox *sb, char *msg, size_t msglen)
{
    struct config *cfg = config_new_defaults();
    struct upstream_spec spec = {
        .name = cfg->nginx.upstream_name, .balance = cfg->nginx.balance,
        .server_params = cfg->nginx.server_params, .zone_size = cfg->nginx.zone_size,
        .addr = {sb->color_addr[COLOR_BLUE], sb->color_addr[COLOR_GREEN]},
        .weight = {100, 0},
    };
    char *text = upstream_render(&spec, msg, msglen);
    int rc = text ? write_text(sb->upstream_file, text, msg, msglen) : -1;
    free(text);
    config_free(cfg);
    return rc;
}

static void fill_paths(struct sandbox *sb)
{
    snprintf(sb->nginx_conf, sizeof sb->nginx_conf, "%s/nginx.conf", sb->dir);
    snprintf(sb->upstream_file, sizeof sb->upstream_file, "%s/upstream.conf", sb->dir);
    snprintf(sb->access_log, sizeof sb->access_log, "%s/access.log", sb->dir);
    snprintf(sb->pid_file, sizeof sb->pid_file, "%s/nginx.pid", sb->dir);
    snprintf(sb->config_file, sizeof sb->config_file, "%s/cutover.json", sb->dir);
    snprintf(sb->error_log, sizeof sb->error_log, "%s/error.log", sb->dir);
}

static int pick_ports(struct sandbox *sb, char *msg, size_t msglen)
{
    sb->nginx_port = free_port();
    int base = sb->gateway == SANDBOX_OPENCLAW ? gateway_base() : 0;
    for (int c = 0; c < COLOR_COUNT; c++) {
        sb->ctl_port[c] = free_port();
        sb->color_port[c] = sb->gateway == SANDBOX_OPENCLAW ? (base < 0 ? -1 : base + 120 * c)
                                                          : sb->ctl_port[c];
        snprintf(sb->color_addr[c], sizeof sb->color_addr[c], "127.0.0.1:%d", sb->color_port[c]);
        snprintf(sb->ctl_addr[c], sizeof sb->ctl_addr[c], "127.0.0.1:%d", sb->ctl_port[c]);
    }
    if (sb->nginx_port < 0 || sb->ctl_port[0] < 0 || sb->ctl_port[1] < 0 ||
        sb->color_port[0] < 0 || sb->color_port[1] < 0) {
        snprintf(msg, msglen, "no free loopback port: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* The real gateway's script and a token for its instances. */
static int prepare_openclaw(struct sandbox *sb, char *msg, size_t msglen)
{
    datadir_path("scripts/openclaw.sh", sb->openclaw_script, sizeof sb->openclaw_script);
    if (access(sb->openclaw_script, R_OK) != 0) {
        snprintf(msg, msglen, "%s: %s", sb->openclaw_script, strerror(errno));
        return -1;
    }
    if (new_token(sb->gateway_token, sizeof sb->gateway_token) != 0) {
        snprintf(msg, msglen, "cannot read /dev/urandom for the gateways' token");
        return -1;
    }
    return 0;
}

int sandbox_create(struct sandbox *sb, const char *dir, enum sandbox_gateway gw, char *msg,
                   size_t msglen)
{
    memset(sb, 0, sizeof *sb);
    sb->gateway = gw;
    if (gw == SANDBOX_OPENCLAW && prepare_openclaw(sb, msg, msglen) != 0)
        return -1;
    if (!find_nginx(sb->nginx_bin, sizeof sb->nginx_bin)) {
        snprintf(msg, msglen, "nginx not found (apt-get install nginx-light, or brew install nginx)");
        return -1;
    }
    if (!find_sim(sb->sim_bin, sizeof sb->sim_bin)) {
        snprintf(msg, msglen, "cutover-sim not found beside the cutover binary");
        return -1;
    }
    if (make_dirs(sb, dir, msg, msglen) != 0)
        return -1;
    fill_paths(sb);
    if (pick_ports(sb, msg, msglen) != 0 || write_upstream(sb, msg, msglen) != 0 ||
        write_nginx_conf(sb, msg, msglen) != 0 || write_config(sb, msg, msglen) != 0) {
        sandbox_remove(sb);
        return -1;
    }
    return 0;
}

void sandbox_color_log(const struct sandbox *sb, enum color c, char *buf, size_t len)
{
    if (sb->gateway == SANDBOX_OPENCLAW)
        snprintf(buf, len, "%s/%s/openclaw.log", sb->dir, color_name(c));
    else
        snprintf(buf, len, "%s/%s.log", sb->dir, color_name(c));
}

void sandbox_gateway_dir(const struct sandbox *sb, enum color c, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", sb->dir, color_name(c));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void sandbox_remove(struct sandbox *sb)
{
    if (sb->own_dir && sb->dir[0])
        nftw(sb->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
