/* SPDX-License-Identifier: MIT */
/* Embeds the -rootfs init (a static ELF program) into minivmm (host object). */
	.section .rodata.minivmm_init, "a"
	.balign 16
	.globl minivmm_init_start
minivmm_init_start:
	.incbin MINIVMM_INIT_BIN
	.globl minivmm_init_end
minivmm_init_end:

	.section .note.GNU-stack, "", @progbits
