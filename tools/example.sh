#!/usr/bin/env bash
# The Quick start's first command: build fsrace, then run the bundled
# example (a status file updated the naive way) under it and print the
# findings. Exits 0 when the findings are there, as expected.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh build
top=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "old state" > "$work/status"
echo "\$ fsrace run -- python3 fixtures/example/status_update.py" >&2
cd "$work"
status=0
"$top/build/fsrace" run --format text -o "$work/findings.txt" -- \
	/usr/bin/python3 "$top/fixtures/example/status_update.py" || status=$?
cat "$work/findings.txt"
# 1: findings at or above the gate, which is what this example shows
if [ "$status" -ne 1 ]; then
	echo "example: expected findings (exit 1), got exit $status" >&2
	exit 1
fi
