/* Subcommand dispatch and the help text. */
#include "sim/sim.h"

#include <stdio.h>
#include <string.h>

#include "sim/ctl.h"
#include "sim/loadgen.h"
#include "sim/serve.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static const char usage[] =
    "usage: cutover-sim serve [options]   simulated OpenClaw gateway\n"
    "       cutover-sim load --url URL [options]   streaming chat load generator\n"
    "       cutover-sim ctl HOST:PORT stats|version|quit|reset|set KEY=VALUE...\n"
    "       cutover-sim --help | --version\n"
    "\n"
    "serve options:\n"
    "  --listen HOST:PORT        address (default 127.0.0.1:8787; port 0 picks one and\n"
    "                            'listening HOST:PORT' is printed either way)\n"
    "  --name NAME               color name reported by health and logs (default sim)\n"
    "  --version-string V        version reported by health and stats (default dev)\n"
    "  --ttft-ms N               delay before the first content chunk (150)\n"
    "  --token-ms N              delay between content chunks (20)\n"
    "  --tokens N                content chunks per answer (16)\n"
    "  --error-rate P            share of chats answered 500/503 at once (0.0)\n"
    "  --stream-error-rate P     share of chats that fail inside their 200 stream (0.0)\n"
    "  --stream-error-after N    content chunks a failing stream sends first (0)\n"
    "  --stream-error-text B     1: the failure is an 'Error: ...' content chunk (OpenClaw\n"
    "                            before 2026.9); 0: a data: {\"error\":{...}} event (0)\n"
    "  --jitter-pct N            +- spread on every delay, percent (10)\n"
    "  --ttft-sigma S            > 0: TTFT lognormal, median --ttft-ms, S the sd of its log\n"
    "                            (0: TTFT takes --jitter-pct like the other delays) (0)\n"
    "  --starting B              1: /readyz and /startupz answer 503 startup-sidecars, as\n"
    "                            OpenClaw's do while it starts (0)\n"
    "  --catch-all-html B        1: every unknown GET answers 200 text/html, as OpenClaw's\n"
    "                            Control UI does (0)\n"
    "  --log FILE                append one JSON line per request\n"
    "  --gateway-log FILE        append each chat as OpenClaw 2026.9 logs it: a stream that\n"
    "                            fails writes ERROR 'lane task error', WARN 'model fallback\n"
    "                            chain stopped' and WARN 'streaming chat completion failed'\n"
    "  --seed N                  seed the random choices, for repeatable runs\n"
    "  endpoints: POST /v1/chat/completions (OpenAI's chunks: a real OpenClaw can use the sim\n"
    "  as its model provider, api openai-completions), GET /v1/models, GET /health /healthz\n"
    "  /readyz /startupz,\n"
    "  GET /_sim/stats, GET|POST /_sim/config?key=value&..., POST /_sim/reset, POST /_sim/quit\n"
    "  signals: TERM/INT quit gracefully (open streams finish, 30 s at most), USR1 toggles\n"
    "  draining\n"
    "\n"
    "load options:\n"
    "  --url URL                 chat completions URL (required)\n"
    "  --rps N                   requests started per second, 0 = as fast as allowed (50)\n"
    "  --concurrency N           most requests in flight (16)\n"
    "  --count N | --duration S  stop after N requests or S seconds (default: until signal)\n"
    "  --header 'K: V'           extra request header (repeatable)\n"
    "  --model NAME              the body's model (cutover-sim; a real OpenClaw takes openclaw)\n"
    "  --timeout S               per-request limit in seconds (60)\n"
    "  --quiet                   no progress on stderr\n"
    "  prints one JSON line: sent, completed, status counts, transport_errors,\n"
    "  stream_errors, ttft_ms p50/p95\n"
    "\n"
    "ctl: exit 0 on a 2xx answer, 1 otherwise; 'version' prints the version only;\n"
    "  'set' keys: ttft_ms token_ms tokens error_rate stream_error_rate stream_error_after\n"
    "  stream_error_text jitter_pct ttft_sigma draining starting catch_all_html\n"
    "  (starting: /readyz 503 startup-sidecars as OpenClaw's while it starts;\n"
    "  catch_all_html: 200 text/html on every unknown path, as OpenClaw's Control UI)\n"
    "\n"
    "exit codes: 0 ok, 1 failure, 2 usage error\n";

int sim_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("cutover-sim %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "serve") == 0)
        return serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "load") == 0)
        return loadgen_main(argc - 1, argv + 1);
    if (strcmp(cmd, "ctl") == 0)
        return ctl_main(argc - 1, argv + 1);
    fprintf(stderr, "cutover-sim: unknown command '%s' (see --help)\n", cmd);
    return 2;
}
