// SPDX-License-Identifier: MIT
/*
 * KVM binary statistics parser: finds a counter in a file laid out as
 * KVM_GET_STATS_FD's (header, id, descriptors with fixed-size names, data)
 * and rejects truncated or absurd files instead of reading past them.
 */
#include <check.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/kvm_stats.h"
#include "tests/unit/unit_main.h"

#define NAME_SIZE 48

struct stat_def {
	const char *name;
	uint16_t size;
	uint64_t value;
};

static const struct stat_def defs[] = {
	{ "halt_exits", 1, 7 },
	{ "exits", 1, 12345 },
	{ "halt_poll_fail_hist", 32, 0 },	/* histogram: 32 values */
	{ "io_exits", 1, 99 },
};

#define NR_DEFS (sizeof(defs) / sizeof(defs[0]))

/* A stats file in memory (memfd) as KVM would serve it; returns the fd. */
static int make_stats_file(uint32_t name_size, uint32_t num_desc_claim,
			   size_t truncate_to)
{
	struct kvm_stats_header h = {
		.name_size = name_size,
		.num_desc = num_desc_claim,
		.id_offset = sizeof(h),
		.desc_offset = sizeof(h) + 64,
	};
	size_t desc_len = sizeof(struct kvm_stats_desc) + name_size;
	uint8_t *buf;
	size_t len, off = 0;
	int fd;

	h.data_offset = h.desc_offset + NR_DEFS * desc_len;
	len = h.data_offset + 64 * sizeof(uint64_t);
	buf = calloc(1, len);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + h.id_offset, "kvm-1234/vcpu-0", 15);
	for (size_t i = 0; i < NR_DEFS; i++) {
		struct kvm_stats_desc *d = (void *)(buf + h.desc_offset + i * desc_len);

		d->size = defs[i].size;
		d->offset = (uint32_t)(off * sizeof(uint64_t));
		if (name_size)
			strncpy(d->name, defs[i].name, name_size - 1);
		memcpy(buf + h.data_offset + d->offset, &defs[i].value, 8);
		off += defs[i].size;
	}
	fd = memfd_create("kvm-stats", 0);
	ck_assert_int_ge(fd, 0);
	if (truncate_to && truncate_to < len)
		len = truncate_to;
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	free(buf);
	return fd;
}

START_TEST(test_find_and_read)
{
	int fd = make_stats_file(NAME_SIZE, NR_DEFS, 0);
	uint64_t v = 0;

	ck_assert_int_eq(kvm_stats_read(fd, kvm_stats_find(fd, "exits"), &v), 0);
	ck_assert_uint_eq(v, 12345);
	/* after a 32-value histogram */
	ck_assert_int_eq(kvm_stats_read(fd, kvm_stats_find(fd, "io_exits"), &v), 0);
	ck_assert_uint_eq(v, 99);
	ck_assert_int_eq(kvm_stats_read(fd, kvm_stats_find(fd, "halt_exits"), &v), 0);
	ck_assert_uint_eq(v, 7);
	/* a prefix or an absent name is not a match */
	ck_assert_int_lt(kvm_stats_find(fd, "exit"), 0);
	ck_assert_int_lt(kvm_stats_find(fd, "mmio_exits"), 0);
	ck_assert_int_ne(kvm_stats_read(fd, -1, &v), 0);
	close(fd);
}
END_TEST

START_TEST(test_hostile_files)
{
	uint64_t v;
	int fd;

	/* truncated inside the descriptors: not found, no read past the end */
	fd = make_stats_file(NAME_SIZE, NR_DEFS, sizeof(struct kvm_stats_header) + 80);
	ck_assert_int_lt(kvm_stats_find(fd, "io_exits"), 0);
	close(fd);
	/* descriptors claimed beyond the file */
	fd = make_stats_file(NAME_SIZE, 1000000, 0);
	ck_assert_int_lt(kvm_stats_find(fd, "nothere"), 0);
	close(fd);
	/* absurd or empty name size */
	fd = make_stats_file(0, NR_DEFS, 0);
	ck_assert_int_lt(kvm_stats_find(fd, "exits"), 0);
	close(fd);
	/* a name longer than the name size cannot match */
	fd = make_stats_file(4, NR_DEFS, 0);
	ck_assert_int_lt(kvm_stats_find(fd, "exits"), 0);
	close(fd);
	/* an empty file */
	fd = memfd_create("empty", 0);
	ck_assert_int_lt(kvm_stats_find(fd, "exits"), 0);
	ck_assert_int_ne(kvm_stats_read(fd, 0, &v), 0);
	close(fd);
}
END_TEST

static void collect(void *ctx, const char *name, uint64_t value)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s=%llu,", name, (unsigned long long)value);
}

START_TEST(test_foreach_nonzero)
{
	int fd = make_stats_file(NAME_SIZE, NR_DEFS, 0);
	char out[256] = "";

	/* the zero histogram is skipped, the counters come in file order */
	ck_assert_int_eq(kvm_stats_foreach_nonzero(fd, collect, out), 0);
	ck_assert_str_eq(out, "halt_exits=7,exits=12345,io_exits=99,");
	close(fd);
	fd = make_stats_file(NAME_SIZE, NR_DEFS, sizeof(struct kvm_stats_header) + 80);
	ck_assert_int_lt(kvm_stats_foreach_nonzero(fd, collect, out), 0);
	close(fd);
}
END_TEST

static Suite *kvm_stats_suite(void)
{
	Suite *s = suite_create("kvm_stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_find_and_read);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_foreach_nonzero);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(kvm_stats_suite());
}
