// SPDX-License-Identifier: MIT
#include "vmm/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/elf_kernel.h"
#include "boot/layout.h"
#include "boot/linux_boot.h"
#include "boot/long_mode.h"
#include "boot/pvh.h"
#include "vmm/log.h"
#include "vmm/ram.h"
#include "vmm/vm.h"

#define LOADER_MAX_E820 16
/* x86 Linux's COMMAND_LINE_SIZE: what an ELF kernel without a header takes. */
#define LOADER_ELF_CMDLINE_SIZE 2047

/*
 * A guest that "reboots" by jumping to the real-mode reset vector (Linux's
 * reboot=bios, and its EFI method without EFI) finds code there that
 * writes the ACPI reset register, so minivmm sees a reboot, not a hang:
 *   mov al, RESET_VALUE; mov dx, PORT_ACPI_RESET; out dx, al; 1: hlt; jmp 1b
 */
static void loader_write_reset_vector(struct vm *vm)
{
	const uint8_t stub[] = {
		0xb0, ACPI_RESET_VALUE,
		0xba, PORT_ACPI_RESET & 0xff, PORT_ACPI_RESET >> 8,
		0xee, 0xf4, 0xeb, 0xfd,
	};

	guest_mem_write(&vm->mem, LAYOUT_RESET_VECTOR, stub, sizeof(stub));
}

uint64_t loader_write_acpi(struct vm *vm, const struct acpi_config *acpi,
			   char *err, size_t errlen)
{
	void *dst = guest_mem_ptr(&vm->mem, LAYOUT_ACPI_ADDR, LAYOUT_ACPI_SIZE);

	if (!dst || !acpi_build_tables(dst, LAYOUT_ACPI_SIZE, LAYOUT_ACPI_ADDR, acpi)) {
		snprintf(err, errlen, "ACPI tables do not fit in %llu KiB",
			 (unsigned long long)(LAYOUT_ACPI_SIZE >> 10));
		return 0;
	}
	/* The tables take a few hundred bytes at the start of their area. */
	loader_write_reset_vector(vm);
	return LAYOUT_ACPI_ADDR;
}

/* Page tables and GDT for the 64-bit entry of the kernel or firmware. */
static int loader_write_long_mode(struct vm *vm, char *err, size_t errlen)
{
	uint8_t *low = guest_mem_ptr(&vm->mem, 0, LAYOUT_PAGE_TABLES_END);

	if (!low) {
		snprintf(err, errlen, "guest memory too small for boot page tables");
		return -EINVAL;
	}
	boot_write_long_mode_tables(low);
	return 0;
}

static int map_file(struct loader_kernel *f, const char *what, char *err,
		    size_t errlen)
{
	struct stat st;

	f->data = NULL;
	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open %s '%s': %s", what, f->path, strerror(e));
		if (f->fd >= 0)
			close(f->fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(err, errlen, "%s '%s' is %s", what, f->path,
			 S_ISREG(st.st_mode) ? "empty" : "not a regular file");
		close(f->fd);
		return -EINVAL;
	}
	f->size = st.st_size;
	f->data = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
	if (f->data == MAP_FAILED) {
		snprintf(err, errlen, "cannot map %s '%s': %s", what, f->path, strerror(errno));
		close(f->fd);
		return -errno;
	}
	return 0;
}

static void unmap_file(struct loader_kernel *f)
{
	if (f->data) {
		munmap((void *)f->data, f->size);
		close(f->fd);
	}
	f->data = NULL;
}

/* Read the whole initrd straight into guest memory: no bounce buffer. */
static int loader_read_into_guest(struct vm *vm, int fd, uint64_t gpa,
				  uint64_t size, const char *path, char *err,
				  size_t errlen)
{
	uint8_t *dst = guest_mem_ptr(&vm->mem, gpa, size);
	uint64_t done = 0;

	if (!dst) {
		snprintf(err, errlen, "initrd '%s' does not fit in guest memory", path);
		return -ENOMEM;
	}
	while (done < size) {
		ssize_t n = pread(fd, dst + done, size - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read initrd '%s': %s", path,
				 n < 0 ? strerror(errno) : "file shrank");
			return -EIO;
		}
		done += n;
	}
	return 0;
}

