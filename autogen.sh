#!/bin/sh
# Generates ./configure and the automake helpers; none of them is kept in git.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf --force --install --warnings=all
