#!/bin/bash
# SPDX-License-Identifier: MIT
# -mem-merge and -mem-thp: the guest RAM mapping carries the madvise flags
# asked for (VmFlags in /proc/PID/smaps: "mg" mergeable, "hg" huge pages
# wanted above the first 2 MiB, "nh" not, and none in the first 2 MiB or
# a thread's stack, nor in the huge page of a kernel smaller than one),
# and with KSM running (run=1 for the test, restored
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

# ram_pieces PID: guest RAM's mappings, one line each: "OFFSET SIZE HUGE
# FLAGS..." (KiB from its start, KiB, AnonHugePages KiB, VmFlags).  Guest
# RAM is the run of adjacent mappings, MEM_MB MiB in all, that each say
# "hg" or "nh" and begin with one that says "nh" (its first 2 MiB,
# vmm/ram.c).  Addresses in bash: its arithmetic is 64-bit.
ram_pieces() {
	local s e size huge flags start end run=-1 prev=-1 out=""
	local total=$((MEM_MB << 20))

	while read -r s e size huge flags; do
		start=$((16#$s)) end=$((16#$e))
		if ! has_flag "$flags" hg && ! has_flag "$flags" nh; then
			run=-1
			continue
		fi
		if ((run < 0 || start != prev)); then
			run=-1
			has_flag "$flags" nh || continue
			run=$start out=""
		fi
		out+="$(((start - run) >> 10)) $size $huge $flags"$'\n'
		prev=$end
		if ((end - run == total)); then
			printf '%s' "$out"
			return 0
		fi
	done < <(awk '
		function show() { if (n) print range, size, huge, flags }
		/^[0-9a-f]+-[0-9a-f]+ / {
			show(); split($1, a, "-"); range = a[1] " " a[2]
			n = 1; huge = 0; flags = ""
		}
		/^Size:/ { size = $2 }
		/^AnonHugePages:/ { huge = $2 }
		/^VmFlags:/ { sub(/^VmFlags:[ \t]*/, ""); flags = $0 }
		END { show() }
	' "/proc/$1/smaps")
}
has_flag() { [[ " $1 " == *" $2 "* ]]; }

# The guest RAM offset (KiB) where bootinfo's kernel lands: its bzImage's
# pref_address (a relocatable kernel is loaded there).
kernel_kib=$(( $(od -An -t u8 -j $((0x258)) -N 8 "$BOOTINFO_BZIMAGE") / 1024 ))

# 1. The flags, one guest at a time.
halt_vm default
pieces=$(ram_pieces "${PIDS[-1]}")
echo "default: guest RAM (offset KiB, size KiB, huge KiB, VmFlags):"
echo "$pieces" | sed 's/^/  /'
[ -n "$pieces" ] || fail "default: no guest RAM mapping of $MEM_MB MiB found"
while read -r off size huge f; do
	if ((off == 0)); then
		((size == 2048)) && has_flag "$f" nh ||
			fail "default: the first 2 MiB are not one mapping with MADV_NOHUGEPAGE (nh): $off $size $f"
	elif ((off == kernel_kib)); then
		# A kernel smaller than a huge page gets none (vmm/loader.c).
		((size == 2048)) && has_flag "$f" nh ||
			fail "default: the huge page of the small kernel at $kernel_kib KiB lacks nh: $off $size $f"
	else
		has_flag "$f" hg && ! has_flag "$f" nh ||
			fail "default: guest RAM at $off KiB lacks MADV_HUGEPAGE (hg): $f"
	fi
	has_flag "$f" mg && fail "default: guest RAM is mergeable without -mem-merge on"
done <<<"$pieces"
grep -q "^$kernel_kib " <<<"$pieces" ||
	fail "default: no mapping of its own for the small kernel at $kernel_kib KiB"
# No huge page anywhere but where guest RAM asks for them: not in the boot
# structures or the small kernel, not in a thread's stack (vmm/main.c),
# whatever this kernel's THP policy ("always" gives them to mappings that
# never asked).
stray=$(awk '
	/^[0-9a-f]+-[0-9a-f]+ / { map = $0 }
	/^AnonHugePages:/ { huge = $2 }
	/^VmFlags:/ && huge > 0 && !/ hg / { print map " " huge " kB" }
' "/proc/${PIDS[-1]}/smaps")
echo "THP policy: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
[ -z "$stray" ] || fail "default: huge pages where guest RAM does not ask for them: $stray"
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
pieces=$(ram_pieces "${PIDS[-1]}")
echo "-mem-thp off: $pieces"
read -r off size huge f <<<"$pieces"
((size == MEM_MB * 1024)) && has_flag "$f" nh && ! has_flag "$f" hg ||
	fail "-mem-thp off: guest RAM is not one mapping with nh and without hg: $pieces"
stop_halted nothp
PIDS=()

# 2. KSM merges two identical guests.
echo 2000 >$KSM/pages_to_scan
echo 20 >$KSM/sleep_millisecs
echo 1 >$KSM/run
before=$(cat $KSM/pages_sharing)
halt_vm a -mem-merge on -mem-prealloc
halt_vm b -mem-merge on -mem-prealloc
pieces=$(ram_pieces "${PIDS[0]}")
echo "-mem-merge on: $pieces"
[ -n "$pieces" ] || fail "-mem-merge on: no guest RAM mapping of $MEM_MB MiB found"
while read -r off size huge f; do
	has_flag "$f" mg || fail "-mem-merge on: guest RAM at $off KiB lacks MADV_MERGEABLE (mg)"
done <<<"$pieces"
want=$((MEM_MB * 256 / 2))	# half of one guest's 4 KiB pages
for i in $(seq 120); do
	now=$(cat $KSM/pages_sharing)
	(( now - before >= want )) && break
	sleep 1
done
echo "pages_sharing: $before -> $now after ${i}s (want +$want)"
(( now - before >= want )) || fail "KSM merged too little of two identical guests"
echo "PASS: THP and KSM flags as asked; KSM shares $((now - before)) pages of two guests"
