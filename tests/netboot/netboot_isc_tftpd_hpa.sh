#!/bin/bash
# SPDX-License-Identifier: MIT
# A lab set up the ISC way: ISC dhcpd with the PXE class match its manual
# and most lab guides use (vendor-class-identifier "PXEClient" gets
# next-server and filename), a fixed address by host declaration, and
# tftpd-hpa (chrooted) as the TFTP server.  The boot file sits in a
# directory (the path prefix), the config is found by MAC, the initrd is
# a list; kernel and initrds must arrive intact.
# timeout: 150
. "$(dirname "$0")/common.bash"

mkdir -p "$TFTP/pxe/pxelinux.cfg"
cp "$BOOTINFO_BZIMAGE" "$TFTP/pxe/vmlinuz"
random_file "$TFTP/pxe/initrd.img" 300001
random_file "$TFTP/pxe/extra.img" 7000
touch "$TFTP/pxe/pxelinux.0"
printf 'DEFAULT isc\nPROMPT 0\nLABEL isc\n  KERNEL vmlinuz\n  INITRD initrd.img,extra.img\n  APPEND mvt=isc\n  IPAPPEND 2\n' \
	>"$TFTP/pxe/pxelinux.cfg/$MAC_DASHES"

dhcpd_start "authoritative;
default-lease-time 600;
max-lease-time 7200;
subnet 10.77.0.0 netmask 255.255.255.0 {
	range 10.77.0.100 10.77.0.150;
	option routers $SERVER_IP;
	class \"pxeclients\" {
		match if substring (option vendor-class-identifier, 0, 9) = \"PXEClient\";
		next-server $SERVER_IP;
		filename \"pxe/pxelinux.0\";
	}
}
host vm { hardware ethernet $MAC; fixed-address $CLIENT_IP; }"
tftpd_hpa_start

netboot_run isc
grep -q "DHCPACK on $CLIENT_IP" "$WORK/dhcpd.log" ||
	fail "dhcpd did not lease $CLIENT_IP: $(tail -n 5 "$WORK/dhcpd.log")"
expect_rc isc 0
expect_console "boot file 'pxe/pxelinux.0'"
expect_console "TFTP: pxe/pxelinux.cfg/$MAC_DASHES:"
expect_eq cmdline "$(bi cmdline)" \
	"BOOT_IMAGE=vmlinuz initrd=initrd.img,extra.img mvt=isc BOOTIF=$MAC_DASHES reboot=acpi"
{ cat "$TFTP/pxe/initrd.img"; head -c 3 /dev/zero; cat "$TFTP/pxe/extra.img"; } >"$WORK/both"
expect_initrd $((300001 + 3 + 7000)) "$WORK/both"
echo "PASS: ISC dhcpd + tftpd-hpa ($(grep -a 'TFTP: pxe/initrd' "$WORK/isc.out" | tr -d '\r'))"
