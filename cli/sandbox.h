/* sandbox: the demo's folder: free loopback ports, nginx.conf, the upstream
 * file at 100/0, and a cutover config pointing at all of it. Files only; the
 * demo starts the processes. The gateways are cutover-sims, or real OpenClaw
 * instances (`--gateway openclaw`) with a cutover-sim as each one's model. */
#ifndef CUTOVER_CLI_SANDBOX_H
#define CUTOVER_CLI_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include "core/color.h"

/* What plays the two gateways. */
enum sandbox_gateway { SANDBOX_SIMS, SANDBOX_OPENCLAW };

/* The header a load generator names its client address in, when nginx fronts
 * real OpenClaw gateways: they refuse a forwarded loopback client (403
 * proxy_attribution_required), so nginx takes the address from it (realip). */
#define SANDBOX_CLIENT_HEADER "X-Cutover-Client"

struct sandbox {
    char dir[512];
    enum sandbox_gateway gateway;
    bool own_dir;                   /* made by us: removed at the end */
    char nginx_bin[512];
    char sim_bin[512];
    int nginx_port;
    int color_port[COLOR_COUNT];
    char color_addr[COLOR_COUNT][64];
    /* The cutover-sim a drill tunes (`ctl ADDR set`): the color's gateway
     * itself, or with OpenClaw the color's model provider. */
    int ctl_port[COLOR_COUNT];
    char ctl_addr[COLOR_COUNT][64];
    char openclaw_script[512];      /* scripts/openclaw.sh (cli/datadir) */
    char gateway_token[40];         /* OpenClaw's auth token, new per sandbox */
    char nginx_conf[600];
    char upstream_file[600];
    char access_log[600];
    char pid_file[600];
    char config_file[600];
    char error_log[600];
};

/* Fills paths and ports and writes every file. dir NULL: a new temp folder.
 * Returns 0, or -1 with msg. */
int sandbox_create(struct sandbox *sb, const char *dir, enum sandbox_gateway gw, char *msg,
                   size_t msglen);

/* Removes the folder when we made it. */
void sandbox_remove(struct sandbox *sb);

/* Where a color's gateway log goes (JSON lines): the sim's request log, or
 * OpenClaw's own log in its instance folder. */
void sandbox_color_log(const struct sandbox *sb, enum color c, char *buf, size_t len);

/* A real gateway's instance folder (config, state, log): DIR/<color>. */
void sandbox_gateway_dir(const struct sandbox *sb, enum color c, char *buf, size_t len);

#endif
