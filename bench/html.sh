#!/usr/bin/env bash
# bench/html.sh — does a large HTML report stay usable?
#
# Writes a strace log (-f -tt -T -y) of N processes (default 10000), each
# a program of its own that stats a file and then opens it by name: N
# check-then-use findings in N groups, each with its own section and
# timeline in the report. Then, interleaved, --runs times each:
#   fsrace analyze -o R.html LOG              (the report's writing)
#   chromium --headless --screenshot R.html   (load, layout, first paint)
#   chromium --headless --screenshot EMPTY    (the browser's own start)
# and prints the medians, the report's size, and the page's load time as
# the difference of the two browser medians (issue 13: under 2 s for
# 10,000 findings; docs/performance.md has the figures).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: bench/html.sh [options]

  --fsrace PATH   the fsrace binary (default: build/fsrace in the repo)
  --findings N    findings in the report (default 10000)
  --runs N        timed runs of each (default 5; the median is shown)
  --dir DIR       scratch directory (default: $TMPDIR or /tmp)
  -h, --help      this text
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
fsrace="$root/build/fsrace"
n=10000
runs=5
dir=${TMPDIR:-/tmp}
while [ $# -gt 0 ]; do
	case $1 in
	--fsrace) fsrace=$2; shift 2 ;;
	--findings) n=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
browser=$(command -v chromium || true)
[ -n "$browser" ] || { echo "bench/html.sh: no chromium (tools/deps.sh --browser)" >&2; exit 2; }
work=$(mktemp -d "$dir/fsrace-html.XXXXXX")
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$n" "$work/app.log" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
t = 36000.0


def name(i):
    # letters: names that differ in digits only are one finding
    s = ""
    for _ in range(4):
        s += "abcdefghijklmnopqrstuvwxyz"[i % 26]
        i //= 26
    return s


with open(out, "w") as f:
    for i in range(n):
        pid = 10000 + i
        p = f"/srv/data/{name(i)}/config"
        def at(dt):
            global t
            t += dt
            h, r = divmod(t, 3600)
            m, s = divmod(r, 60)
            return f"{int(h):02d}:{int(m):02d}:{s:09.6f}"
        f.write(f'{pid} {at(0.0001)} execve("/usr/bin/tool-{name(i)}", '
                f'["tool-{name(i)}"], 0x7ffd0 /* 20 vars */) = 0 <0.000300>\n')
        f.write(f'{pid} {at(0.0001)} newfstatat(AT_FDCWD, "{p}", '
                f'{{st_mode=S_IFREG|0644, st_size=5, ...}}, 0) = 0 '
                f'<0.000010>\n')
        f.write(f'{pid} {at(0.00002)} openat(AT_FDCWD, "{p}", O_RDONLY) '
                f'= 3<{p}> <0.000012>\n')
        f.write(f'{pid} {at(0.00001)} close(3<{p}>) = 0 <0.000004>\n')
        f.write(f'{pid} {at(0.00001)} exit_group(0) = ?\n')
        f.write(f'{pid} {at(0.00001)} +++ exited with 0 +++\n')
PY
printf '<!DOCTYPE html>\n<title>empty</title>\n' > "$work/empty.html"

ms() { date +%s%N; }
shot() {
	"$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$work/profile" --hide-scrollbars \
		--window-size=1200,900 --screenshot="$work/shot.png" \
		"file://$1" >/dev/null 2>&1
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$work/t.write"; : > "$work/t.page"; : > "$work/t.empty"
for _ in $(seq "$runs"); do
	a=$(ms); "$fsrace" analyze --fail-on none -o "$work/r.html" "$work/app.log"
	b=$(ms); echo $(((b - a) / 1000000)) >> "$work/t.write"
	a=$(ms); shot "$work/r.html"; b=$(ms)
	echo $(((b - a) / 1000000)) >> "$work/t.page"
	a=$(ms); shot "$work/empty.html"; b=$(ms)
	echo $(((b - a) / 1000000)) >> "$work/t.empty"
done
groups=$(grep -c '<section class="finding"' "$work/r.html")
w=$(median < "$work/t.write"); p=$(median < "$work/t.page")
e=$(median < "$work/t.empty")
echo "findings (groups) in the report: $groups"
echo "report size: $(($(stat -c %s "$work/r.html") / 1024)) KiB"
echo "fsrace analyze -o r.html: median $w ms of $runs"
echo "chromium, the report: median $p ms; an empty page: median $e ms"
echo "page load (the difference): $((p - e)) ms"
