# bench/lib.sh — what the bench scripts share; sourced, not run.

# die MESSAGE: "SCRIPT: MESSAGE" on stderr, exit 2.
die() {
	echo "$(basename "$0"): $*" >&2
	exit 2
}

# The median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
