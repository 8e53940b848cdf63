/* snippets: the nginx text cutover asks the operator to add (printed by
 * `cutover init`) and the demo sandbox's whole nginx.conf, built from the same
 * pieces so the demo runs exactly what we tell operators to run. */
#ifndef CUTOVER_CLI_SNIPPETS_H
#define CUTOVER_CLI_SNIPPETS_H

#include <stdio.h>

/* The location block that proxies streaming chats to the upstream group. */
void snippets_print_location(FILE *out, const char *indent, const char *upstream_name,
                             int read_timeout_s);

struct snippets_sandbox {
    const char *log_format;      /* the balancer's (backends/balancer.h) */
    const char *dir;             /* nginx prefix: logs, temp files, pid */
    const char *upstream_file;
    const char *upstream_name;
    const char *access_log;
    const char *pid_file;
    int listen_port;             /* on 127.0.0.1 */
    int workers;
    int read_timeout_s;
    int run_as_root;             /* add `user root root;` so workers reach dir */
    const char *real_ip_header;  /* NULL, or the header a loopback client names
                                    its address in (nginx's realip) */
};

void snippets_print_sandbox_conf(FILE *out, const struct snippets_sandbox *s);

#endif
