/* SPDX-License-Identifier: MIT */
/*
 * Entry of every freestanding test guest, packaged two ways from one ELF:
 *
 *  - guest.bin (renamed .bzImage): a Linux bzImage.  The real-mode part is
 *    the boot sector and the setup header (boot protocol 2.15, one setup
 *    sector); the protected-mode part is linked at GUEST_LOAD_ADDR and
 *    holds the 64-bit entry at offset 0x200 (64-bit boot protocol: long
 *    mode, identity paging, RSI = boot_params).  It runs position-
 *    independently, so a loader may relocate it (relocatable_kernel = 1).
 *  - guest.elf: a PVH ELF (XEN_ELFNOTE_PHYS32_ENTRY) for QEMU: entered in
 *    32-bit protected mode, paging off, EBX = hvm_start_info; it builds
 *    its own page tables and enters long mode.
 *
 * Both paths load our own GDT and an identity map of the low 4 GiB, zero
 * .bss, and call guest_boot_entry(kind, info, entry_tsc) in C.
 * Offsets: Documentation/arch/x86/boot.rst.
 */
#include "boot/layout.h"

#define BOOT_CS		0x08	/* 64-bit code */
#define BOOT_DS		0x10	/* flat data */
#define BOOT_CS32	0x18	/* 32-bit code, PVH entry only */
#define KIND_LINUX64	1	/* enum guest_boot_kind */
#define KIND_PVH	2
#define SETUP_SECTS	1	/* sectors after the boot sector */
#define LOAD_ADDR	0x1000000	/* = GUEST_LOAD_ADDR in guest.ld */
#define PTE_PRESENT_RW	0x03
#define PDE_2M		0x83	/* present, writable, 2 MiB page */
#define MSR_EFER	0xC0000080
#define EFER_LME	0x100
#define CR4_PAE		0x20
#define CR0_PG_PE	0x80000001

/*
 * Checkpoint: a field list that ran past its documented offset fails the
 * build (.org cannot move backwards); tests/guest/cases/bootinfo_image.sh
 * checks the fields at their offsets in the built image.
 */
.macro at_offset off
	.org	\off
.endm

/*
 * A guest built with GUEST_ENTRY_BYTE (the benchmark guest) writes that
 * byte to COM1 as its very first instruction at either entry, so "exec ->
 * first serial byte" times the VMM (and its firmware), not the guest's own
 * start-up code.  A virtual 16550 takes a THR write without set-up.  The
 * same bytes assemble in 32- and 64-bit code; clobbers AL and DX only.
 * GUEST_ENTRY_POWEROFF (the S5 value) makes it power off right after.
 */
.macro entry_byte
#ifdef GUEST_ENTRY_BYTE
	mov	$PORT_COM1, %dx
	mov	$GUEST_ENTRY_BYTE, %al
	outb	%al, %dx
#endif
#ifdef GUEST_ENTRY_POWEROFF
	/* ... and then powers off at once (S5 on the hardware-reduced sleep
	 * register), the floor program's guest: "exec -> exit" then times
	 * the VMM's start and teardown without any guest code (bench/). */
	mov	$PORT_ACPI_SLEEP_CTL, %dx
	mov	$GUEST_ENTRY_POWEROFF, %al
	outb	%al, %dx
1:	hlt
	jmp	1b
#endif
.endm

/* ---- real-mode part: boot sector + setup header ---- */
	.section .setup, "ax"
	.code16
	.globl guest_setup_start
guest_setup_start:
	/* Not bootable from a BIOS or in real mode: stop. */
	cli
1:	hlt
	jmp	1b

	.org	0x1f1
	.byte	SETUP_SECTS		/* setup_sects */
	.word	0			/* root_flags */
	.long	guest_syssize		/* syssize (16-byte units) */
	.word	0			/* ram_size */
	.word	0xffff			/* vid_mode: normal */
	.word	0			/* root_dev */
	.word	0xaa55			/* boot_flag */
	at_offset 0x200
	.byte	0xeb, setup_realmode - 1f	/* jump */
