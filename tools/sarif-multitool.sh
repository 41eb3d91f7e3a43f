#!/usr/bin/env bash
# Install Microsoft's SARIF multitool (npm @microsoft/sarif-multitool), the
# validator tests/e2e/test_sarif.py holds fsrace's SARIF to (its own rules
# and GitHub code scanning's), once, into a cache directory; print the path
# of its binary. Node.js and npm come from Debian when missing.
# Usage: tools/sarif-multitool.sh [--print]
#   --print   only print where it is (exit 1 if not installed)
# The directory: $FSRACE_TOOLS_CACHE, default ~/.cache/fsrace.
set -euo pipefail

version=5.7.0
dir=${FSRACE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fsrace}/sarif-multitool-$version
bin=$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
if [ "${1:-}" = --print ]; then
	exit 1
fi
if ! command -v npm >/dev/null; then
	echo "fsrace: installing nodejs npm (for the SARIF multitool)" >&2
	sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends nodejs npm >/dev/null
fi
# Node trusts its own CA list, not the system's: a machine behind a
# TLS-inspecting proxy has the proxy's CA only in the system bundle
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
echo "fsrace: installing @microsoft/sarif-multitool@$version into $dir" >&2
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --silent \
	"@microsoft/sarif-multitool@$version" >&2
# npm leaves its postinstall (chmod u+x) unrun without approval
chmod u+x "$bin"
echo "$bin"
