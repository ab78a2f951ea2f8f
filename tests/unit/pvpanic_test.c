// SPDX-License-Identifier: MIT
/* The pvpanic port: what it offers, what it reports, what it ignores. */
#include <check.h>
#include <misc/pvpanic.h>
#include <stdint.h>

#include "devices/pvpanic.h"
#include "tests/unit/unit_main.h"

static uint8_t last;
static int calls;

static void record(void *opaque, uint8_t events)
{
	(void)opaque;
	last = events;
	calls++;
}

START_TEST(test_offers_and_reports)
{
	struct pvpanic p;
	uint32_t v = 0xffffffff;
	uint8_t b;

	calls = 0;
	pvpanic_init(&p, record, NULL);
	pvpanic_pio_read(&p, 0, &v, 4);
	ck_assert_uint_eq(v, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	b = PVPANIC_PANICKED;
	pvpanic_pio_write(&p, 0, &b, 1);
	ck_assert_int_eq(calls, 1);
	ck_assert_uint_eq(last, PVPANIC_PANICKED);
	b = PVPANIC_CRASH_LOADED | 0xf0;	/* unknown bits dropped */
	pvpanic_pio_write(&p, 0, &b, 1);
	ck_assert_int_eq(calls, 2);
	ck_assert_uint_eq(last, PVPANIC_CRASH_LOADED);
	b = 0xf0;				/* nothing known: no event */
	pvpanic_pio_write(&p, 0, &b, 1);
	ck_assert_int_eq(calls, 2);
	b = PVPANIC_PANICKED;
	pvpanic_pio_write(&p, 1, &b, 1);	/* outside the port */
	pvpanic_pio_write(&p, 0, &b, 0);
	ck_assert_int_eq(calls, 2);
	pvpanic_init(&p, NULL, NULL);		/* no listener: no crash */
	pvpanic_pio_write(&p, 0, &b, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pvpanic");
	TCase *tc = tcase_create("port");

	tcase_add_test(tc, test_offers_and_reports);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
