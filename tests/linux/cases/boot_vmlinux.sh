#!/bin/bash
# SPDX-License-Identifier: MIT
# -kernel vmlinux: the ELF kernel inside the test kit's bzImage (taken out
# as the kernel's scripts/extract-vmlinux does) boots through its PVH note
# to the test init, and the guest reports the same machine as when the
# bzImage boots: CPUs, memory, kernel version, virtio devices.  The boot
# protocol's type_of_loader tells the two entries apart: 0xff from
# minivmm's bzImage loader, 0xb0 from the kernel's own PVH code (0x90 under Xen).
. "$(dirname "$0")/../lib.sh"

vmlinux=$WORKDIR/vmlinux
"$(dirname "$0")/../../guest/extract-vmlinux.sh" "$KERNEL" "$vmlinux" ||
	mvt_fail "cannot extract the vmlinux from $KERNEL"
echo "extracted $(stat -c %s "$vmlinux") bytes of vmlinux"

blog=$WORKDIR/bzimage.log
MVT_SMP=2 MVT_MEM=256 MVT_LOG=$blog mvt_boot smoke
rc=$?
[ $rc -eq 0 ] || { mvt_show "$blog"; mvt_fail "bzImage: exit code $rc"; }
mvt_expect_done "$blog"
mvt_expect_fact "$blog" loader_type ff

vlog=$WORKDIR/vmlinux.log
KERNEL=$vmlinux MVT_SMP=2 MVT_MEM=256 MVT_LOG=$vlog mvt_boot smoke
rc=$?
[ $rc -eq 0 ] || { mvt_show "$vlog"; mvt_fail "vmlinux: exit code $rc"; }
mvt_expect_done "$vlog"
mvt_expect_fact "$vlog" loader_type b0

for key in nproc cpus_online kernel virtio_mmio_devices; do
	want=$(mvt_fact "$blog" $key)
	[ -n "$want" ] || { mvt_show "$blog"; mvt_fail "bzImage: no fact $key"; }
	mvt_expect_fact "$vlog" $key "$want"
	echo "$key: $want with either"
done
# MemTotal: the two entries leave the kernel different small reservations
# (the bzImage's decompressor and boot_params against the PVH start info),
# so up to 1 MiB apart is the same machine.
bkb=$(mvt_fact "$blog" memtotal_kb)
vkb=$(mvt_fact "$vlog" memtotal_kb)
[ -n "$bkb" ] && [ -n "$vkb" ] || mvt_fail "no MemTotal ($bkb, $vkb)"
d=$((bkb > vkb ? bkb - vkb : vkb - bkb))
[ "$d" -le 1024 ] || { mvt_show "$vlog"; mvt_fail "MemTotal $vkb kB, bzImage $bkb kB"; }
echo "MemTotal: bzImage $bkb kB, vmlinux $vkb kB"