/* -rootfs: the initramfs minivmm generated, copied from memory. */
static int loader_place_gen_initrd(struct vm *vm,
				   const struct linux_setup_info *info,
				   const struct e820_entry *e820,
				   unsigned int nr_e820, uint64_t kernel_end,
				   struct linux_boot_args *args, char *err,
				   size_t errlen)
{
	uint64_t size = vm->gen_initrd_size;
	uint8_t *dst;

	args->initrd_size = size;
	args->initrd_addr = linux_initrd_addr(e820, nr_e820, size,
					      info->initrd_addr_max, kernel_end);
	dst = args->initrd_addr ? guest_mem_ptr(&vm->mem, args->initrd_addr, size) :
				  NULL;
	if (!dst) {
		snprintf(err, errlen, "-rootfs: the initramfs (%llu MiB) does not fit below the kernel's limit; give the guest more memory with -m",
			 (unsigned long long)(size >> 20));
		return -ENOMEM;
	}
	memcpy(dst, vm->gen_initrd, size);
	return 0;
}

static int loader_load_initrd(struct vm *vm, const struct linux_setup_info *info,
			      const struct e820_entry *e820, unsigned int nr_e820,
			      uint64_t kernel_end, struct linux_boot_args *args,
			      char *err, size_t errlen)
{
	const char *path = vm->cfg->initrd;
	struct stat st;
	int ret;

	if (vm->gen_initrd)
		return loader_place_gen_initrd(vm, info, e820, nr_e820,
					       kernel_end, args, err, errlen);
	if (!path)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open initrd '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	args->initrd_size = st.st_size;
	args->initrd_addr = linux_initrd_addr(e820, nr_e820, st.st_size,
					      info->initrd_addr_max, kernel_end);
	if (!S_ISREG(st.st_mode) || !args->initrd_addr) {
		snprintf(err, errlen, "initrd '%s' (%llu MiB) does not fit below the kernel's limit; give the guest more memory with -m",
			 path, (unsigned long long)(st.st_size >> 20));
		close(fd);
		return -ENOMEM;
	}
	ret = loader_read_into_guest(vm, fd, args->initrd_addr, st.st_size, path,
				     err, errlen);
	close(fd);
	return ret;
}

/* -append, or the -rootfs command line that includes it. */
static const char *loader_cmdline(const struct vm *vm)
{
	if (vm->gen_cmdline)
		return vm->gen_cmdline;
	return vm->cfg->append ? vm->cfg->append : "";
}

static int loader_write_cmdline(struct vm *vm, const char *cmdline,
				const struct linux_setup_info *info,
				struct linux_boot_args *args, char *err,
				size_t errlen)
{
	uint64_t cap = (uint64_t)info->cmdline_size + 1;
	char *dst;
	long len;

	if (cap > LAYOUT_CMDLINE_MAX)
		cap = LAYOUT_CMDLINE_MAX;
	dst = guest_mem_ptr(&vm->mem, LAYOUT_CMDLINE_ADDR, cap);
	if (!dst) {
		snprintf(err, errlen, "guest memory too small for the command line");
		return -ENOMEM;
	}
	len = linux_cmdline_finish(dst, cap, cmdline);
	if (len < 0) {
		snprintf(err, errlen, "-append: command line of %zu bytes is longer than the kernel accepts (%llu)",
			 strlen(cmdline), (unsigned long long)cap - 1);
		return -E2BIG;
	}
	args->cmdline_addr = LAYOUT_CMDLINE_ADDR;
	args->cmdline_len = len;
	return 0;
}

/*
 * A kernel that needs less than one huge page all told (a test guest, a
 * unikernel) gets no huge page: copying it in would clear 2 MiB for a few
 * KiB, the largest single cost of a short run's start (docs/benchmarks.md,
 * "exec -> exit").  A Linux kernel needs tens of MiB (init_size) and
 * fills the huge pages it lands in.
 */
static void loader_small_kernel_pages(struct vm *vm, uint64_t addr,
				      uint64_t need)
{
	if (need < RAM_HUGE_PAGE)
		vm_ram_no_huge_pages(vm, addr, need);
}

static int loader_place_kernel(struct vm *vm, const struct loader_kernel *k,
			       const struct linux_setup_info *info,
			       uint64_t *load_addr, char *err, size_t errlen)
{
	uint64_t need = info->init_size > info->kernel_bytes ?
			info->init_size : info->kernel_bytes;

	*load_addr = linux_kernel_load_addr(info);
	/* The kernel decompresses in place up to init_size: all of it must be RAM. */
	if (!guest_mem_ptr(&vm->mem, *load_addr, need) ||
	    *load_addr + need > LAYOUT_MMIO_HOLE_START) {
		snprintf(err, errlen, "kernel '%s' needs %llu MiB at 0x%llx: give the guest more memory with -m",
			 k->path, (unsigned long long)((*load_addr + need) >> 20) + 1,
			 (unsigned long long)*load_addr);
		return -ENOMEM;
	}
	loader_small_kernel_pages(vm, *load_addr, need);
	guest_mem_write(&vm->mem, *load_addr, k->data + info->setup_bytes,
			info->kernel_bytes);
	return 0;
}

