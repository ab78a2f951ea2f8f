# SPDX-License-Identifier: MIT
# Sourced by tests/netboot/netboot_*.sh.  A private network namespace with
# a bridge (10.77.0.1/24), dnsmasq serving DHCP and TFTP from $TFTP on it,
# and minivmm -netboot with its TAP on the bridge.  Everything is removed
# on exit.  Environment: MINIVMM, BOOTINFO_BZIMAGE, BOOTINFO_SUM, DNSMASQ.
set -u

fail() {
	echo "FAIL: $*" >&2
	[ -n "${LAST:-}" ] && [ -f "$WORK/$LAST.out" ] && {
		echo "--- console of $LAST:" >&2
		tail -n 40 "$WORK/$LAST.out" >&2
		echo "--- stderr of $LAST:" >&2
		tail -n 20 "$WORK/$LAST.err" >&2
	}
	[ -f "$WORK/dnsmasq.log" ] && {
		echo "--- dnsmasq:" >&2
		tail -n 20 "$WORK/dnsmasq.log" >&2
	}
	exit 1
}

# skip, the common checks, netns_start/netns_remove, nsrun.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.bash"
DNSMASQ=${DNSMASQ:-$(command -v dnsmasq || echo /usr/sbin/dnsmasq)}
[ -x "$DNSMASQ" ] || skip "no dnsmasq (package dnsmasq-base)"

MAC=52:54:00:12:34:56
MAC_DASHES=01-52-54-00-12-34-56
CLIENT_IP=10.77.0.42
CLIENT_HEX=0A4D002A
SERVER_IP=10.77.0.1
DNSMASQ_PID=
SERVER_PIDS=()
LAST=

netboot_cleanup() {
	local pid
	for pid in $DNSMASQ_PID "${SERVER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	netns_remove
}
netns_start nb netboot netboot_cleanup
TFTP=$WORK/tftp
mkdir -p "$TFTP/pxelinux.cfg"
nsrun ip link set lo up
nsrun ip link add br0 type bridge || skip "no bridge support"
nsrun ip addr add "$SERVER_IP/24" dev br0
nsrun ip link set br0 up

# dnsmasq_start [options...]: DHCP (our MAC always gets CLIENT_IP) + TFTP.
# --no-ping: no 3 s ICMP probe before an offer.
dnsmasq_start() {
	ip netns exec "$NS" "$DNSMASQ" --no-daemon --conf-file=/dev/null \
		--port=0 --interface=br0 --bind-interfaces --no-ping \
		--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
		--dhcp-host="$MAC,$CLIENT_IP" \
		--dhcp-leasefile="$WORK/leases" --log-dhcp \
		--enable-tftp --tftp-root="$TFTP" "$@" \
		>"$WORK/dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	for _ in $(seq 50); do
		grep -q "TFTP root" "$WORK/dnsmasq.log" 2>/dev/null && return 0
		kill -0 "$DNSMASQ_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/dnsmasq.log" >&2
	fail "dnsmasq did not start"
}

# server_start NAME READY_CHECK COMMAND...: a server in the namespace, in
# the foreground (stopped by PID on exit), output in $WORK/NAME.log; waits
# until READY_CHECK (a shell test) holds.
server_start() {
	local name=$1 ready=$2
	shift 2
	ip netns exec "$NS" "$@" >"$WORK/$name.log" 2>&1 &
	SERVER_PIDS+=($!)
	for _ in $(seq 50); do
		eval "$ready" && return 0
		kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/$name.log" >&2
	fail "$name did not start"
}

# dhcpd_start CONFIG_BODY: ISC dhcpd on br0 with this configuration.
dhcpd_start() {
	local dhcpd
	dhcpd=${DHCPD:-$(command -v dhcpd || echo /usr/sbin/dhcpd)}
	[ -x "$dhcpd" ] || fail "no dhcpd: install it (scripts/install-deps.sh, package isc-dhcp-server)"
	printf '%s\n' "$1" >"$WORK/dhcpd.conf"
	: >"$WORK/dhcpd.leases"
	server_start dhcpd 'grep -q "Server starting service" "$WORK/dhcpd.log"' \
		"$dhcpd" -4 -f -d -cf "$WORK/dhcpd.conf" -lf "$WORK/dhcpd.leases" \
		-pf "$WORK/dhcpd.pid" br0
}

# tftpd_hpa_start: tftpd-hpa's in.tftpd serving $TFTP on the server
# address (-L foreground, -s chroot to $TFTP).  scripts/install-deps.sh unpacks it (it conflicts with
# atftpd, which is installed).
tftpd_hpa_start() {
	local tftpd=${TFTPD_HPA:-/usr/local/lib/minivmm/tftpd-hpa/usr/sbin/in.tftpd}
	[ -x "$tftpd" ] || fail "no tftpd-hpa at $tftpd: run scripts/install-deps.sh"
	chmod -R a+rX "$TFTP"
	server_start tftpd-hpa 'nsrun cat /proc/net/udp | grep -q ":0045 "' \
		"$tftpd" -L -s -u root -a "$SERVER_IP:69" "$TFTP"
}

