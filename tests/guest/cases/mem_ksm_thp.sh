#!/bin/bash
# SPDX-License-Identifier: MIT
# -mem-merge and -mem-thp: the guest RAM mapping carries the madvise flags
# asked for (VmFlags in /proc/PID/smaps: "mg" mergeable, "hg" huge pages
# wanted above the first 2 MiB, "nh" not, and none in the first 2 MiB or
# a thread's stack), and with KSM running (run=1 for the test, restored
# after) two identical guests with -mem-merge on make pages_sharing grow.
# run-serial
# timeout: 300
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE

MEM_MB=64
KSM=/sys/kernel/mm/ksm
[ -e $KSM/run ] || { echo "SKIP: this host kernel has no KSM ($KSM)"; exit 77; }
[ -w $KSM/run ] || { echo "SKIP: $KSM/run is not writable (not root?)"; exit 77; }
saved_run=$(cat $KSM/run) saved_scan=$(cat $KSM/pages_to_scan)
saved_sleep=$(cat $KSM/sleep_millisecs)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	echo "$saved_scan" >$KSM/pages_to_scan
	echo "$saved_sleep" >$KSM/sleep_millisecs
	echo "$saved_run" >$KSM/run
	rm -rf "$WORK"
}
trap cleanup EXIT

# halt_vm NAME ARGS...: start_halted (common.bash), its pid appended to PIDS.
halt_vm() {
	HALT_MEM_MB=$MEM_MB start_halted "$@"
	PIDS+=("$PID")
}

# ram_flags PID [KiB]: VmFlags of the mapping of that size (default: as
# large as guest RAM).  With huge pages asked for, guest RAM is two
# mappings: its first 2 MiB without them (vmm/ram.c), the rest with.
ram_flags() {
	awk -v want="${2:-$((MEM_MB * 1024))}" '
		/^Size:/ { hit = ($2 == want) }
		/^VmFlags:/ && hit { sub(/^VmFlags:[ \t]*/, ""); print; exit }
	' "/proc/$1/smaps"
}
has_flag() { [[ " $1 " == *" $2 "* ]]; }

# 1. The flags, one guest at a time.
halt_vm default
f=$(ram_flags "${PIDS[-1]}" $(((MEM_MB - 2) * 1024)))
echo "default: VmFlags $f"
[ -n "$f" ] || fail "default: no mapping of guest RAM above its first 2 MiB"
has_flag "$f" hg || fail "default: guest RAM lacks MADV_HUGEPAGE (hg)"
has_flag "$f" mg && fail "default: guest RAM is mergeable without -mem-merge on"
f=$(ram_flags "${PIDS[-1]}" 2048)
echo "default, first 2 MiB: VmFlags $f"
has_flag "$f" nh || fail "default: the first 2 MiB lack MADV_NOHUGEPAGE (nh)"
# No huge page anywhere but in guest RAM above its first 2 MiB: not in the
# boot structures, not in a thread's stack (vmm/main.c), whatever this
# kernel's THP policy ("always" gives them to mappings that never asked).
stray=$(awk -v ram="$(((MEM_MB - 2) * 1024))" '
	/^[0-9a-f]+-[0-9a-f]+ / { map = $0 }
	/^Size:/ { size = $2 }
	/^AnonHugePages:/ && $2 > 0 && size != ram { print map " " $2 " kB" }
' "/proc/${PIDS[-1]}/smaps")
echo "THP policy: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
[ -z "$stray" ] || fail "default: huge pages outside guest RAM above 2 MiB: $stray"
# Whether a thread's stack got one above depends on where its top fell;
# that none can is the rule: every stack (the mapping above a guard page)
# is smaller than a huge page.
big=$(awk '
	/^[0-9a-f]+-[0-9a-f]+ / { prev_guard = guard; guard = ($2 == "---p"); map = $0 }
	/^Size:/ { if (prev_guard && $2 >= 2048) print map " " $2 " kB"; prev_guard = 0 }
' "/proc/${PIDS[-1]}/smaps")
echo "threads: $(ls /proc/${PIDS[-1]}/task | wc -l)"
[ -z "$big" ] || fail "default: a thread stack of 2 MiB or more: $big"
stop_halted default
halt_vm nothp -mem-thp off
f=$(ram_flags "${PIDS[-1]}")
echo "-mem-thp off: VmFlags $f"
has_flag "$f" nh || fail "-mem-thp off: guest RAM lacks MADV_NOHUGEPAGE (nh)"
has_flag "$f" hg && fail "-mem-thp off: guest RAM still asks for huge pages"
stop_halted nothp
PIDS=()

# 2. KSM merges two identical guests.
echo 2000 >$KSM/pages_to_scan
echo 20 >$KSM/sleep_millisecs
echo 1 >$KSM/run
before=$(cat $KSM/pages_sharing)
halt_vm a -mem-merge on -mem-prealloc
halt_vm b -mem-merge on -mem-prealloc
f=$(ram_flags "${PIDS[0]}" $(((MEM_MB - 2) * 1024)))
echo "-mem-merge on: VmFlags $f"
has_flag "$f" mg || fail "-mem-merge on: guest RAM lacks MADV_MERGEABLE (mg)"
want=$((MEM_MB * 256 / 2))	# half of one guest's 4 KiB pages
for i in $(seq 120); do
	now=$(cat $KSM/pages_sharing)
	(( now - before >= want )) && break
	sleep 1
done
echo "pages_sharing: $before -> $now after ${i}s (want +$want)"
(( now - before >= want )) || fail "KSM merged too little of two identical guests"
echo "PASS: THP and KSM flags as asked; KSM shares $((now - before)) pages of two guests"
