#!/bin/bash
# SPDX-License-Identifier: MIT
#
# minivmm's handling of bad input, seen from the command line: each case
# runs the real binary and expects exactly one error line on stderr
# ("minivmm: ..." naming what is wrong; usage errors may add the
# "Try 'minivmm -help'" hint), nothing on stdout, and the exit code that
# docs/usage.md documents (boot/layout.h).
#
# usage: bad_input.sh MINIVMM KVM_MAX_VCPUS_TOOL CASE
# exit: 0 pass, 1 fail, 77 skipped (CTest SKIP_RETURN_CODE)

set -u

MINIVMM=$1
MAX_VCPUS_TOOL=$2
CASE=$3
SKIP=77

WORK=$(mktemp -d /tmp/minivmm-cli.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT

fail() {
	echo "FAIL [$CASE]: $*" >&2
	if [ -s "$WORK/stderr" ]; then
		echo "--- stderr:" >&2
		head -c 2000 "$WORK/stderr" >&2
	fi
	if [ -s "$WORK/stdout" ]; then
		echo "--- stdout:" >&2
		head -c 2000 "$WORK/stdout" >&2
	fi
	exit 1
}

skip() {
	echo "SKIP [$CASE]: $*"
	exit $SKIP
}

# expect CODE PATTERN -- minivmm ARGS...: run (bounded, no stdin) and check
# the exit code, the one error line and that it matches PATTERN (ERE).
expect() {
	local code=$1 pattern=$2 rc lines
	shift 3
	timeout -k 5 20 "$@" </dev/null >"$WORK/stdout" 2>"$WORK/stderr"
	rc=$?
	[ $rc -eq 124 ] && fail "timed out: $*"
	[ $rc -eq "$code" ] || fail "exit code $rc, want $code: $*"
	[ -s "$WORK/stdout" ] && fail "unexpected output on stdout: $*"
	grep -v "^Try 'minivmm -help'" "$WORK/stderr" >"$WORK/errlines"
	lines=$(wc -l <"$WORK/errlines")
	[ "$lines" -eq 1 ] || fail "$lines error lines, want 1: $*"
	grep -Eq -- "$pattern" "$WORK/errlines" ||
		fail "error line does not match /$pattern/: $*"
	echo "ok [$CASE]: exit $rc: $(cat "$WORK/errlines")"
}

# A bzImage header that passes the setup-header checks (protocol 2.15,
# 64-bit entry, relocatable) over SYSSIZE_BYTES of protected-mode kernel
# bytes declared by syssize, of which ACTUAL_BYTES are present.  Its
# "kernel" is zeros: it must never run.
fake_bzimage() {
	local out=$1 declared=$2 actual=$3
	local setup_sects=4 syssize=$(( (declared + 15) / 16 ))

	head -c $(( (setup_sects + 1) * 512 + actual )) /dev/zero >"$out"
	poke() {	# poke OFFSET BYTE...
		local ofs=$1 b
		shift
		for b in "$@"; do
			printf "\\x$b" | dd of="$out" bs=1 seek=$((ofs)) \
				conv=notrunc status=none
			ofs=$((ofs + 1))
		done
	}
	le32() { printf '%02x %02x %02x %02x' $(( $1 & 255 )) \
		$(( ($1 >> 8) & 255 )) $(( ($1 >> 16) & 255 )) \
		$(( ($1 >> 24) & 255 )); }
	poke 0x1f1 $(printf '%02x' $setup_sects)	# setup_sects
	poke 0x1f4 $(le32 $syssize)			# syssize
	poke 0x1fe 55 aa				# boot_flag
	poke 0x200 eb 66				# jump over the header
	poke 0x202 48 64 72 53				# "HdrS"
	poke 0x206 0f 02				# protocol 2.15
	poke 0x211 81					# LOADED_HIGH | CAN_USE_HEAP
	poke 0x218 00 00 00 00				# ramdisk_image
	poke 0x22c $(le32 0x7fffffff)			# initrd_addr_max
	poke 0x230 $(le32 0x200000)			# kernel_alignment
	poke 0x234 01					# relocatable_kernel
	poke 0x236 03 00				# XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
	poke 0x238 $(le32 2048)				# cmdline_size
	poke 0x258 00 00 00 01 00 00 00 00		# pref_address 16 MiB
	poke 0x260 $(le32 $((declared + 0x100000)))	# init_size
}

[ -x "$MINIVMM" ] || fail "no minivmm binary at '$MINIVMM'"

case $CASE in
restore_conflicts)
	# The guest and its shape come from the snapshot: exit 2, checked
	# before the file is even opened.
	expect 2 "-restore: the guest comes from the snapshot" -- \
		"$MINIVMM" -restore "$WORK/nonexistent" -kernel "$WORK/k"
	expect 2 "-restore: RAM and vCPUs come from the snapshot" -- \
		"$MINIVMM" -restore "$WORK/nonexistent" -m 512
	mkdir -p "$WORK/dir"
	expect 2 "-restore: -share does not apply" -- \
		"$MINIVMM" -restore "$WORK/nonexistent" -share "$WORK/dir,tag=t"
	expect 2 "-restore cannot be combined with -reboot restart" -- \
		"$MINIVMM" -restore "$WORK/nonexistent" -reboot restart
	;;
