#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of bench.sh's disk benchmark (hardware KVM only): sequential
# write then read of /dev/vda with dd (direct I/O), and fio random 4 KiB
# reads when the host put fio into the initramfs.  Prints MVT facts.
dev=/dev/vda
i=0
while [ ! -b $dev ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b $dev ] || { echo "MVT disk=missing"; exit 1; }
mb=${MVT_MB:-512}
# busybox dd prints "N bytes (...) copied, S seconds, R/s" on stderr
w=$(dd if=/dev/zero of=$dev bs=1M count="$mb" oflag=direct 2>&1 | tail -n 1)
echo "MVT dd.write=$(echo "$w" | sed 's/.*copied, //; s/ /_/g')"
r=$(dd if=$dev of=/dev/null bs=1M count="$mb" iflag=direct 2>&1 | tail -n 1)
echo "MVT dd.read=$(echo "$r" | sed 's/.*copied, //; s/ /_/g')"
if command -v fio >/dev/null; then
	fio --name=rr --filename=$dev --direct=1 --rw=randread --bs=4k \
		--iodepth=32 --ioengine=libaio --runtime=10 --time_based \
		--output-format=terse --terse-version=3 >/tmp/fio.out 2>&1 &&
		echo "MVT fio.randread4k.iops=$(cut -d';' -f8 /tmp/fio.out)"
else
	echo "MVT fio=not-in-initramfs"
fi
