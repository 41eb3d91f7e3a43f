#!/usr/bin/env bash
# bench/run.sh — measure fsrace against native runs and strace.
#
# For each workload, hyperfine times three commands side by side, all
# pinned to one CPU (tracer and tracee share it):
#   native   the workload alone
#   strace   strace -f --seccomp-bpf -e trace=<TRACE_SET> -o FILE -- workload
#   fsrace   fsrace record -o FILE -- workload
# and a markdown table of the median wall times and the ratios is printed
# on stdout. hyperfine's own report goes to stderr. See bench/README.md.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/run.sh [options]

  --fsrace PATH   the fsrace binary (default: build/fsrace in the repo)
  --baseline PATH also time this fsrace binary (an earlier build) in the
                  same rounds, and print fsrace/baseline
  --runs N        timed runs per command (default 7; one warm-up run more)
  --quick         3 runs, no warm-up: checks the plumbing, not the numbers
  --interleave    time the three commands in turn, once per round, instead
                  of all runs of one then all of the next: steadier
                  ratios on a machine where other work comes and goes
  --only NAMES    run only these workloads (comma-separated):
                  statloop, find, tar, getpid, python
  --cpu N         the CPU to pin everything to (default 1, or 0 on a
                  one-CPU machine)
  --keep DIR      also keep hyperfine's JSON exports in DIR
  --stacks        also time fsrace record --stacks and strace -k (both
                  with stacks at every traced call), and print
                  stacks/fsrace and stacks/strace-k
  -h, --help      this text
EOF
}

# The syscalls strace is told to trace: the same set fsrace stops on
# (issue 2, "Traced set"). Written once, here.
TRACE_SET=open,openat,openat2,creat,close,close_range,dup,dup2,dup3,fcntl
TRACE_SET+=,stat,lstat,fstat,newfstatat,statx,access,faccessat,faccessat2
TRACE_SET+=,readlink,readlinkat,rename,renameat,renameat2,link,linkat
TRACE_SET+=,symlink,symlinkat,unlink,unlinkat,mkdir,mkdirat,rmdir,mknod
TRACE_SET+=,mknodat,chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat
TRACE_SET+=,truncate,ftruncate,utime,utimes,utimensat,futimesat,setxattr
TRACE_SET+=,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr
TRACE_SET+=,chdir,fchdir,chroot,execve,execveat,fsync,fdatasync,syncfs,sync
TRACE_SET+=,sync_file_range,copy_file_range,sendfile

ALL_WORKLOADS=(statloop find tar getpid python)
STATLOOP_N=100000
GETPID_N=2000000

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)

fsrace="$root/build/fsrace"
baseline=""
runs=7
warmup=1
only=""
cpu=""
keep=""
interleave=""
stacks=""

while [ $# -gt 0 ]; do
	case "$1" in
	--fsrace) [ $# -ge 2 ] || die "--fsrace needs a path"; fsrace=$2; shift ;;
	--fsrace=*) fsrace=${1#*=} ;;
	--baseline) [ $# -ge 2 ] || die "--baseline needs a path"; baseline=$2; shift ;;
	--baseline=*) baseline=${1#*=} ;;
	--runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
	--runs=*) runs=${1#*=} ;;
	--quick) runs=3; warmup=0 ;;
	--interleave) interleave=1 ;;
	--only) [ $# -ge 2 ] || die "--only needs a name"; only=$2; shift ;;
	--only=*) only=${1#*=} ;;
	--cpu) [ $# -ge 2 ] || die "--cpu needs a number"; cpu=$2; shift ;;
	--cpu=*) cpu=${1#*=} ;;
	--keep) [ $# -ge 2 ] || die "--keep needs a directory"; keep=$2; shift ;;
	--keep=*) keep=${1#*=} ;;
	--stacks) stacks=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done

if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 2 ]; then
	die "--runs wants a number of at least 2, not '$runs'"
fi

# Which workloads.
workloads=()
if [ -n "$only" ]; then
	IFS=, read -r -a wanted <<<"$only"
	for w in "${wanted[@]}"; do
		case " ${ALL_WORKLOADS[*]} " in
		*" $w "*) workloads+=("$w") ;;
		*) die "unknown workload '$w' (known: ${ALL_WORKLOADS[*]})" ;;
		esac
	done
else
	workloads=("${ALL_WORKLOADS[@]}")
