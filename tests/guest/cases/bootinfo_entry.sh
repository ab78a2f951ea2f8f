#!/bin/bash
# SPDX-License-Identifier: MIT
# The 64-bit boot protocol as the guest sees it at its entry: long mode with
# paging, CS = __BOOT_CS (0x10), DS = SS = __BOOT_DS (0x18), interrupts off,
# RSI = a zero page holding the image's setup header, type_of_loader set
# (Linux ignores the initrd when it is 0), image loaded at an address
# aligned to kernel_alignment.
# timeout: 60
. "$(dirname "$0")/common.bash"

bootinfo_run entry -m 128 -append "console=ttyS0"
expect_rc entry 0
expect_complete entry
expect_eq "boot" "$(bi boot)" linux64
expect_eq "entry.cs" "$(bi entry.cs)" 0x10
expect_eq "entry.ds" "$(bi entry.ds)" 0x18
expect_eq "entry.ss" "$(bi entry.ss)" 0x18
expect_eq "entry.if (interrupts disabled)" "$(bi entry.if)" 0
(( ($(bi cpu.cr0) & 0x80000001) == 0x80000001 )) || fail "CR0.PG/PE not set: $(bi cpu.cr0)"
(( $(bi cpu.cr4) & 0x20 )) || fail "CR4.PAE not set: $(bi cpu.cr4)"
(( ($(bi cpu.efer) & 0x500) == 0x500 )) || fail "EFER.LME/LMA not set: $(bi cpu.efer)"
expect_eq "zero page has the setup header (HdrS)" "$(bi info.ok)" 1
expect_eq "bp.version (copied from the image)" "$(bi bp.version)" 0x020f
[ "$(bi bp.loader)" != 0x00 ] || fail "type_of_loader is 0: Linux would ignore the initrd"
load=$(bi load)
(( load % 0x200000 == 0 )) || fail "image loaded at $load, not 2 MiB aligned"
info=$(bi info)
(( info % 4096 == 0 && info < 0x100000 )) || fail "zero page at $info"
echo "PASS: 64-bit entry state as the boot protocol says (image at $load, zero page at $info)"
