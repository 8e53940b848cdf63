#!/bin/bash
# cutover check on what the real gateway shows (issue 12), against the demo
# sandbox (real nginx, two cutover-sims): the colors' own configs (JSON5)
# compared key by key (a flag on green only is named, per-instance keys are
# expected, a differing token is named without its value, bad JSON5 is
# refused with file:line:col), their rate limits against nginx's limit_req
# zones, a Control UI answering every path told apart from a debug route
# (the sim's catch_all_html), a gateway still starting (/readyz 503
# startup-sidecars: the sim's `starting`) warning "starting, N s", and a
# missing readiness path falling back to the health path.
. "$top_srcdir/tests/integration/lib.sh"

tap_plan 23
start_sandbox

run_check() {
    "$CUTOVER" -c "$CONFIG" check >"$WORK/out" 2>&1
    RC=$?
}
line() { grep -E "^[a-z]+ +$1 " "$WORK/out"; }
expect_line() {
    local got; got=$(line "$2")
    if [[ "$got" == "$3 "* && "$got" == *"$4"* ]]; then ok "$1"
    else not_ok "$1" "line: $got" "want status $3 and: $4" "$(sed 's/^/  /' "$WORK/out")"; fi
}

# gw_config COLOR PORT TOKEN EXTRA: one gateway config as scripts/openclaw.sh
# writes them (JSON5: comments, bare keys, trailing commas).
gw_config() {
    cat >"$WORK/$1.json5" <<EOF
// $1's gateway
{
  gateway: {
    mode: "local",
    port: $2,
    bind: 'loopback',
    auth: { mode: "token", token: "$3" },
    trustedProxies: ["127.0.0.1"],
    http: { endpoints: { chatCompletions: { enabled: true }, $4 } },
    controlUi: { enabled: false },
  },
  agents: { defaults: { workspace: "$WORK/$1/workspace", model: { primary: "sim/sim" } } },
  models: {
    providers: {
      sim: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "provider-KEY-same", api: "openai-completions" },
    },
  },
  logging: { file: "$WORK/$1/openclaw.log" },
}
EOF
}
gw_config blue 18789 tok-SAME-1234 ""
gw_config green 18909 tok-SAME-1234 ""
set_config colors.blue.config_file "\"$WORK/blue.json5\"" \
    colors.green.config_file "\"$WORK/green.json5\""

# 1-3: the same configs but for each instance's own keys pass.
run_check
is "check passes with matching gateway configs" "$RC" 0
expect_line "per-instance keys are expected differences" gateway.config ok \
    "the colors' configs match beyond their own port, workspace, log path (expected)"
expect_line "matching secrets pass, values unseen" gateway.secrets ok \
    "2 secret value(s) match across colors (values not shown)"

# 4-5: a feature flag on green only is named by its key; it warns (a new
# release may mean it), so the check still passes.
gw_config green 18909 tok-SAME-1234 "responses: { enabled: true }"
run_check
is "a flag on green only warns (exit 0)" "$RC" 0
expect_line "the flag is named by its key" gateway.config warn \
    "1 key(s) differ between the colors' configs: gateway.http.endpoints.responses (green only)"

# 6-7: a token not rotated on both colors: named, its values never printed.
gw_config green 18909 tok-STALE-9999 ""
run_check
expect_line "a differing token is named" gateway.secrets warn \
    "gateway.auth.token (differs): secrets rotation must update both colors (values not shown)"
if grep -q -e tok-SAME -e tok-STALE -e provider-KEY "$WORK/out"; then
    not_ok "no token value is printed" "$(cat "$WORK/out")"
else ok "no token value is printed"; fi

# 8-9: bad JSON5 is refused with its file, line and column.
printf '{\n  gateway: {\n    port: 18909\n    mode: "local",\n  },\n}\n' >"$WORK/green.json5"
run_check
is "an unreadable gateway config fails the check (exit 5)" "$RC" 5
expect_line "bad JSON5 names file, line and column" gateway.config fail \
    "$WORK/green.json5:4:5: expected ',' or '}', found 'm'"

