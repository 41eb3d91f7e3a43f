#!/usr/bin/env bash
# bench/analyze.sh — how fast fsrace reads and analyzes a native trace.
#
# Generates synthetic traces of a build (bench/gen_trace.c: make -j4
# compiling C files; openat, newfstatat, close, access, rename, unlink,
# mkdir, fsync, execve, fork and exit records) of 1M and 10M events, then
# times, for each, the median of --runs runs of:
#   reader   build/bench/read_trace TRACE     the trace reader alone
#   dump     fsrace dump TRACE >/dev/null     reader + one text line per event
#   analyze  fsrace analyze --format json -o OUT --fail-on none TRACE
# and prints a markdown table: wall time, events per second and peak RSS
# (from /usr/bin/time). Peak RSS must not grow from 1M to 10M events.
#
# With --baseline, each run of each command is followed (or, every other
# round, preceded) by the same run of the baseline binary, so both see
# the same machine: the table adds the baseline's median and the ratio.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/analyze.sh [options]

  --fsrace PATH   the fsrace binary (default: build/fsrace in the repo)
  --build DIR     the build directory holding bench/gen_trace and
                  bench/read_trace (default: the fsrace binary's)
  --dir DIR       where the traces go (default: $TMPDIR or /tmp); each is
                  about 375 bytes per event: 3.8 GB for 10M
  --sizes LIST    comma-separated event counts (default 1000000,10000000)
  --runs N        timed runs per command and size (default 3; the median
                  is reported)
  --only LIST     a comma-separated subset of reader,dump,analyze
  --keep          keep the traces (and reuse them on the next run)
  --baseline PATH another fsrace binary (an older build) to time in the
                  same run, interleaved; the traces are made by its build
                  directory's bench/gen_trace, and its reader row runs
                  that directory's bench/read_trace
  --rules DIR     analyze with only the rules in DIR (--no-default-rules
                  -r DIR), not the baseline's: e.g. a copy of the
                  baseline's own rules, to compare the same work
  --pin CPU       run every command pinned to CPU (taskset -c CPU)
  -h, --help      this text
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
fsrace="$root/build/fsrace"
build=""
dir=${TMPDIR:-/tmp}
sizes=1000000,10000000
runs=3
only=reader,dump,analyze
keep=0
baseline=""
rules=""
pin=""

while [ $# -gt 0 ]; do
	case "$1" in
	--fsrace) [ $# -ge 2 ] || die "--fsrace needs a path"; fsrace=$2; shift ;;
	--fsrace=*) fsrace=${1#*=} ;;
	--build) [ $# -ge 2 ] || die "--build needs a directory"; build=$2; shift ;;
	--build=*) build=${1#*=} ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a directory"; dir=$2; shift ;;
	--dir=*) dir=${1#*=} ;;
	--sizes) [ $# -ge 2 ] || die "--sizes needs a list"; sizes=$2; shift ;;
	--sizes=*) sizes=${1#*=} ;;
	--runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
	--runs=*) runs=${1#*=} ;;
	--only) [ $# -ge 2 ] || die "--only needs a list"; only=$2; shift ;;
	--only=*) only=${1#*=} ;;
	--keep) keep=1 ;;
	--baseline) [ $# -ge 2 ] || die "--baseline needs a path"; baseline=$2; shift ;;
	--baseline=*) baseline=${1#*=} ;;
	--rules) [ $# -ge 2 ] || die "--rules needs a directory"; rules=$2; shift ;;
	--rules=*) rules=${1#*=} ;;
	--pin) [ $# -ge 2 ] || die "--pin needs a CPU number"; pin=$2; shift ;;
	--pin=*) pin=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] ||
	die "--runs wants a number of at least 1, not '$runs'"
[ -x "$fsrace" ] || die "no fsrace binary at '$fsrace' (ninja -C build)"
[ -n "$build" ] || build=$(dirname "$fsrace")
gen="$build/bench/gen_trace"
reader="$build/bench/read_trace"
[ -x "$gen" ] || die "no '$gen' (ninja -C $build)"
[ -x "$reader" ] || die "no '$reader' (ninja -C $build)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (apt-get install time)"
[ -d "$dir" ] || die "no directory '$dir'"
if [ -n "$baseline" ]; then
	[ -x "$baseline" ] || die "no baseline binary at '$baseline'"
	base_reader="$(dirname "$baseline")/bench/read_trace"
	[ -x "$base_reader" ] || die "no '$base_reader' (ninja -C $(dirname "$baseline"))"
	# the older binary may not read today's trace format: the trace is
	# the baseline's, which fsrace reads too
	gen="$(dirname "$baseline")/bench/gen_trace"
	[ -x "$gen" ] || die "no '$gen' (ninja -C $(dirname "$baseline"))"
