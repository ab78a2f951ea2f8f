#!/bin/bash
# SPDX-License-Identifier: MIT
# The classroom set-up on the real kernel: a raw golden image (ext4 made by
# the host, with a file) and two qcow2 overlays of it, each booted by its
# own minivmm at the same time.  Guest A makes a new ext4 on its overlay
# (mkfs.ext4), writes a tree and a 4 MiB file, unmounts and runs e2fsck -f;
# guest B reads the host's file through its overlay and writes its own.
# Then: qemu-img check finds both overlays clean, e2fsck -f on the host
# (on raw conversions) finds both file systems clean, debugfs finds each
# guest's files in its own overlay only, and the golden image is unchanged.
. "$(dirname "$0")/../lib.sh"
for tool in qemu-img mkfs.ext4 e2fsck debugfs; do
	command -v $tool >/dev/null || { echo "$tool missing"; exit 77; }
done

cd "$WORKDIR" || mvt_fail "no $WORKDIR"
mkdir -p src/from-host
echo "hello from the golden image $$" >src/from-host/hello.txt
truncate -s 64M golden.raw
mkfs.ext4 -q -F -E nodiscard -d src golden.raw >/dev/null || mvt_fail "mkfs.ext4 failed"
golden_sha=$(sha256sum <golden.raw)
qemu-img create -q -f qcow2 -b golden.raw -F raw a.qcow2 || mvt_fail "qemu-img create a"
qemu-img create -q -f qcow2 -b golden.raw -F raw b.qcow2 || mvt_fail "qemu-img create b"

# Both guests hold their file system mounted for a while: that the two run
# at once must not depend on guest A's work outlasting guest B's boot (on
# L1's one vCPU, B booted after A had finished, once in a CI run).
(MVT_LOG=$WORKDIR/a.log MVT_APPEND="mvt.mode=mkfs mvt.hold=20" mvt_boot blk_qcow2 \
	-drive "file=$WORKDIR/a.qcow2,format=qcow2"; echo $? >a.rc) &
pa=$!
(MVT_LOG=$WORKDIR/b.log MVT_APPEND="mvt.mode=golden mvt.seed=B$$ mvt.hold=20" mvt_boot blk_qcow2 \
	-drive "file=$WORKDIR/b.qcow2,format=qcow2"; echo $? >b.rc) &
pb=$!
# at once: both guests up (MVT-READY) while neither minivmm has ended
together=0 t0=$SECONDS seen=""
for _ in $(seq $((MVT_TIMEOUT * 5))); do
	[ -e a.rc ] || [ -e b.rc ] && break
	for g in a b; do
		case $seen in *$g*) ;; *) grep -q MVT-READY $g.log &&
			seen="$seen $g:$((SECONDS - t0))s" ;; esac
	done
	if grep -q MVT-READY a.log && grep -q MVT-READY b.log; then
		[ -e a.rc ] || [ -e b.rc ] || together=1
		break
	fi
	sleep 0.2
done
echo "MVT-READY seen after:$seen; a.rc $([ -e a.rc ] && echo exists || echo absent), b.rc $([ -e b.rc ] && echo exists || echo absent) at $((SECONDS - t0))s" 
wait $pa $pb
for g in a b; do
	rc=$(cat $g.rc)
	[ "$rc" = 0 ] || { mvt_show $g.log; mvt_fail "guest $g: exit code $rc, expected 0"; }
	mvt_expect_done $g.log
	mvt_expect_fact $g.log fsck_rc 0
done
[ $together = 1 ] || mvt_fail "the two guests did not run at the same time"
mvt_expect_fact a.log mkfs ok
mvt_expect_fact b.log host_file "hello from the golden image $$"

for g in a b; do
	qemu-img check -q -f qcow2 $g.qcow2 || mvt_fail "qemu-img check finds errors in $g.qcow2"
	qemu-img convert -f qcow2 -O raw $g.qcow2 $g.raw || mvt_fail "qemu-img convert $g"
	e2fsck -f -n $g.raw >$g.fsck 2>&1 || { cat $g.fsck; mvt_fail "e2fsck -f finds problems in $g"; }
done
big=$(debugfs -R "cat /guest/big.bin" a.raw 2>/dev/null | sha256sum | cut -d' ' -f1)
[ "$big" = "$(mvt_fact a.log big_sha256)" ] || mvt_fail "A's /guest/big.bin differs on the host"
n=$(debugfs -R "ls -p /guest/tree" a.raw 2>/dev/null | grep -c '/f[0-9]*/')
[ "$n" = 30 ] || mvt_fail "$n files in A's /guest/tree, expected 30"
debugfs -R "stat /from-host" a.raw 2>&1 | grep -q "File not found" ||
	mvt_fail "A's new file system still has the golden /from-host"
[ "$(debugfs -R "cat /from-guest.txt" b.raw 2>/dev/null)" = "guest B$$ was here" ] ||
	mvt_fail "B's file is not in b.qcow2"
debugfs -R "stat /from-guest.txt" golden.raw 2>&1 | grep -q "File not found" ||
	mvt_fail "B's file reached the golden image"
[ "$(sha256sum <golden.raw)" = "$golden_sha" ] || mvt_fail "the golden image changed"
echo "two overlays of one golden image, at once: mkfs.ext4 + e2fsck clean, qemu-img check clean, golden unchanged"
