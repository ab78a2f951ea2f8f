// SPDX-License-Identifier: MIT
/*
 * 16550A register model: the sequences Linux's 8250 driver runs (autoconfig
 * probe, startup THRE test, interrupt handler), DLAB, loopback, FIFO
 * limits and a console nobody reads.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/serial.h"
#include "tests/unit/unit_main.h"

struct irq_log {
	int level;
	int changes;
};

static struct serial s;
static struct irq_log irq;
static int out_pipe[2];

static void record_irq(void *opaque, int level)
{
	struct irq_log *log = opaque;

	ck_assert_int_ne(level, log->level);	/* only changes are reported */
	log->level = level;
	log->changes++;
}

static uint8_t rd(unsigned int reg)
{
	uint8_t v = 0x5a;

	serial_pio_read(&s, reg, &v, 1);
	return v;
}

static void wr(unsigned int reg, uint8_t v)
{
	serial_pio_write(&s, reg, &v, 1);
}

static size_t drain_output(char *buf, size_t cap)
{
	ssize_t n = read(out_pipe[0], buf, cap);

	return n > 0 ? (size_t)n : 0;
}

static void setup(void)
{
	ck_assert_int_eq(pipe2(out_pipe, O_NONBLOCK), 0);
	memset(&irq, 0, sizeof(irq));
	serial_init(&s, out_pipe[1], record_irq, &irq);
}

static void teardown(void)
{
	serial_destroy(&s);
	close(out_pipe[0]);
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
}

/* drivers/tty/serial/8250/8250_port.c: autoconfig() and autoconfig_16550a() */
START_TEST(test_linux_autoconfig_probe)
{
	uint8_t scratch, save_mcr, save_lcr, status1, status2;

	/* IER existence test */
	scratch = rd(1);
	wr(1, 0);
	ck_assert_uint_eq(rd(1) & 0x0f, 0);
	wr(1, 0x0f);
	ck_assert_uint_eq(rd(1) & 0x0f, 0x0f);
	wr(1, scratch);

	save_mcr = rd(4);
	save_lcr = rd(3);
	/* loopback test: LOOP | OUT2 | RTS must show DCD | CTS */
	wr(4, 0x10 | 0x08 | 0x02);
	ck_assert_uint_eq(rd(6) & 0xf0, 0x90);
	wr(4, save_mcr);

	/* EFR (shares the FCR address) to zero, then FIFO enable */
	wr(3, 0xbf);
	wr(2, 0);
	wr(3, 0);
	wr(2, 0x01);
	scratch = rd(2);
	ck_assert_uint_eq(scratch >> 6, 3);	/* 16550A */

	/* no EFR with DLAB set or in conf mode B */
	wr(3, 0x80);
	ck_assert_uint_ne(rd(2), 0);
	wr(3, 0xbf);
	ck_assert_uint_ne(rd(2), 0);

	/* not a National SuperIO: EXCR1 does not follow MCR.LOOP */
	wr(3, 0);
	status1 = rd(4);
	wr(3, 0xe0);
	status2 = rd(2);
	ck_assert_uint_eq((status1 ^ status2) & 0x10, 0);
	wr(3, 0);
	wr(4, status1 ^ 0x10);
	wr(3, 0xe0);
	status2 = rd(2);
	wr(3, 0);
	wr(4, status1);
	ck_assert_uint_eq((status2 ^ status1) & 0x10, 0);

	/* not a TI16750: no 64-byte FIFO bit in IIR with or without DLAB */
	wr(3, 0);
	wr(2, 0x01 | 0x20);
	status1 = rd(2) & 0xe0;
	wr(2, 0);
	wr(3, 0x80);
	wr(2, 0x01 | 0x20);
	status2 = rd(2) & 0xe0;
	wr(2, 0);
	wr(3, 0);
	ck_assert_uint_eq(status1, 0xc0);
	ck_assert_uint_eq(status2, 0xc0);

	/* not an XScale: IER bit 6 (UUE) does not stick */
	scratch = rd(1);
	wr(1, scratch & ~0x40);
	ck_assert_uint_eq(rd(1) & 0x40, 0);
	wr(1, scratch | 0x40);
	ck_assert_uint_eq(rd(1) & 0x40, 0);
	wr(1, scratch);

	wr(3, save_lcr);
	ck_assert_uint_eq(rd(3), save_lcr);
	ck_assert_uint_eq(rd(4), save_mcr);
	/* nothing in loopback reached the console */
	char buf[8];

	ck_assert_uint_eq(drain_output(buf, sizeof(buf)), 0);
}
END_TEST