# 10-12: a request rate limit in the configs against nginx's limit_req zones.
gw_config green 18909 tok-SAME-1234 ""
for c in blue green; do
    sed -i 's|^  logging:|  tenants: { acme: { rateLimit: { requestsPerMinute: 600 } } },\n&|' "$WORK/$c.json5"
done
run_check
expect_line "a gateway rate limit without a nginx zone warns" gateway.limits warn \
    "tenants.acme.rateLimit allows 10 r/s, but nginx's limit_req zones are: none"
cp "$SANDBOX/nginx.conf" "$WORK/nginx.conf.orig"
sed -i -e 's|^http {|&\n    limit_req_zone $binary_remote_addr zone=acme:1m rate=10r/s;|' \
    -e 's|proxy_pass http://openclaw_gateway;|&\n            limit_req zone=acme burst=20 nodelay;|' \
    "$SANDBOX/nginx.conf"
run_check
expect_line "a zone at the same rate matches" gateway.limits ok \
    "the gateways' rate limits match nginx's limit_req: tenants.acme.rateLimit = zone acme"
sed -i 's|rate=10r/s|rate=5r/s|' "$SANDBOX/nginx.conf"
run_check
cp "$WORK/nginx.conf.orig" "$SANDBOX/nginx.conf"
expect_line "a zone at another rate warns, naming both" gateway.limits warn \
    "allows 10 r/s, but nginx's limit_req zones are: acme 5r/s"

# 13-18: green's Control UI answers every path with its page: named with the
# fix; its pages on the debug paths are not debug routes, a real one still is.
gw_config green 18909 tok-SAME-1234 ""
"$SIM" ctl "$GREEN_ADDR" set catch_all_html=1 >/dev/null
run_check
is "an admin surface answering every path fails the check (exit 5)" "$RC" 5
expect_line "the Control UI is named with its fix" control_ui fail \
    "that is OpenClaw's Control UI, an admin surface, reachable wherever nginx proxies more than /v1/: turn it off (gateway.controlUi.enabled false) or proxy only /v1/ through nginx"
expect_line "its pages on the debug paths are not debug routes" debug_routes ok \
    "3 path(s) answer 403/404 or only the Control UI's page (see control_ui)"
expect_line "health is unaffected (readiness is not an HTML page)" health.green ok \
    "ready: GET /readyz 200"
# Proxying only /v1/ through nginx (the sandbox's location / made /v1/)
# keeps the UI on loopback: a warning that says so.
cp "$SANDBOX/nginx.conf" "$WORK/nginx.conf.orig"
sed -i 's|location / {|location /v1/ {|' "$SANDBOX/nginx.conf"
run_check
cp "$WORK/nginx.conf.orig" "$SANDBOX/nginx.conf"
expect_line "behind nginx proxying only /v1/ it warns" control_ui warn \
    "nginx proxies only /v1/ to the gateway, so it is reachable on loopback only"
set_config gateway.debug_paths '["/debug", "/_sim/stats"]'
run_check
expect_line "a real debug route still fails beside the UI" debug_routes fail \
    "GET /_sim/stats on green answered 200"
set_config gateway.debug_paths '["/debug", "/admin", "/_internal"]'
"$SIM" ctl "$GREEN_ADDR" set catch_all_html=0 >/dev/null

# 19-21: a gateway still starting (/readyz 503 startup-sidecars) warns with
# its uptime; the check passes.
"$SIM" ctl "$GREEN_ADDR" set starting=1 >/dev/null
run_check
is "a starting gateway does not fail the check" "$RC" 0
expect_line "it says starting, N s" health.green warn "starting, "
if line health.green | grep -qE 'starting, [0-9]+ s \(GET /readyz 503 startup-sidecars\)'; then
    ok "with its uptime and the reason"
else not_ok "with its uptime and the reason" "$(line health.green)"; fi
"$SIM" ctl "$GREEN_ADDR" set starting=0 >/dev/null

# 22-23: no readiness path (404) falls back to the health path; "" skips it.
set_config gateway.ready_path '"/no-readyz-here"'
run_check
expect_line "a 404 readiness path falls back to the health path" health.blue ok \
    "no /no-readyz-here (404); GET /healthz 200"
set_config gateway.ready_path '""'
run_check
expect_line "an empty ready_path asks the health path only" health.blue ok "GET /healthz 200;"

finish
