#!/usr/bin/env bash
# tools/screenshots.sh — the two screenshots of the HTML report in docs/img
# (README, docs/findings.md "HTML"), made again from real runs:
#   timeline-check-then-use.png   fixtures/rules/check-then-use (bad)
#   timeline-cross-process.png    fixtures/rules/widen/race.c under
#                                 --widen 20ms: another process's unlink
#                                 inside the window
# Needs build/ and chromium (tools/deps.sh --browser).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
fsrace=$top/build/fsrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shot() { # PAGE OUT
	chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$work/profile" --hide-scrollbars \
		--window-size=960,1100 --screenshot="$2" "file://$1" \
		>/dev/null 2>&1
}

mkdir "$work/a" "$work/b"
echo data > "$work/a/data"
(cd "$work/a" && "$fsrace" run --fail-on none -o "$work/a.html" -- \
	"$top/build/fixtures/rule-check-then-use-bad")
shot "$work/a.html" docs/img/timeline-check-then-use.png

(cd "$work/b" && "$fsrace" run --fail-on none --widen 20ms \
	-o "$work/b.html" -- \
	"$top/build/fixtures/rule-widen-race" >/dev/null)
# errors first: the first finding is the interleaved-mutation of the
# stat, the other process's unlink and the open
grep -q 'id="f1"[^>]*data-rule="interleaved-mutation"' "$work/b.html" ||
	{ echo "screenshots: the race did not show; run again" >&2; exit 1; }
shot "$work/b.html" docs/img/timeline-cross-process.png
ls -l docs/img/*.png
