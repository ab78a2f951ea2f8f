#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install.sh - the Debian packages the benchmark suite uses (as root; safe
# to run again).  First line: build, QEMU (qemu-utils: the disk-format
# images), charts, netboot (atftpd and curl: the netboot server comparison;
# tftpd-hpa, which conflicts with atftpd, is unpacked by
# scripts/install-deps.sh); second line: the hardware-KVM part (test kit,
# the microvm kernel's build, the guests' iperf3 and fio).
set -euo pipefail
need=()
for p in python3 build-essential cmake qemu-system-x86 qemu-utils gnuplot-nox dnsmasq-base iproute2 busybox-static atftpd curl \
	 cpio kmod xz-utils iperf3 fio linux-source-6.1 flex bison bc libelf-dev libssl-dev lz4; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "bench: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
