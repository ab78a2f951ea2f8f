#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of bench.sh's disk benchmark (hardware KVM only): sequential
# write then read of /dev/vda with dd (1 MiB blocks, direct I/O, mvt.mb=N
# MiB, default 512; timed by /proc/uptime), then fio random 4 KiB reads (libaio, depth 32,
# mvt.fio_s=SECONDS, default 10) when the host put fio into the initramfs.
# Prints "MVT dd.write_mbs=", "MVT dd.read_mbs=" (MB/s, 10^6 bytes) and
# "MVT fio.randread4k_iops=".
dev=/dev/vda
i=0
while [ ! -b $dev ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b $dev ] || { echo "MVT disk=missing"; exit 1; }
mb=${MVT_MB:-512}
rc=0

# busybox dd prints no rate: time it by /proc/uptime (10 ms steps).
up() { cut -d' ' -f1 /proc/uptime; }

# dd_mbs T0 T1: MB/s of mb MiB in T1 - T0 seconds
dd_mbs()
{
	awk -v b=$((mb * 1048576)) -v a="$1" -v z="$2" \
		'BEGIN { if (z > a) printf "%.1f\n", b / (z - a) / 1e6; else print "-" }'
}

t0=$(up)
dd if=/dev/zero of=$dev bs=1M count="$mb" oflag=direct 2>/dev/null || rc=1
t1=$(up)
echo "MVT dd.write_mbs=$(dd_mbs "$t0" "$t1")"
t0=$(up)
dd if=$dev of=/dev/null bs=1M count="$mb" iflag=direct 2>/dev/null || rc=1
t1=$(up)
echo "MVT dd.read_mbs=$(dd_mbs "$t0" "$t1")"
if command -v fio >/dev/null; then
	if fio --name=rr --filename=$dev --direct=1 --rw=randread --bs=4k \
		--iodepth=32 --ioengine=libaio --runtime="${MVT_FIO_S:-10}" \
		--time_based --output-format=terse --terse-version=3 \
		>/tmp/fio.out 2>&1; then
		echo "MVT fio.randread4k_iops=$(grep '^3;' /tmp/fio.out | cut -d';' -f8)"
	else
		echo "MVT fio.randread4k_iops=-"
		sed 's/^/MVT-FIO /' /tmp/fio.out | tail -n 5
		rc=1
	fi
else
	echo "MVT fio=not-in-initramfs"
fi
exit $rc
