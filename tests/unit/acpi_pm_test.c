// SPDX-License-Identifier: MIT
/*
 * Power and status ports: the FADT sleep/reset registers (what Linux's
 * hardware-reduced ACPI code writes) and the debug/firmware-status ports.
 */
#include <check.h>
#include <string.h>

#include "boot/layout.h"
#include "devices/acpi_pm.h"
#include "devices/debug_port.h"
#include "tests/unit/unit_main.h"

struct stop_log {
	int calls;
	int code;
	int traces;
	uint8_t marker;
};

static void record_stop(void *opaque, enum guest_event code)
{
	struct stop_log *log = opaque;

	log->calls++;
	log->code = code;
}

static void record_trace(void *opaque, uint8_t marker)
{
	struct stop_log *log = opaque;

	log->traces++;
	log->marker = marker;
}

static void pm_wr(struct acpi_pm *pm, uint16_t port, uint8_t v)
{
	acpi_pm_pio_write(pm, port - PORT_ACPI_SLEEP_CTL, &v, 1);
}

static uint8_t pm_rd(struct acpi_pm *pm, uint16_t port)
{
	uint8_t v = 0x5a;

	acpi_pm_pio_read(pm, port - PORT_ACPI_SLEEP_CTL, &v, 1);
	return v;
}

/* acpi_hw_extended_sleep(): clear WAK_STS, write SLP_TYP|SLP_EN, poll. */
START_TEST(test_s5_powers_off)
{
	struct stop_log log = { 0 };
	struct acpi_pm pm;

	acpi_pm_init(&pm, record_stop, &log);
	pm_wr(&pm, PORT_ACPI_SLEEP_STS, 0x80);
	ck_assert_int_eq(log.calls, 0);
	pm_wr(&pm, PORT_ACPI_SLEEP_CTL,
	      (uint8_t)((ACPI_S5_SLP_TYP << 2) | ACPI_SLP_EN));
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.code, GUEST_EVENT_POWEROFF);
	ck_assert_uint_eq(pm_rd(&pm, PORT_ACPI_SLEEP_STS) & 0x80, 0);
}
END_TEST

START_TEST(test_sleep_type_without_enable_is_ignored)
{
	struct stop_log log = { 0 };
	struct acpi_pm pm;

	acpi_pm_init(&pm, record_stop, &log);
	pm_wr(&pm, PORT_ACPI_SLEEP_CTL, (uint8_t)(ACPI_S5_SLP_TYP << 2));
	pm_wr(&pm, PORT_ACPI_SLEEP_CTL, 0);
	ck_assert_int_eq(log.calls, 0);
	ck_assert_uint_eq(pm_rd(&pm, PORT_ACPI_SLEEP_CTL), 0);
}
END_TEST

/* S1-S4 are not supported: the guest "wakes" at once. */
START_TEST(test_other_sleep_states_wake_at_once)
{
	struct stop_log log = { 0 };
	struct acpi_pm pm;
	unsigned int typ;

	acpi_pm_init(&pm, record_stop, &log);
	for (typ = 0; typ < 8; typ++) {
		if (typ == ACPI_S5_SLP_TYP)
			continue;
		pm_wr(&pm, PORT_ACPI_SLEEP_STS, 0x80);
		ck_assert_uint_eq(pm_rd(&pm, PORT_ACPI_SLEEP_STS), 0);
		pm_wr(&pm, PORT_ACPI_SLEEP_CTL,
		      (uint8_t)((typ << 2) | ACPI_SLP_EN));
		ck_assert_uint_eq(pm_rd(&pm, PORT_ACPI_SLEEP_STS), 0x80);
	}
	ck_assert_int_eq(log.calls, 0);
	pm_wr(&pm, PORT_ACPI_SLEEP_STS, 0x7f);	/* not WAK_STS: kept */
	ck_assert_uint_eq(pm_rd(&pm, PORT_ACPI_SLEEP_STS), 0x80);
}
END_TEST

START_TEST(test_reset_register)
{
	struct stop_log log = { 0 };
	struct acpi_pm pm;
	unsigned int v;

	acpi_pm_init(&pm, record_stop, &log);
	for (v = 0; v < 256; v++)
		if (v != ACPI_RESET_VALUE)
			pm_wr(&pm, PORT_ACPI_RESET, (uint8_t)v);
	ck_assert_int_eq(log.calls, 0);
	pm_wr(&pm, PORT_ACPI_RESET, ACPI_RESET_VALUE);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.code, GUEST_EVENT_RESET);
	ck_assert_uint_eq(pm_rd(&pm, PORT_ACPI_RESET), 0);
}
END_TEST

START_TEST(test_pm_wide_and_stray_accesses)
{
	struct stop_log log = { 0 };
	struct acpi_pm pm;
	uint8_t buf[8];
	uint32_t v;

	acpi_pm_init(&pm, record_stop, &log);
	memset(buf, 0x11, sizeof(buf));
	acpi_pm_pio_read(&pm, 0, buf, 8);
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_uint_eq(buf[2], 0);
	ck_assert_uint_eq(buf[3], 0xff);
	ck_assert_uint_eq(buf[7], 0xff);
	acpi_pm_pio_read(&pm, 1000, buf, 1);
	ck_assert_uint_eq(buf[0], 0xff);
	v = 0xffffffff;
	acpi_pm_pio_write(&pm, 3, &v, 4);	/* outside the 3 registers */
	acpi_pm_pio_write(&pm, 1ULL << 40, &v, 4);
	ck_assert_int_eq(log.calls, 0);
	/* a 16-bit write hits control and status like two byte writes */
	buf[0] = (ACPI_S5_SLP_TYP << 2) | ACPI_SLP_EN;
	buf[1] = 0x80;
	acpi_pm_pio_write(&pm, 0, buf, 2);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.code, GUEST_EVENT_POWEROFF);
}
END_TEST

