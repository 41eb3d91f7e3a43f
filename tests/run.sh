#!/usr/bin/env bash
# The Quick start's second command and what CI runs: check the formatting
# of the C sources, build fsrace with warnings as errors, run the whole
# suite, then build it again with AddressSanitizer and UBSan and run the
# suite against that binary.
# Ends with one line: "N passed, N failed, N skipped" over both runs (the
# formatting check counts as one test).
#
# Usage: tests/run.sh [--quick] [RUNNER-ARGS...]
#   --quick      one build and one run, no sanitizer pass (fast iteration)
#   RUNNER-ARGS  passed to tests/runner.py, e.g. -k REGEX, -x
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
args=()
for a; do
	if [ "$a" = --quick ]; then
		quick=1
	else
		args+=("$a")
	fi
done

# chromium: the HTML report is tested in a real browser
tools/deps.sh --browser
# the SARIF validator of tests/e2e/test_sarif.py (which skips without it)
tools/sarif-multitool.sh >/dev/null ||
	echo "fsrace: no SARIF multitool (npm): its tests will skip" >&2

# every cmocka binary that tests/meson.build builds
units() {
	local t
	for t in "$1"/tests/test-*; do
		[ -x "$t" ] && [ -f "$t" ] && echo "--unit=$t"
	done
}

status=0
format=passed
echo "=== formatting (tools/format-check.sh) ==="
if tools/format-check.sh; then
	echo "ok      format-check"
else
	echo "FAIL    format-check"
	format=failed
	status=1
fi

tools/build.sh build
counts=(build/counts.json)
[ $quick -eq 1 ] || {
	tools/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false
	counts+=(build-asan/counts.json)
}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
rm -f "${counts[@]}"
/usr/bin/python3 tests/runner.py --build build $(units build) \
	--counts build/counts.json "${args[@]}" || status=1
if [ $quick -eq 0 ]; then
	echo
	echo "=== again with AddressSanitizer + UBSan ==="
	/usr/bin/python3 tests/runner.py --build build \
		--fsrace build-asan/fsrace $(units build-asan) \
		--counts build-asan/counts.json "${args[@]}" || status=1
fi
[ $format = failed ] && echo "format-check failed: see the list of files above"
python3 - "$format" "${counts[@]}" <<'PY'
import json, os, sys
fmt, files = sys.argv[1], sys.argv[2:]
p, f, s = int(fmt == "passed"), int(fmt == "failed"), 0
for name in files:
    if not os.path.exists(name):  # the runner itself died: one failure
        f += 1
        continue
    with open(name) as fp:
        c = json.load(fp)
    p, f, s = p + c["passed"], f + c["failed"], s + c["skipped"]
print(f"{p} passed, {f} failed, {s} skipped")
PY
exit $status
