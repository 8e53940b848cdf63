#!/bin/bash
# export.prometheus_listen: the endpoint's output passes `promtool check
# metrics`, other paths answer 404, and a real Prometheus on loopback scrapes
# it: with green failing 20% of its chats and traffic at 50/50 through nginx,
# the PromQL 5xx ratio of green matches what green really answered.
. "$top_srcdir/tests/integration/lib.sh"
PROMETHEUS=$(command -v prometheus || echo /usr/bin/prometheus)
PROMTOOL=$(command -v promtool || echo /usr/bin/promtool)
[ -x "$PROMETHEUS" ] && [ -x "$PROMTOOL" ] || skip_all "prometheus not installed (scripts/deps.sh)"
command -v curl >/dev/null || skip_all "curl not installed"
start_sandbox
tap_plan 11

PROM_PID=""
LOAD_PID=""
stop_all() {
    [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
    [ -n "$PROM_PID" ] && { kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null; }
    "$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1
    cleanup
}
trap stop_all EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
METRICS_PORT=$(free_port)
PROM_PORT=$(free_port)
METRICS="http://127.0.0.1:$METRICS_PORT/metrics"

# Weighted round robin, so 50/50 holds under concurrent load; instant sims.
set_config export.prometheus_listen "127.0.0.1:$METRICS_PORT" nginx.balance '""'
for a in "$BLUE_ADDR" "$GREEN_ADDR"; do "$SIM" ctl "$a" set ttft_ms=0 token_ms=0 >/dev/null; done
check "cutover server start with the endpoint on 127.0.0.1:$METRICS_PORT" \
    "$CUTOVER" -c "$CONFIG" server start
check "shift to 50" shift_to 50
sleep 1.5

curl -s -D "$WORK/head" "$METRICS" >"$WORK/metrics"
if grep -q '^HTTP/1.1 200' "$WORK/head" && grep -qi '^Content-Type: text/plain; version=0.0.4' "$WORK/head" \
    && grep -q '^cutover_weight{color="green"} 50$' "$WORK/metrics"; then
    ok "GET /metrics: 200, text format 0.0.4, green's weight 50"
else not_ok "GET /metrics: 200, text format 0.0.4, green's weight 50" "$(cat "$WORK/head")" "$(head -c 600 "$WORK/metrics")"; fi
if curl -s "$METRICS" | "$PROMTOOL" check metrics >"$WORK/promtool.out" 2>&1; then
    ok "promtool check metrics accepts the output"
else not_ok "promtool check metrics accepts the output" "$(cat "$WORK/promtool.out")"; fi
is "any other path is 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/")" "404"

# --- a real Prometheus ------------------------------------------------------
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: cutover
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
EOF
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
API="http://127.0.0.1:$PROM_PORT/api/v1"

"$SIM" ctl "$GREEN_ADDR" set error_rate=0.2 >/dev/null
sim_reset "$GREEN_ADDR"
"$SIM" load --url "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" --rps 200 --concurrency 8 \
    --duration 24 --quiet >"$WORK/load.json" 2>&1 &
LOAD_PID=$!
# query PROMQL: prints the first result's value, or nothing
query() {
    curl -s "$API/query" --data-urlencode "query=$1" | python3 -c 'import json,sys
r=json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
up=""
for _ in $(seq 1 100); do
    up=$(query 'up{job="cutover"}')
    [ "$up" = "1" ] && break
    sleep 0.2
done
is "Prometheus scrapes the endpoint (up == 1)" "$up" "1"
sleep 20
RATIO_Q='rate(cutover_responses_5xx_total{color="green"}[30s]) / rate(cutover_requests_total{color="green"}[30s])'
ratio=$(query "$RATIO_Q")
requests=$(query 'increase(cutover_requests_total{color="green"}[30s])')
stats=$("$SIM" ctl "$GREEN_ADDR" stats)
real=$(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("%.4f" % (s["chat_5xx"]/max(1,s["chat_requests"])))' "$stats")
# The load asks 200/s; a busy machine sends fewer. 300 requests keep the
# ratio within 0.06 of 0.2 at over 2.5 standard errors.
if python3 -c 'import sys; r,real,n=sys.argv[1:]; sys.exit(0 if r and abs(float(r)-float(real)) <= 0.05 and abs(float(r)-0.2) <= 0.06 and float(n) >= 300 else 1)' \
    "$ratio" "$real" "${requests:-0}"; then
    ok "PromQL: green's 5xx ratio $ratio over ${requests%.*} requests (green really answered $real 5xx)"
else not_ok "PromQL: green's 5xx ratio near the real one" "query: $ratio over ${requests:-none} requests; real $real" \
    "stats: $stats" "$(tail -n 3 "$WORK/prometheus.log")"; fi
blue=$(query 'rate(cutover_responses_5xx_total{color="blue"}[30s])')
is "blue, which fails nothing, has no 5xx rate" "$blue" "0"
ttft=$(query 'cutover_ttft_seconds_count{color="green"}')
if python3 -c 'import sys; sys.exit(0 if sys.argv[1] and float(sys.argv[1]) > 0 else 1)' "$ttft"; then
    ok "the TTFT histogram counts green's probes ($ttft)"
else not_ok "the TTFT histogram counts green's probes" "count: '$ttft'"; fi
wait "$LOAD_PID" 2>/dev/null
LOAD_PID=""

# --- an IPv6 literal ---------------------------------------------------------
"$CUTOVER" -c "$CONFIG" server stop --force >/dev/null 2>&1
V6_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])' 2>/dev/null)
if [ -z "$V6_PORT" ]; then
    ok "# SKIP no IPv6 loopback here"; ok "# SKIP no IPv6 loopback here"
else
    set_config export.prometheus_listen "[::1]:$V6_PORT"
    check "server start with the endpoint on [::1]:$V6_PORT" "$CUTOVER" -c "$CONFIG" server start
    sleep 1.2
    if curl -s -g "http://[::1]:$V6_PORT/metrics" | "$PROMTOOL" check metrics >"$WORK/v6.out" 2>&1 \
        && curl -s -g "http://[::1]:$V6_PORT/metrics" | grep -q '^cutover_weight{color="green"} 50$'; then
        ok "GET http://[::1]:$V6_PORT/metrics answers the metrics"
    else not_ok "GET over IPv6 answers the metrics" "$(cat "$WORK/v6.out")"; fi
fi
finish