1:	at_offset 0x202
	.ascii	"HdrS"			/* header */
	.word	0x020f			/* version 2.15 */
	.long	0			/* realmode_swtch */
	.word	0x1000			/* start_sys_seg (obsolete) */
	.word	guest_version_str - guest_setup_start - 0x200 /* kernel_version */
	at_offset 0x210
	.byte	0			/* type_of_loader */
	.byte	0x01			/* loadflags: LOADED_HIGH */
	.word	0			/* setup_move_size */
	.long	LOAD_ADDR		/* code32_start */
	at_offset 0x218
	.long	0			/* ramdisk_image */
	.long	0			/* ramdisk_size */
	.long	0			/* bootsect_kludge */
	.word	0			/* heap_end_ptr */
	.byte	0			/* ext_loader_ver */
	.byte	0			/* ext_loader_type */
	at_offset 0x228
	.long	0			/* cmd_line_ptr */
	.long	0x7fffffff		/* initrd_addr_max */
	.long	0x200000		/* kernel_alignment */
	.byte	1			/* relocatable_kernel */
	.byte	21			/* min_alignment: 2 MiB */
	at_offset 0x236
	.word	0x0001			/* xloadflags: XLF_KERNEL_64 */
	.long	0xffff			/* cmdline_size */
	.long	0			/* hardware_subarch */
	.quad	0			/* hardware_subarch_data */
	.long	0			/* payload_offset */
	.long	0			/* payload_length */
	.quad	0			/* setup_data */
	at_offset 0x258
	.quad	LOAD_ADDR		/* pref_address */
	.long	guest_init_size		/* init_size */
	.long	0			/* handover_offset */
	.long	guest_kernel_info_offset /* kernel_info_offset */
	at_offset 0x26c

setup_realmode:
	cli
1:	hlt
	jmp	1b

guest_version_str:
	.asciz	"minivmm test guest"

	.org	(SETUP_SECTS + 1) * 512
	at_offset 0x400

/* ---- protected-mode part, loaded at pref_address ---- */
	.section .head.text, "ax"
	.code32
	.globl guest_pm_start
guest_pm_start:
	/* code32_start (32-bit boot protocol): not supported, stop. */
	cli
1:	hlt
	jmp	1b

	.org	0x200
	.code64
	.globl startup_64
startup_64:
	entry_byte
	/* What the loader handed over, before we change it (no stack yet). */
	movw	%cs, guest_entry_cs(%rip)
	movw	%ds, guest_entry_ds(%rip)
	movw	%ss, guest_entry_ss(%rip)
	lea	guest_stack_top(%rip), %rsp
	pushfq
	popq	guest_entry_rflags(%rip)
	cli
	cld
	mov	%rsi, %r12			/* boot_params */
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r13			/* entry TSC */
	mov	$1, %al
	mov	$PORT_DEBUG_TRACE, %dx
	outb	%al, %dx
	lea	guest_stack_top(%rip), %rsp
	/* Our own GDT, at its run-time address. */
	lea	guest_gdt(%rip), %rax
	mov	%rax, guest_gdt_desc + 2(%rip)
	lgdt	guest_gdt_desc(%rip)
	pushq	$BOOT_CS
	lea	1f(%rip), %rax
	pushq	%rax
	lretq
1:	mov	$BOOT_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	call	guest_paging_init		/* C; touches no .bss */
	mov	$KIND_LINUX64, %edi
	mov	%r12, %rsi
	mov	%r13, %rdx
	jmp	guest_common64

/* rdi = kind, rsi = info address, rdx = entry TSC; stack is set. */
guest_common64:
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	shr	$3, %rcx
	xor	%eax, %eax
	rep stosq
	mov	%r12, %rdi
	mov	%r13, %rsi
	mov	%r14, %rdx
	xor	%ebp, %ebp
	call	guest_boot_entry
2:	cli
	hlt
	jmp	2b

/* ---- PVH entry: 32-bit protected mode, paging off, EBX = start_info ---- */
	.code32
	.globl pvh_start32
