// SPDX-License-Identifier: MIT
/*
 * i8042: the reset line, and a status register that lets Linux's reboot
 * code go on at once and makes its probe report "No controller found".
 */
#include <check.h>
#include <string.h>

#include "boot/layout.h"
#include "devices/i8042.h"
#include "tests/unit/unit_main.h"

#define I8042_BUFFER_SIZE 16	/* drivers/input/serio/i8042.h */

struct stop_log {
	int calls;
	int code;
};

static void record_stop(void *opaque, enum guest_event code)
{
	struct stop_log *log = opaque;

	log->calls++;
	log->code = code;
}

static uint8_t rd(struct i8042 *k, uint16_t port)
{
	uint8_t v = 0x5a;

	i8042_pio_read(k, port - PORT_I8042_DATA, &v, 1);
	return v;
}

static void wr(struct i8042 *k, uint16_t port, uint8_t v)
{
	i8042_pio_write(k, port - PORT_I8042_DATA, &v, 1);
}

START_TEST(test_reset_command)
{
	struct stop_log log = { 0 };
	struct i8042 k;

	i8042_init(&k, record_stop, &log);
	wr(&k, PORT_I8042_CMD, 0xfe);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.code, GUEST_EVENT_RESET);
}
END_TEST

START_TEST(test_other_commands_ignored)
{
	struct stop_log log = { 0 };
	struct i8042 k;
	unsigned int v;
	uint16_t w = 0x00fe;

	i8042_init(&k, record_stop, &log);
	for (v = 0; v < 256; v++) {
		if (v != 0xfe)
			wr(&k, PORT_I8042_CMD, (uint8_t)v);
		wr(&k, PORT_I8042_DATA, (uint8_t)v);	/* 0xfe on data: no */
		wr(&k, 0x61, (uint8_t)v);
	}
	i8042_pio_write(&k, 4, &w, 2);	/* word write: not the command */
	i8042_pio_write(&k, 1000, &w, 1);
	ck_assert_int_eq(log.calls, 0);
}
END_TEST

/* arch/x86/kernel/reboot.c kb_wait(): waits for IBF (bit 1) clear. */
START_TEST(test_reboot_path_does_not_wait)
{
	struct i8042 k;

	i8042_init(&k, NULL, NULL);
	ck_assert_uint_eq(rd(&k, PORT_I8042_CMD) & 0x02, 0);
	wr(&k, PORT_I8042_CMD, 0xfe);	/* no stop callback: no crash */
}
END_TEST

/* i8042_flush(): OBF never clears -> -EIO -> "No controller found". */
START_TEST(test_linux_probe_gives_up)
{
	struct i8042 k;
	int count = 0, gave_up = 0;

	i8042_init(&k, NULL, NULL);
	while (rd(&k, PORT_I8042_CMD) & 0x01) {
		if (count++ < I8042_BUFFER_SIZE) {
			rd(&k, PORT_I8042_DATA);
		} else {
			gave_up = 1;
			break;
		}
	}
	ck_assert_int_eq(gave_up, 1);
	ck_assert_uint_ne(rd(&k, PORT_I8042_CMD), 0xff);
}
END_TEST

START_TEST(test_reads)
{
	struct i8042 k;
	uint8_t buf[8];

	i8042_init(&k, NULL, NULL);
	ck_assert_uint_eq(rd(&k, 0x61), 0);
	ck_assert_uint_eq(rd(&k, PORT_I8042_DATA), 0);
	ck_assert_uint_eq(rd(&k, 0x62), 0xff);
	memset(buf, 0, sizeof(buf));
	i8042_pio_read(&k, 0, buf, 8);
	ck_assert_uint_eq(buf[1], 0);
	ck_assert_uint_eq(buf[4], 0x01);
	ck_assert_uint_eq(buf[5], 0xff);
	ck_assert_uint_eq(buf[7], 0xff);
}
END_TEST

static Suite *i8042_suite(void)
{
	Suite *s = suite_create("i8042");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_reset_command);
	tcase_add_test(tc, test_other_commands_ignored);
	tcase_add_test(tc, test_reboot_path_does_not_wait);
	tcase_add_test(tc, test_linux_probe_gives_up);
	tcase_add_test(tc, test_reads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(i8042_suite());
}