fi

# The CPU: 1 so tracer and tracee share a CPU that is not the one most
# interrupts land on; 0 where there is only one.
if [ -z "$cpu" ]; then
	if [ "$(nproc --all)" -ge 2 ]; then cpu=1; else cpu=0; fi
fi

# Tools. Installed from Debian when missing, and only then.
apt_updated=""
need_pkg() { # need_pkg COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "run.sh: installing $2" >&2
	if [ -z "$apt_updated" ]; then
		$sudo apt-get update >&2
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$2" >&2
}
need_pkg hyperfine hyperfine
need_pkg strace strace
need_pkg taskset util-linux
need_pkg cc gcc
[ -x /usr/bin/python3 ] || need_pkg /usr/bin/python3 python3

[ -x "$fsrace" ] ||
	die "no fsrace binary at '$fsrace' (build it: ninja -C build, or pass --fsrace PATH)"
fsrace=$(cd "$(dirname "$fsrace")" && pwd)/$(basename "$fsrace")
if [ -n "$baseline" ]; then
	[ -x "$baseline" ] || die "no fsrace binary at '$baseline' (--baseline)"
	baseline=$(cd "$(dirname "$baseline")" && pwd)/$(basename "$baseline")
fi

# Scratch space: the workload binaries and the JSON on /tmp, the traces on
# a tmpfs so that writing them does not measure the disk.
work=$(mktemp -d "${TMPDIR:-/tmp}/fsrace-bench.XXXXXX")
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	traces=$(mktemp -d /dev/shm/fsrace-bench.XXXXXX)
else
	traces="$work/traces"
	mkdir "$traces"
fi
cleanup() { rm -rf -- "$work" "$traces"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The C workloads: meson's (build/bench/, when bench/meson.build is part
# of the build and the binary is newer than its source), else cc -O2.
workload_bin() { # workload_bin NAME -> path on stdout
	local name=$1 built="$root/build/bench/$1"
	if [ -x "$built" ] && [ "$built" -nt "$here/$name.c" ]; then
		echo "$built"
		return
	fi
	cc -O2 -std=gnu11 -o "$work/$name" "$here/$name.c"
	echo "$work/$name"
}

# Quote one word for hyperfine -N (POSIX shell-words rules).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

command_of() { # command_of WORKLOAD -> the native command line
	case "$1" in
	statloop)
		local f="$work/statloop.file"
		: >"$f"
		echo "$(q "$(workload_bin statloop)") $STATLOOP_N $(q "$f")" ;;
	getpid) echo "$(q "$(workload_bin getpid)") $GETPID_N" ;;
	find) echo "find /usr/include" ;;
	tar) echo "tar cf /dev/null /usr/include" ;;
	python) echo "/usr/bin/python3 -c 'import json, email, http.client'" ;;
	esac
}

# Does fsrace run at all? One clear error now beats a failed hyperfine.
if ! "$fsrace" record -o "$traces/probe.jsonl" -- /bin/true >"$work/probe.log" 2>&1; then
	cat "$work/probe.log" >&2
	die "'$fsrace record -o FILE -- /bin/true' failed; not benchmarking"
fi
rm -f -- "$traces/probe.jsonl"

echo "run.sh: fsrace=$fsrace cpu=$cpu runs=$runs warmup=$warmup${interleave:+ interleaved}" >&2
# Other work on the machine moves the numbers by tens of percent: say so.
load_note() { # load_note LIMIT WHEN
	local load
	read -r load _ </proc/loadavg
	if awk -v l="$load" -v m="$1" 'BEGIN { exit !(l > m) }'; then
		echo "run.sh: warning: load average $load $2; the numbers will be noisy" >&2
	fi
}
load_note 0.5 "before the run"

