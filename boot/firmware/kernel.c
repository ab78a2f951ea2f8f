// SPDX-License-Identifier: MIT
/*
 * Step 4: load the chosen Linux kernel and initrds by TFTP straight to
 * their final addresses, build the zero page with boot/linux_boot.c (the
 * same code minivmm uses for -kernel) and enter the kernel's 64-bit entry.
 *
 * Placement: the protected-mode kernel must start at FW_KERNEL_LOAD
 * (16 MiB, aligned for any kernel_alignment up to 16 MiB), so the file
 * goes to FW_KERNEL_LOAD - setup size, known from the first block.  The
 * initrds follow the kernel's init_size area, 2 MiB aligned, concatenated
 * (each 4-byte aligned, as the kernel's initramfs unpacker wants).
 */
#include "boot/error_line.h"
#include "boot/firmware/console.h"
#include "boot/firmware/fw.h"
#include "boot/firmware/io.h"
#include "boot/layout.h"

#define SZ_2M	0x200000ull

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static bool fw_place_kernel(struct fw_file *f, const uint8_t *first,
			    size_t len)
{
	struct fw *fw = f->place_ctx;
	uint32_t sects, setup;

	if (len < 0x1f2)
		return false;
	sects = first[0x1f1] ? first[0x1f1] : 4;
	setup = (sects + 1) * 512;
	f->base = (uint8_t *)(FW_KERNEL_LOAD - setup);
	if (fw->ram_top <= FW_KERNEL_LOAD + SZ_2M)
		return false;
	f->cap = fw->ram_top - (FW_KERNEL_LOAD - setup);
	return true;
}

/* The RAM entry that holds FW_KERNEL_LOAD; its end, below 3 GiB. */
static uint64_t fw_ram_top(const struct fw *fw)
{
	for (unsigned int i = 0; i < fw->nr_e820; i++) {
		const struct e820_entry *e = &fw->e820[i];

		if (e->type == E820_RAM && e->addr <= FW_KERNEL_LOAD &&
		    e->addr + e->size > FW_KERNEL_LOAD) {
			uint64_t end = e->addr + e->size;

			return end > FW_RAM_TOP_MAX ? FW_RAM_TOP_MAX : end;
		}
	}
	return 0;
}

static void fw_e820(struct fw *fw)
{
	const struct fw_handoff *h = fw->h;
	unsigned int n = h->nr_e820 < FW_HANDOFF_E820_MAX ? h->nr_e820 :
			 FW_HANDOFF_E820_MAX;

	for (unsigned int i = 0; i < n; i++) {
		fw->e820[i].addr = h->e820[i].addr;
		fw->e820[i].size = h->e820[i].size;
		fw->e820[i].type = h->e820[i].type;
	}
	fw->nr_e820 = n;
	if (!n)
		fw->nr_e820 = linux_e820_map(h->ram_size, fw->e820,
					     FW_HANDOFF_E820_MAX);
	fw->ram_top = fw_ram_top(fw);
}

/* All initrds of the comma list, one after another from base. */
static int fw_load_initrds(struct fw *fw, uint64_t base, uint64_t limit,
			   uint64_t *size, char *err, size_t errlen)
{
	char name[PXE_PATH_MAX];
	uint64_t room = limit - base, cur = 0;

	for (unsigned int i = 0;
	     pxe_initrd_item(fw->boot.initrd, i, name, sizeof(name)); i++) {
		/* The padding before this one stays inside the room. */
		int64_t at = i ? linux_initrd_next((uint8_t *)base, cur, room) : 0;
		struct fw_file f;

		if (at < 0)
			return error_line(err, errlen, "no room for the initrd");
		f = (struct fw_file){ .base = (uint8_t *)(base + (uint64_t)at),
				      .cap = room - (uint64_t)at };
		if (fw_fetch(fw, name, &f, err, errlen) < 0)
			return -1;
		cur = (uint64_t)at + f.size;
		*size = cur;
	}
	return 0;
}

static __attribute__((noreturn)) void fw_enter_linux(uint64_t entry,
						     uint64_t zero_page)
{
	__asm__ volatile("cli\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "xor %%ebx, %%ebx\n\t"
			 "xor %%edi, %%edi\n\t"
			 "jmp *%%rax"
			 : : "a"(entry), "S"(zero_page) : "memory");
	__builtin_unreachable();
}

