#!/usr/bin/env bash
# The README's main job (Debian 12, as root): install what is needed, build
# minivmm, fetch Debian's stock kernel, and boot it - directly with a disk
# and a NIC, then over the network through minivmm's own PXE firmware.
#
# On a host with hardware KVM this runs right here.  Where /dev/kvm is not
# hardware-assisted (e.g. a software PVM hypervisor), it runs inside the
# nested harness: an L1 VM under QEMU TCG with an AMD SVM CPU, whose
# kvm-amd gives minivmm a real /dev/kvm.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
export MINIVMM=$build/minivmm

hardware_kvm()
{
	[ -c /dev/kvm ] || return 1
	[ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ] || return 1
	grep -q -w -E 'vmx|svm' /proc/cpuinfo
}

if [ "${MINIVMM_NESTED:-0}" != 1 ] && hardware_kvm; then
	echo "demo: hardware KVM found: booting on this host"
	exec "$top/tests/linux/demo.sh"
fi
echo "demo: /dev/kvm here is not hardware-assisted ($(ls /sys/module 2>/dev/null | grep -E '^kvm_' | tr '\n' ' ')):"
echo "demo: running the demo inside the nested harness (an L1 VM under QEMU TCG with nested SVM)."
echo "demo: expect a few minutes: every guest instruction of L1 is emulated."
exec "$top/tests/nested/run.sh" --timeout 1500 -- tests/linux/demo.sh
