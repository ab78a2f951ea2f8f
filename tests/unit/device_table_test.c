// SPDX-License-Identifier: MIT
/*
 * The device table: instances and virtio-mmio slots planned from the
 * configuration (the one slot rule), guest events mapped to exit codes.
 */
#include <check.h>
#include <string.h>

#include "boot/layout.h"
#include "vmm/device_table.h"
#include "vmm/exit_code.h"
#include "tests/unit/unit_main.h"

static unsigned int count_entries(const struct device_table *t, const char *name)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < t->nr; i++)
		n += !strcmp(t->inst[i].ops->name, name);
	return n;
}

START_TEST(test_plan_slots)
{
	struct config cfg = { .nr_drives = 2, .nr_nics = 2 };
	struct device_table t;
	struct virtio_mmio_window w;
	char err[128];

	ck_assert_int_eq(device_table_plan(&t, &cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(count_entries(&t, "virtio-blk"), 2);
	ck_assert_uint_eq(count_entries(&t, "virtio-net"), 2);
	ck_assert_uint_eq(count_entries(&t, "i8042"), 1);
	ck_assert_uint_eq(count_entries(&t, "pvpanic"), 1);
	ck_assert_uint_eq(count_entries(&t, "ged"), 1);
	/* Two disks, two NICs and the virtio-rng (on by default, last). */
	ck_assert_uint_eq(count_entries(&t, "virtio-rng"), 1);
	ck_assert_uint_eq(t.nr_virtio, 5);
	ck_assert(device_table_window(&t, "virtio-rng", 0, &w));
	ck_assert_uint_eq(w.index, 4);
	ck_assert_uint_eq(w.gsi, IRQ_VIRTIO_MMIO_BASE + 4);
	/* Disks first (vda, vdb), then NICs: slot n at base + n pages, GSI 5 + n. */
	ck_assert(device_table_window(&t, "virtio-blk", 1, &w));
	ck_assert_uint_eq(w.index, 1);
	ck_assert_uint_eq(w.base, 0xD0001000ull);
	ck_assert_uint_eq(w.gsi, 6);
	ck_assert(device_table_window(&t, "virtio-net", 0, &w));
	ck_assert_uint_eq(w.index, 2);
	ck_assert_uint_eq(w.base, LAYOUT_VIRTIO_MMIO_BASE + 2 * LAYOUT_VIRTIO_MMIO_SIZE);
	ck_assert_uint_eq(w.gsi, IRQ_VIRTIO_MMIO_BASE + 2);
	ck_assert_uint_eq(t.virtio[3].base, 0xD0003000ull);
	ck_assert_uint_eq(t.virtio[3].size, LAYOUT_VIRTIO_MMIO_SIZE);
	ck_assert_uint_eq(t.virtio[3].gsi, 8);
	ck_assert(!device_table_window(&t, "virtio-net", 2, &w));
	ck_assert(!device_table_window(&t, "i8042", 0, &w));
}
END_TEST

START_TEST(test_plan_no_virtio)
{
	struct config cfg = { .nr_drives = 0, .rng_off = true };
	struct device_table t;
	struct virtio_mmio_window w;
	char err[128];

	ck_assert_int_eq(device_table_plan(&t, &cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.nr_virtio, 0);
	ck_assert(!device_table_window(&t, "virtio-net", 0, &w));
	/* Nothing created: destroying the plan is harmless. */
	device_table_destroy(&t);
	ck_assert_uint_eq(t.nr, 0);
}
END_TEST

START_TEST(test_event_exit_codes)
{
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_POWEROFF), EXIT_GUEST_POWEROFF);
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_RESET), EXIT_GUEST_REBOOT);
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_CRASH), EXIT_GUEST_CRASH);
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_PANIC), EXIT_GUEST_PANIC);
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_NETBOOT_FAILED),
			 EXIT_NETBOOT_FAILED);
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_LOCALBOOT), EXIT_LOCALBOOT);
	ck_assert_int_eq(exit_code_for_event(GUEST_EVENT_NETBOOT_DEADLINE),
			 EXIT_NETBOOT_DEADLINE);
	/* The documented values (docs/usage.md). */
	ck_assert_int_eq(EXIT_GUEST_POWEROFF, 0);
	ck_assert_int_eq(EXIT_GUEST_REBOOT, 3);
	ck_assert_int_eq(EXIT_NETBOOT_FAILED, 5);
	ck_assert_int_eq(EXIT_LOCALBOOT, 6);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device_table");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_plan_slots);
	tcase_add_test(tc, test_plan_no_virtio);
	tcase_add_test(tc, test_event_exit_codes);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
