#!/usr/bin/env bash
# Configure (once) and compile a build directory.
# Usage: tools/build.sh [BUILDDIR [MESON-SETUP-OPTIONS...]]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" --werror "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