restore_bad_file)
	expect 1 "-restore: cannot open .*nonexistent" -- \
		"$MINIVMM" -restore "$WORK/nonexistent"
	head -c 65536 /dev/urandom >"$WORK/garbage"
	expect 1 "-restore: .*garbage: not a minivmm snapshot" -- \
		"$MINIVMM" -restore "$WORK/garbage"
	: >"$WORK/empty"
	expect 1 "-restore: .*empty: not a minivmm snapshot" -- \
		"$MINIVMM" -restore "$WORK/empty"
	;;
missing_kernel)
	expect 1 "kernel.*$WORK/nonexistent" -- \
		"$MINIVMM" -kernel "$WORK/nonexistent"
	;;
garbage_kernel)
	head -c 65536 /dev/urandom >"$WORK/garbage"
	expect 1 "kernel.*garbage" -- "$MINIVMM" -kernel "$WORK/garbage"
	;;
empty_kernel)
	: >"$WORK/empty"
	expect 1 "kernel.*empty" -- "$MINIVMM" -kernel "$WORK/empty"
	;;
truncated_kernel)
	fake_bzimage "$WORK/truncated" $((4 << 20)) 4096
	expect 1 "kernel.*truncated" -- "$MINIVMM" -kernel "$WORK/truncated"
	# and a header cut in the middle
	head -c 600 "$WORK/truncated" >"$WORK/short"
	expect 1 "kernel.*short" -- "$MINIVMM" -kernel "$WORK/short"
	;;
kernel_is_directory)
	expect 1 "kernel" -- "$MINIVMM" -kernel "$WORK"
	;;
rootfs_bad_input)
	fake_bzimage "$WORK/bzImage" 4096 4096
	# the release string -rootfs looks its modules up by
	printf '\x00\x04' | dd of="$WORK/bzImage" bs=1 seek=$((0x20e)) conv=notrunc status=none
	printf '6.1.0-99-cli (cli@test) #1\0' |
		dd of="$WORK/bzImage" bs=1 seek=$((0x600)) conv=notrunc status=none
	expect 2 "^minivmm: -run needs -rootfs" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -run true
	expect 2 "^minivmm: -rootfs and -initrd" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -rootfs / -initrd "$WORK/bzImage"
	expect 2 "^minivmm: -share: tag 'minivmm-root'" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -rootfs / -share "$WORK,tag=minivmm-root"
	expect 1 "rootfs.*$WORK/nonexistent" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -rootfs "$WORK/nonexistent"
	# The kernel's modules are installed but one the init needs is not.
	mods=$WORK/root/lib/modules/6.1.0-99-cli
	mkdir -p "$mods/k"
	printf 'k/fuse.ko:\nk/virtiofs.ko: k/fuse.ko\nk/virtio_mmio.ko:\n' >"$mods/modules.dep"
	: >"$mods/k/fuse.ko"; : >"$mods/k/virtiofs.ko"; : >"$mods/k/virtio_mmio.ko"
	expect 1 "^minivmm: -rootfs: kernel 6.1.0-99-cli has no module overlay" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -rootfs "$WORK/root" -run true
	# Compressed modules: the kernel could not load them from our init.
	printf 'k/overlay.ko.xz:\n' >>"$mods/modules.dep"
	expect 1 "^minivmm: -rootfs: module overlay is compressed" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -rootfs "$WORK/root" -run true
	;;
