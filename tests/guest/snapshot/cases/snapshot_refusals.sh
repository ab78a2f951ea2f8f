#!/bin/bash
# SPDX-License-Identifier: MIT
# -restore refuses what cannot work (docs/snapshots.md), with one error
# line and exit 1: a snapshot of the counting guest is edited the way a
# foreign or damaged file would look (snapshot_tool.py makes every
# checksum right again, so only the change itself is refused): another
# format version; a CPU feature in what the guest saw that no host has
# (CPUID 7.0 EDX bit 0, reserved); a flipped byte in a vCPU's section
# (checksum mismatch); the file cut in half (RAM outside the file).
# timeout: 300
. "$(dirname "$0")/snapshot.bash"
img=$GUEST_DIR/snapshot/counter.bzImage
[ -f "$img" ] || fail "no $img"

start_qmp a -kernel "$img" -m 64
wait_lines a '^COUNT [0-9]' 5
save_quit a
apparent=$(stat -c %s "$snap")

# refuse NAME WANT-TEXT EDIT...: an edited copy is refused with one line, exit 1.
refuse() {
	local name=$1 want=$2
	shift 2
	python3 "$tool" clone "$snap" "$WORK/$name.snap" || fail "$name: cannot copy"
	"$@" "$WORK/$name.snap" || fail "$name: cannot prepare the file"
	run "$name" -restore "$WORK/$name.snap"
	expect_refused "$name" "$want"
}
version() { python3 "$tool" edit "$1" --version 2; }
cpuid() { python3 "$tool" edit "$1" --cpuid-bit 7 edx 0; }
damage() { python3 "$tool" edit "$1" --flip-section vcpu; }
cut_half() { truncate -s $((apparent / 2)) "$1"; }
refuse version "format version 2, this minivmm reads version 1" version
refuse cpuid "lacks features the guest saw (CPUID leaf 0x7.0 edx" cpuid
refuse damaged "checksum mismatch" damage
refuse truncated "outside the file" cut_half
# and the file as saved is fine
run ok -restore "$snap"
expect_rc ok 0
echo "PASS: 4 refusals, one line each; the unedited file restores"
