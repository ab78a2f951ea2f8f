#!/usr/bin/env bash
# Install every Debian package minivmm's build, tests, demo and benchmarks use.
# Safe to run again: apt-get skips what is installed.  Needs root.
set -euo pipefail

PACKAGES=(
	# build (libc6-dev: static libc for the nested harness' binaries)
	build-essential cmake pkg-config check libc6-dev binutils
	# fuzzing smoke run (libFuzzer)
	clang libclang-rt-14-dev
	# static analysis (scripts/static-check.sh: cppcheck; --tidy: clang-tidy)
	cppcheck clang-tidy
	# the netboot firmware's per-block instruction count (unit/fw_block_cost)
	valgrind
	# guest kits and images
	busybox-static cpio xz-utils zstd gzip kmod file e2fsprogs dpkg apt
	# boot_vmlinux: tests/guest/extract-vmlinux.sh unpacks the cloud kernel
	lz4
	util-linux coreutils bash dash
	# ACPI table checks
	acpica-tools
	# networking tests and netboot (atftpd: RFC 7440 windowsize; ISC
	# dhcpd; libwrap0 for tftpd-hpa, unpacked below; the Debian
	# installer's netboot tree for netboot_debian_installer)
	iproute2 dnsmasq-base procps atftpd isc-dhcp-server libwrap0 curl
	debian-installer-12-netboot-amd64
	# qcow2 tests: qemu-img and qemu-io make and check images
	qemu-utils
	# the GDB stub's session test: Debian's gdb without Python, so it and
	# its libraries can be copied into the nested harness's L1
	gdb-minimal
	# benchmarks (bench/*.py) and their unit tests
	python3
	# the scale-out manifests' offline check (tests/cli/deploy_manifests.py)
	python3-yaml
	# nested real-KVM harness and side-by-side benchmarks
	qemu-system-x86
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get install)" >&2
	exit 1
fi
missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# tftpd-hpa conflicts with atftpd (both are "tftp-server"): it is not
# installed but unpacked, and the tests run its in.tftpd from there.
TFTPD_HPA_DIR=/usr/local/lib/minivmm/tftpd-hpa
install_tftpd_hpa() {
	local tmp deb
	[ -x "$TFTPD_HPA_DIR/usr/sbin/in.tftpd" ] && return 0
	echo "install-deps: unpacking tftpd-hpa into $TFTPD_HPA_DIR"
	tmp=$(mktemp -d)
	# (root downloads: apt's sandbox user cannot write to the temp dir)
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root tftpd-hpa) >/dev/null
	deb=$(ls "$tmp"/tftpd-hpa_*.deb)
	mkdir -p "$TFTPD_HPA_DIR"
	dpkg-deb -x "$deb" "$TFTPD_HPA_DIR"
	rm -rf "$tmp"
}

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages present"
else
	echo "install-deps: installing ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
install_tftpd_hpa
# Tests run their servers in their own network namespaces; a package's
# system service must not stay serving on this host's network
# (shared testnet rule 6).  atftpd's socket unit listens on port 69.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now atftpd.socket atftpd.service \
		isc-dhcp-server.service isc-dhcp-server6.service >/dev/null 2>&1 || true
fi
echo "install-deps: done"