missing_initrd)
	fake_bzimage "$WORK/bzImage" 4096 4096
	expect 1 "initrd.*$WORK/nonexistent" -- \
		"$MINIVMM" -kernel "$WORK/bzImage" -initrd "$WORK/nonexistent"
	;;
mem_zero)
	expect 2 "^minivmm: -m" -- "$MINIVMM" -m 0 -kernel "$WORK/k"
	;;
mem_garbage)
	expect 2 "^minivmm: -m" -- "$MINIVMM" -m lots -kernel "$WORK/k"
	expect 2 "^minivmm: -m" -- "$MINIVMM" -m 2T -kernel "$WORK/k"
	;;
smp_zero)
	expect 2 "^minivmm: -smp" -- "$MINIVMM" -smp 0 -kernel "$WORK/k"
	;;
smp_huge)
	expect 2 "^minivmm: -smp" -- "$MINIVMM" -smp 100000 -kernel "$WORK/k"
	expect 2 "^minivmm: -smp" -- \
		"$MINIVMM" -smp 4,sockets=3 -kernel "$WORK/k"
	;;
smp_above_kvm_limit)
	# Needs a /dev/kvm (label guest: in the nested harness' L1 here).
	limit=$("$MAX_VCPUS_TOOL") || skip "no /dev/kvm to ask for its vCPU limit"
	fake_bzimage "$WORK/bzImage" 4096 4096
	# This KVM's own limit, when it is below what -smp accepts (255).
	if [ "$limit" -lt 255 ]; then
		expect 1 "^minivmm: -smp 255: this host's KVM supports at most $limit vCPUs" -- \
			"$MINIVMM" -smp 255 -kernel "$WORK/bzImage"
	fi
	# Any limit, through a shim that makes KVM answer 4 (MVT_KVM_LIMIT_SHIM;
	# an ASan build's runtime does not have to come first then).
	expect 1 "^minivmm: -smp 5: this host's KVM supports at most 4 vCPUs" -- \
		env LD_PRELOAD="${MVT_KVM_LIMIT_SHIM:?}" MVT_FAKE_KVM_MAX_VCPUS=4 \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$MINIVMM" -smp 5 -kernel "$WORK/bzImage"
	;;
unknown_option)
	expect 2 "^minivmm: unknown option '-foo'" -- "$MINIVMM" -foo
	expect 2 "^minivmm: unknown option '--bogus'" -- \
		"$MINIVMM" -kernel "$WORK/k" --bogus
	;;
no_boot_source)
	expect 2 "^minivmm: .*-kernel" -- "$MINIVMM" -m 64
	expect 2 "^minivmm: -netboot needs a -tap" -- "$MINIVMM" -netboot
	expect 2 "^minivmm: -initrd needs -kernel" -- \
		"$MINIVMM" -initrd x -netboot -tap t0
	;;
bad_drive_and_tap)
	expect 2 "^minivmm: -drive" -- "$MINIVMM" -kernel k -drive disk.img
	expect 2 "^minivmm: -tap" -- \
		"$MINIVMM" -kernel k -tap 'tap0,mac=01:00:5e:00:00:01'
	expect 2 "^minivmm: -tap" -- \
		"$MINIVMM" -kernel k -tap 'a-name-far-too-long'
	expect 2 "^minivmm: -share: tag= is required" -- \
		"$MINIVMM" -kernel k -share /tmp
	expect 2 "^minivmm: -share: readonly= takes on or off" -- \
		"$MINIVMM" -kernel k -share /tmp,tag=t,readonly=yes
	;;
missing_drive)
	fake_bzimage "$WORK/bzImage" 4096 4096
	expect 1 "$WORK/nodisk" -- "$MINIVMM" -kernel "$WORK/bzImage" \
		-drive "file=$WORK/nodisk"
	;;
bad_serial_file)
	fake_bzimage "$WORK/bzImage" 4096 4096
	expect 1 "$WORK/nodir/console.log" -- "$MINIVMM" \
		-kernel "$WORK/bzImage" -serial "file:$WORK/nodir/console.log"
	;;
daemonize_setup_error)
	# -daemonize: a set-up error still reaches the caller, with its code.
	fake_bzimage "$WORK/bzImage" 4096 4096
	expect 1 "$WORK/nodir/console.log" -- "$MINIVMM" -daemonize \
		-kernel "$WORK/bzImage" -serial "file:$WORK/nodir/console.log"
	;;