/* Copy the ELF segments to their physical addresses, above minivmm's tables. */
static int loader_place_elf(struct vm *vm, const struct loader_kernel *k,
			    const struct elf_kernel_info *ek, char *err,
			    size_t errlen)
{
	uint64_t top = vm->mem.ram_size < LAYOUT_MMIO_HOLE_START ?
		       vm->mem.ram_size : LAYOUT_MMIO_HOLE_START;

	if (ek->lowest < LAYOUT_HIGH_RAM_START) {
		snprintf(err, errlen, "kernel '%s': a segment at 0x%llx overlaps minivmm's boot tables below 1 MiB",
			 k->path, (unsigned long long)ek->lowest);
		return -EINVAL;
	}
	if (ek->highest > LAYOUT_MMIO_HOLE_START) {
		snprintf(err, errlen, "kernel '%s': segments reach 0x%llx, into the MMIO hole at 3 GiB",
			 k->path, (unsigned long long)ek->highest);
		return -EINVAL;
	}
	if (ek->highest > top) {
		snprintf(err, errlen, "kernel '%s' needs %llu MiB of RAM for its segments: give the guest more memory with -m",
			 k->path, (unsigned long long)(ek->highest >> 20) + 1);
		return -ENOMEM;
	}
	loader_small_kernel_pages(vm, ek->lowest, ek->highest - ek->lowest);
	for (unsigned int i = 0; i < ek->nr_segments; i++) {
		const struct elf_kernel_segment *s = &ek->seg[i];
		uint8_t *dst = guest_mem_ptr(&vm->mem, s->paddr, s->memsz);

		if (!dst) {
			snprintf(err, errlen, "kernel '%s': a segment at 0x%llx is not in guest RAM",
				 k->path, (unsigned long long)s->paddr);
			return -EINVAL;
		}
		memcpy(dst, k->data + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* The boot information an ELF kernel gets: PVH start info or a zero page. */
static int loader_elf_boot_info(struct vm *vm, const struct loader_kernel *k,
				const struct elf_kernel_info *ek,
				const struct linux_setup_info *info,
				const struct linux_boot_args *args,
				struct boot_entry *entry, char *err, size_t errlen)
{
	void *page = guest_mem_ptr(&vm->mem, LAYOUT_ZERO_PAGE_ADDR, LINUX_ZERO_PAGE_SIZE);
	uint8_t hdr[LINUX_SETUP_HEADER_BYTES];
	struct linux_setup_info synth;
	char why[ERR_LINE_MAX] = "";

	if (ek->has_pvh) {
		struct pvh_boot_args pvh = {
			.cmdline_addr = args->cmdline_addr,
			.initrd_addr = args->initrd_addr,
			.initrd_size = args->initrd_size,
			.rsdp_addr = args->rsdp_addr,
			.e820 = args->e820,
			.nr_e820 = args->nr_e820,
		};

		if (!page || pvh_build_start_info(page, LINUX_ZERO_PAGE_SIZE,
						  LAYOUT_ZERO_PAGE_ADDR, &pvh, why, sizeof(why))) {
			snprintf(err, errlen, "kernel '%s': %s", k->path, why[0] ? why : "no room for the PVH start info");
			return -EINVAL;
		}
		*entry = (struct boot_entry){ .pvh = true, .rip = ek->pvh_entry,
					      .rbx = LAYOUT_ZERO_PAGE_ADDR,
					      .rsp = LAYOUT_BOOT_STACK_TOP };
		return 0;
	}
	linux_synth_setup_header(hdr, ek->lowest, ek->highest - ek->lowest,
				 info->cmdline_size, &synth);
	if (!page || linux_build_boot_params(page, hdr, sizeof(hdr), &synth, args, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "kernel '%s': %s", k->path, why[0] ? why : "cannot build boot_params");
		return -EINVAL;
	}
	*entry = (struct boot_entry){ .rip = ek->entry64, .rsi = LAYOUT_ZERO_PAGE_ADDR,
				      .rsp = LAYOUT_BOOT_STACK_TOP };
	return 0;
}

static int loader_load_elf(struct vm *vm, const struct loader_kernel *k,
			   uint64_t rsdp, struct boot_entry *entry, char *err,
			   size_t errlen)
{
	struct linux_setup_info info = {
		.cmdline_size = LOADER_ELF_CMDLINE_SIZE,
		.initrd_addr_max = 0x7fffffff,
	};
	struct linux_boot_args args = { .rsdp_addr = rsdp };
	struct e820_entry e820[LOADER_MAX_E820];
	struct elf_kernel_info ek;
	char why[ERR_LINE_MAX] = "";
	int ret;

	if (elf_kernel_parse(k->data, k->size, &ek, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "kernel '%s': %s", k->path, why);
		return -EINVAL;
	}
	args.e820 = e820;
	args.nr_e820 = linux_e820_map(vm->mem.ram_size, e820, LOADER_MAX_E820);
	ret = loader_place_elf(vm, k, &ek, err, errlen);
	if (!ret)
		ret = loader_write_cmdline(vm, loader_cmdline(vm),
					   &info, &args, err, errlen);
	if (!ret)
		ret = loader_load_initrd(vm, &info, e820, args.nr_e820, ek.highest,
					 &args, err, errlen);
	if (!ret)
		ret = loader_elf_boot_info(vm, k, &ek, &info, &args, entry, err, errlen);
	return ret;
}

int loader_open_kernel(struct loader_kernel *k, const char *path, char *err,
		       size_t errlen)
{
	struct linux_setup_info info;
	struct elf_kernel_info ek;
	char why[ERR_LINE_MAX] = "";
	int ret;

	*k = (struct loader_kernel){ .path = path, .fd = -1 };
	ret = map_file(k, "kernel", err, errlen);
	if (ret)
		return ret;
	if (elf_kernel_is_elf(k->data, k->size))
		ret = elf_kernel_parse(k->data, k->size, &ek, why, sizeof(why));
	else
		ret = linux_parse_setup(k->data, k->size, &info, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "kernel '%s': %s", path, why[0] ? why : "not a bzImage");
		unmap_file(k);
		return -EINVAL;
	}
	return 0;
}

void loader_close_kernel(struct loader_kernel *k)
{
	unmap_file(k);
}

int loader_load_linux(struct vm *vm, const struct loader_kernel *kp,
		      uint64_t rsdp, struct boot_entry *entry, char *err,
		      size_t errlen)
{
	const struct loader_kernel k = *kp;
	struct linux_setup_info info;
	struct linux_boot_args args = { .rsdp_addr = rsdp };
	struct e820_entry e820[LOADER_MAX_E820];
	char why[ERR_LINE_MAX] = "";
	uint64_t load_addr;
	int ret;

	if (!k.data) {
		snprintf(err, errlen, "no kernel to load");
		return -EINVAL;
	}
	ret = loader_write_long_mode(vm, err, errlen);
	if (ret)
		return ret;
	if (elf_kernel_is_elf(k.data, k.size))
		return loader_load_elf(vm, &k, rsdp, entry, err, errlen);
	if (linux_parse_setup(k.data, k.size, &info, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "kernel '%s': %s", k.path, why[0] ? why : "not a bzImage");
		return -EINVAL;
	}
	args.e820 = e820;
	args.nr_e820 = linux_e820_map(vm->mem.ram_size, e820, LOADER_MAX_E820);
	ret = loader_place_kernel(vm, &k, &info, &load_addr, err, errlen);
	if (!ret)
		ret = loader_write_cmdline(vm, loader_cmdline(vm),
					   &info, &args, err, errlen);
	if (!ret)
		ret = loader_load_initrd(vm, &info, e820, args.nr_e820,
					 load_addr + (info.init_size > info.kernel_bytes ?
						      info.init_size : info.kernel_bytes),
					 &args, err, errlen);
	if (ret)
		return ret;
	void *zero_page = guest_mem_ptr(&vm->mem, LAYOUT_ZERO_PAGE_ADDR, LINUX_ZERO_PAGE_SIZE);

	if (!zero_page || linux_build_boot_params(zero_page, k.data, k.size, &info,
						  &args, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "kernel '%s': %s", k.path, why[0] ? why : "cannot build boot_params");
		return -EINVAL;
	}
	entry->pvh = false;
	entry->rip = load_addr + 0x200; /* the 64-bit entry point */
	entry->rsi = LAYOUT_ZERO_PAGE_ADDR;
	entry->rsp = LAYOUT_BOOT_STACK_TOP;
	return 0;
}