pvh_start32:
	entry_byte
	movw	%cs, guest_entry_cs
	movw	%ds, guest_entry_ds
	movw	%ss, guest_entry_ss
	mov	$guest_stack_top, %esp
	pushfl
	popl	guest_entry_rflags
	cli
	cld
	mov	%ebx, %esi			/* hvm_start_info */
	rdtsc
	mov	%eax, pvh_entry_tsc
	mov	%edx, pvh_entry_tsc + 4
	mov	$1, %al
	mov	$PORT_DEBUG_TRACE, %dx
	outb	%al, %dx
	lgdt	guest_gdt_desc			/* linked address: PVH is not relocated */
	ljmp	$BOOT_CS32, $1f
1:	mov	$BOOT_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	/* PML4 and PDPT are adjacent: clear both. */
	mov	$guest_pml4, %edi
	xor	%eax, %eax
	mov	$2048, %ecx
	rep stosl
	movl	$(guest_pdpt + PTE_PRESENT_RW), guest_pml4
	mov	$guest_pdpt, %edi
	mov	$(guest_pd + PTE_PRESENT_RW), %eax
	mov	$4, %ecx
2:	mov	%eax, (%edi)
	add	$4096, %eax
	add	$8, %edi
	loop	2b
	/* 2048 x 2 MiB pages: 0 - 4 GiB. */
	mov	$guest_pd, %edi
	mov	$PDE_2M, %eax
	xor	%edx, %edx
	mov	$2048, %ecx
3:	mov	%eax, (%edi)
	mov	%edx, 4(%edi)
	add	$0x200000, %eax
	adc	$0, %edx
	add	$8, %edi
	loop	3b
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$guest_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG_PE, %eax
	mov	%eax, %cr0
	ljmp	$BOOT_CS, $pvh_long_mode

	.code64
pvh_long_mode:
	mov	$BOOT_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	lea	guest_stack_top(%rip), %rsp
	mov	pvh_entry_tsc(%rip), %rdx
	mov	%esi, %esi
	mov	$KIND_PVH, %edi
	jmp	guest_common64

/* ---- PVH ELF note: where QEMU enters ---- */
	.section .note.Xen, "a", @note
	.balign	4
	.long	2f - 1f				/* namesz */
	.long	4f - 3f				/* descsz */
	.long	18				/* XEN_ELFNOTE_PHYS32_ENTRY */
1:	.asciz	"Xen"
2:	.balign	4
3:	.long	pvh_start32
4:	.balign	4

/* ---- kernel_info (protocol 2.15), found via kernel_info_offset ---- */
	.section .rodata.kernel_info, "a"
	.balign	16
	.globl guest_kernel_info
guest_kernel_info:
	.ascii	"LToP"				/* header */
	.long	16				/* size */
	.long	16				/* size_total */
	.long	0				/* setup_type_max */

	.section .data, "aw"
	.balign	16
guest_gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
	.quad	0x00cf9a000000ffff		/* 0x18: 32-bit code */
guest_gdt_end:
	.balign	8
	.word	0, 0, 0				/* align the base field */
guest_gdt_desc:
	.word	guest_gdt_end - guest_gdt - 1
	.quad	guest_gdt
pvh_entry_tsc:
	.quad	0
	/* Entry state, read by guest_boot.c (struct guest_boot entry_*). */
	.globl guest_entry_rflags, guest_entry_cs, guest_entry_ds, guest_entry_ss
guest_entry_rflags:
	.quad	0
guest_entry_cs:
	.word	0
guest_entry_ds:
	.word	0
guest_entry_ss:
	.word	0

/* Identity map of 0 - 4 GiB; PML4 and PDPT adjacent (PVH clears both). */
	.section .pgtbl, "aw", @nobits
	.balign	4096
	.globl guest_pml4, guest_pdpt, guest_pd
guest_pml4:
	.skip	4096
guest_pdpt:
	.skip	4096
guest_pd:
	.skip	4 * 4096

	.section .stack, "aw", @nobits
	.balign	16
	.skip	16384
	.globl guest_stack_top
guest_stack_top:

	.section .note.GNU-stack, "", @progbits
