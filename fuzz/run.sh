#!/usr/bin/env bash
# Build a libFuzzer target with clang, ASan and UBSan, and run it for a
# fixed time: the strace importer, or with FUZZ_TARGET=jscan the trace
# reader's JSON scanner, reader the whole trace reader, rules the rule-file
# loader, config the configuration file, baseline the baseline file,
# merge the findings documents of fsrace merge.
# Usage: [FUZZ_TARGET=strace|jscan|reader|rules|config|baseline|merge] fuzz/run.sh [SECONDS [LIBFUZZER-OPTIONS...]]
#        (default 60 s)
# The build goes to $FUZZ_BUILD (default /tmp/fsrace-fuzz); the inputs it
# finds to $FUZZ_BUILD/corpus-TARGET, never into the source tree. An input that
# crashes it is left in $FUZZ_BUILD/crashes/: fix the bug, then copy the
# input to fuzz/regressions/ (tests/unit/test_strace.c replays them all;
# test_jscan.c those named jscan-*; tests/e2e/test_bad_input.py those
# named merge-*).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
build=${FUZZ_BUILD:-/tmp/fsrace-fuzz}
target=${FUZZ_TARGET:-strace}
case "$target" in
strace) corpus=corpus; max_len=65536 ;;
jscan) corpus=corpus-jscan; max_len=8192 ;;
reader) corpus=corpus-reader; max_len=65536 ;;
rules) corpus=corpus-rules; max_len=16384 ;;
config) corpus=corpus-config; max_len=16384 ;;
baseline) corpus=corpus-baseline; max_len=16384 ;;
merge) corpus=corpus-merge; max_len=32768 ;;
*) echo "fuzz: FUZZ_TARGET is strace, jscan, reader, rules, config," \
	"baseline or merge, not '$target'" >&2; exit 2 ;;
esac

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=enabled \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" "fuzz/fuzz-$target" >/dev/null
mkdir -p "$build/corpus-$target" "$build/crashes"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# -close_fd_mask=2: the importer's warnings would drown libFuzzer's report
status=0
"$build/fuzz/fuzz-$target" -max_total_time="$secs" -close_fd_mask=2 \
	-timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
	-artifact_prefix="$build/crashes/" "$@" \
	"$build/corpus-$target" "$src/fuzz/$corpus" "$src/fuzz/regressions" ||
	status=$?
if [ $status -ne 0 ]; then
	echo "fuzz: the target failed; inputs in $build/crashes/:" >&2
	ls -l "$build/crashes" >&2
fi
exit $status
