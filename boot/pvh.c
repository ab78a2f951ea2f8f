// SPDX-License-Identifier: MIT
/* The PVH start info block (boot/pvh.h).  Freestanding. */
#include "boot/pvh.h"

#include "boot/error_line.h"

int pvh_build_start_info(void *buf, size_t cap, uint64_t gpa,
			 const struct pvh_boot_args *args, char *err, size_t errlen)
{
	uint8_t *p = buf;
	struct hvm_start_info si = {
		.magic = HVM_START_MAGIC_VALUE,
		.version = HVM_START_INFO_VERSION,
		.cmdline_paddr = args->cmdline_addr,
		.rsdp_paddr = args->rsdp_addr,
		.memmap_entries = args->nr_e820,
	};
	size_t mod_off = sizeof(si);
	size_t map_off = mod_off + sizeof(struct hvm_modlist_entry);
	size_t need = map_off + (size_t)args->nr_e820 * sizeof(struct hvm_memmap_table_entry);

	if (need > cap || (args->nr_e820 && !args->e820)) {
		return error_line(err, errlen,
				  "the PVH start info does not fit in its page");
	}
	__builtin_memset(p, 0, need);
	if (args->initrd_size) {
		struct hvm_modlist_entry mod = {
			.paddr = args->initrd_addr,
			.size = args->initrd_size,
		};

		si.nr_modules = 1;
		si.modlist_paddr = gpa + mod_off;
		__builtin_memcpy(p + mod_off, &mod, sizeof(mod));
	}
	si.memmap_paddr = gpa + map_off;
	for (unsigned int i = 0; i < args->nr_e820; i++) {
		struct hvm_memmap_table_entry e = {
			.addr = args->e820[i].addr,
			.size = args->e820[i].size,
			.type = args->e820[i].type,	/* same numbering as e820 */
		};

		__builtin_memcpy(p + map_off + i * sizeof(e), &e, sizeof(e));
	}
	__builtin_memcpy(p, &si, sizeof(si));
	return 0;
}