fi
[ -z "$rules" ] || [ -d "$rules" ] || die "no rules directory '$rules'"
pinned=()
if [ -n "$pin" ]; then
	[[ "$pin" =~ ^[0-9]+$ ]] || die "--pin wants a CPU number, not '$pin'"
	command -v taskset >/dev/null || die "--pin needs taskset (util-linux)"
	pinned=(taskset -c "$pin")
fi
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a what_list <<<"$only"
for s in "${size_list[@]}"; do
	[[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -gt 0 ] || die "bad size '$s'"
done
for w in "${what_list[@]}"; do
	case "$w" in
	reader | dump | analyze) ;;
	*) die "unknown command '$w' in --only" ;;
	esac
done
if [ "$keep" = 0 ]; then
	work=$(mktemp -d "$dir/fsrace-analyze.XXXXXX")
	trap 'rm -rf "$work"' EXIT
else
	work="$dir"
fi


# run WHO KIND TRACE: one timed run of WHO (fsrace or base); prints
# "SECONDS PEAK_KIB".
run() {
	local who=$1 kind=$2 trace=$3 t status=0 bin=$fsrace rd=$reader
	local extra=()
	if [ "$who" = base ]; then
		bin=$baseline
		rd=$base_reader
	elif [ -n "$rules" ]; then
		extra=(--no-default-rules -r "$rules")
	fi
	t=$(mktemp)
	case "$kind" in
	reader)
		"${pinned[@]}" /usr/bin/time -f '%e %M' -o "$t" "$rd" "$trace" \
			>/dev/null || status=$?
		;;
	dump)
		"${pinned[@]}" /usr/bin/time -f '%e %M' -o "$t" "$bin" dump \
			"$trace" >/dev/null || status=$?
		;;
	analyze)
		"${pinned[@]}" /usr/bin/time -f '%e %M' -o "$t" "$bin" analyze \
			--format json -o "$work/out.json" --fail-on none \
			"${extra[@]}" "$trace" || status=$?
		;;
	esac
	if [ "$status" != 0 ]; then
		cat "$t" >&2
		rm -f "$t"
		die "$who $kind on $trace failed (exit $status)"
	fi
	tail -n 1 "$t"
	rm -f "$t"
}

echo "# fsrace analysis throughput — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ *//'), $(uname -sr), $(awk '/MemTotal/ {
	printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "fsrace: $fsrace ($("$fsrace" --version 2>/dev/null | head -n 1 || true))"
[ -z "$baseline" ] || echo "baseline: $baseline ($("$baseline" --version 2>/dev/null | head -n 1 || true)), interleaved"
[ -z "$rules" ] || echo "fsrace's rules: only $rules"
[ -z "$pin" ] || echo "pinned to CPU $pin"
echo "median of $runs runs; traces in $work"
echo

rows=()
for n in "${size_list[@]}"; do
	trace="$work/trace-$n.jsonl"
	if [ ! -s "$trace" ]; then
		echo "generating $n events ..." >&2
		"$gen" -n "$n" -o "$trace"
	fi
	bytes=$(stat -c %s "$trace")
	# warm the page cache: every command then reads from memory
	cat "$trace" >/dev/null
	for w in "${what_list[@]}"; do
		times=()
		rss=()
		btimes=()
		for ((i = 0; i < runs; i++)); do
			order=(fsrace)
			if [ -n "$baseline" ]; then
				order=(fsrace base)
				[ $((i % 2)) = 0 ] || order=(base fsrace)
			fi
			for who in "${order[@]}"; do
				read -r secs kib < <(run "$who" "$w" "$trace")
				if [ "$who" = base ]; then
					btimes+=("$secs")
				else
					times+=("$secs")
					rss+=("$kib")
				fi
				echo "  $who $w $n: ${secs}s ${kib} KiB" >&2
			done
		done
		t=$(printf '%s\n' "${times[@]}" | median)
		m=$(printf '%s\n' "${rss[@]}" | sort -g | tail -n 1)
		row=$(awk -v w="$w" -v n="$n" -v b="$bytes" -v t="$t" \
			-v m="$m" 'BEGIN {
			printf "| %s | %d | %.0f | %.2f | %.2f | %.0f | %.1f |",
				w, n, b / 1e6, t, (t > 0 ? n / t / 1e6 : 0),
				(t > 0 ? b / t / 1e6 : 0), m / 1024 }')
		if [ -n "$baseline" ]; then
			bt=$(printf '%s\n' "${btimes[@]}" | median)
			row+=$(awk -v t="$t" -v bt="$bt" 'BEGIN {
				printf " %.2f | %.3f |", bt, (bt > 0 ? t / bt : 0) }')
		fi
		rows+=("$row")
	done
done

if [ -n "$baseline" ]; then
	echo "| command | events | MB | seconds | M events/s | MB/s | peak RSS MiB | baseline seconds | fsrace/baseline |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
else
	echo "| command | events | MB | seconds | M events/s | MB/s | peak RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
fi
printf '%s\n' "${rows[@]}"
