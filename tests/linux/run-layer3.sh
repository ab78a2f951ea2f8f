#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-layer3.sh [CASE...] - run the layer-3 cases where a real KVM is:
# directly on a host with hardware KVM (kvm_intel/kvm_amd loaded, vmx/svm
# in /proc/cpuinfo), else - or when MINIVMM_NESTED=1 - all of them in one
# boot of the nested harness' L1 VM.  MINIVMM names the binary to test.
# Ends with run-cases.sh's "N passed, M failed" line.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

layer3_hardware_kvm()
{
	[ -c /dev/kvm ] || return 1
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ] || return 1
	grep -q -w -E 'vmx|svm' /proc/cpuinfo
}

if [ "${MINIVMM_NESTED:-0}" != 1 ] && layer3_hardware_kvm; then
	echo "layer3: hardware KVM: running the cases on this host"
	exec "$HERE/run-cases.sh" "$@"
fi

echo "layer3: no hardware KVM (or MINIVMM_NESTED=1): nested harness"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$REPO/tests/nested/run.sh" --quiet --timeout "${MVT_NESTED_TIMEOUT:-1700}" \
	-- tests/linux/run-cases.sh "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# The harness' own last line follows the summary: repeat the summary so it
# closes the output.
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
[ -n "$summary" ] && echo "$summary"
exit "$rc"
