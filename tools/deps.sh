#!/usr/bin/env bash
# Install the Debian packages fsrace needs to build and test, once: a
# package already installed is skipped, and apt-get is not run at all when
# nothing is missing. The programs of the real-program corpus
# (fixtures/real/, tools/corpus.py) are in the default set: a case whose
# program is missing is skipped, and CI should run them all.
# Usage: tools/deps.sh [--bench] [--browser] [--coverage] [--python-debug]
#                      [--valgrind]
#   --bench         hyperfine, for bench/run.sh
#   --browser       chromium, in which tests/e2e/test_html.py renders the
#                   HTML report (tests/run.sh asks for it)
#   --coverage      gcovr, for tools/coverage.sh
#   --python-debug  python3-dbg, the system python3's debug build, which
#                   must get no Python frames (a test that skips without
#                   it; about 54 MB to download, 140 MB installed)
#   --valgrind      valgrind, for meson test --setup valgrind
set -euo pipefail

# clang: libFuzzer, for the fuzz targets' short run (tests/e2e/test_fuzz.py)
# python3-dev's internal headers (of the system's python3, whatever its
# version) check stack/python-offsets.h (tools/pyoffsets.c, in
# tests/e2e/test_stacks_python.py)
pkgs=(gcc meson ninja-build pkg-config libseccomp-dev libjansson-dev
      libunwind-dev libdw-dev libcmocka-dev python3 python3-jsonschema strace
      debhelper dpkg-dev fakeroot
      clang-format clang python3-dev
      rsync sqlite3 git unzip zip ed patch make perl gzip tar logrotate)
for arg; do
	case $arg in
	--bench) pkgs+=(hyperfine) ;;
	--browser) pkgs+=(chromium) ;; # the HTML report's tests
	--coverage) pkgs+=(gcovr) ;;
	--python-debug) pkgs+=(python3-dbg) ;;
	--valgrind) pkgs+=(valgrind) ;;
	*)
		echo "usage: tools/deps.sh [--bench] [--browser] [--coverage]" \
			"[--python-debug] [--valgrind]" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "fsrace: installing ${missing[*]}" >&2
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null
