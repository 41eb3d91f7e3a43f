#!/usr/bin/env bash
# Make the seed corpus of fuzz/run.sh: small logs of real strace runs,
# one per output form fsrace reads. Each seed's first byte is the
# fuzzer's mode byte (0: not strict); -ff runs are joined by "--ff--".
# The logs are cut to their first lines (a seed should be small). The
# hand-* seeds are written by hand: line forms no short run gives (a
# thread's execve, -yy sockets, strace's messages cutting stderr lines).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p d
cmd=(sh -c 'cd d && cat /etc/hostname > x; mv x y; ln -s y z;
	readlink z; cat z > /dev/null; rm -f y z; (cd / && ls d) 2>/dev/null;
	true')
trace='%file,%desc,%process,getcwd'
seed() { # NAME STRACE-OPTIONS...
	local name=$1
	shift
	strace -o log -e trace="$trace" "$@" "${cmd[@]}" >/dev/null 2>&1 || true
	grep -v -e 'ld.so\|/lib/\|locale\|/root/\|/usr/local\|mmap\|mprotect' log \
		>cut || true
	{ printf '\0'; head -n 60 cut; } >"$out/$name"
}
seed f-tt-T-y-yy-v -f -tt -T -y -yy -v
seed ttt-X-verbose -f -ttt -X verbose
seed r-X-raw -f -r -X raw
seed t-s5 -f -t -s 5 -y
seed no-f
strace -o ff -ff -tt -e trace="$trace" "${cmd[@]}" >/dev/null 2>&1 || true
{
	printf '\0'
	first=1
	for f in ff.*; do
		[ $first = 1 ] || printf -- '--ff--\n'
		first=0
		grep -v -e '/lib/\|locale\|/root/\|/usr/local\|mmap' "$f" \
			>cut || true
		head -n 25 cut
	done
} >"$out/ff-tt"
strace -f -e trace="$trace" "${cmd[@]}" 2>log >/dev/null || true
grep -v -e 'ld.so\|/lib/\|locale\|/root/\|/usr/local\|mmap\|mprotect' log \
	>cut || true
{ printf '\0'; head -n 60 cut; } >"$out/stderr-f"
ls -l "$out"
