#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the QEMU side of bench/kernel_dev.py: for QEMU what minivmm's
# own -rootfs init (boot/init/init.c) does, the way virtme's initramfs
# does it for a modular kernel (virtme-ng is not packaged in Debian 12):
# load the modules, mount the root shared over virtio-9p read-only with a
# tmpfs overlay, switch into it, mount /proc, /sys, /dev, /dev/pts, /run,
# bring up lo, run "sh -c $kdevrun" and power off.  The kernel passes
# kdevroot= (the 9p tag) and kdevrun= (a word) in the environment.
# shellcheck disable=SC2154 # kdevroot and kdevrun come from the kernel
: "${kdevroot:?}" "${kdevrun:?}"
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t devtmpfs dev /dev
for m in $(/bin/busybox cat /lib/modules/mvt/load.list); do
	/bin/busybox insmod "/lib/modules/mvt/$m" || echo "kdev-init: insmod $m failed"
done
/bin/busybox mkdir -p /lower /rw /newroot
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro "$kdevroot" /lower ||
	{ echo "kdev-init: cannot mount the root"; /bin/busybox poweroff -f; }
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /rw
/bin/busybox mkdir -p /rw/upper /rw/work
for d in proc sys dev run; do
	/bin/busybox mkdir -p "/rw/upper/$d"
	/bin/busybox setfattr -n trusted.overlay.opaque -v y "/rw/upper/$d" 2>/dev/null
done
/bin/busybox mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
	overlay /newroot
/bin/busybox umount /dev
/bin/busybox mount -t proc proc /newroot/proc
/bin/busybox mount -t sysfs sysfs /newroot/sys
/bin/busybox mount -t devtmpfs -o mode=0755 devtmpfs /newroot/dev
/bin/busybox mkdir -p /newroot/dev/pts /newroot/dev/shm
/bin/busybox mount -t devpts devpts /newroot/dev/pts
/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /newroot/run
/bin/busybox ip link set lo up
/bin/busybox hostname kdev
/bin/busybox chroot /newroot /bin/sh -c "$kdevrun"
echo "kdev-init: status $?"
/bin/busybox poweroff -f
