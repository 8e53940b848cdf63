/* sandbox: the demo's folder: free loopback ports, nginx.conf, the upstream
 * file at 100/0, and a cutover config pointing at all of it. Files only; the
 * demo starts the processes. */
#ifndef CUTOVER_CLI_SANDBOX_H
#define CUTOVER_CLI_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include "core/color.h"

struct sandbox {
    char dir[512];
    bool own_dir;                   /* made by us: removed at the end */
    char nginx_bin[512];
    char sim_bin[512];
    int nginx_port;
    int color_port[COLOR_COUNT];
    char color_addr[COLOR_COUNT][64];
    char nginx_conf[600];
    char upstream_file[600];
    char access_log[600];
    char pid_file[600];
    char config_file[600];
    char error_log[600];
};

/* Fills paths and ports and writes every file. dir NULL: a new temp folder.
 * Returns 0, or -1 with msg. */
int sandbox_create(struct sandbox *sb, const char *dir, char *msg, size_t msglen);

/* Removes the folder when we made it. */
void sandbox_remove(struct sandbox *sb);

/* Where a color's gateway log goes (JSON lines). */
void sandbox_color_log(const struct sandbox *sb, enum color c, char *buf, size_t len);

#endif
