#!/bin/bash
# SPDX-License-Identifier: MIT
# -rootfs / -run CMD with Debian's modular kernel (virtio_mmio, virtiofs,
# fuse and overlay are modules that minivmm finds in
# /lib/modules/RELEASE and the built-in init loads): minivmm exits with
# the command's status (0, 1, 42; 127 for a command that does not exist),
# the command starts in the host's current directory, runs on the console
# as its controlling terminal, and writes land in the tmpfs overlay, not
# on the host.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rootfs_common.bash"

rootfs_need_modules
mkdir -p "$WORKDIR/cwd/sub" && cd "$WORKDIR/cwd/sub" || exit 1
mark=/etc/mvt-rootfs-$$
rootfs_run ok 0 -name mvtguest -- "echo \"cwd=\$(pwd)\"; echo \"release=\$(uname -r)\";
	echo \"tty=\$(tty)\"; echo \"hostname=\$(hostname)\";
	echo written >$mark && echo \"overlay=\$(cat $mark)\";
	grep -q ' / overlay ' /proc/mounts && echo root=overlay; exit 0"
rootfs_expect_line ok "cwd=$WORKDIR/cwd/sub"
rootfs_expect_line ok "release=$ROOTFS_RELEASE"
rootfs_expect_line ok "tty=/dev/ttyS0"
rootfs_expect_line ok "hostname=mvtguest"
rootfs_expect_line ok "overlay=written"
rootfs_expect_line ok "root=overlay"
[ ! -e "$mark" ] || mvt_fail "the guest's write to $mark reached the host"
rootfs_run one 1 -- "exit 1"
rootfs_run answer 42 -- "echo before; exit 42"
rootfs_expect_line answer before
rootfs_run missing 127 -- "mvt-no-such-command"
echo "-rootfs / -run: statuses 0, 1, 42, 127; cwd, tty, hostname, overlay"