# tftp_silent_start ANSWERED: a TFTP server that says "File not found" to
# the first ANSWERED requests, then answers nothing (touching
# $WORK/silent-now at the first unanswered one).
tftp_silent_start() {
	server_start tftp-silent '[ -f "$WORK/silent-up" ]' \
		python3 "$(dirname "${BASH_SOURCE[0]}")/tftp_silent.py" \
		"$SERVER_IP" "$1" "$WORK/silent-up" "$WORK/silent-now"
}

# dnsmasq_dhcp_only [options...]: dnsmasq as the DHCP server only (TFTP
# comes from another server on SERVER_IP).
dnsmasq_dhcp_only() {
	ip netns exec "$NS" "$DNSMASQ" --no-daemon --conf-file=/dev/null \
		--port=0 --interface=br0 --bind-interfaces --no-ping \
		--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
		--dhcp-host="$MAC,$CLIENT_IP" --dhcp-leasefile="$WORK/leases" \
		--log-dhcp "$@" >"$WORK/dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	for _ in $(seq 50); do
		grep -q "DHCP, IP range" "$WORK/dnsmasq.log" 2>/dev/null && return 0
		kill -0 "$DNSMASQ_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/dnsmasq.log" >&2
	fail "dnsmasq did not start"
}

# netboot_start NAME [minivmm options...]: one netboot in the background
# ($VM), killed after NETBOOT_TIMEOUT (90) seconds.  The console is in
# $WORK/NAME.out.
netboot_start() {
	local name=$1
	shift
	LAST=$name
	timeout -s KILL "${NETBOOT_TIMEOUT:-90}" ip netns exec "$NS" \
		"$MINIVMM" -netboot -tap "tap0,bridge=br0,mac=$MAC" -m 256 \
		-serial stdio "$@" </dev/null >"$WORK/$name.out" \
		2>"$WORK/$name.err" &
	VM=$!
}

# netboot_run NAME [minivmm options...]: one netboot, bounded in time.
# Sets RC; the console is in $WORK/NAME.out.
netboot_run() {
	netboot_start "$@"
	wait "$VM"
	RC=$?
	grep -q "minivmm netboot firmware" "$WORK/$1.out" ||
		skip "minivmm -netboot does not start the firmware (yet): $(head -c 200 "$WORK/$1.err")"
}

# wait_kernel_fetched NAME: until the firmware of the netboot in $VM has
# fetched vmlinuz (60 s at most); fails if it never does.
wait_kernel_fetched() {
	for _ in $(seq 600); do
		grep -q "^TFTP: vmlinuz:" "$WORK/$1.out" 2>/dev/null && break
		kill -0 "$VM" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "^TFTP: vmlinuz: [0-9]* bytes" "$WORK/$1.out" && return
	kill -KILL "$VM" 2>/dev/null
	wait "$VM"
	grep -q "minivmm netboot firmware" "$WORK/$1.out" ||
		skip "minivmm -netboot does not start the firmware (yet)"
	fail "the kernel never arrived"
}

expect_rc() {
	[ "$RC" = "$2" ] || fail "$1: exit code $RC, expected $2"
}

# bi KEY: the value of a "BOOTINFO KEY=..." line of the last run.
bi() {
	sed -n "s/^BOOTINFO $1=//p" "$WORK/$LAST.out" | tr -d '\r' | head -n 1
}

expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

expect_console() {
	grep -qF -- "$1" "$WORK/$LAST.out" || fail "console lacks '$1'"
}

# A file of N random bytes.
random_file() {
	head -c "$2" /dev/urandom >"$1"
}

# tftp_linux_initrd TAG SIZE: in $TFTP the boot-info guest as vmlinuz,
# SIZE random bytes as initrd.img, an empty pxelinux.0 and a default
# config that boots the two with APPEND mvt=TAG.
tftp_linux_initrd() {
	cp "$BOOTINFO_BZIMAGE" "$TFTP/vmlinuz"
	random_file "$TFTP/initrd.img" "$2"
	touch "$TFTP/pxelinux.0"
	printf 'DEFAULT t\nLABEL t\n  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND mvt=%s\n' \
		"$1" >"$TFTP/pxelinux.cfg/default"
}

# expect_initrd SIZE FILE: the last run's guest got an initrd of SIZE
# bytes, with FILE's checksum (when BOOTINFO_SUM is built).
expect_initrd() {
	expect_eq initrd.size "$(bi initrd.size)" "$1"
	if [ -x "${BOOTINFO_SUM:-}" ]; then
		expect_eq initrd.sum "$(bi initrd.sum)" "$("$BOOTINFO_SUM" "$2")"
	fi
}
