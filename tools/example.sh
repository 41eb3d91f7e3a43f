#!/usr/bin/env bash
# The Quick start's first command: build fsrace, record the bundled
# stat-then-open example and print what was recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "example data" > "$work/data.txt"
echo "\$ fsrace record -o example.jsonl -- fixtures/stat_open data.txt missing.txt" >&2
(cd "$work" && "$OLDPWD/build/fsrace" record -o example.jsonl -- \
	"$OLDPWD/build/fixtures/stat_open" data.txt missing.txt)
echo "\$ fsrace dump example.jsonl  (the calls on data.txt)" >&2
build/fsrace dump "$work/example.jsonl" | grep -F "<$work/"
cp "$work/example.jsonl" ./example.jsonl
echo "the whole trace is in example.jsonl (jq, or: build/fsrace dump example.jsonl)" >&2
