// SPDX-License-Identifier: MIT
/* TFTP client: RRQ, OACK, windows, loss, duplicates, wrap, errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/inet.h"
#include "net/tftp.h"
#include "tests/unit/unit_main.h"

#define SPORT 40000

static uint8_t pkt[2048];

static size_t mk_data(uint16_t block, size_t n)
{
	inet_put16(pkt, TFTP_DATA);
	inet_put16(pkt + 2, block);
	memset(pkt + 4, (int)(block & 0xff), n);
	return 4 + n;
}

static size_t mk_oack(const char *const *kv, int n)
{
	size_t len = 2;

	inet_put16(pkt, TFTP_OACK);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(kv[i]) + 1;

		memcpy(pkt + len, kv[i], l);
		len += l;
	}
	return len;
}

static enum tftp_action rx(struct tftp_client *c, size_t len,
			   struct tftp_block *b)
{
	return tftp_receive(c, SPORT, pkt, len, len, b);
}

static void start(struct tftp_client *c, uint16_t blksize, uint16_t win,
		  uint64_t max)
{
	struct tftp_request req = { .filename = "boot/linux", .max_size = max,
				    .blksize = blksize, .windowsize = win,
				    .tsize = true };

	ck_assert_int_eq(tftp_start(c, &req), TFTP_A_SEND);
}

static uint16_t acked_block(const struct tftp_client *c)
{
	ck_assert_uint_eq(c->tx_len, 4);
	ck_assert_uint_eq(inet_get16(c->tx), TFTP_ACK);
	return inet_get16(c->tx + 2);
}

START_TEST(test_rrq_format)
{
	struct tftp_client c;
	static const char expect[] = "\0\1boot/linux\0octet\0blksize\0"
				     "1468\0tsize\0" "0\0windowsize\0" "8";

	start(&c, 1468, 8, 1 << 20);
	ck_assert_uint_eq(c.tx_len, sizeof(expect));
	ck_assert_mem_eq(c.tx, expect, sizeof(expect));
	ck_assert_int_eq(c.state, TFTP_S_RRQ_SENT);
	ck_assert_uint_eq(tftp_rx_payload_max(&c), 1468);
}
END_TEST

START_TEST(test_rrq_bad_names)
{
	struct tftp_client c;
	struct tftp_request req = { .filename = "", .max_size = 1 };
	char longname[400];

	ck_assert_int_eq(tftp_start(&c, &req), TFTP_A_FAILED);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	req.filename = longname;
	ck_assert_int_eq(tftp_start(&c, &req), TFTP_A_FAILED);
}
END_TEST

START_TEST(test_oack_window_transfer)
{
	static const char *const kv[] = { "BLKSIZE", "1024", "tsize", "5000",
					  "windowsize", "4" };
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(kv, 6), &b), TFTP_A_SEND);
	ck_assert(!b.stored);
	ck_assert_uint_eq(acked_block(&c), 0);
	ck_assert_uint_eq(c.blksize, 1024);
	ck_assert_uint_eq(c.windowsize, 4);
	ck_assert(c.have_tsize);
	ck_assert_uint_eq(c.tsize, 5000);
	ck_assert_uint_eq(c.server_port, SPORT);
	/* zero-copy: where the next blocks go */
	ck_assert_uint_eq(tftp_next_offset(&c, 0), 0);
	ck_assert_uint_eq(tftp_next_offset(&c, 3), 3072);
	ck_assert_uint_eq(tftp_next_block(&c, 0), 1);
	for (uint16_t i = 1; i <= 3; i++) {
		ck_assert_int_eq(rx(&c, mk_data(i, 1024), &b), TFTP_A_NONE);
		ck_assert(b.stored);
		ck_assert_uint_eq(b.offset, (i - 1) * 1024u);
		ck_assert_uint_eq(b.len, 1024);
	}
	ck_assert_int_eq(rx(&c, mk_data(4, 1024), &b), TFTP_A_SEND);
	ck_assert_uint_eq(acked_block(&c), 4);	/* end of window */
	ck_assert_int_eq(rx(&c, mk_data(5, 904), &b), TFTP_A_DONE);
	ck_assert_uint_eq(acked_block(&c), 5);
	ck_assert_uint_eq(b.offset, 4096);
	ck_assert_uint_eq(c.size, 5000);
	ck_assert_int_eq(c.state, TFTP_S_DONE);
	/* nothing more after the end */
	ck_assert_int_eq(rx(&c, mk_data(5, 904), &b), TFTP_A_NONE);
}
END_TEST

