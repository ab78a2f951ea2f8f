#!/bin/bash
# SPDX-License-Identifier: MIT
# -vcpu-affinity and -io-affinity: Cpus_allowed_list of every thread in
# /proc/PID/task/*/status is the set asked for (vCPU threads by their
# name vcpuN, every other thread the -io-affinity set); a CPU outside the
# process's own set, a vCPU that does not exist and bad syntax are one
# error line each with exit code 2.
# timeout: 180
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE

# The CPUs this shell may use; the test needs no more than one.
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
first=$(echo "$allowed" | sed 's/[-,].*//')
last=$(echo "$allowed" | sed 's/.*[-,]//')
echo "allowed host CPUs: $allowed (vCPU 0 -> $last, vCPU 1 -> $first, I/O -> $first)"

truncate -s 1M "$WORK/disk.img"
HALT_MEM_MB=128 start_halted pin -smp 2 \
	-vcpu-affinity "[0@[$last],1@[$first]]" -io-affinity "$first" \
	-drive file="$WORK/disk.img"
bad=0 n=0 vcpus=0
for t in /proc/"$PID"/task/*; do
	name=$(cat "$t/comm")
	cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
	case $name in
	vcpu0) want=$last; vcpus=$((vcpus + 1)) ;;
	vcpu1) want=$first; vcpus=$((vcpus + 1)) ;;
	*) want=$first ;;
	esac
	echo "thread ${t##*/} $name: Cpus_allowed_list $cpus (want $want)"
	[ "$cpus" = "$want" ] || bad=1
	n=$((n + 1))
done
stop_halted pin
[ $bad = 0 ] || fail "a thread runs on other CPUs than asked for"
[ $vcpus = 2 ] || fail "found $vcpus vCPU threads, expected 2"
(( n > 3 )) || fail "only $n threads: expected main, 2 vCPUs and the disk's I/O thread"

# expect_usage NAME PATTERN ARGS...: exit 2 and one error line matching.
expect_usage() {
	local name=$1 pattern=$2
	shift 2
	bootinfo_run "$name" -m 128 "$@"
	expect_rc "$name" 2
	grep -q "^minivmm: .*$pattern" "$ERR" || {
		show_run "$name"
		fail "$name: no error line matching '$pattern'"
	}
}
expect_usage outside "host CPU 1023 is not among the CPUs" -vcpu-affinity 1023
expect_usage io-outside "-io-affinity: host CPU 1000 is not among" -io-affinity 0,1000
expect_usage no-vcpu "vCPU 3 does not exist" -smp 2 -vcpu-affinity "[3@[0]]"
expect_usage syntax "-vcpu-affinity: a '\[' has no '\]'" -vcpu-affinity "[0@[0"
expect_usage range "too large" -io-affinity 5000
echo "PASS: $n threads pinned as asked; bad sets are usage errors"
