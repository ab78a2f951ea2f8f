#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad -drive files: one clear line, exit 1, no guest started.
# timeout: 60
. "$(dirname "$0")/vblk.bash"

vblk_run missing -drive "file=$WORK/nope.img"
expect_rc missing 1
grep -q "nope.img" "$ERR" || { show_run missing; fail "error does not name the file"; }

vblk_run dir -drive "file=$WORK"
expect_rc dir 1
grep -q "not a regular file or block device\|Is a directory" "$ERR" ||
	{ show_run dir; fail "no clear error for a directory"; }

make_image "$WORK/ro-file.img" 65536
chmod a-w "$WORK/ro-file.img"
if [ "$(id -u)" != 0 ]; then
	vblk_run rofile -drive "file=$WORK/ro-file.img"
	expect_rc rofile 1
	grep -q "readonly=on" "$ERR" || { show_run rofile; fail "no readonly=on hint"; }
fi
echo "PASS: bad drives are refused with one clear line"
