#!/usr/bin/env bash
# Check that every C file git knows is formatted as .clang-format says
# (clang-format 14, Debian 12's). Prints the files that are not, with the
# command that fixes them, and exits 1; silent and 0 when all are.
# Usage: tools/format-check.sh [FILE...]   (default: git ls-files '*.c' '*.h')
set -euo pipefail
cd "$(dirname "$0")/.."
cf=
for c in clang-format-14 clang-format; do
	if command -v "$c" >/dev/null; then
		cf=$c
		break
	fi
done
if [ -z "$cf" ]; then
	echo "format-check: clang-format not found (tools/deps.sh installs it)" >&2
	exit 2
fi
if [ $# -gt 0 ]; then
	files=("$@")
elif git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	# not a git checkout (a release tarball): the sources, no build dirs
	mapfile -t files < <(find . -path './build*' -prune -o \
		\( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)
fi
bad=()
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then
		bad+=("$f")
	fi
done
[ ${#bad[@]} -eq 0 ] && exit 0
echo "format-check: ${#bad[@]} file(s) not formatted as .clang-format says:" >&2
printf '  %s\n' "${bad[@]}" >&2
echo "fix with: $cf -i ${bad[*]}" >&2
exit 1