/* serial8250_do_startup(): the THRE re-assert and TXEN tests */
START_TEST(test_linux_startup_thre_test)
{
	uint8_t iir1, iir, lsr;

	wr(2, 0x07);		/* enable + clear FIFOs */
	rd(5);
	rd(0);
	rd(2);
	rd(6);
	ck_assert_uint_ne(rd(5), 0xff);

	wr(1, 0x02);
	iir1 = rd(2);
	wr(1, 0);
	wr(1, 0x02);
	iir = rd(2);
	wr(1, 0);
	ck_assert_uint_eq(iir1 & 0x01, 0);	/* THRE asserted */
	ck_assert_uint_eq(iir & 0x01, 0);	/* and re-asserted */

	wr(1, 0x02);
	lsr = rd(5);
	iir = rd(2);
	wr(1, 0);
	ck_assert_uint_eq(lsr & 0x60, 0x60);
	ck_assert_uint_eq(iir & 0x0f, 0x02);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_reset_state)
{
	ck_assert_uint_eq(rd(1), 0);
	ck_assert_uint_eq(rd(2), 0x01);
	ck_assert_uint_eq(rd(3), 0);
	ck_assert_uint_eq(rd(5), 0x60);
	ck_assert_uint_eq(rd(6) & 0xf0, 0xb0);
	ck_assert_uint_eq(rd(7), 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_int_eq(irq.changes, 0);
}
END_TEST

/* What the 8250 interrupt handler sees while transmitting. */
START_TEST(test_thre_interrupt_sequence)
{
	char buf[16];

	wr(3, 0x03);
	wr(2, 0x07);
	wr(1, 0x02);			/* start_tx: ETBEI */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(2), 0xc2);	/* handler: THRE, acknowledged */
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(2), 0xc1);
	wr(0, 'h');
	ck_assert_int_eq(irq.level, 1);	/* THR empty again: new edge */
	wr(0, 'i');
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(5) & 0x60, 0x60);
	ck_assert_uint_eq(rd(2), 0xc2);
	ck_assert_int_eq(irq.level, 0);
	wr(1, 0);			/* stop_tx */
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(2), 0xc1);
	ck_assert_uint_eq(drain_output(buf, sizeof(buf)), 2);
	ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
	ck_assert_int_eq(irq.changes, 4);
}
END_TEST

START_TEST(test_thre_masked_no_irq)
{
	wr(0, 'x');
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(2), 0x01);
	ck_assert_int_eq(irq.changes, 0);
}
END_TEST

START_TEST(test_rda_interrupt_sequence)
{
	const uint8_t in[] = "abc";

	wr(2, 0x01);			/* FIFO, trigger 1 */
	wr(1, 0x01);			/* ERBFI */
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(serial_receive(&s, in, 3), 3);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(2), 0xc4);
	ck_assert_uint_eq(rd(5) & 0x01, 1);
	ck_assert_uint_eq(rd(0), 'a');
	ck_assert_uint_eq(rd(0), 'b');
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(0), 'c');
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(5) & 0x01, 0);
	ck_assert_uint_eq(rd(2), 0xc1);
	ck_assert_uint_eq(rd(0), 0);	/* empty FIFO reads 0 */
}
END_TEST

START_TEST(test_rda_trigger_and_timeout)
{
	uint8_t in[14];

	memset(in, 'z', sizeof(in));
	wr(2, 0xc1);			/* trigger level 14 */
	wr(1, 0x01);
	ck_assert_uint_eq(serial_receive(&s, in, 3), 3);
	ck_assert_uint_eq(rd(2), 0xcc);	/* below trigger: timeout */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(serial_receive(&s, in, 11), 11);
	ck_assert_uint_eq(rd(2), 0xc4);	/* at trigger: RDA */
}
END_TEST