START_TEST(test_server_ignores_options)
{
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_data(1, 512), &b), TFTP_A_SEND);
	ck_assert(b.stored);
	ck_assert_uint_eq(c.blksize, 512);
	ck_assert_uint_eq(c.windowsize, 1);
	ck_assert_uint_eq(acked_block(&c), 1);
	ck_assert_uint_eq(tftp_next_offset(&c, 0), 512);
	/* a block bigger than 512 now is not acceptable */
	ck_assert_int_eq(rx(&c, mk_data(2, 600), &b), TFTP_A_NONE);
	ck_assert(!b.stored);
	ck_assert_int_eq(rx(&c, mk_data(2, 0), &b), TFTP_A_DONE);
	ck_assert_uint_eq(c.size, 512);
}
END_TEST

/* atftpd with every option disabled: an OACK of the opcode alone. */
START_TEST(test_empty_oack)
{
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(NULL, 0), &b), TFTP_A_SEND);
	ck_assert_uint_eq(acked_block(&c), 0);
	ck_assert_int_eq(c.state, TFTP_S_TRANSFER);
	ck_assert_uint_eq(c.blksize, 512);
	ck_assert_uint_eq(c.windowsize, 1);
	ck_assert(!c.have_tsize);
	ck_assert_int_eq(rx(&c, mk_data(1, 512), &b), TFTP_A_SEND);
	ck_assert_uint_eq(acked_block(&c), 1);
	ck_assert_int_eq(rx(&c, mk_data(2, 10), &b), TFTP_A_DONE);
	ck_assert_uint_eq(c.size, 522);
	/* a 2-byte DATA or ERROR is still nothing */
	start(&c, 1468, 8, 1 << 20);
	inet_put16(pkt, TFTP_DATA);
	ck_assert_int_eq(rx(&c, 2, &b), TFTP_A_NONE);
	ck_assert_int_eq(c.state, TFTP_S_RRQ_SENT);
}
END_TEST

START_TEST(test_oack_hostile)
{
	static const char *const bad_opt[] = { "evil", "1" };
	static const char *const big_blk[] = { "blksize", "9000" };
	static const char *const nondigit[] = { "blksize", "12x" };
	static const char *const huge[] = { "tsize", "99999999999999999999999" };
	static const char *const toobig[] = { "tsize", "2000000" };
	struct tftp_client c;
	struct tftp_block b;
	size_t len;

	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(bad_opt, 2), &b), TFTP_A_FAILED);
	ck_assert_uint_eq(c.error_code, TFTP_ERR_OPTIONS);
	ck_assert_uint_eq(inet_get16(c.tx), TFTP_ERROR);
	ck_assert_uint_eq(inet_get16(c.tx + 2), 8);
	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(big_blk, 2), &b), TFTP_A_FAILED);
	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(nondigit, 2), &b), TFTP_A_FAILED);
	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(huge, 2), &b), TFTP_A_FAILED);
	start(&c, 1468, 8, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(toobig, 2), &b), TFTP_A_FAILED);
	ck_assert_uint_eq(c.error_code, TFTP_ERR_DISK_FULL);
	/* value without its NUL: truncated */
	start(&c, 1468, 8, 1 << 20);
	len = mk_oack(big_blk, 2) - 1;
	ck_assert_int_eq(rx(&c, len, &b), TFTP_A_FAILED);
	/* name without value */
	start(&c, 1468, 8, 1 << 20);
	len = mk_oack(big_blk, 1);
	ck_assert_int_eq(rx(&c, len, &b), TFTP_A_FAILED);
	/* OACK although nothing was asked */
	{
		struct tftp_request req = { .filename = "f", .max_size = 100 };

		tftp_start(&c, &req);
		ck_assert_int_eq(rx(&c, mk_oack(big_blk, 2), &b),
				 TFTP_A_FAILED);
	}
}
END_TEST