declare -A events_strace events_fsrace
for w in "${workloads[@]}"; do
	cmd=$(command_of "$w")
	st_out="$traces/strace.$w.txt"
	fs_out="$traces/fsrace.$w.jsonl"
	echo >&2
	echo "== $w: $cmd" >&2
	cmd_strace="strace -f --seccomp-bpf -e trace=$TRACE_SET -o $(q "$st_out") $cmd"
	cmd_fsrace="$(q "$fsrace") record -o $(q "$fs_out") -- $cmd"
	extra=()
	if [ -n "$baseline" ]; then
		extra=(-n baseline "$(q "$baseline") record -o $(q "$fs_out.base") -- $cmd")
	fi
	if [ -n "$stacks" ]; then
		extra+=(-n stacks "$(q "$fsrace") record --stacks -o $(q "$fs_out.stacks") -- $cmd"
			-n strace-k "strace -f -k --seccomp-bpf -e trace=$TRACE_SET -o $(q "$st_out.k") $cmd")
	fi
	if [ -z "$interleave" ]; then
		taskset -c "$cpu" hyperfine -N --style basic \
			--warmup "$warmup" --runs "$runs" \
			--export-json "$work/$w.r0.json" \
			-n native "$cmd" -n strace "$cmd_strace" \
			-n fsrace "$cmd_fsrace" "${extra[@]}" >&2
	else
		# One hyperfine per round, each timing the three once: load
		# that comes and goes hits all three alike.
		for ((r = 1; r <= runs; r++)); do
			echo "round $r/$runs" >&2
			taskset -c "$cpu" hyperfine -N --style none \
				--warmup "$((r == 1 ? warmup : 0))" --runs 1 \
				--export-json "$work/$w.r$r.json" \
				-n native "$cmd" -n strace "$cmd_strace" \
				-n fsrace "$cmd_fsrace" "${extra[@]}" >&2
		done
	fi
	# Records in the last run's traces (fsrace's count includes its header).
	events_strace[$w]=$(wc -l <"$st_out" 2>/dev/null || echo 0)
	events_fsrace[$w]=$(wc -l <"$fs_out" 2>/dev/null || echo 0)
	rm -f -- "$st_out" "$fs_out" "$fs_out.base" "$fs_out.stacks" "$st_out.k"
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$work/$w".r*.json "$keep/"
	fi
done

echo >&2
load_note 1.5 "at the end (other work ran meanwhile; ours counts for 1)"
# The tables.
args=()
for w in "${workloads[@]}"; do
	args+=("$w" "$work/$w" "${events_strace[$w]}" "${events_fsrace[$w]}")
done
/usr/bin/python3 - "${args[@]}" <<'EOF'
import glob, json, statistics, sys

def fmt(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.3f} s"

rows = []
a = sys.argv[1:]
for i in range(0, len(a), 4):
    name, path, ev_st, ev_fs = a[i], a[i + 1], int(a[i + 2]), int(a[i + 3])
    times = {"native": [], "strace": [], "fsrace": [], "baseline": [],
             "stacks": [], "strace-k": []}
    for run in glob.glob(glob.escape(path) + ".r*.json"):
        with open(run) as f:
            for r in json.load(f)["results"]:
                times[r["command"]] += r["times"]
    med = {k: statistics.median(v) for k, v in times.items() if v}
    rows.append((name, med, ev_st, ev_fs))

base = all("baseline" in m for _, m, _, _ in rows)
print("| workload | native | strace | fsrace | fsrace/strace | fsrace/native |"
      + (" baseline | fsrace/baseline |" if base else ""))
print("|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if base else ""))
for name, m, _, _ in rows:
    print(f"| {name} | {fmt(m['native'])} | {fmt(m['strace'])} | {fmt(m['fsrace'])}"
          f" | {m['fsrace'] / m['strace']:.2f} | {m['fsrace'] / m['native']:.2f} |"
          + (f" {fmt(m['baseline'])} | {m['fsrace'] / m['baseline']:.2f} |"
             if base else ""))

if all("stacks" in m for _, m, _, _ in rows):
    print()
    print("| workload | fsrace | fsrace --stacks | strace -k | stacks/fsrace | stacks/strace-k |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, m, _, _ in rows:
        print(f"| {name} | {fmt(m['fsrace'])} | {fmt(m['stacks'])} | {fmt(m['strace-k'])}"
              f" | {m['stacks'] / m['fsrace']:.2f} | {m['stacks'] / m['strace-k']:.2f} |")

print()
print("| workload | strace lines | fsrace records | strace overhead µs/line | fsrace overhead µs/record |")
print("|---|---:|---:|---:|---:|")
for name, m, es, ef in rows:
    def per(t, n):
        return f"{(t - m['native']) / n * 1e6:.1f}" if n > 0 else "–"
    print(f"| {name} | {es} | {ef} | {per(m['strace'], es)} | {per(m['fsrace'], ef)} |")
EOF