/* RDA outranks THRE; THRE shows once the FIFO is empty. */
START_TEST(test_interrupt_priority)
{
	const uint8_t in = 'q';

	wr(2, 0x01);
	wr(1, 0x03);
	ck_assert_uint_eq(serial_receive(&s, &in, 1), 1);
	ck_assert_uint_eq(rd(2), 0xc4);
	ck_assert_uint_eq(rd(0), 'q');
	ck_assert_int_eq(irq.level, 1);	/* THRE still pending */
	ck_assert_uint_eq(rd(2), 0xc2);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_dlab)
{
	char buf[8];

	wr(1, 0x05);
	wr(3, 0x83);
	ck_assert_uint_eq(rd(0), 0x0c);	/* reset divisor: 9600 baud */
	wr(0, 0x01);
	wr(1, 0x00);			/* 115200 */
	ck_assert_uint_eq(rd(0), 0x01);
	ck_assert_uint_eq(rd(1), 0x00);
	ck_assert_uint_eq(drain_output(buf, sizeof(buf)), 0);
	wr(3, 0x03);
	ck_assert_uint_eq(rd(1), 0x05);	/* IER untouched by DLM writes */
	wr(0, 'k');
	ck_assert_uint_eq(drain_output(buf, sizeof(buf)), 1);
	ck_assert_int_eq(buf[0], 'k');
	wr(3, 0x80);
	ck_assert_uint_eq(rd(0), 0x01);
}
END_TEST

START_TEST(test_loopback)
{
	char buf[8];
	unsigned int i;

	wr(2, 0x01);
	wr(4, 0x10);
	ck_assert_uint_eq(serial_rx_room(&s), 0);	/* line cut off */
	wr(0, 'L');
	ck_assert_uint_eq(rd(5) & 0x01, 1);
	ck_assert_uint_eq(rd(0), 'L');
	ck_assert_uint_eq(drain_output(buf, sizeof(buf)), 0);

	/* overrun: OE, RLS interrupt, cleared by reading LSR */
	for (i = 0; i < SERIAL_RX_FIFO_SIZE + 1; i++)
		wr(0, (uint8_t)i);
	wr(1, 0x04);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(2), 0xc6);
	ck_assert_uint_eq(rd(5) & 0x03, 0x03);
	ck_assert_uint_eq(rd(5) & 0x02, 0);
	ck_assert_int_eq(irq.level, 0);
	for (i = 0; i < SERIAL_RX_FIFO_SIZE; i++)
		ck_assert_uint_eq(rd(0), i);
	ck_assert_uint_eq(rd(5) & 0x01, 0);
}
END_TEST

START_TEST(test_loopback_modem_status)
{
	rd(6);
	wr(4, 0x10);			/* loop, all outputs low */
	ck_assert_uint_eq(rd(6), 0x0b);	/* DCD, DSR, CTS dropped: deltas */
	ck_assert_uint_eq(rd(6), 0x00);	/* deltas clear on read */
	wr(1, 0x08);			/* EDSSI */
	wr(4, 0x10 | 0x04);		/* OUT1 -> RI */
	ck_assert_uint_eq(rd(6), 0x40);
	ck_assert_int_eq(irq.level, 0);
	wr(4, 0x10);			/* RI trailing edge */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x00);
	ck_assert_uint_eq(rd(6), 0x04);
	ck_assert_int_eq(irq.level, 0);
	wr(4, 0x10 | 0x0b);		/* DTR RTS OUT2 */
	ck_assert_uint_eq(rd(6), 0xb0 | 0x0b);
}
END_TEST

START_TEST(test_fifo_full_and_rx_hook)
{
	uint8_t in[100];
	unsigned int i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	wr(2, 0x01);
	ck_assert_uint_eq(serial_rx_room(&s), SERIAL_RX_FIFO_SIZE);
	ck_assert_uint_eq(serial_receive(&s, in, sizeof(in)),
			  SERIAL_RX_FIFO_SIZE);
	ck_assert(!serial_can_receive(&s));
	ck_assert_uint_eq(serial_receive(&s, in, 1), 0);
	for (i = 0; i < SERIAL_RX_FIFO_SIZE; i++)
		ck_assert_uint_eq(rd(0), i);
	ck_assert(serial_can_receive(&s));
}
END_TEST

static void count_call(void *opaque)
{
	(*(int *)opaque)++;
}

