#!/usr/bin/env bash
# Line and branch coverage of the product code (util/ schema/ model/
# stack/ tracer/ import/ format/ analyzers/ cli/) from the whole suite: unit and
# end-to-end tests, run once in a build of its own, BUILD (default
# build-cov), configured with -Db_coverage=true and -O0 so that lines
# and branches map to the source. tests/, fixtures/, bench/ and fuzz/ are
# not counted. The fixture programs are built without coverage
# (fixtures/meson.build), so the .gcda files are written only by fsrace
# and the unit binaries, never by a program under test. And fsrace's own
# child, traced from its fork on, must not write them either: gcc turns
# execv() into __gcov_execv(), which dumps the counters just before the
# exec, and the tracer would record those writes as the program's (and
# report them); -fno-builtin-execv keeps execv() a plain call. The child's
# few lines between fork and exec are counted as not run.
#
# Prints the per-file table and ends with the two totals; the HTML report
# is BUILD/coverage/index.html. Exits 1 when a test failed (the figures
# are then printed all the same), 2 on a setup error.
# Usage: tools/coverage.sh [BUILD] [RUNNER-ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-cov
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	dir=$1
	shift
fi

tools/deps.sh --coverage
tools/build.sh "$dir" -Db_coverage=true -Dbuildtype=debug \
	-Dc_args=-fno-builtin-execv

if find "$dir/fixtures" -name '*.gcno' | grep -q .; then
	echo "coverage: fixtures are instrumented; their .gcda writes would" \
		"be traced (see fixtures/meson.build)" >&2
	exit 2
fi

# counters of this run only
find "$dir" -name '*.gcda' -delete

units=()
for t in "$dir"/tests/test-*; do
	[ -x "$t" ] && [ -f "$t" ] && units+=("--unit=$t")
done
status=0
/usr/bin/python3 tests/runner.py --build "$dir" "${units[@]}" "$@" \
	>"$dir/coverage-tests.log" 2>&1 || status=1
tail -n 1 "$dir/coverage-tests.log"
if [ $status -ne 0 ]; then
	echo "coverage: tests failed (see $dir/coverage-tests.log):" >&2
	grep '^FAIL' "$dir/coverage-tests.log" >&2 || true
fi

mkdir -p "$dir/coverage"
filters=()
for d in util schema model stack tracer import format analyzers cli; do
	filters+=(--filter "$d/")
done
gcovr -r . "$dir" -j 2 "${filters[@]}" \
	--exclude 'tests/' --exclude 'fixtures/' --exclude 'bench/' \
	--exclude 'fuzz/' \
	--exclude-unreachable-branches \
	--html-details "$dir/coverage/index.html" \
	--txt "$dir/coverage/lines.txt" \
	--json-summary-pretty --json-summary "$dir/coverage/summary.json" \
	>/dev/null
gcovr -r . "$dir" -j 2 "${filters[@]}" --exclude-unreachable-branches \
	--branches --txt "$dir/coverage/branches.txt" >/dev/null
cat "$dir/coverage/lines.txt"
python3 - "$dir/coverage/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"lines: {s['line_percent']:.1f}% ({s['line_covered']} of "
      f"{s['line_total']}), branches: {s['branch_percent']:.1f}% "
      f"({s['branch_covered']} of {s['branch_total']})")
PY
exit $status