int fw_boot_linux(struct fw *fw, char *err, size_t errlen)
{
	struct fw_file kf = { .place = fw_place_kernel, .place_ctx = fw };
	struct linux_setup_info info;
	struct linux_boot_args args = { 0 };
	uint64_t kload, kend, ibase, ilimit, isize = 0;
	const uint8_t *image;
	size_t cmdlen = 0;

	fw_e820(fw);
	if (!fw->ram_top)
		return error_line(err, errlen, "no RAM at 16 MiB for the kernel");
	/* Room known before the first block (the TFTP size limit); the setup
	 * sectors below FW_KERNEL_LOAD only add to it. */
	kf.cap = fw->ram_top - FW_KERNEL_LOAD;
	if (fw_fetch(fw, fw->boot.kernel, &kf, err, errlen) < 0)
		return -1;
	image = kf.base;
	if (linux_parse_setup(image, kf.size, &info, err, errlen) < 0)
		return -1;
	kload = FW_KERNEL_LOAD;
	if (!info.relocatable || info.kernel_alignment > FW_KERNEL_LOAD ||
	    (info.kernel_alignment &&
	     (FW_KERNEL_LOAD & (info.kernel_alignment - 1)))) {
		uint64_t want = linux_kernel_load_addr(&info);

		/* A fixed-address kernel (1 MiB for most): one copy down from
		 * where the file landed.  The firmware is below 640 KiB and its
		 * work area is dead by now; the setup header must survive. */
		if (want < LAYOUT_HIGH_RAM_START ||
		    want + info.kernel_bytes > fw->ram_top ||
		    (want < (uint64_t)(uintptr_t)image + kf.size &&
		     want + info.kernel_bytes > (uint64_t)(uintptr_t)image))
			return error_line(err, errlen,
						  "the kernel is not relocatable and wants an address in use");
		if (want != kload)
			__builtin_memmove((void *)want, image + info.setup_bytes,
					  info.kernel_bytes);
		kload = want;
	}
	kend = kload + (info.init_size > info.kernel_bytes ? info.init_size :
			info.kernel_bytes);
	if ((uint64_t)(uintptr_t)image + kf.size > kend)
		kend = (uint64_t)(uintptr_t)image + kf.size;
	ibase = align_up(kend, SZ_2M);
	ilimit = fw->ram_top;
	if (info.initrd_addr_max && (uint64_t)info.initrd_addr_max + 1 < ilimit)
		ilimit = (uint64_t)info.initrd_addr_max + 1;
	if (fw->boot.initrd[0]) {
		if (ibase >= ilimit)
			return error_line(err, errlen, "no room for the initrd");
		if (fw_load_initrds(fw, ibase, ilimit, &isize, err, errlen) < 0)
			return -1;
	}

	long len = linux_cmdline_finish((char *)LAYOUT_CMDLINE_ADDR,
					info.cmdline_size + 1 < LAYOUT_CMDLINE_MAX ?
					info.cmdline_size + 1 : LAYOUT_CMDLINE_MAX,
					fw->boot.cmdline);

	if (len < 0)
		return error_line(err, errlen, "command line too long for the kernel");
	cmdlen = (size_t)len;
	args.cmdline_addr = LAYOUT_CMDLINE_ADDR;
	args.cmdline_len = (uint32_t)cmdlen;
	args.initrd_addr = isize ? ibase : 0;
	args.initrd_size = isize;
	args.rsdp_addr = fw->h->rsdp_addr;
	args.e820 = fw->e820;
	args.nr_e820 = fw->nr_e820;
	if (linux_build_boot_params((void *)LAYOUT_ZERO_PAGE_ADDR, image,
				    kf.size, &info, &args, err, errlen) < 0)
		return -1;

	fw_printf("Linux: boot protocol %u.%u, kernel at %lx, initrd %lu bytes at %lx\n",
		  info.protocol >> 8, info.protocol & 0xff,
		  (unsigned long)kload, (unsigned long)isize,
		  (unsigned long)args.initrd_addr);
	fw_printf("Linux: starting the kernel\n");
	/* The NIC must not write into RAM the kernel now owns. */
	vnet_reset(&fw->vnet);
	fw_trace(fw, FW_MARK_KERNEL_ENTRY);
	/* Close the status port: the kernel cannot claim a netboot verdict. */
	outb(PORT_FW_STATUS, FW_STATUS_HANDOFF);
	fw_enter_linux(kload + 0x200, LAYOUT_ZERO_PAGE_ADDR);
}
