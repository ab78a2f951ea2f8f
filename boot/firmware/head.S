/* SPDX-License-Identifier: MIT */
/*
 * Firmware entry: minivmm starts us in 64-bit mode with the identity map,
 * RSI = hand-off block.  Take our own stack, zero .bss, run fw_main().
 */
	.section .text.entry, "ax"
	.code64
	.globl fw_entry
fw_entry:
	cli
	cld
	mov	%rsi, %r12
	lea	fw_stack_top(%rip), %rsp
	lea	fw_bss_start(%rip), %rdi
	lea	fw_bss_end(%rip), %rcx
	sub	%rdi, %rcx
	shr	$3, %rcx
	xor	%eax, %eax
	rep stosq
	mov	%r12, %rdi
	xor	%ebp, %ebp
	call	fw_main
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign 16
fw_stack:
	.skip	65536
fw_stack_top:

	.section .note.GNU-stack, "", @progbits
