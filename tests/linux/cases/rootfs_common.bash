# SPDX-License-Identifier: MIT
# Sourced (after ../lib.sh) by the layer-3 rootfs_* cases; not a case itself.
#
# -rootfs / boots $KERNEL on this machine's own root with minivmm's init.
# minivmm takes the kernel's modules from /lib/modules/RELEASE, as on a
# Debian host with that kernel installed: the nested harness's L1 has the
# test kernel's there (tests/nested/run.sh); a host without them skips.
#
#   rootfs_release       the release string of $KERNEL (bzImage header)
#   rootfs_need_modules  skip (77) unless /lib/modules/RELEASE exists
#   rootfs_run NAME RC [MINIVMM-ARGS...] -- CMD
#                        minivmm -rootfs / ... -run CMD in $PWD, console
#                        and stderr to $WORKDIR/NAME.log; fails unless the
#                        exit code is RC

rootfs_release()
{
	local off
	# kernel_version at 0x20e: the string's offset - 0x200
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$KERNEL" | tr -d ' ')
	dd if="$KERNEL" bs=1 skip=$((off + 0x200)) count=100 2>/dev/null |
		tr '\0' ' ' | cut -d' ' -f1
}

rootfs_need_modules()
{
	ROOTFS_RELEASE=$(rootfs_release)
	[ -n "$ROOTFS_RELEASE" ] || mvt_fail "no release string in $KERNEL"
	if [ ! -f "/lib/modules/$ROOTFS_RELEASE/modules.dep" ]; then
		echo "SKIP: this host has no /lib/modules/$ROOTFS_RELEASE (the test kernel's modules); the nested harness's L1 has them"
		exit 77
	fi
}

rootfs_run()
{
	local name=$1 want=$2 rc log args=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	log=$WORKDIR/$name.log
	timeout -k 5 "$MVT_TIMEOUT" "$MINIVMM" -kernel "$KERNEL" -m 512 \
		-smp 2 -rootfs / "${args[@]}" -run "$1" </dev/null >"$log" 2>&1
	rc=$?
	[ $rc -eq "$want" ] ||
		{ mvt_show "$log"; mvt_fail "$name: exit code $rc, expected $want"; }
}

# rootfs_expect_line NAME LINE: the console printed LINE (whole line).
rootfs_expect_line()
{
	grep -qxF -- "$2" <(tr -d '\r' <"$WORKDIR/$1.log") ||
		{ mvt_show "$WORKDIR/$1.log"; mvt_fail "$1: no line '$2'"; }
}
