#!/bin/bash
# SPDX-License-Identifier: MIT
# -mem-path on a hugetlbfs mount the test makes, with pages it reserves:
# the guest's RAM comes out of the pool (HugePages_Free - HugePages_Rsvd
# drops by the guest's size; with -mem-prealloc HugePages_Free itself
# does), too few free pages and a directory that is not hugetlbfs are one
# error line each (exit 1) before the guest starts.  The host's
# nr_hugepages is restored and the mount removed afterwards.
# run-serial
# timeout: 240
. "$(dirname "$0")/common.bash"
need MINIVMM BOOTINFO_BZIMAGE

MEM_MB=64
PAGES=$((MEM_MB / 2))
NR=/proc/sys/vm/nr_hugepages
grep -qw hugetlbfs /proc/filesystems ||
	{ echo "SKIP: this host kernel has no hugetlbfs"; exit 77; }
[ -w "$NR" ] || { echo "SKIP: $NR is not writable (not root?)"; exit 77; }
orig=$(cat "$NR")
mnt=$WORK/huge
cleanup() {
	umount "$mnt" 2>/dev/null
	echo "$orig" >"$NR"
	rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$mnt"
mount -t hugetlbfs -o pagesize=2M none "$mnt" || fail "cannot mount hugetlbfs"

meminfo() { sed -n "s/^$1:[[:space:]]*//p" /proc/meminfo; }
# Reserve room for the guest plus a margin, as an administrator would.
echo $((orig + PAGES + 4)) >"$NR"
avail() { echo $(($(meminfo HugePages_Free) - $(meminfo HugePages_Rsvd))); }
(( $(avail) >= PAGES )) ||
	fail "the kernel gave only $(avail) free 2 MiB pages (wanted $PAGES)"

# 1. Reserved at start: free minus reserved drops by the guest's pages.
before=$(avail)
HALT_MEM_MB=$MEM_MB start_halted reserve -mem-path "$mnt"
during=$(avail)
stop_halted reserve
echo "free-reserved pages: $before -> $during while the guest ran"
expect_eq "unreserved huge pages taken by a $MEM_MB MiB guest" $((before - during)) $PAGES
expect_eq "huge pages back after exit" "$(avail)" "$before"

# 2. -mem-prealloc: HugePages_Free itself drops by the guest's size.
before=$(meminfo HugePages_Free)
HALT_MEM_MB=$MEM_MB start_halted prealloc -mem-path "$mnt" -mem-prealloc
during=$(meminfo HugePages_Free)
stop_halted prealloc
echo "HugePages_Free: $before -> $during with -mem-prealloc"
expect_eq "HugePages_Free drop with -mem-prealloc" $((before - during)) $PAGES

# 3. Not enough free pages: one line, exit 1, the guest never starts.
echo $((orig + 8)) >"$NR"
bootinfo_run short -m $MEM_MB -mem-path "$mnt" -append "console=ttyS0"
expect_rc short 1
grep -q "^minivmm: -mem-path: the guest needs $PAGES free 2048 KiB huge pages, the host has" "$ERR" ||
	{ show_run short; fail "no clear error for too few huge pages"; }
[ ! -s "$OUT" ] || fail "the guest ran without its huge pages"

# 4. Not a hugetlbfs mount; RAM not a multiple of the page size.
bootinfo_run nothuge -m $MEM_MB -mem-path "$WORK" -append "console=ttyS0"
expect_rc nothuge 1
grep -q "is not a hugetlbfs mount" "$ERR" || { show_run nothuge; fail "no error for a plain directory"; }
bootinfo_run odd -m 63M -mem-path "$mnt" -append "console=ttyS0"
expect_rc odd 1
grep -q "not a multiple of the mount's 2048 KiB pages" "$ERR" || { show_run odd; fail "no error for 63 MiB"; }
echo "PASS: -mem-path takes $PAGES huge pages; too few pages and wrong mounts are clear errors"
