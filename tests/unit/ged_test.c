// SPDX-License-Identifier: MIT
/* ACPI Generic Event Device: the power-button press, read-to-clear, bounds. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "devices/ged.h"
#include "tests/unit/unit_main.h"

static int irqs;

static void count_irq(void *opaque)
{
	(void)opaque;
	irqs++;
}

static uint64_t rd(struct ged *g, uint64_t off, uint32_t size)
{
	uint64_t v = 0;

	ged_mmio_read(g, off, &v, size);
	return v;
}

START_TEST(test_press_and_read_clears)
{
	struct ged g;

	irqs = 0;
	ged_init(&g, count_irq, NULL);
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 4), 0);
	ged_press_power_button(&g);
	ck_assert_int_eq(irqs, 1);
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 4), GED_EVT_PWR_DOWN);
	/* Read once: the event is consumed, as _EVT expects. */
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 4), 0);
	/* Two presses before the guest looks: one event, two interrupts. */
	ged_press_power_button(&g);
	ged_press_power_button(&g);
	ck_assert_int_eq(irqs, 3);
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 4), GED_EVT_PWR_DOWN);
}
END_TEST

START_TEST(test_other_accesses)
{
	struct ged g;
	uint32_t v = 0xffffffff;

	ged_init(&g, count_irq, NULL);
	ged_press_power_button(&g);
	/* Partial, misplaced or wide reads see zero and keep the event. */
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 1), 0);
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 2), 0);
	ck_assert_uint_eq(rd(&g, 4, 4), 0);
	ck_assert_uint_eq(rd(&g, GED_MMIO_SIZE - 1, 1), 0);
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 8), 0);
	/* Writes are ignored. */
	ged_mmio_write(&g, GED_REG_EVT_SEL, &v, 4);
	ck_assert_uint_eq(rd(&g, GED_REG_EVT_SEL, 4), GED_EVT_PWR_DOWN);
}
END_TEST

static Suite *ged_suite(void)
{
	Suite *s = suite_create("ged");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_press_and_read_clears);
	tcase_add_test(tc, test_other_accesses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(ged_suite());
}
