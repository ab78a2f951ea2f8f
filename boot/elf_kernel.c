// SPDX-License-Identifier: MIT
/*
 * ELF kernel parser.  Every header is copied out of the file before use
 * (the image may be unaligned), and every offset and size is checked
 * against the file size with overflow-safe arithmetic.
 */
#include "boot/elf_kernel.h"

#include <linux/elf.h>

#include "boot/error_line.h"
#include "boot/pvh.h"

#define ELF_NOTE_ALIGN 4

static int elf_fail(char *err, size_t errlen, const char *reason)
{
	return error_line(err, errlen, reason);
}

/* [off, off + len) lies inside a file of size bytes. */
static bool elf_in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static uint64_t elf_align4(uint64_t v)
{
	return (v + ELF_NOTE_ALIGN - 1) & ~(uint64_t)(ELF_NOTE_ALIGN - 1);
}

bool elf_kernel_is_elf(const void *image, size_t size)
{
	const uint8_t *p = image;

	return size >= SELFMAG && p[0] == ELFMAG0 && p[1] == ELFMAG1 &&
	       p[2] == ELFMAG2 && p[3] == ELFMAG3;
}

static int elf_check_header(const uint8_t *img, size_t size, Elf64_Ehdr *eh,
			    char *err, size_t errlen)
{
	if (size < sizeof(*eh))
		return elf_fail(err, errlen, "truncated ELF header");
	__builtin_memcpy(eh, img, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(err, errlen, "not a 64-bit little-endian ELF file");
	if (eh->e_machine != EM_X86_64)
		return elf_fail(err, errlen, "not an x86-64 ELF file");
	if (eh->e_type != ET_EXEC)
		return elf_fail(err, errlen, "not an ELF executable (a vmlinux is ET_EXEC)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0)
		return elf_fail(err, errlen, "ELF file without usable program headers");
	if (!elf_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
		return elf_fail(err, errlen, "truncated: program headers run past the end of the file");
	return 0;
}

/* Scan one PT_NOTE for Xen's PHYS32_ENTRY. */
static int elf_scan_notes(const uint8_t *img, size_t size, const Elf64_Phdr *ph,
			  struct elf_kernel_info *info, char *err, size_t errlen)
{
	uint64_t off = ph->p_offset, end;

	if (!elf_in_file(ph->p_offset, ph->p_filesz, size))
		return elf_fail(err, errlen, "truncated: a note segment runs past the end of the file");
	end = ph->p_offset + ph->p_filesz;
	while (end - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, next;

		__builtin_memcpy(&nh, img + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = name_off + elf_align4(nh.n_namesz);
		next = desc_off + elf_align4(nh.n_descsz);
		if (next > end || next <= off)
			return elf_fail(err, errlen, "malformed ELF note");
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    nh.n_namesz == sizeof(PVH_ELFNOTE_NAME) &&
		    !__builtin_memcmp(img + name_off, PVH_ELFNOTE_NAME, sizeof(PVH_ELFNOTE_NAME))) {
			uint64_t entry = 0;

			if (nh.n_descsz != 4 && nh.n_descsz != 8)
				return elf_fail(err, errlen, "PVH entry note has a bad size");
			__builtin_memcpy(&entry, img + desc_off, nh.n_descsz);
			if (entry >> 32)
				return elf_fail(err, errlen, "PVH entry point is above 4 GiB");
			info->has_pvh = true;
			info->pvh_entry = (uint32_t)entry;
		}
		off = next;
	}
	return 0;
}

static int elf_add_load(const Elf64_Phdr *ph, size_t size,
			struct elf_kernel_info *info, char *err, size_t errlen)
{
	struct elf_kernel_segment *s;

	if (ph->p_memsz == 0)
		return 0;
	if (info->nr_segments == ELF_KERNEL_MAX_SEGMENTS)
		return elf_fail(err, errlen, "more than 16 loadable segments");
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(err, errlen, "a segment has more file bytes than memory bytes");
	if (!elf_in_file(ph->p_offset, ph->p_filesz, size))
		return elf_fail(err, errlen, "truncated: a segment runs past the end of the file");
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return elf_fail(err, errlen, "a segment wraps around the address space");
	s = &info->seg[info->nr_segments++];
	s->paddr = ph->p_paddr;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	if (info->nr_segments == 1 || s->paddr < info->lowest)
		info->lowest = s->paddr;
	if (s->paddr + s->memsz > info->highest)
		info->highest = s->paddr + s->memsz;
	return 0;
}

static bool elf_loaded(const struct elf_kernel_info *info, uint64_t addr)
{
	for (unsigned int i = 0; i < info->nr_segments; i++)
		if (addr >= info->seg[i].paddr &&
		    addr - info->seg[i].paddr < info->seg[i].memsz)
			return true;
	return false;
}

int elf_kernel_parse(const void *image, size_t size,
		     struct elf_kernel_info *info, char *err, size_t errlen)
{
	const uint8_t *img = image;
	Elf64_Ehdr eh;

	__builtin_memset(info, 0, sizeof(*info));
	if (!elf_kernel_is_elf(image, size))
		return elf_fail(err, errlen, "not an ELF file");
	if (elf_check_header(img, size, &eh, err, errlen))
		return -1;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		__builtin_memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && elf_add_load(&ph, size, info, err, errlen))
			return -1;
		if (ph.p_type == PT_NOTE && elf_scan_notes(img, size, &ph, info, err, errlen))
			return -1;
	}
	if (info->nr_segments == 0)
		return elf_fail(err, errlen, "no loadable segments");
	info->entry64 = eh.e_entry;
	if (info->has_pvh) {
		if (!elf_loaded(info, info->pvh_entry))
			return elf_fail(err, errlen, "PVH entry point is outside the loaded segments");
	} else if (!elf_loaded(info, info->entry64)) {
		return elf_fail(err, errlen, "entry point is outside the loaded segments (not a physical address?)");
	}
	return 0;
}