daemonize_needs_serial)
	fake_bzimage "$WORK/bzImage" 4096 4096
	expect 2 "-daemonize needs -serial none" -- "$MINIVMM" -daemonize \
		-kernel "$WORK/bzImage"
	;;
pidfile_locked)
	# A pidfile another process holds (locked): nothing starts.
	fake_bzimage "$WORK/bzImage" 4096 4096
	echo 4242 >"$WORK/vm.pid"
	exec 9<"$WORK/vm.pid"
	flock -n 9 || fail "cannot lock the test's pidfile"
	expect 1 "-pidfile: .*vm.pid is locked by a running process \(pid 4242\)" \
		-- "$MINIVMM" -kernel "$WORK/bzImage" -pidfile "$WORK/vm.pid"
	exec 9<&-
	;;
pidfile_removed_on_error)
	# A set-up error after the pidfile was written removes it again.
	expect 1 "$WORK/nokernel" -- "$MINIVMM" -kernel "$WORK/nokernel" \
		-pidfile "$WORK/vm.pid"
	[ -e "$WORK/vm.pid" ] && fail "the pidfile was left behind"
	expect 1 "-pidfile: cannot open $WORK/nodir/vm.pid" -- "$MINIVMM" \
		-kernel "$WORK/nokernel" -pidfile "$WORK/nodir/vm.pid"
	;;
serial_unix_needs_name)
	fake_bzimage "$WORK/bzImage" 4096 4096
	expect 2 "-serial unix without a path needs -name" -- "$MINIVMM" \
		-kernel "$WORK/bzImage" -serial unix
	expect 2 "-serial: only a listening socket is supported" -- "$MINIVMM" \
		-kernel "$WORK/bzImage" -serial "unix:$WORK/c.sock"
	expect 2 "-serial: unknown flag 'wait=on'" -- "$MINIVMM" \
		-kernel "$WORK/bzImage" -serial "unix:$WORK/c.sock,server=on,wait=on"
	;;
serial_unix_not_a_socket)
	# Only a stale socket is replaced, never another kind of file.
	fake_bzimage "$WORK/bzImage" 4096 4096
	touch "$WORK/c.sock"
	expect 1 "-serial: .*c.sock exists and is not a socket" -- "$MINIVMM" \
		-kernel "$WORK/bzImage" -serial "unix:$WORK/c.sock,server=on,wait=off"
	;;
frontend_usage)
	expect 2 "ctl takes a VM name and a command" -- "$MINIVMM" ctl
	expect 2 "ctl: unknown command" -- "$MINIVMM" ctl vm1 explode
	expect 2 "not a VM name" -- "$MINIVMM" ctl ../etc status
	expect 2 "list takes no arguments" -- "$MINIVMM" list extra
	expect 2 "console takes a VM name" -- "$MINIVMM" console
	expect 2 "ctl save takes a file name" -- "$MINIVMM" ctl vm1 save
	expect 2 "ctl save: only --quit and --json" -- "$MINIVMM" ctl vm1 save f --now
	expect 2 "ctl: only --json may follow" -- "$MINIVMM" ctl vm1 status --quit
	;;
frontend_save)
	# ctl NAME save FILE [--quit] against a stand-in VM (a QMP server in
	# Python on the VM's socket): the command QMP gets, with the file made
	# absolute from ctl's own directory; with --quit ctl returns once the
	# VM has closed the socket; a refused save is one line, exit 1.
	export MINIVMM_RUNTIME_DIR=$WORK/run
	mkdir -m 700 "$WORK/run" "$WORK/cwd"
	python3 -c 'import json, socket, sys
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[1])
srv.listen(2)
open(sys.argv[2] + ".ready", "w").close()
replies = [{"return": {}}, {"error": {"class": "GenericError", "desc": "cannot save: the VM has -share (virtio-fs): its open files live in this process and cannot be saved"}}]
log = open(sys.argv[2], "w")
for reply in replies:
    c, _ = srv.accept()
    f = c.makefile("rwb")
    f.write(b"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n"); f.flush()
    json.loads(f.readline()); f.write(b"{\"return\": {}}\r\n"); f.flush()
    cmd = json.loads(f.readline())
    log.write(json.dumps(cmd, sort_keys=True) + "\n"); log.flush()
    f.write(json.dumps(reply).encode() + b"\r\n"); f.flush()
    f.close(); c.close()' "$WORK/run/vm1.qmp" "$WORK/got" &
	srv=$!
	for _ in $(seq 100); do [ -e "$WORK/got.ready" ] && break; sleep 0.05; done
	(cd "$WORK/cwd" && timeout 20 "$MINIVMM" ctl vm1 save snaps/vm1.snap --quit) \
		>"$WORK/stdout" 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "ctl save failed"; }
	grep -qx "vm1: saved to $WORK/cwd/snaps/vm1.snap, stopped" "$WORK/stdout" ||
		fail "unexpected output: $(cat "$WORK/stdout")"
	expect 1 "ctl vm1 save: cannot save: the VM has -share" -- "$MINIVMM" ctl vm1 save /tmp/x.snap
	wait "$srv"
	want1="{\"arguments\": {\"file\": \"$WORK/cwd/snaps/vm1.snap\", \"quit\": true}, \"execute\": \"x-minivmm-save\"}"
	want2='{"arguments": {"file": "/tmp/x.snap", "quit": false}, "execute": "x-minivmm-save"}'
	[ "$(sed -n 1p "$WORK/got")" = "$want1" ] || fail "QMP got: $(sed -n 1p "$WORK/got")"
	[ "$(sed -n 2p "$WORK/got")" = "$want2" ] || fail "QMP got: $(sed -n 2p "$WORK/got")"
	echo "ok [$CASE]: ctl save sends x-minivmm-save with an absolute file, waits for --quit, refusal is one line"
	;;
