# SPDX-License-Identifier: MIT
# Sourced by the virtio-blk layer-2 cases: boot vblk.bzImage with drives
# and read its "VBLK <slot>.<key>=<value>" lines.
# Environment (CTest, tests/guest/CMakeLists.txt): MINIVMM, GUEST_DIR,
# GUEST_CASES_DIR, BOOTINFO_SUM, BOOTINFO_BZIMAGE.
. "${GUEST_CASES_DIR:-$(dirname "${BASH_SOURCE[0]}")/../../cases}/common.bash"
need MINIVMM GUEST_DIR BOOTINFO_SUM
VBLK_BZIMAGE=${VBLK_BZIMAGE:-$GUEST_DIR/virtio_blk/vblk.bzImage}
[ -f "$VBLK_BZIMAGE" ] || fail "no $VBLK_BZIMAGE (build target vblk_bzimage)"

# vblk_run NAME [minivmm arguments...]: sets RC, OUT, ERR.
vblk_run() {
	local name=$1
	shift
	timeout -k 5 "$RUN_TIMEOUT" "$MINIVMM" -kernel "$VBLK_BZIMAGE" \
		-serial stdio "$@" </dev/null >"$WORK/$name.raw" 2>"$WORK/$name.err"
	RC=$?
	tr -d '\r' <"$WORK/$name.raw" >"$WORK/$name.out"
	OUT=$WORK/$name.out
	ERR=$WORK/$name.err
	echo "run $name: exit $RC"
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		show_run "$name"
		fail "$name: minivmm did not finish within ${RUN_TIMEOUT}s"
	fi
}

# vk SLOT.KEY: value printed by the guest in the last run.
vk() {
	sed -n "s/^VBLK $1=//p" "$OUT" | head -n 1
}

# expect_vk NAME SLOT.KEY WANT
expect_vk() {
	local got
	got=$(vk "$2")
	if [ "$got" != "$3" ]; then
		show_run "$1"
		fail "$1: VBLK $2 is '$got', expected '$3'"
	fi
}

# expect_done NAME: clean power-off after "VBLK end".
expect_done() {
	expect_rc "$1" 0
	grep -qx 'VBLK end' "$OUT" || { show_run "$1"; fail "$1: no 'VBLK end'"; }
}

# make_image FILE BYTES: random contents.
make_image() {
	head -c "$2" /dev/urandom >"$1" || fail "cannot create $1"
}

# sum64k FILE: what the guest prints as read.sum for FILE.
sum64k() {
	head -c 65536 "$1" >"$WORK/sum.part"
	"$BOOTINFO_SUM" "$WORK/sum.part"
}

# pattern_sectors FIRST COUNT: the bytes the guest writes with vblk.write=1.
pattern_sectors() {
	local s i
	for ((s = $1; s < $1 + $2; s++)); do
		for ((i = 0; i < 32; i++)); do
			printf 'MVT-S%04u-BLOCK\n' "$s"
		done
	done
}

# expect_same_range WHAT FILE OFFSET FILE2 OFFSET2 LEN: byte ranges equal.
expect_same_range() {
	cmp -s <(tail -c +"$(($3 + 1))" "$2" | head -c "$6") \
	       <(tail -c +"$(($5 + 1))" "$4" | head -c "$6") ||
		fail "$1: bytes differ"
}
