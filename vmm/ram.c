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

static uint8_t *ram_map_anonymous(const struct config *cfg, uint64_t bytes,
				  char *err, size_t errlen)
{
	uint8_t *host = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (host == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %" PRIu64 " MiB of guest memory: %s", bytes >> 20,
			 strerror(errno));
		return NULL;
	}
	/* Fewer TLB misses and page faults; a hint, so failure is harmless. */
	madvise(host, bytes, cfg->mem_thp_off ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
	if (cfg->mem_merge && madvise(host, bytes, MADV_MERGEABLE)) {
		snprintf(err, errlen, "-mem-merge on: this kernel cannot merge pages (MADV_MERGEABLE: %s)",
			 strerror(errno));
		munmap(host, bytes);
		return NULL;
	}
	return host;
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
