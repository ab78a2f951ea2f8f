// SPDX-License-Identifier: MIT
/*
 * struct ram_scan (vmm/ram.h): which guest RAM pages a save may skip
 * without reading them.  A page the process touched (written, or only
 * read) must never be skipped; in a mapping from a snapshot file, neither
 * may a page the file has data for, touched or not.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/ram.h"
#include "tests/unit/unit_main.h"

#define PG RAM_SCAN_PAGE

/* A private anonymous mapping of pages pages, 4 KiB pages only. */
static uint8_t *anon_pages(size_t pages)
{
	uint8_t *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	/* A huge page would make the neighbours of a touched page present. */
	madvise(p, pages * PG, MADV_NOHUGEPAGE);
	return p;
}

/* Every page of [0, pages) from the first to the last, as one save walks. */
static void scan_all(struct ram_scan *s, size_t pages, bool *untouched)
{
	for (size_t i = 0; i < pages; i++)
		untouched[i] = ram_scan_untouched(s, i * PG);
}

START_TEST(test_anonymous)
{
	/* More than one batch of pagemap entries. */
	enum { PAGES = RAM_SCAN_BATCH * 2 + 100 };
	static bool untouched[PAGES];
	uint8_t *ram = anon_pages(PAGES);
	volatile uint8_t sink;
	int pm = ram_pagemap_open();
	struct ram_scan *s = malloc(sizeof(*s));

	ck_assert_int_ge(pm, 0);
	ram[3 * PG + 17] = 1;
	ram[10 * PG] = 0;		/* written, if with a zero */
	sink = ram[20 * PG];		/* only read */
	(void)sink;
	ram[(RAM_SCAN_BATCH + 1) * PG] = 5;
	ram[(PAGES - 1) * PG + PG - 1] = 9;
	ram_scan_init(s, pm, ram, -1, 0);
	scan_all(s, PAGES, untouched);
	for (size_t i = 0; i < PAGES; i++) {
		bool touched = i == 3 || i == 10 || i == 20 || i == RAM_SCAN_BATCH + 1 ||
			       i == PAGES - 1;

		ck_assert_msg(untouched[i] == !touched, "page %zu", i);
	}
	/* Without pagemap every page counts as touched. */
	ram_scan_init(s, -1, ram, -1, 0);
	ck_assert(!ram_scan_untouched(s, 0));
	free(s);
	close(pm);
	munmap(ram, PAGES * PG);
}
END_TEST

START_TEST(test_snapshot_file)
{
	/* RAM at one page into the file, as after a snapshot's metadata. */
	enum { PAGES = 64, META = PG };
	static const uint8_t data[PG] = { 1, 2, 3 };
	bool untouched[PAGES];
	int fd = memfd_create("ram_test", 0), pm = ram_pagemap_open();
	struct ram_scan *s = malloc(sizeof(*s));
	uint8_t *ram;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(pm, 0);
	ck_assert_int_eq(ftruncate(fd, META + PAGES * PG), 0);
	ck_assert_int_eq(pwrite(fd, data, 3, 0), 3);	/* metadata: not RAM */
	ck_assert_int_eq(pwrite(fd, data, PG, META + 5 * PG), PG);
	ck_assert_int_eq(pwrite(fd, data, 1, META + 6 * PG + 100), 1);
	ram = mmap(NULL, PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, META);
	ck_assert_ptr_ne(ram, MAP_FAILED);
	madvise(ram, PAGES * PG, MADV_NOHUGEPAGE);
	/* Untouched by this process: the file's data pages still count. */
	ram_scan_init(s, pm, ram, fd, META);
	scan_all(s, PAGES, untouched);
	for (size_t i = 0; i < PAGES; i++)
		ck_assert_msg(untouched[i] == !(i == 5 || i == 6), "page %zu", i);
	/* Written after the restore: copied from the file, present. */
	ram[40 * PG] = 7;
	ram_scan_init(s, pm, ram, fd, META);
	scan_all(s, PAGES, untouched);
	for (size_t i = 0; i < PAGES; i++)
		ck_assert_msg(untouched[i] == !(i == 5 || i == 6 || i == 40), "page %zu", i);
	free(s);
	munmap(ram, PAGES * PG);
	close(fd);
	close(pm);
}
END_TEST

/* The VmFlags line of the mapping that starts at p, in /proc/self/smaps. */
static bool smaps_flags(const void *p, char *flags, size_t len)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false, found = false;

	ck_assert_ptr_nonnull(f);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)p);
	while (!found && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = true;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, len, "%s", line + 8);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool has_flag(const char *flags, const char *flag)
{
	char padded[8];

	snprintf(padded, sizeof(padded), " %s ", flag);
	return strstr(flags, padded) != NULL;
}

