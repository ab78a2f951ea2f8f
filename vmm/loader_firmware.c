// SPDX-License-Identifier: MIT
/*
 * -netboot: put the built-in PXE firmware into guest memory and fill the
 * hand-off block it reads (boot/firmware/handoff.h).  The firmware half of
 * the loader (vmm/loader.h); vmm/loader.c is the direct-boot half.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/firmware/firmware_blob.h"
#include "boot/firmware/handoff.h"
#include "boot/layout.h"
#include "boot/linux_boot.h"
#include "boot/long_mode.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

static void netboot_fill_e820(struct fw_handoff *h, uint64_t ram_bytes)
{
	struct e820_entry e820[FW_HANDOFF_E820_MAX];
	unsigned int n = linux_e820_map(ram_bytes, e820, FW_HANDOFF_E820_MAX);

	h->nr_e820 = n;
	for (unsigned int i = 0; i < n; i++) {
		h->e820[i].addr = e820[i].addr;
		h->e820[i].size = e820[i].size;
		h->e820[i].type = e820[i].type;
	}
}

/*
 * The machine UUID (DHCP option 97, pxelinux.cfg/<uuid>) must be the same
 * on every boot, or servers keyed on it see a new client each time and a
 * per-machine config never matches twice.  Made from the MAC: an RFC 9562
 * version-8 (vendor-defined) UUID 6d696e69-766d-8000-8000-<mac>.
 */
static void netboot_make_uuid(uint8_t uuid[16], const uint8_t mac[6])
{
	static const uint8_t prefix[10] = { 'm', 'i', 'n', 'i', 'v', 'm',
					    0x80, 0x00, 0x80, 0x00 };

	memcpy(uuid, prefix, sizeof(prefix));
	memcpy(uuid + 10, mac, 6);
}

static int netboot_fill_handoff(struct vm *vm, uint64_t rsdp,
				const struct loader_netboot_nic *nic,
				char *err, size_t errlen)
{
	struct fw_handoff *h = guest_mem_ptr(&vm->mem, LAYOUT_HANDOFF_ADDR, sizeof(*h));
	const char *append = vm->cfg->append ? vm->cfg->append : "";
	size_t len = strlen(append);

	if (!h) {
		snprintf(err, errlen, "guest memory too small for the firmware hand-off block");
		return -ENOMEM;
	}
	if (len >= FW_HANDOFF_CMDLINE_MAX) {
		snprintf(err, errlen, "-append: %zu bytes is too long for -netboot (at most %d)",
			 len, FW_HANDOFF_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	memset(h, 0, sizeof(*h));
	h->magic = FW_HANDOFF_MAGIC;
	h->version = FW_HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->ram_size = vm->mem.ram_size;
	netboot_fill_e820(h, vm->mem.ram_size);
	h->virtio_net_mmio = nic->mmio_base;
	h->virtio_net_gsi = nic->gsi;
	memcpy(h->mac, nic->mac, 6);
	if (vm->cfg->have_uuid)
		memcpy(h->uuid, vm->cfg->uuid, 16);
	else
		netboot_make_uuid(h->uuid, nic->mac);
	h->rsdp_addr = rsdp;
	h->serial_port = PORT_COM1;
	h->flags = vm->cfg->trace_boot ? FW_HANDOFF_F_TRACE : 0;
	h->deadline_s = vm->cfg->netboot_timeout_given ?
			vm->cfg->netboot_timeout_sec : CONFIG_NETBOOT_TIMEOUT;
	h->cmdline_len = len;
	memcpy(h->cmdline, append, len + 1);
	return 0;
}

int loader_load_firmware(struct vm *vm, uint64_t rsdp,
			 const struct loader_netboot_nic *nic,
			 struct boot_entry *entry, char *err, size_t errlen)
{
	size_t size = (size_t)(minivmm_firmware_end - minivmm_firmware_start);
	uint8_t *low = guest_mem_ptr(&vm->mem, 0, LAYOUT_PAGE_TABLES_END);

	_Static_assert(LAYOUT_FIRMWARE_ADDR >= LAYOUT_CMDLINE_ADDR + LAYOUT_CMDLINE_MAX &&
		       LAYOUT_FIRMWARE_ADDR + FW_HANDOFF_FIRMWARE_MAX <= LAYOUT_EBDA_START,
		       "the firmware must sit between the command line and the EBDA");
	if (!low || !guest_mem_ptr(&vm->mem, LAYOUT_FIRMWARE_ADDR, FW_HANDOFF_FIRMWARE_MAX) ||
	    !guest_mem_ptr(&vm->mem, LAYOUT_FIRMWARE_WORK, FW_HANDOFF_WORK_MAX)) {
		snprintf(err, errlen, "-netboot needs more guest memory (-m)");
		return -ENOMEM;
	}
	boot_write_long_mode_tables(low);
	guest_mem_write(&vm->mem, LAYOUT_FIRMWARE_ADDR, minivmm_firmware_start, size);
	int ret = netboot_fill_handoff(vm, rsdp, nic, err, errlen);

	if (ret)
		return ret;
	entry->rip = LAYOUT_FIRMWARE_ADDR;
	entry->rsi = LAYOUT_HANDOFF_ADDR;
	entry->rsp = LAYOUT_BOOT_STACK_TOP;
	return 0;
}
