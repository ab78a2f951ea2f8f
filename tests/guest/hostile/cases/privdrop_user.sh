#!/bin/bash
# SPDX-License-Identifier: MIT
# -user nobody -chroot DIR: the running minivmm has uid/gid nobody, no other
# group, no_new_privs, its root in DIR, and still ran the guest with the
# image it opened before the drop.  Bad names fail with exit 1.
# timeout: 120
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM BOOTINFO_BZIMAGE
skip_unless_linked "root could be regained" "-user/-chroot (privdrop)"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
uid=$(id -u nobody 2>/dev/null) || { echo "SKIP: no user nobody"; exit 77; }
gid=$(id -g nobody)
mkdir -m 0755 "$WORK/jail"
truncate -s 1M "$WORK/disk.img"
chmod 0600 "$WORK/disk.img"

start_halted drop -user nobody -chroot "$WORK/jail" -drive file="$WORK/disk.img"
st=/proc/$PID/status
got_uid=$(status_field $st Uid)
got_gid=$(status_field $st Gid)
got_groups=$(status_field $st Groups)
nnp=$(status_field $st NoNewPrivs)
root=$(readlink /proc/$PID/root)
echo "Uid: $got_uid / Gid: $got_gid / Groups: $got_groups / NoNewPrivs: $nnp / root: $root"
stop_halted drop
expect_eq Uid "$got_uid" "$uid $uid $uid $uid"
expect_eq Gid "$got_gid" "$gid $gid $gid $gid"
expect_eq Groups "$got_groups" "$gid"
expect_eq NoNewPrivs "$nnp" 1
expect_eq root "$root" "$WORK/jail"
grep -q '^BOOTINFO end' "$WORK/drop.out" || fail "the guest did not finish"

bootinfo_run nouser -user no-such-user-mvt
expect_rc nouser 1
grep -q 'no-such-user-mvt' "$ERR" || fail "no-such-user: no message naming the user"
bootinfo_run nodir -user nobody -chroot "$WORK/missing"
expect_rc nodir 1
grep -q 'chroot' "$ERR" || fail "missing chroot dir: no message"
echo "PASS: privileges dropped to nobody in a chroot"