/*
 * Guest RAM starts on a 2 MiB boundary (KVM's huge pages need host and
 * guest addresses to agree modulo 2 MiB) and asks for transparent huge
 * pages above its first 2 MiB only, refusing them below (THP "always"
 * would give them anyway); -mem-thp off asks for none.
 */
START_TEST(test_aligned_thp_above_first_huge_page)
{
	struct config cfg = { .mem_thp_off = false };
	const uint64_t bytes = 64ull << 20;
	char err[256] = "", low[512], high[512];

	for (int round = 0; round < 8; round++) {
		uint8_t *ram = ram_map(&cfg, bytes, err, sizeof(err));

		ck_assert_msg(ram != NULL, "%s", err);
		ck_assert_uint_eq((uintptr_t)ram % RAM_HUGE_PAGE, 0);
		ck_assert(smaps_flags(ram, low, sizeof(low)));
		ck_assert(smaps_flags(ram + RAM_HUGE_PAGE, high, sizeof(high)));
		ck_assert_msg(has_flag(low, "nh") && !has_flag(low, "hg"),
			      "first 2 MiB: %s", low);
		ck_assert_msg(has_flag(high, "hg") && !has_flag(high, "nh"),
			      "above: %s", high);
		ram[0] = 1;
		ram[bytes - 1] = 2;
		munmap(ram, bytes);
	}
	cfg.mem_thp_off = true;
	{
		uint8_t *ram = ram_map(&cfg, bytes, err, sizeof(err));

		ck_assert_msg(ram != NULL, "%s", err);
		ck_assert_uint_eq((uintptr_t)ram % RAM_HUGE_PAGE, 0);
		ck_assert(smaps_flags(ram, low, sizeof(low)));
		ck_assert_msg(has_flag(low, "nh") && !has_flag(low, "hg"), "%s", low);
		munmap(ram, bytes);
	}
}
END_TEST

/*
 * ram_refuse_huge_pages() widens the range to whole huge pages, leaves
 * its neighbours asking for them, and ignores ranges outside the mapping.
 */
START_TEST(test_refuse_huge_pages)
{
	struct config cfg = { .mem_thp_off = false };
	const uint64_t bytes = 16ull << 20, mib = 1ull << 20;
	char err[256] = "", f[512];
	uint8_t *ram = ram_map(&cfg, bytes, err, sizeof(err));

	ck_assert_msg(ram != NULL, "%s", err);
	/* 68 KiB at 9 MiB + 4 KiB: the huge page [8, 10) MiB only. */
	ram_refuse_huge_pages(ram, bytes, 9 * mib + 4096, 68 << 10);
	ck_assert(smaps_flags(ram + 2 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "hg") && !has_flag(f, "nh"), "below: %s", f);
	ck_assert(smaps_flags(ram + 8 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "nh") && !has_flag(f, "hg"), "range: %s", f);
	ck_assert(smaps_flags(ram + 10 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "hg") && !has_flag(f, "nh"), "above: %s", f);
	/* A range across a boundary takes both huge pages. */
	ram_refuse_huge_pages(ram, bytes, 14 * mib - 1, 2);
	ck_assert(smaps_flags(ram + 12 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "nh"), "across: %s", f);
	ck_assert(smaps_flags(ram + 10 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "hg"), "before across: %s", f);
	/* Outside the mapping, empty, or wrapping around: nothing. */
	ram_refuse_huge_pages(ram, bytes, bytes, 4096);
	ram_refuse_huge_pages(ram, bytes, 4 * mib, 0);
	ram_refuse_huge_pages(ram, bytes, 4 * mib, UINT64_MAX - mib);
	ram_refuse_huge_pages(ram, bytes, 9 * mib, 8 * mib);
	ck_assert(smaps_flags(ram + 2 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "hg"), "after no-ops: %s", f);
	ck_assert_msg(!smaps_flags(ram + 4 * mib, f, sizeof(f)),
		      "a no-op split [2, 8) MiB");
	ck_assert(smaps_flags(ram + 10 * mib, f, sizeof(f)));
	ck_assert_msg(has_flag(f, "hg"), "a no-op reached [10, 12) MiB: %s", f);
	ram[bytes - 1] = 1;
	munmap(ram, bytes);
}
END_TEST

static Suite *ram_suite(void)
{
	Suite *s = suite_create("ram");
	TCase *tc = tcase_create("scan");

	tcase_add_test(tc, test_anonymous);
	tcase_add_test(tc, test_snapshot_file);
	tcase_add_test(tc, test_aligned_thp_above_first_huge_page);
	tcase_add_test(tc, test_refuse_huge_pages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(ram_suite());
}
