#!/usr/bin/env bash
# The Quick start's second command and what CI runs: build fsrace with
# warnings as errors, run the whole suite, then build it again with
# AddressSanitizer and UBSan and run the suite against that binary.
# Ends with one line: "N passed, N failed, N skipped" over both runs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh build
tools/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false

# every cmocka binary that tests/meson.build builds
units() {
	local t
	for t in "$1"/tests/test-*; do
		[ -x "$t" ] && [ -f "$t" ] && echo "--unit=$t"
	done
}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
status=0
/usr/bin/python3 tests/runner.py --build build $(units build) \
	--counts build/counts.json "$@" || status=1
echo
echo "=== again with AddressSanitizer + UBSan ==="
/usr/bin/python3 tests/runner.py --build build --fsrace build-asan/fsrace \
	$(units build-asan) --counts build-asan/counts.json "$@" || status=1
python3 - build/counts.json build-asan/counts.json <<'PY'
import json, sys
t = [json.load(open(f)) for f in sys.argv[1:]]
print(f"{sum(c['passed'] for c in t)} passed, "
      f"{sum(c['failed'] for c in t)} failed, "
      f"{sum(c['skipped'] for c in t)} skipped")
PY
exit $status
