/* SPDX-License-Identifier: MIT */
/* The firmware's state: one object, filled step by step by main(). */
#ifndef MINIVMM_FW_FW_H
#define MINIVMM_FW_FW_H

#include <stdint.h>

#include "boot/firmware/handoff.h"
#include "boot/firmware/net.h"
#include "boot/firmware/tftp_get.h"
#include "boot/firmware/vnet.h"
#include "boot/linux_boot.h"
#include "net/dhcp.h"
#include "net/pxelinux.h"

#define FW_CFG_MAX	(64 * 1024)	/* one config file */
#define FW_KERNEL_LOAD	0x1000000ull	/* 16 MiB: Linux's usual pref_address */
#define FW_RAM_TOP_MAX	0xC0000000ull	/* below the MMIO hole */

/*
 * Config parsing state, big and only needed before the kernel is loaded:
 * it lives in the work area at LAYOUT_FIRMWARE_WORK (1 MiB), not in the
 * firmware's own low-memory image.
 */
struct fw_work {
	struct pxe_config cfg;
	char cfgbuf[PXE_INCLUDE_DEPTH + 1][FW_CFG_MAX];
};

struct fw {
	const struct fw_handoff *h;
	struct vnet vnet;
	struct net net;
	struct dhcp_client dhcp;
	const struct dhcp_lease *lease;	/* = &dhcp.offer once bound */
	uint32_t tftp_server;
	char prefix[PXE_PATH_MAX];
	struct fw_work *work;		/* at LAYOUT_FIRMWARE_WORK */
	struct pxe_boot boot;
	struct e820_entry e820[FW_HANDOFF_E820_MAX];
	unsigned int nr_e820;
	uint64_t ram_top;		/* end of the RAM holding the kernel */
	/* A failed fetch ("<file>: <reason>") or the kernel's boot protocol
	 * parser's reason (boot/error_line.h). */
	char why[PXE_PATH_MAX + 128];
};

/*
 * Phase markers written to the debug port (PORT_DEBUG_TRACE) when minivmm
 * runs with -trace-boot, which prints each with its time (docs/usage.md).
 */
enum fw_mark {
	FW_MARK_ENTRY		= 0x10,	/* firmware entered */
	FW_MARK_NIC		= 0x11,	/* virtio-net driver up */
	FW_MARK_DHCP		= 0x12,	/* lease bound */
	FW_MARK_PXE		= 0x13,	/* boot entry chosen, config files read */
	FW_MARK_FILE		= 0x14,	/* one TFTP file complete (each file) */
	FW_MARK_KERNEL_ENTRY	= 0x15,	/* about to jump to the kernel */
};

void fw_trace(const struct fw *fw, enum fw_mark mark);

/* Steps (one file each).  0 or -1 with a one-line reason in err. */
int fw_dhcp(struct fw *fw, char *err, size_t errlen);
/* Decide what to boot: fills fw->boot (PXELINUX config or plain kernel). */
int fw_pxe(struct fw *fw, char *err, size_t errlen);
/* Load fw->boot's kernel and initrds, build the zero page, jump. */
int fw_boot_linux(struct fw *fw, char *err, size_t errlen);

/* TFTP a file relative to the path prefix; 0 or -1 (f->not_found). */
int fw_fetch(struct fw *fw, const char *name, struct fw_file *f,
	     char *err, size_t errlen);

#endif
