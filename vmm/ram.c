// SPDX-License-Identifier: MIT
/*
 * Guest RAM mappings.
 *
 * hugetlbfs: the page size is the mount's (statfs f_bsize, 2 MiB or
 * 1 GiB); the RAM size must be a multiple of it.  The pool's free pages
 * (free_hugepages - resv_hugepages in sysfs) are compared with what the
 * guest needs first, for a clear message, and the shared mapping of an
 * unlinked file then reserves them (no MAP_NORESERVE), so a guest can
 * never fault on a missing huge page later (which would be SIGBUS).
 */
#include "vmm/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* Linux 5.14 */
#endif

#define RAM_SYSFS_HUGEPAGES "/sys/kernel/mm/hugepages"

static long long ram_read_sysfs_number(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* Free, unreserved pages of one huge page size; -1 when unknown. */
static long long ram_free_huge_pages(uint64_t page_size)
{
	char path[128];
	long long free_pages, resv;

	snprintf(path, sizeof(path), RAM_SYSFS_HUGEPAGES "/hugepages-%" PRIu64 "kB/free_hugepages",
		 page_size >> 10);
	free_pages = ram_read_sysfs_number(path);
	snprintf(path, sizeof(path), RAM_SYSFS_HUGEPAGES "/hugepages-%" PRIu64 "kB/resv_hugepages",
		 page_size >> 10);
	resv = ram_read_sysfs_number(path);
	if (free_pages < 0 || resv < 0)
		return -1;
	return free_pages > resv ? free_pages - resv : 0;
}

/* An unlinked file in dir: O_TMPFILE, else mkstemp and unlink. */
static int ram_open_unlinked(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if (snprintf(path, sizeof(path), "%s/minivmm-ram.XXXXXX", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static uint8_t *ram_map_hugetlbfs(const char *dir, uint64_t bytes, char *err,
				  size_t errlen)
{
	unsigned long long need;
	long long avail;
	struct statfs st;
	uint64_t page;
	uint8_t *host;
	int fd;

	if (statfs(dir, &st)) {
		snprintf(err, errlen, "-mem-path: cannot use '%.200s': %s", dir, strerror(errno));
		return NULL;
	}
	if ((uint32_t)st.f_type != HUGETLBFS_MAGIC) {
		snprintf(err, errlen, "-mem-path: '%.200s' is not a hugetlbfs mount (mount -t hugetlbfs none DIR)",
			 dir);
		return NULL;
	}
	page = (uint64_t)st.f_bsize;
	if (page == 0 || bytes % page) {
		snprintf(err, errlen, "-mem-path: guest RAM (%" PRIu64 " MiB) is not a multiple of the mount's %" PRIu64 " KiB pages",
			 bytes >> 20, page >> 10);
		return NULL;
	}
	need = bytes / page;
	avail = ram_free_huge_pages(page);
	if (avail >= 0 && (unsigned long long)avail < need) {
		snprintf(err, errlen, "-mem-path: the guest needs %llu free %" PRIu64 " KiB huge pages, the host has %llu (raise /proc/sys/vm/nr_hugepages)",
			 need, page >> 10, avail);
		return NULL;
	}
	fd = ram_open_unlinked(dir);
	if (fd < 0 || ftruncate(fd, (off_t)bytes)) {
		snprintf(err, errlen, "-mem-path: cannot create the RAM file in '%.200s': %s", dir,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/* Shared, without MAP_NORESERVE: the kernel reserves every page now. */
	host = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (host == MAP_FAILED) {
		snprintf(err, errlen, "-mem-path: cannot map %" PRIu64 " MiB of huge pages: %s", bytes >> 20,
			 strerror(errno));
		return NULL;
	}
	return host;
}

/*
 * A mapping that starts on a 2 MiB boundary.  KVM maps a guest's 2 MiB
 * with one huge page only where the host address and the guest address
 * agree modulo 2 MiB, and Linux before 6.7 aligns an anonymous mapping
 * to 4 KiB only (Debian 12's 6.1 among them): reserve 2 MiB more, trim.
 */
static uint8_t *ram_reserve_aligned(uint64_t bytes)
{
	uint8_t *raw = mmap(NULL, bytes + RAM_HUGE_PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t start, end;

	if (raw == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)raw + RAM_HUGE_PAGE - 1) & ~(uintptr_t)(RAM_HUGE_PAGE - 1);
	end = (uintptr_t)raw + bytes + RAM_HUGE_PAGE;
	if (start > (uintptr_t)raw)
		munmap(raw, start - (uintptr_t)raw);
	if (end > start + bytes)
		munmap((void *)(start + bytes), end - (start + bytes));
	return (uint8_t *)start;
}

static uint8_t *ram_map_anonymous(const struct config *cfg, uint64_t bytes,
				  char *err, size_t errlen)
{
	uint8_t *host = ram_reserve_aligned(bytes);
	uint64_t small;	/* the part without huge pages: the first 2 MiB */

	if (!host) {
		snprintf(err, errlen, "cannot reserve %" PRIu64 " MiB of guest memory: %s", bytes >> 20,
			 strerror(errno));
		return NULL;
	}
	/*
	 * Fewer TLB misses and page faults; a hint, so failure is harmless.
	 * Never for the first 2 MiB: the boot structures there (zero page,
	 * command line, page tables, ACPI and MP tables, the netboot
	 * firmware) are a few KiB apart, and a huge page would turn their
	 * first write into a 2 MiB clear at every start.  Saying so
	 * explicitly matters where THP is "always" (Debian's default), which
	 * gives huge pages to mappings that never asked for them.
	 */
	small = cfg->mem_thp_off || bytes < RAM_HUGE_PAGE ? bytes : RAM_HUGE_PAGE;
	madvise(host, small, MADV_NOHUGEPAGE);
	if (bytes > small)
		madvise(host + small, bytes - small, MADV_HUGEPAGE);
	if (cfg->mem_merge && madvise(host, bytes, MADV_MERGEABLE)) {
		snprintf(err, errlen, "-mem-merge on: this kernel cannot merge pages (MADV_MERGEABLE: %s)",
			 strerror(errno));
		munmap(host, bytes);
		return NULL;
	}
	return host;
}

void ram_refuse_huge_pages(uint8_t *host, uint64_t bytes, uint64_t off,
			   uint64_t len)
{
	uint64_t start = off & ~(RAM_HUGE_PAGE - 1);
	uint64_t end;

	if (!len || off >= bytes || len > bytes - off)
		return;
	end = (off + len + RAM_HUGE_PAGE - 1) & ~(RAM_HUGE_PAGE - 1);
	if (end > bytes)
		end = bytes;
	madvise(host + start, end - start, MADV_NOHUGEPAGE);
}

/* Write-fault every page now; touch by hand on kernels before 5.14. */
static int ram_prealloc(uint8_t *host, uint64_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!madvise(host, bytes, MADV_POPULATE_WRITE))
		return 0;
	if (errno != EINVAL)
		return -errno;
	for (uint64_t off = 0; off < bytes; off += (uint64_t)page)
		((volatile uint8_t *)host)[off] = 0;
	return 0;
}

uint8_t *ram_map(const struct config *cfg, uint64_t bytes, char *err,
		 size_t errlen)
{
	uint8_t *host = cfg->mem_path ? ram_map_hugetlbfs(cfg->mem_path, bytes, err, errlen) :
					ram_map_anonymous(cfg, bytes, err, errlen);
	int ret;

	if (!host || !cfg->mem_prealloc)
		return host;
	ret = ram_prealloc(host, bytes);
	if (ret) {
		snprintf(err, errlen, "-mem-prealloc: cannot allocate %" PRIu64 " MiB of guest memory: %s",
			 bytes >> 20, strerror(-ret));
		munmap(host, bytes);
		return NULL;
	}
	return host;
}

uint8_t *ram_map_file(int fd, uint64_t offset, uint64_t bytes, char *err,
		      size_t errlen)
{
	uint8_t *host = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_NORESERVE, fd, (off_t)offset);

	if (host == MAP_FAILED) {
		snprintf(err, errlen, "-restore: cannot map %" PRIu64 " MiB of guest memory from the snapshot: %s",
			 bytes >> 20, strerror(errno));
		return NULL;
	}
	return host;
}

/* ---- pages a save need not read ---- */

#define RAM_PAGEMAP_PRESENT	(1ull << 63)
#define RAM_PAGEMAP_SWAPPED	(1ull << 62)

int ram_pagemap_open(void)
{
	if (sysconf(_SC_PAGESIZE) != RAM_SCAN_PAGE)
		return -1;
	return open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
}

void ram_scan_init(struct ram_scan *s, int pagemap_fd, const uint8_t *host,
		   int file_fd, uint64_t file_offset)
{
	s->pagemap_fd = pagemap_fd;
	s->host = host;
	s->file_fd = file_fd;
	s->file_offset = file_offset;
	s->batch_first = 0;
	s->batch_len = 0;
	s->extent_known = false;
}

/* pagemap's entry of page index idx, or ~0 (touched) when it cannot be read. */
static uint64_t ram_scan_entry(struct ram_scan *s, uint64_t idx)
{
	uint64_t base = (uintptr_t)s->host / RAM_SCAN_PAGE;
	ssize_t n;

	if (idx - s->batch_first < s->batch_len)
		return s->entry[idx - s->batch_first];
	n = pread(s->pagemap_fd, s->entry, sizeof(s->entry),
		  (off_t)((base + idx) * sizeof(s->entry[0])));
	if (n < (ssize_t)sizeof(s->entry[0])) {
		s->batch_len = 0;
		return ~0ull;
	}
	s->batch_first = idx;
	s->batch_len = (unsigned int)((size_t)n / sizeof(s->entry[0]));
	return s->entry[0];
}

/* Does the page at RAM offset off lie in a hole of the snapshot file? */
static bool ram_scan_in_file_hole(struct ram_scan *s, uint64_t off)
{
	off_t data, hole;

	if (!s->extent_known || off >= s->data_end) {
		data = lseek(s->file_fd, (off_t)(s->file_offset + off), SEEK_DATA);
		if (data < 0 && errno != ENXIO)
			return false;
		s->extent_known = true;
		if (data < 0) {
			/* ENXIO: no data from here to the end of the file. */
			s->data_start = s->data_end = UINT64_MAX;
			return true;
		}
		hole = lseek(s->file_fd, data, SEEK_HOLE);
		if (hole < data) {
			s->extent_known = false;
			return false;
		}
		s->data_start = ((uint64_t)data - s->file_offset) & ~(uint64_t)(RAM_SCAN_PAGE - 1);
		s->data_end = (uint64_t)hole - s->file_offset;
	}
	return off + RAM_SCAN_PAGE <= s->data_start;
}

bool ram_scan_untouched(struct ram_scan *s, uint64_t off)
{
	uint64_t e;

	if (s->pagemap_fd < 0)
		return false;
	e = ram_scan_entry(s, off / RAM_SCAN_PAGE);
	if (e & (RAM_PAGEMAP_PRESENT | RAM_PAGEMAP_SWAPPED))
		return false;
	return s->file_fd < 0 || ram_scan_in_file_hole(s, off);
}
