#!/bin/sh
# Installs what cutover needs to build, test and run its demo.
# Debian/Ubuntu: apt-get, non-interactive (run as root, or with sudo available).
# macOS: prints the brew line instead of running it.
set -eu

DEBIAN_PACKAGES="build-essential autoconf automake pkg-config libuv1-dev \
libcurl4-openssl-dev libcjson-dev libncurses-dev libcmocka-dev nginx-light \
tmux lsof procps curl asciinema prometheus valgrind"

case "$(uname -s)" in
Darwin)
    echo "On macOS, install the dependencies with:"
    echo "  brew install autoconf automake pkg-config libuv curl cjson ncurses cmocka nginx tmux"
    exit 0
    ;;
esac

if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/deps.sh: no apt-get here; install by hand: $DEBIAN_PACKAGES" >&2
    exit 1
fi

missing=""
for p in $DEBIAN_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's nginx package tries to start a system nginx on port 80; policy-rc.d
# keeps that from happening (cutover runs its own nginx instances).
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
