#!/bin/bash
# SPDX-License-Identifier: MIT
# Layer-3 network boot end to end: minivmm's built-in PXE firmware gets an
# address from dnsmasq, reads pxelinux.cfg/default by TFTP, loads Debian's
# kernel and the test initramfs from it and starts them; the guest script
# runs and the VM powers off.  The guest sees the command line PXELINUX
# would build (BOOT_IMAGE=, initrd=, APPEND, then minivmm's reboot=acpi)
# and both CPUs.  Everything lives in a namespace made here.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/net_common.bash"

DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || { echo "needs dnsmasq (dnsmasq-base)"; exit 77; }

net_ns nb
ns=$NET_NS
net_bridge "$ns" br0 10.0.2.1/24
tftp=$WORKDIR/tftp
mkdir -p "$tftp/pxelinux.cfg"
cp "$KERNEL" "$tftp/vmlinuz"
cp "$INITRD" "$tftp/initrd.img"
touch "$tftp/pxelinux.0"
# The menu's default label is chosen at once (no user at the console).
cat >"$tftp/pxelinux.cfg/default" <<CFG
DEFAULT menu.c32
PROMPT 0
TIMEOUT 50
LABEL rescue
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=ttyS0
LABEL mvt
  MENU DEFAULT
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=ttyS0 quiet panic=1 mvt.run=netboot_linux
CFG
# dnsmasq drops root: the TFTP tree must be readable by anybody.
chmod 755 "$WORKDIR" "$tftp" "$tftp/pxelinux.cfg"
chmod 644 "$tftp"/* "$tftp/pxelinux.cfg/default"
ip netns exec "$ns" "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 \
	--interface=br0 --bind-interfaces --no-ping \
	--dhcp-range=10.0.2.50,10.0.2.99,255.255.255.0,1h \
	--dhcp-leasefile="$WORKDIR/leases" --dhcp-boot=pxelinux.0 \
	--enable-tftp --tftp-root="$tftp" >"$WORKDIR/dnsmasq.log" 2>&1 &
net_bg $!
for _ in $(seq 50); do
	grep -q "TFTP root" "$WORKDIR/dnsmasq.log" && break
	sleep 0.1
done
grep -q "TFTP root" "$WORKDIR/dnsmasq.log" ||
	{ mvt_show "$WORKDIR/dnsmasq.log"; mvt_fail "dnsmasq did not start"; }

log=$WORKDIR/netboot.log
# TFTP of kernel and initramfs is slower than -kernel/-initrd: a longer
# bound than lib.sh's per-run default.
secs=$((MVT_TIMEOUT > 300 ? MVT_TIMEOUT : 300))
start=$(date +%s)
timeout -k 5 "$secs" ip netns exec "$ns" "$MINIVMM" -netboot \
	-tap mvtap0,bridge=br0 -m 512 -smp 2 </dev/null >"$log" 2>&1
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 124 ] && echo "(timed out after ${secs}s)" >>"$log"
if [ $rc -ne 0 ]; then
	mvt_show "$log"
	mvt_show "$WORKDIR/dnsmasq.log"
	mvt_fail "minivmm -netboot exit code $rc"
fi
mvt_expect_done "$log"
grep -q "^TFTP: initrd.img: $(stat -c %s "$INITRD") bytes" <(tr -d '\r' <"$log") ||
	{ mvt_show "$log"; mvt_fail "no complete TFTP transfer of initrd.img"; }
cmdline=$(mvt_fact "$log" cmdline)
for word in BOOT_IMAGE=vmlinuz initrd=initrd.img mvt.run=netboot_linux \
	    reboot=acpi; do
	case " $cmdline " in
	*" $word "*) ;;
	*) mvt_show "$log"; mvt_fail "guest command line '$cmdline' lacks $word" ;;
	esac
done
mvt_expect_fact "$log" nproc 2
net_expect_no_link "$ns" mvtap0
tr -d '\r' <"$log" | grep '^TFTP: \(vmlinuz\|initrd.img\):'
echo "netbooted Debian's kernel in ${took}s; guest cmdline: $cmdline"
