#!/bin/sh
# SPDX-License-Identifier: MIT
# A guest on a qcow2 overlay of the host's raw golden image (an ext4 file
# system with /from-host/hello.txt).  MVT_MODE:
#   mkfs    mkfs.ext4 over the golden file system, a tree of files and a
#           4 MiB file, stay mounted for mvt.hold= seconds, unmount,
#           e2fsck -f
#   golden  mount the golden file system, read the host's file, write one
#           of its own, stay mounted for mvt.hold= seconds (so the other
#           guest runs meanwhile), unmount, e2fsck -f
. /mvt/blk_lib.sh
blk_wait /dev/vda || exit 1
mkdir -p /mnt
case ${MVT_MODE:-} in
mkfs)
	mkfs.ext4 -q -F /dev/vda || exit 2
	echo "MVT mkfs=ok"
	mount -t ext4 /dev/vda /mnt || exit 3
	[ -e /mnt/from-host ] && echo "MVT old_files=visible"
	mkdir -p /mnt/guest/tree || exit 4
	i=0
	while [ $i -lt 30 ]; do
		echo "file $i from the guest" >/mnt/guest/tree/f$i
		i=$((i + 1))
	done
	head -c 4194304 /dev/urandom >/mnt/guest/big.bin || exit 5
	echo "MVT big_sha256=$(sha256sum /mnt/guest/big.bin | cut -d' ' -f1)"
	sleep "${MVT_HOLD:-0}"
	;;
golden)
	mount -t ext4 /dev/vda /mnt || exit 3
	echo "MVT host_file=$(cat /mnt/from-host/hello.txt)"
	echo "guest ${MVT_SEED:-} was here" >/mnt/from-guest.txt || exit 4
	echo "MVT mounted=1"
	sleep "${MVT_HOLD:-0}"
	;;
*)
	echo "MVT-WARN mvt.mode= must be mkfs or golden"
	exit 9
	;;
esac
umount /mnt || exit 6
e2fsck -f -n /dev/vda >/tmp/fsck.out 2>&1
echo "MVT fsck_rc=$?"
tail -n 3 /tmp/fsck.out
