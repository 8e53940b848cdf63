/* snippets: nginx configuration text. */
#include "cli/snippets.h"

void snippets_print_location(FILE *out, const char *in, const char *upstream_name,
                             int read_timeout_s)
{
    fprintf(out,
            "%slocation / {\n"
            "%s    proxy_pass http://%s;\n"
            "%s    # streams: keep the upstream connection HTTP/1.1 and unbuffered\n"
            "%s    proxy_http_version 1.1;\n"
            "%s    proxy_set_header Connection \"\";\n"
            "%s    proxy_buffering off;\n"
            "%s    # equal to the gateway's idle ceiling, gateway.idle_timeout_s (cutover check compares them)\n"
            "%s    proxy_read_timeout %ds;\n"
            "%s    proxy_set_header Host $host;\n"
            "%s    # the gateway answers 403 to X-Forwarded-For chains appended by untrusted proxies\n"
            "%s    proxy_set_header X-Forwarded-For $remote_addr;\n"
            "%s    # lets the gateway's logs carry the access log's request id\n"
            "%s    proxy_set_header X-Request-Id $request_id;\n"
            "%s}\n",
            in, in, upstream_name, in, in, in, in, in, in, read_timeout_s, in, in, in, in, in, in);
}

void snippets_print_sandbox_conf(FILE *out, const struct snippets_sandbox *s)
{
    fprintf(out, "# cutover demo sandbox: generated, deleted when the demo stops.\n");
    if (s->run_as_root)
        fprintf(out, "user root root;\n");
    fprintf(out,
            "daemon off;\n"
            "worker_processes %d;\n"
            "pid %s;\n"
            "error_log %s/error.log notice;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    client_body_temp_path %s/tmp/body;\n"
            "    proxy_temp_path %s/tmp/proxy;\n"
            "    fastcgi_temp_path %s/tmp/fastcgi;\n"
            "    uwsgi_temp_path %s/tmp/uwsgi;\n"
            "    scgi_temp_path %s/tmp/scgi;\n"
            "    %s\n"
            "    access_log %s cutover;\n"
            "    include %s;\n"
            "    server {\n"
            "        listen 127.0.0.1:%d;\n",
            s->workers, s->pid_file, s->dir, s->dir, s->dir, s->dir, s->dir, s->dir,
            s->log_format, s->access_log, s->upstream_file, s->listen_port);
    if (s->real_ip_header)
        fprintf(out, "        set_real_ip_from 127.0.0.1;\n        real_ip_header %s;\n",
                s->real_ip_header);
    snippets_print_location(out, "        ", s->upstream_name, s->read_timeout_s);
    fprintf(out, "    }\n}\n");
}