START_TEST(test_loss_and_duplicates)
{
	static const char *const kv[] = { "blksize", "512", "windowsize", "4" };
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 512, 4, 1 << 20);
	rx(&c, mk_oack(kv, 4), &b);
	ck_assert_int_eq(rx(&c, mk_data(1, 512), &b), TFTP_A_NONE);
	/* block 2 lost: 3 arrives -> ACK 1 once, 4 -> nothing */
	ck_assert_int_eq(rx(&c, mk_data(3, 512), &b), TFTP_A_SEND);
	ck_assert(!b.stored);
	ck_assert_uint_eq(acked_block(&c), 1);
	ck_assert_int_eq(rx(&c, mk_data(4, 512), &b), TFTP_A_NONE);
	/* the server restarts at 2 */
	ck_assert_int_eq(rx(&c, mk_data(2, 512), &b), TFTP_A_NONE);
	ck_assert(b.stored);
	ck_assert_uint_eq(b.offset, 512);
	/* duplicates of old blocks: one ACK, then quiet */
	ck_assert_int_eq(rx(&c, mk_data(1, 512), &b), TFTP_A_SEND);
	ck_assert_uint_eq(acked_block(&c), 2);
	ck_assert_int_eq(rx(&c, mk_data(2, 512), &b), TFTP_A_NONE);
	/* a duplicated OACK after data started: ignored */
	ck_assert_int_eq(rx(&c, mk_oack(kv, 4), &b), TFTP_A_NONE);
	/* packets from another port are not ours */
	mk_data(3, 512);
	ck_assert_int_eq(tftp_receive(&c, SPORT + 1, pkt, 516, 516, &b),
			 TFTP_A_NONE);
	ck_assert(!b.stored);
	/* truncated header */
	ck_assert_int_eq(tftp_receive(&c, SPORT, pkt, 3, 3, &b), TFTP_A_NONE);
	/* zero-copy split: only the header readable */
	ck_assert_int_eq(tftp_receive(&c, SPORT, pkt, 4, 516, &b),
			 TFTP_A_NONE);
	ck_assert(b.stored);
	ck_assert_uint_eq(b.offset, 1024);
	ck_assert_uint_eq(b.len, 512);
}
END_TEST

START_TEST(test_lost_ack0)
{
	static const char *const kv[] = { "blksize", "512" };
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 512, 0, 1 << 20);
	ck_assert_int_eq(rx(&c, mk_oack(kv, 2), &b), TFTP_A_SEND);
	ck_assert_int_eq(rx(&c, mk_oack(kv, 2), &b), TFTP_A_SEND);
	ck_assert_uint_eq(acked_block(&c), 0);
}
END_TEST

START_TEST(test_block_wrap)
{
	static const char *const kv[] = { "blksize", "8", "windowsize", "16" };
	const uint64_t nblocks = 70000;	/* > 65535: the number wraps once */
	struct tftp_client c;
	struct tftp_block b;
	uint64_t expect_off = 0;

	start(&c, 8, 16, nblocks * 8);
	rx(&c, mk_oack(kv, 4), &b);
	for (uint64_t i = 1; i <= nblocks; i++) {
		uint16_t wire = (uint16_t)i;
		enum tftp_action a;

		ck_assert_uint_eq(tftp_next_block(&c, 0), wire);
		a = rx(&c, mk_data(wire, i == nblocks ? 0 : 8), &b);
		ck_assert(b.stored);
		ck_assert_uint_eq(b.offset, expect_off);
		expect_off += b.len;
		if (i == nblocks)
			ck_assert_int_eq(a, TFTP_A_DONE);
		else
			ck_assert_int_eq(a, i % 16 ? TFTP_A_NONE : TFTP_A_SEND);
		if (i == 65535)
			ck_assert_uint_eq(tftp_next_block(&c, 0), 0);
	}
	ck_assert_uint_eq(c.size, (nblocks - 1) * 8);
	ck_assert_uint_eq(acked_block(&c), (uint16_t)nblocks);
}
END_TEST

START_TEST(test_wrap_stale_block_is_duplicate)
{
	static const char *const kv[] = { "blksize", "8" };
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 8, 0, 1 << 20);
	rx(&c, mk_oack(kv, 2), &b);
	for (uint32_t i = 1; i <= 65536; i++)
		rx(&c, mk_data((uint16_t)i, 8), &b);
	/* next expected wire number is 1 again (block 65537) */
	ck_assert_uint_eq(tftp_next_block(&c, 0), 1);
	/* wire 65535 is an old block now */
	ck_assert_int_eq(rx(&c, mk_data(65535, 8), &b), TFTP_A_SEND);
	ck_assert(!b.stored);
	ck_assert_int_eq(rx(&c, mk_data(1, 8), &b), TFTP_A_SEND);
	ck_assert(b.stored);
	ck_assert_uint_eq(b.offset, 65536u * 8);
}
END_TEST

