/* SPDX-License-Identifier: MIT */
/* Embeds the firmware's flat binary into minivmm (host object). */
	.section .rodata.minivmm_firmware, "a"
	.balign 4096
	.globl minivmm_firmware_start
minivmm_firmware_start:
	.incbin MINIVMM_FIRMWARE_BIN
	.globl minivmm_firmware_end
minivmm_firmware_end:

	.section .note.GNU-stack, "", @progbits
