// SPDX-License-Identifier: MIT
/*
 * minivmm's netboot firmware.  main() is the boot script, one call per
 * step; each step lives in its own file:
 *   vnet.c      virtio-net over virtio-MMIO (polled, zero-copy RX)
 *   net.c       our IPv4 host: ARP, UDP
 *   dhcp_run.c  DHCP (net/dhcp.c does the protocol)
 *   pxe.c       PXELINUX config search/parse/choice (net/pxelinux.c)
 *   tftp_get.c  TFTP into place (net/tftp.c does the protocol)
 *   kernel.c    kernel + initrd placement, zero page, jump
 * On failure: one line on the console and FW_STATUS_* to PORT_FW_STATUS,
 * which minivmm reports as "netboot failed" / "local boot" (docs/usage.md).
 */
#include "boot/firmware/console.h"
#include "boot/firmware/fw.h"
#include "boot/firmware/io.h"
#include "boot/firmware/timer.h"
#include "boot/layout.h"

void fw_main(struct fw_handoff *h);

static struct fw fw;

static __attribute__((noreturn)) void fw_stop(uint8_t status,
					      const char *what,
					      const char *why)
{
	if (what)
		fw_printf("netboot: %s: %s\n", what, why);
	outb(PORT_FW_STATUS, status);
	cpu_halt();
}

/* net_run() found the whole netboot's deadline passed. */
static __attribute__((noreturn)) void fw_deadline(struct net *n)
{
	(void)n;
	fw_printf("netboot: deadline: %lu s passed (-netboot-timeout)\n",
		  (unsigned long)fw.h->deadline_s);
	fw_stop(FW_STATUS_DEADLINE, 0, 0);
}

void fw_trace(const struct fw *f, enum fw_mark mark)
{
	if (f->h->flags & FW_HANDOFF_F_TRACE)
		outb(PORT_DEBUG_TRACE, (uint8_t)mark);
}

static void fw_show_lease(const struct fw *f)
{
	char ip[16], mask[16], gw[16], srv[16];

	inet_ntoa(f->net.ip, ip);
	inet_ntoa(f->net.netmask, mask);
	inet_ntoa(f->net.gateway, gw);
	inet_ntoa(f->tftp_server, srv);
	fw_printf("DHCP: address %s netmask %s gateway %s, TFTP server %s, "
		  "boot file '%s'\n", ip, mask, gw, srv,
		  dhcp_lease_bootfile(f->lease));
}

void fw_main(struct fw_handoff *h)
{
	const char *clock;
	char mac[18];
	uint64_t khz;

	console_init(h->magic == FW_HANDOFF_MAGIC ? h->serial_port : PORT_COM1);
	fw_printf("\nminivmm netboot firmware\n");
	if (h->magic != FW_HANDOFF_MAGIC || h->version != FW_HANDOFF_VERSION ||
	    h->size < sizeof(*h))
		fw_stop(FW_STATUS_NETBOOT_FAILED, "hand-off block",
			"bad magic, version or size");
	/* Whatever the VMM wrote, the strings we use end inside the block. */
	h->cmdline[FW_HANDOFF_CMDLINE_MAX - 1] = 0;
	if (h->cmdline_len >= FW_HANDOFF_CMDLINE_MAX)
		h->cmdline_len = FW_HANDOFF_CMDLINE_MAX - 1;
	fw.h = h;
	_Static_assert(sizeof(struct fw_work) <= FW_HANDOFF_WORK_MAX,
		       "config work area too small");
	fw.work = (struct fw_work *)LAYOUT_FIRMWARE_WORK;
	fw_trace(&fw, FW_MARK_ENTRY);
	khz = timer_init(&clock);
	fw_printf("timer: TSC at %lu kHz (%s)\n", (unsigned long)khz, clock);

	if (vnet_init(&fw.vnet, h->virtio_net_mmio, fw.why, sizeof(fw.why)))
		fw_stop(FW_STATUS_NETBOOT_FAILED, "virtio-net", fw.why);
	if (!(fw.vnet.mac[0] | fw.vnet.mac[1] | fw.vnet.mac[2] |
	      fw.vnet.mac[3] | fw.vnet.mac[4] | fw.vnet.mac[5]))
		for (int i = 0; i < 6; i++)	/* no MAC feature: ours */
			fw.vnet.mac[i] = h->mac[i];
	for (int i = 0; i < 6; i++) {
		mac[i * 3] = "0123456789abcdef"[fw.vnet.mac[i] >> 4];
		mac[i * 3 + 1] = "0123456789abcdef"[fw.vnet.mac[i] & 15];
		mac[i * 3 + 2] = i < 5 ? ':' : 0;
	}
	fw.net.vnet = &fw.vnet;
	fw.net.profile = h->flags & FW_HANDOFF_F_TRACE;
	/* The deadline counts from here: the clock is known, nothing waited
	 * on the network yet. */
	if (h->deadline_s) {
		fw.net.end_ms = timer_now_ms() + (uint64_t)h->deadline_s * 1000;
		fw.net.expired = fw_deadline;
	}
	fw_printf("net: virtio-net at %lx, MAC %s\n",
		  (unsigned long)h->virtio_net_mmio, mac);

	fw_trace(&fw, FW_MARK_NIC);
	if (fw_dhcp(&fw, fw.why, sizeof(fw.why)) < 0)
		fw_stop(FW_STATUS_NETBOOT_FAILED, "DHCP", fw.why);
	/* PXELINUX's order: siaddr, else option 54; option 66 is not used. */
	fw.tftp_server = dhcp_lease_tftp_server(fw.lease);
	fw_show_lease(&fw);
	if (!fw.tftp_server)
		fw_stop(FW_STATUS_NETBOOT_FAILED, "DHCP", "no TFTP server");

	fw_trace(&fw, FW_MARK_DHCP);
	if (fw_pxe(&fw, fw.why, sizeof(fw.why)) < 0)
		fw_stop(FW_STATUS_NETBOOT_FAILED, "PXE", fw.why);
	if (fw.boot.type == PXE_K_LOCALBOOT)
		fw_stop(FW_STATUS_LOCALBOOT, "LOCALBOOT",
			"handing back to minivmm");

	fw_trace(&fw, FW_MARK_PXE);
	if (fw_boot_linux(&fw, fw.why, sizeof(fw.why)) < 0)
		fw_stop(FW_STATUS_NETBOOT_FAILED, "Linux", fw.why);
}