START_TEST(test_pm_without_stop_callback)
{
	struct acpi_pm pm;

	acpi_pm_init(&pm, NULL, NULL);
	pm_wr(&pm, PORT_ACPI_RESET, ACPI_RESET_VALUE);
	pm_wr(&pm, PORT_ACPI_SLEEP_CTL,
	      (uint8_t)((ACPI_S5_SLP_TYP << 2) | ACPI_SLP_EN));
}
END_TEST

static void dbg_wr(struct debug_port *d, uint16_t port, uint8_t v)
{
	debug_port_pio_write(d, port - PORT_DEBUG_TRACE, &v, 1);
}

START_TEST(test_debug_trace_markers)
{
	struct stop_log log = { 0 };
	struct debug_port d;
	uint8_t v = 0x77;
	uint16_t w = 0x1234;

	debug_port_init(&d, record_trace, record_stop, &log, false);
	ck_assert_uint_eq(debug_port_nr_ports(&d), 1);
	dbg_wr(&d, PORT_DEBUG_TRACE, 0x42);
	ck_assert_int_eq(log.traces, 1);
	ck_assert_uint_eq(log.marker, 0x42);
	dbg_wr(&d, PORT_DEBUG_TRACE, 0xff);
	ck_assert_int_eq(log.traces, 2);
	ck_assert_uint_eq(log.marker, 0xff);
	debug_port_pio_write(&d, 0, &w, 2);	/* not a byte: ignored */
	ck_assert_int_eq(log.traces, 2);
	debug_port_pio_read(&d, 0, &v, 1);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(log.calls, 0);

	debug_port_init(&d, NULL, record_stop, &log, false);	/* no -trace-boot */
	dbg_wr(&d, PORT_DEBUG_TRACE, 1);
	ck_assert_int_eq(log.traces, 2);
}
END_TEST

START_TEST(test_fw_status)
{
	struct stop_log log = { 0 };
	struct debug_port d;
	unsigned int v;

	debug_port_init(&d, record_trace, record_stop, &log, true);
	ck_assert_uint_eq(debug_port_nr_ports(&d), 2);
	for (v = 0; v < 256; v++)
		if (v != FW_STATUS_NETBOOT_FAILED && v != FW_STATUS_LOCALBOOT &&
		    v != FW_STATUS_DEADLINE && v != FW_STATUS_HANDOFF)
			dbg_wr(&d, PORT_FW_STATUS, (uint8_t)v);
	ck_assert_int_eq(log.calls, 0);
	ck_assert_int_eq(log.traces, 0);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_NETBOOT_FAILED);
	ck_assert_int_eq(log.calls, 1);
	ck_assert_int_eq(log.code, GUEST_EVENT_NETBOOT_FAILED);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_LOCALBOOT);
	ck_assert_int_eq(log.calls, 2);
	ck_assert_int_eq(log.code, GUEST_EVENT_LOCALBOOT);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_DEADLINE);
	ck_assert_int_eq(log.calls, 3);
	ck_assert_int_eq(log.code, GUEST_EVENT_NETBOOT_DEADLINE);
	debug_port_pio_write(&d, 7, &v, 1);	/* stray offset */
	ck_assert_int_eq(log.calls, 3);
}
END_TEST

/* Issue 15, item 3: no verdict without the firmware, none after hand-off. */
START_TEST(test_fw_status_only_until_handoff)
{
	struct stop_log log = { 0 };
	struct debug_port d;

	/* A plain -kernel guest: the port does not exist, and if reached
	 * anyway (a bus bug) it stays silent. */
	debug_port_init(&d, record_trace, record_stop, &log, false);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_LOCALBOOT);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_NETBOOT_FAILED);
	ck_assert_int_eq(log.calls, 0);
	/* -netboot: the firmware hands off, the kernel then forges. */
	debug_port_init(&d, record_trace, record_stop, &log, true);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_HANDOFF);
	ck_assert_int_eq(log.calls, 0);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_LOCALBOOT);
	dbg_wr(&d, PORT_FW_STATUS, FW_STATUS_NETBOOT_FAILED);
	ck_assert_int_eq(log.calls, 0);
	/* The trace port still works. */
	dbg_wr(&d, PORT_DEBUG_TRACE, 9);
	ck_assert_int_eq(log.traces, 1);
}
END_TEST

static Suite *acpi_pm_suite(void)
{
	Suite *s = suite_create("acpi_pm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_s5_powers_off);
	tcase_add_test(tc, test_fw_status_only_until_handoff);
	tcase_add_test(tc, test_sleep_type_without_enable_is_ignored);
	tcase_add_test(tc, test_other_sleep_states_wake_at_once);
	tcase_add_test(tc, test_reset_register);
	tcase_add_test(tc, test_pm_wide_and_stray_accesses);
	tcase_add_test(tc, test_pm_without_stop_callback);
	tcase_add_test(tc, test_debug_trace_markers);
	tcase_add_test(tc, test_fw_status);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(acpi_pm_suite());
}
