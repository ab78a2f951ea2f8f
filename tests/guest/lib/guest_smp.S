/* SPDX-License-Identifier: MIT */
/*
 * The application processor's first instructions (tests/guest/lib/
 * guest_smp.h).  Copied to GUEST_AP_TRAMPOLINE and entered there by a
 * SIPI in real mode (CS = page >> 4, IP = 0); everything it reads is in
 * its own page and patched in by guest_start_ap() before the SIPI.  It
 * enables PAE, the boot CPU's CR3 and EFER.LME, then PE and PG in one
 * write (real mode straight to long mode), and jumps through a 32-bit far
 * pointer into its own 64-bit code, which loads the data segments, the
 * stack and calls entry(arg).
 */
#define GDT_DATA	0x10	/* guest_head.S: flat data */
#define MSR_EFER	0xC0000080
#define EFER_LME	0x100
#define CR4_PAE		0x20
#define CR0_PG_PE	0x80000001

	.section .rodata.ap_trampoline, "a"
	.globl guest_ap_tramp_start, guest_ap_tramp_end
	.globl guest_ap_tramp_gdt, guest_ap_tramp_cr3, guest_ap_tramp_far
	.globl guest_ap_tramp_stack, guest_ap_tramp_entry, guest_ap_tramp_arg
	.code16
guest_ap_tramp_start:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	guest_ap_tramp_gdt - guest_ap_tramp_start
	movl	guest_ap_tramp_cr3 - guest_ap_tramp_start, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	orl	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	orl	$CR0_PG_PE, %eax
	mov	%eax, %cr0
	ljmpl	*guest_ap_tramp_far - guest_ap_tramp_start

	.code64
guest_ap_tramp_64:
	mov	$GDT_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	guest_ap_tramp_stack(%rip), %rsp
	mov	guest_ap_tramp_arg(%rip), %rdi
	xor	%ebp, %ebp
	call	*guest_ap_tramp_entry(%rip)
1:	cli
	hlt
	jmp	1b

	.balign	8
guest_ap_tramp_gdt:		/* lgdtl: 16-bit limit, 32-bit base */
	.word	0
	.long	0
	.word	0
guest_ap_tramp_cr3:
	.long	0
guest_ap_tramp_far:		/* m16:32: offset, then the 64-bit code selector */
	.long	guest_ap_tramp_64 - guest_ap_tramp_start
	.word	0x08
	.balign	8
guest_ap_tramp_stack:
	.quad	0
guest_ap_tramp_entry:
	.quad	0
guest_ap_tramp_arg:
	.quad	0
guest_ap_tramp_end:

	.section .note.GNU-stack, "", @progbits