frontend_no_vm)
	export MINIVMM_RUNTIME_DIR=$WORK/run
	expect 1 "no running VM named 'ghost'" -- "$MINIVMM" ctl ghost status
	expect 1 "console ghost: no console socket" -- "$MINIVMM" console ghost
	;;
frontend_stale)
	# Sockets of a VM that died without cleaning up (SIGKILL): the next
	# list removes them and does not show the VM.
	export MINIVMM_RUNTIME_DIR=$WORK/run
	mkdir -m 700 "$WORK/run"
	python3 -c 'import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX); s.bind(p); s.listen(1); s.close()' \
		"$WORK/run/ghost.qmp" "$WORK/run/ghost.console" ||
		fail "cannot make stale sockets"
	[ -S "$WORK/run/ghost.qmp" ] || fail "no stale socket to test with"
	timeout 20 "$MINIVMM" list >"$WORK/stdout" 2>"$WORK/stderr" ||
		fail "list failed"
	grep -q ghost "$WORK/stdout" && fail "list shows the dead VM"
	head -n 1 "$WORK/stdout" | grep -q '^NAME  *PID  *STATE  *VCPUS  *MEMORY' ||
		fail "no header line"
	[ -e "$WORK/run/ghost.qmp" ] && fail "the stale QMP socket is still there"
	[ -e "$WORK/run/ghost.console" ] && fail "the stale console socket is still there"
	echo "ok [$CASE]: stale entry removed by list"
	;;
no_dev_kvm)
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace"
	command -v unshare >/dev/null || skip "no unshare(1)"
	unshare -m true 2>/dev/null || skip "cannot create a mount namespace"
	fake_bzimage "$WORK/bzImage" 4096 4096
	# /dev/kvm absent: an empty /dev
	expect 1 "/dev/kvm" -- unshare -m sh -c \
		'mount -t tmpfs none /dev && exec "$0" -kernel "$1"' \
		"$MINIVMM" "$WORK/bzImage"
	# /dev/kvm present but not KVM (a null device in a private /dev, so
	# this works whether or not the host has a /dev/kvm)
	expect 1 "/dev/kvm" -- unshare -m sh -c \
		'mount -t tmpfs none /dev && mknod /dev/kvm c 1 3 && exec "$0" -kernel "$1"' \
		"$MINIVMM" "$WORK/bzImage"
	;;
help_and_version)
	timeout 10 "$MINIVMM" -help >"$WORK/stdout" 2>"$WORK/stderr" ||
		fail "-help exits non-zero"
	grep -q -- '-kernel' "$WORK/stdout" || fail "-help does not list -kernel"
	[ -s "$WORK/stderr" ] && fail "-help writes to stderr"
	timeout 10 "$MINIVMM" -version >"$WORK/stdout" 2>"$WORK/stderr" ||
		fail "-version exits non-zero"
	grep -q '^minivmm ' "$WORK/stdout" || fail "-version prints no version"
	echo "ok [$CASE]"
	;;
*)
	fail "unknown case '$CASE'"
	;;
esac
exit 0
