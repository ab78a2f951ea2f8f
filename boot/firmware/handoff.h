/* SPDX-License-Identifier: MIT */
/*
 * The hand-off block: what minivmm tells the netboot firmware.
 *
 * Contract (VMM side, vmm/ netboot loader):
 *  - copy the firmware blob (minivmm_firmware_start..end, see
 *    firmware_blob.h) to guest physical LAYOUT_FIRMWARE_ADDR;
 *  - fill one struct fw_handoff at LAYOUT_HANDOFF_ADDR (zero the rest);
 *  - enter vCPU 0 in 64-bit long mode with the identity map of 0-4 GiB
 *    (boot/layout.h page tables), RIP = LAYOUT_FIRMWARE_ADDR,
 *    RSI = LAYOUT_HANDOFF_ADDR, RSP = LAYOUT_BOOT_STACK_TOP, interrupts off.
 *    The firmware switches to its own stack and zeroes its own .bss.
 *  - the firmware owns guest RAM from LAYOUT_FIRMWARE_ADDR up to
 *    LAYOUT_FIRMWARE_ADDR + FW_HANDOFF_FIRMWARE_MAX (below the EBDA), and
 *    LAYOUT_FIRMWARE_WORK + FW_HANDOFF_WORK_MAX until it loads the kernel;
 *    it overwrites the zero page, the command line area and (later) this
 *    block itself.
 *
 * All fields little-endian, fixed size, no pointers: the VMM writes it with
 * guest_mem_write() and the firmware reads it in place.
 */
#ifndef MINIVMM_FW_HANDOFF_H
#define MINIVMM_FW_HANDOFF_H

#include <stdint.h>

#define FW_HANDOFF_MAGIC	0x464f444eU	/* "NDOF" read little-endian */
#define FW_HANDOFF_VERSION	2
#define FW_HANDOFF_E820_MAX	32
#define FW_HANDOFF_CMDLINE_MAX	2048	/* incl. the terminating NUL */
/* code+data+bss+stack+buffers: from LAYOUT_FIRMWARE_ADDR to the EBDA */
#define FW_HANDOFF_FIRMWARE_MAX	0x0006F000ULL
/* the config work area at LAYOUT_FIRMWARE_WORK, used before the kernel
 * is loaded (PXELINUX configs and their INCLUDEs) */
#define FW_HANDOFF_WORK_MAX	0x00100000ULL

/* e820 types, as in the Linux boot protocol. */
#define FW_E820_RAM		1
#define FW_E820_RESERVED	2
#define FW_E820_ACPI		3

/* Same layout as struct boot_e820_entry of the Linux zero page. */
struct fw_handoff_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

struct fw_handoff {
	uint32_t magic;			/* FW_HANDOFF_MAGIC */
	uint16_t version;		/* FW_HANDOFF_VERSION */
	uint16_t size;			/* sizeof(struct fw_handoff) */

	uint64_t ram_size;		/* guest RAM in bytes (-m) */
	uint32_t nr_e820;		/* valid entries in e820[] */
	uint32_t deadline_s;		/* give up after this long (FW_STATUS_DEADLINE), 0: never */
	struct fw_handoff_e820 e820[FW_HANDOFF_E820_MAX];

	uint64_t virtio_net_mmio;	/* virtio-mmio window base, 0: no NIC */
	uint32_t virtio_net_gsi;	/* its IOAPIC GSI (unused: we poll) */
	uint8_t mac[6];			/* the NIC's MAC (also in its config) */
	uint16_t reserved1;

	uint8_t uuid[16];		/* SMBIOS-style machine UUID, DHCP 97 */
	uint64_t rsdp_addr;		/* ACPI RSDP guest physical address */
	uint16_t serial_port;		/* 16550 base for the console, 0: none */
	uint16_t reserved2;
	uint32_t flags;			/* FW_HANDOFF_F_* */

	/* minivmm's -append: appended to the command line the pxelinux
	 * config chooses (NUL-terminated, cmdline_len excludes the NUL). */
	uint32_t cmdline_len;
	char cmdline[FW_HANDOFF_CMDLINE_MAX];
} __attribute__((packed));

/* Write phase markers to PORT_DEBUG_TRACE (-trace-boot). */
#define FW_HANDOFF_F_TRACE	(1U << 0)

#endif
