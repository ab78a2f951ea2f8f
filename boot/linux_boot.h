/* SPDX-License-Identifier: MIT */
/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst): parse the
 * setup header of a bzImage, build the zero page (struct boot_params),
 * the e820 memory map and place the initrd.  Freestanding: shared by the
 * VMM (direct boot) and the netboot firmware.
 */
#ifndef MINIVMM_LINUX_BOOT_H
#define MINIVMM_LINUX_BOOT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define LINUX_ZERO_PAGE_SIZE 4096
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

struct linux_setup_info {
	uint16_t protocol;        /* e.g. 0x020f */
	uint32_t setup_bytes;     /* ((setup_sects ? setup_sects : 4) + 1) * 512: file offset of the protected-mode kernel */
	uint64_t kernel_bytes;    /* image size - setup_bytes */
	uint64_t pref_address;
	uint32_t kernel_alignment;
	uint32_t init_size;       /* raised to kernel_bytes if the header says less */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;    /* max command line length without NUL */
	bool relocatable;
	bool xlf_kernel_64;       /* 64-bit entry at load address + 0x200 */
};

/*
 * 0, or -1 with a one-line reason in err ("not a bzImage (no HdrS
 * magic)", "boot protocol is older than 2.06", "no 64-bit entry point
 * (XLF_KERNEL_64)", "truncated: ...", "kernel does not fit below the 3 GiB
 * MMIO hole", ...).  Accepts protocol >= 2.12 with XLF_KERNEL_64 only.
 */
int linux_parse_setup(const void *image, size_t size,
		      struct linux_setup_info *info, char *err, size_t errlen);

/* Where the protected-mode kernel goes: pref_address (protocol >= 2.10), else 1 MiB. */
uint64_t linux_kernel_load_addr(const struct linux_setup_info *info);

/*
 * e820 for a guest with ram_bytes of RAM laid out as in boot/layout.h:
 * RAM 0..EBDA_START, RESERVED EBDA..1MiB (covers ACPI at 0xE0000),
 * RAM 1MiB..min(ram,3GiB), RAM 4GiB.. for the part above 3 GiB.
 * Returns count (<= max).
 */
unsigned int linux_e820_map(uint64_t ram_bytes, struct e820_entry *out,
			    unsigned int max);

struct linux_boot_args {
	uint64_t cmdline_addr;
	uint32_t cmdline_len;		/* len without NUL */
	uint64_t initrd_addr;
	uint64_t initrd_size;		/* 0,0 = none */
	uint64_t rsdp_addr;
	const struct e820_entry *e820;
	unsigned int nr_e820;
};

/*
 * Zero the 4 KiB zero page, copy the image's setup header into it (hdr at
 * 0x1f1, length from the jump at 0x201), set type_of_loader=0xff, loadflags
 * (LOADED_HIGH | CAN_USE_HEAP), heap_end_ptr, cmd_line_ptr
 * (+ ext_cmd_line_ptr), ramdisk_image/size (+ ext_ fields), acpi_rsdp_addr
 * (offset 0x070), e820_entries/e820_table.  -1 with a line in err if the cmdline
 * exceeds cmdline_size or e820 too long.
 */
int linux_build_boot_params(void *zero_page, const void *image,
			    size_t image_size,
			    const struct linux_setup_info *info,
			    const struct linux_boot_args *args,
			    char *err, size_t errlen);

/*
 * A kernel without a setup header (an ELF vmlinux entered at its 64-bit
 * entry) gets a made-up one, so linux_build_boot_params() builds its zero
 * page as for a bzImage: writes LINUX_SETUP_HEADER_BYTES into hdr (the
 * "image" to pass on) and fills info (protocol 2.15, 64-bit entry,
 * loaded at load_addr, the given cmdline_size).
 */
#define LINUX_SETUP_HEADER_BYTES 0x290
void linux_synth_setup_header(uint8_t hdr[LINUX_SETUP_HEADER_BYTES],
			      uint64_t load_addr, uint64_t kernel_bytes,
			      uint32_t cmdline_size,
			      struct linux_setup_info *info);

/*
 * Highest page-aligned address for an initrd of size bytes that lies inside
 * an E820_RAM entry, ends at or below initrd_addr_max (inclusive last byte)
 * and below 4 GiB, and starts at or above min_addr (end of the loaded
 * kernel incl. init_size).  0 if it does not fit.
 */
uint64_t linux_initrd_addr(const struct e820_entry *e820, unsigned int nr,
			   uint64_t size, uint32_t initrd_addr_max,
			   uint64_t min_addr);

/*
 * Several initrds concatenated in one area of room bytes (PXELINUX's
 * INITRD a,b): each starts 4-byte aligned, as the kernel's cpio unpacker
 * wants.  Called before the next one with the bytes used so far: zeroes
 * the padding and returns the next one's offset, or -1 when no byte of
 * room is left for it.  Never writes at or past area + room.
 */
int64_t linux_initrd_next(uint8_t *area, uint64_t used, uint64_t room);

/*
 * The command line the kernel gets: cmdline plus what this machine needs,
 * written NUL-terminated to dst (cap bytes).  Today that is "reboot=acpi"
 * unless cmdline has a reboot= word: on a hardware-reduced ACPI machine
 * without EFI, Linux's default reboot method is EFI, and its EFI reboot
 * jumps through an absent EFI runtime and hangs.  Returns the length
 * without the NUL, or -1 if it does not fit.
 */
/*
 * The kernel's release ("6.1.0-57-cloud-amd64"): the first word of the
 * version string the setup header's kernel_version field points to
 * (protocol 2.00 and later), as `uname -r` will print it.  Written
 * NUL-terminated to out; returns its length, or 0 when the image has no
 * readable version string (or it does not fit in cap).
 */
#define LINUX_RELEASE_MAX 128
size_t linux_kernel_release(const void *image, size_t size, char *out,
			    size_t cap);

#define LINUX_CMDLINE_DEFAULTS " reboot=acpi"
long linux_cmdline_finish(char *dst, size_t cap, const char *cmdline);

#endif