START_TEST(test_errors)
{
	struct tftp_client c;
	struct tftp_block b;
	static const uint8_t notfound[] = "\0\5\0\1No such file\0";
	uint8_t nonul[40];

	start(&c, 512, 0, 100);
	memcpy(pkt, notfound, sizeof(notfound));
	/* an ERROR from any port answers the RRQ */
	ck_assert_int_eq(tftp_receive(&c, 1234, pkt, sizeof(notfound),
				      sizeof(notfound), &b), TFTP_A_FAILED);
	ck_assert_uint_eq(c.error_code, 1);
	ck_assert(c.error_from_server);
	ck_assert_str_eq(c.error_msg, "No such file");
	ck_assert_uint_eq(c.tx_len, 0);
	ck_assert_str_eq(tftp_error_name(1), "File not found");
	ck_assert_str_eq(tftp_error_name(8), "Option negotiation failed");
	ck_assert_str_eq(tftp_error_name(3), "Disk full or allocation exceeded");
	ck_assert_str_eq(tftp_error_name(999), "Unknown error");
	/* message without NUL and with control bytes stays bounded/printable */
	start(&c, 512, 0, 100);
	inet_put16(nonul, TFTP_ERROR);
	inet_put16(nonul + 2, 2);
	memset(nonul + 4, '\n', sizeof(nonul) - 4);
	memcpy(pkt, nonul, sizeof(nonul));
	ck_assert_int_eq(rx(&c, sizeof(nonul), &b), TFTP_A_FAILED);
	ck_assert_uint_eq(strlen(c.error_msg), sizeof(nonul) - 4);
	ck_assert(strchr(c.error_msg, '\n') == NULL);
	/* short ERROR */
	start(&c, 512, 0, 100);
	inet_put16(pkt, TFTP_ERROR);
	ck_assert_int_eq(rx(&c, 2, &b), TFTP_A_NONE);
	/* unknown opcodes are ignored */
	inet_put16(pkt, 9);
	ck_assert_int_eq(rx(&c, 10, &b), TFTP_A_NONE);
	ck_assert_int_eq(c.state, TFTP_S_RRQ_SENT);
}
END_TEST

START_TEST(test_file_too_big)
{
	struct tftp_client c;
	struct tftp_block b;

	start(&c, 0, 0, 1000);
	ck_assert_int_eq(rx(&c, mk_data(1, 512), &b), TFTP_A_SEND);
	ck_assert_int_eq(rx(&c, mk_data(2, 512), &b), TFTP_A_FAILED);
	ck_assert(!b.stored);
	ck_assert_uint_eq(c.error_code, TFTP_ERR_DISK_FULL);
	ck_assert_uint_eq(inet_get16(c.tx), TFTP_ERROR);
}
END_TEST

START_TEST(test_timeouts)
{
	struct tftp_client c;
	struct tftp_block b;
	size_t rrq_len;

	start(&c, 512, 0, 1 << 20);
	rrq_len = c.tx_len;
	ck_assert_int_eq(tftp_timeout(&c), TFTP_A_SEND);
	ck_assert_uint_eq(c.tx_len, rrq_len);	/* the RRQ again */
	ck_assert_uint_eq(c.timeout_ms, 2000);
	rx(&c, mk_data(1, 512), &b);
	ck_assert_uint_eq(c.timeout_ms, 1000);	/* progress resets */
	for (unsigned int i = 0; i < TFTP_MAX_RETRIES_DEFAULT; i++) {
		ck_assert_int_eq(tftp_timeout(&c), TFTP_A_SEND);
		ck_assert_uint_eq(acked_block(&c), 1);
		ck_assert_uint_le(c.timeout_ms, 4000);
	}
	ck_assert_int_eq(tftp_timeout(&c), TFTP_A_FAILED);
	ck_assert_int_eq(c.state, TFTP_S_FAILED);
	ck_assert_int_eq(tftp_timeout(&c), TFTP_A_NONE);
}
END_TEST

START_TEST(test_random_garbage)
{
	struct tftp_client c;
	struct tftp_block b;
	uint64_t stored = 0;

	srand(1);
	start(&c, 1468, 8, 1 << 30);
	for (int i = 0; i < 200000 && c.state != TFTP_S_FAILED; i++) {
		size_t len = (size_t)rand() % 1600;

		for (size_t j = 0; j < len; j++)
			pkt[j] = (uint8_t)rand();
		if (len >= 2 && rand() % 2)
			inet_put16(pkt, (uint16_t)(rand() % 7));
		tftp_receive(&c, SPORT, pkt, len, len, &b);
		if (b.stored) {
			ck_assert_uint_eq(b.offset, stored);
			ck_assert_uint_le(b.len, c.blksize);
			stored += b.len;
		}
		if (c.state == TFTP_S_DONE)
			break;
	}
	ck_assert_uint_eq(stored, c.size);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tftp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rrq_format);
	tcase_add_test(tc, test_rrq_bad_names);
	tcase_add_test(tc, test_oack_window_transfer);
	tcase_add_test(tc, test_server_ignores_options);
	tcase_add_test(tc, test_oack_hostile);
	tcase_add_test(tc, test_empty_oack);
	tcase_add_test(tc, test_loss_and_duplicates);
	tcase_add_test(tc, test_lost_ack0);
	tcase_add_test(tc, test_block_wrap);
	tcase_add_test(tc, test_wrap_stale_block_is_duplicate);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_file_too_big);
	tcase_add_test(tc, test_timeouts);
	tcase_add_test(tc, test_random_garbage);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