START_TEST(test_rx_hook_after_drain)
{
	uint8_t in[SERIAL_RX_FIFO_SIZE + 5];
	int woken = 0;
	unsigned int i;

	memset(in, 'r', sizeof(in));
	serial_set_rx_hook(&s, count_call, &woken);
	wr(2, 0x01);
	ck_assert_uint_eq(serial_receive(&s, in, sizeof(in)),
			  SERIAL_RX_FIFO_SIZE);
	for (i = 0; i < SERIAL_RX_FIFO_SIZE - 1; i++)
		rd(0);
	ck_assert_int_eq(woken, 0);
	rd(0);
	ck_assert_int_eq(woken, 1);
	rd(0);
	ck_assert_int_eq(woken, 1);
	/* no refusal since: no more wake-ups */
	ck_assert_uint_eq(serial_receive(&s, in, 2), 2);
	rd(0);
	rd(0);
	ck_assert_int_eq(woken, 1);
}
END_TEST

/* A 16550A with FIFOs off holds one byte. */
START_TEST(test_no_fifo_holds_one_byte)
{
	const uint8_t in[] = "xy";

	ck_assert_uint_eq(serial_receive(&s, in, 2), 1);
	ck_assert_uint_eq(rd(0), 'x');
	ck_assert_uint_eq(serial_receive(&s, in + 1, 1), 1);
	ck_assert_uint_eq(rd(0), 'y');
	ck_assert_uint_eq(rd(2), 0x01);	/* no FIFO bits in IIR */
}
END_TEST

START_TEST(test_fcr_clear_and_disable)
{
	const uint8_t in[] = "abcd";

	wr(2, 0x01);
	ck_assert_uint_eq(serial_receive(&s, in, 4), 4);
	wr(2, 0x03);			/* clear RX */
	ck_assert_uint_eq(rd(5) & 0x01, 0);
	ck_assert_uint_eq(serial_receive(&s, in, 4), 4);
	wr(2, 0x00);			/* FIFOs off: contents dropped */
	ck_assert_uint_eq(rd(5) & 0x01, 0);
	ck_assert_uint_eq(rd(2) & 0xc0, 0);
}
END_TEST

static void count_hook(void *opaque)
{
	(*(int *)opaque)++;
}

