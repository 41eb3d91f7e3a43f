#!/usr/bin/env bash
# bench/churn.sh — does analysis stay linear when a tree makes and removes
# many files?
#
# For each N of --sizes (default 10000,20000,40000) and each of two
# workloads, records a Python program and times the median of --runs
# runs of
#   fsrace analyze --format json -o R.json --fail-on none TRACE
# with the time per file, in a markdown table:
#   unlink  creates N files in one directory (O_CREAT|O_EXCL, close),
#           then unlinks them all, as tar, git checkout or a test suite's
#           temporary files do;
#   fsync   creates N files in one directory and leaves them, then N
#           files in another, each fsync'ed with its directory, as dpkg
#           or a database does.
# The time per file must stay flat as N doubles (issue 12;
# docs/performance.md has the figures).
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/churn.sh [options]

  --fsrace PATH   the fsrace binary (default: build/fsrace in the repo)
  --sizes LIST    comma-separated file counts (default 10000,20000,40000)
  --runs N        timed analyses per size (default 3; the median is shown)
  --dir DIR       scratch directory (default: $TMPDIR or /tmp)
  -h, --help      this text
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
fsrace="$root/build/fsrace"
sizes=10000,20000,40000
runs=3
dir=${TMPDIR:-/tmp}
python=/usr/bin/python3

while [ $# -gt 0 ]; do
	case "$1" in
	--fsrace) [ $# -ge 2 ] || die "--fsrace needs a path"; fsrace=$2; shift ;;
	--fsrace=*) fsrace=${1#*=} ;;
	--sizes) [ $# -ge 2 ] || die "--sizes needs a list"; sizes=$2; shift ;;
	--sizes=*) sizes=${1#*=} ;;
	--runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
	--runs=*) runs=${1#*=} ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a directory"; dir=$2; shift ;;
	--dir=*) dir=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] ||
	die "--runs wants a number of at least 1, not '$runs'"
[ -x "$fsrace" ] || die "no fsrace binary at '$fsrace' (ninja -C build)"
[ -x "$python" ] || die "needs $python"
[ -d "$dir" ] || die "no directory '$dir'"
IFS=, read -r -a size_list <<<"$sizes"
for s in "${size_list[@]}"; do
	[[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -gt 0 ] || die "bad size '$s'"
done
work=$(mktemp -d "$dir/fsrace-churn.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/churn.py" <<'EOF'
import os, sys
mode, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
a, b = os.path.join(d, "a"), os.path.join(d, "b")
os.makedirs(a)
os.makedirs(b)
for i in range(n):
    os.close(os.open(os.path.join(a, "f%d" % i), flags, 0o644))
if mode == "unlink":
    for i in range(n):
        os.unlink(os.path.join(a, "f%d" % i))
else:
    bd = os.open(b, os.O_RDONLY | os.O_DIRECTORY)
    for i in range(n):
        fd = os.open(os.path.join(b, "g%d" % i), flags, 0o644)
        os.fsync(fd)
        os.close(fd)
        os.fsync(bd)
EOF


echo "# fsrace analysis of file churn — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "fsrace: $fsrace; median of $runs runs"
echo
echo "| workload | files | events | analyze | per file |"
echo "|---|---:|---:|---:|---:|"
for mode in unlink fsync; do
	for n in "${size_list[@]}"; do
		trace="$work/$mode$n.jsonl"
		"$fsrace" record -o "$trace" -- "$python" "$work/churn.py" \
			"$mode" "$n" "$work/d$mode$n" >/dev/null 2>&1 ||
			die "recording $mode of $n files failed"
		events=$(grep -c '"type":"syscall"' "$trace" || true)
		times=()
		for ((i = 0; i < runs; i++)); do
			t=$(mktemp)
			/usr/bin/time -f '%e' -o "$t" "$fsrace" analyze \
				--format json -o "$work/r.json" --fail-on none \
				"$trace" || die "analyze of $mode $n failed"
			times+=("$(tail -n 1 "$t")")
			rm -f "$t"
		done
		m=$(printf '%s\n' "${times[@]}" | median)
		awk -v w="$mode" -v n="$n" -v e="$events" -v m="$m" 'BEGIN {
			printf "| %s | %d | %d | %.2f s | %.1f µs |\n", w, n, e,
				m, m / n * 1e6 }'
	done
done