START_TEST(test_output_hook_once)
{
	int calls = 0;

	serial_set_output_hook(&s, count_hook, &calls);
	wr(4, 0x10);
	wr(0, 'x');			/* loopback: not output */
	ck_assert_int_eq(calls, 0);
	wr(4, 0x00);
	wr(0, 'a');
	wr(0, 'b');
	ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(test_output_write_error_survives)
{
	signal(SIGPIPE, SIG_IGN);
	close(out_pipe[0]);
	out_pipe[0] = open("/dev/null", O_RDONLY);
	wr(0, 'a');			/* EPIPE: dropped */
	wr(0, 'b');
	ck_assert_uint_eq(s.tx_dropped, 2);
	ck_assert_uint_eq(rd(5) & 0x60, 0x60);
}
END_TEST

/* A full console never makes the vCPU wait (issue 15, item 2): the byte
 * is dropped at once and counted; output resumes when there is room. */
START_TEST(test_output_full_pipe_drops_without_waiting)
{
	char junk[4096];
	struct timespec t0, t1;
	ssize_t n;
	long ms;

	memset(junk, 'j', sizeof(junk));
	do
		n = write(out_pipe[1], junk, sizeof(junk));
	while (n > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wr(0, 'a');
	wr(0, 'b');
	wr(0, 'c');
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_uint_eq(s.tx_dropped, 3);
	ck_assert_int_lt(ms, 100);
	ck_assert_uint_eq(drain_output(junk, sizeof(junk)), sizeof(junk));
	wr(0, 'd');
	ck_assert_uint_eq(s.tx_bytes, 1);
	wr(0, 'e');
	ck_assert_uint_eq(s.tx_bytes, 2);
}
END_TEST

START_TEST(test_discard_output)
{
	struct serial d;
	uint8_t v = 'x';

	serial_init(&d, -1, NULL, NULL);
	serial_pio_write(&d, 1, (uint8_t[]){ 0x0f }, 1);
	serial_pio_write(&d, 0, &v, 1);
	serial_pio_read(&d, 2, &v, 1);
	ck_assert_uint_eq(v, 0x02);
	serial_destroy(&d);
}
END_TEST

/* Wide and out-of-window accesses from a hostile guest. */
START_TEST(test_odd_accesses)
{
	uint8_t buf[8];
	uint64_t q = 0x4141414141414141ULL;

	memset(buf, 0, sizeof(buf));
	serial_pio_read(&s, 6, buf, 8);
	ck_assert_uint_eq(buf[1], 0);	/* SCR */
	ck_assert_uint_eq(buf[2], 0xff);
	ck_assert_uint_eq(buf[7], 0xff);
	serial_pio_write(&s, 7, &q, 8);	/* only SCR is inside */
	ck_assert_uint_eq(rd(7), 0x41);
	serial_pio_read(&s, 100, buf, 1);
	ck_assert_uint_eq(buf[0], 0xff);
	serial_pio_write(&s, 100, &q, 1);
	wr(5, 0);			/* LSR, MSR are read-only */
	wr(6, 0);
	ck_assert_uint_eq(rd(5), 0x60);
	ck_assert_uint_eq(rd(6) & 0xf0, 0xb0);
	wr(1, 0xff);
	ck_assert_uint_eq(rd(1), 0x0f);
	wr(1, 0);
	wr(3, 0x03);
	wr(7, 0x99);
	ck_assert_uint_eq(rd(7), 0x99);
}
END_TEST

/*
 * A guest poking random registers with random values, and host input
 * arriving in between: the line level always matches IIR, the FIFO never
 * overflows, and nothing crashes.
 */
START_TEST(test_random_register_storm)
{
	struct serial r;
	struct irq_log log = { 0 };
	unsigned int seed = 4242, i;
	uint8_t v, in[8] = "12345678";

	serial_init(&r, -1, record_irq, &log);
	for (i = 0; i < 200000; i++) {
		unsigned int op = rand_r(&seed) % 16;
		uint64_t reg = rand_r(&seed) % 10;

		v = (uint8_t)rand_r(&seed);
		if (op < 7) {
			serial_pio_read(&r, reg, &v, 1);
		} else if (op < 14) {
			/* keep loopback rare so input gets through */
			if (reg == 4 && (v & 0x10) && (rand_r(&seed) % 4))
				v &= ~0x10;
			serial_pio_write(&r, reg, &v, 1);
		} else {
			serial_receive(&r, in, rand_r(&seed) % 8);
		}
		ck_assert_uint_le(r.rx_count, SERIAL_RX_FIFO_SIZE);
		ck_assert_uint_lt(r.rx_head, SERIAL_RX_FIFO_SIZE);
		ck_assert_int_eq(log.level, r.irq_level);
		/* peek at IIR without side effects: DLAB does not matter */
		serial_pio_read(&r, 2, &v, 1);
		ck_assert_int_eq(!(v & 0x01) || log.level == 0, 1);
	}
	serial_destroy(&r);
}
END_TEST

static Suite *serial_suite(void)
{
	Suite *su = suite_create("serial");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reset_state);
	tcase_add_test(tc, test_linux_autoconfig_probe);
	tcase_add_test(tc, test_linux_startup_thre_test);
	tcase_add_test(tc, test_thre_interrupt_sequence);
	tcase_add_test(tc, test_thre_masked_no_irq);
	tcase_add_test(tc, test_rda_interrupt_sequence);
	tcase_add_test(tc, test_rda_trigger_and_timeout);
	tcase_add_test(tc, test_interrupt_priority);
	tcase_add_test(tc, test_dlab);
	tcase_add_test(tc, test_loopback);
	tcase_add_test(tc, test_loopback_modem_status);
	tcase_add_test(tc, test_fifo_full_and_rx_hook);
	tcase_add_test(tc, test_rx_hook_after_drain);
	tcase_add_test(tc, test_no_fifo_holds_one_byte);
	tcase_add_test(tc, test_fcr_clear_and_disable);
	tcase_add_test(tc, test_output_hook_once);
	tcase_add_test(tc, test_output_write_error_survives);
	tcase_add_test(tc, test_output_full_pipe_drops_without_waiting);
	tcase_add_test(tc, test_discard_output);
	tcase_add_test(tc, test_odd_accesses);
	tcase_add_test(tc, test_random_register_storm);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return unit_run_suite(serial_suite());
}
