// SPDX-License-Identifier: MIT
/*
 * The netboot firmware's receive loop (boot/firmware/net.c, built here
 * for the host) against a hostile network: a device whose ring is never
 * empty (a steady flood), frames that look like progress, and the whole
 * netboot's deadline.  The device and the clock are fakes: each frame
 * takes one millisecond.
 */
#include <check.h>
#include <setjmp.h>
#include <string.h>

#include "boot/firmware/net.c"
#include "tests/unit/unit_main.h"

static uint64_t fake_ms;
static unsigned long polls, clock_reads;
static bool flood;
static uint8_t flood_frame[ETH_FRAME_MAX];
static size_t flood_len;
static uint8_t tx_buf[ETH_FRAME_MAX + 64];

uint64_t timer_now_ms(void)
{
	clock_reads++;
	return fake_ms;
}

void vnet_rx_fill(struct vnet *v, vnet_payload_fn fn, void *ctx)
{
	(void)v; (void)fn; (void)ctx;
}

void vnet_rx_kick(struct vnet *v)
{
	(void)v;
}

bool vnet_rx_poll(struct vnet *v, struct vnet_packet *p)
{
	(void)v;
	polls++;
	fake_ms++;		/* time passes while frames arrive */
	if (!flood)
		return false;
	memset(p, 0, sizeof(*p));
	p->frame = flood_frame;
	p->frame_len = p->head_len = flood_len;
	p->payload = flood_frame + INET_UDP_HLEN;
	p->csum_ok = true;
	return true;
}

void vnet_rx_linearize(struct vnet *v, struct vnet_packet *p)
{
	(void)v; (void)p;
}

uint8_t *vnet_tx_frame(struct vnet *v)
{
	(void)v;
	return tx_buf;
}

void vnet_tx_send(struct vnet *v, size_t len)
{
	(void)v; (void)len;
}

static struct vnet vnet;
static struct net net;
static unsigned int handled;
static bool progress;

/* Every flood frame reaches the handler: broadcast UDP to port 9. */
static int count_frames(void *ctx, struct net *n, struct vnet_packet *p,
			const struct inet_udp *u)
{
	(void)ctx; (void)p; (void)u;
	handled++;
	if (progress)
		n->rearm_ms = 1000;	/* looks like a block: re-arm */
	return NET_CONTINUE;
}

static jmp_buf expired_jmp;

static __attribute__((noreturn)) void expired(struct net *n)
{
	(void)n;
	longjmp(expired_jmp, 1);
}

static void setup(void)
{
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 };
	struct inet_udp_addr a = {
		.src_mac = src, .dst_mac = inet_broadcast_mac,
		.src_ip = 0x0a4d00fa, .dst_ip = 0xffffffffu,
		.src_port = 12345, .dst_port = 9,
	};

	memset(&net, 0, sizeof(net));
	memset(flood_frame + INET_UDP_HLEN, 'F', 64);
	flood_len = inet_udp_build(flood_frame, sizeof(flood_frame), &a, 64);
	ck_assert_uint_gt(flood_len, 0);
	net.vnet = &vnet;
	net.ip = 0x0a4d002a;
	fake_ms = 1000;
	polls = clock_reads = handled = 0;
	flood = true;
	progress = false;
}

/* The ring never runs empty: the wait still ends at its deadline, late
 * by at most NET_CLOCK_EVERY frames. */
START_TEST(test_timeout_holds_under_flood)
{
	uint64_t deadline;

	setup();
	deadline = fake_ms + 100;
	ck_assert_int_eq(net_run(&net, count_frames, 0, 0, 0, &deadline),
			 NET_TIMEOUT);
	ck_assert_uint_ge(fake_ms, 1100);
	ck_assert_uint_le(fake_ms, 1100 + NET_CLOCK_EVERY);
	ck_assert_uint_ge(handled, 100);
	/* ... reading the clock once per NET_CLOCK_EVERY frames, no more. */
	ck_assert_uint_le(clock_reads, handled / NET_CLOCK_EVERY + 2);
}
END_TEST

/* Frames that look like progress re-arm the wait for ever; the whole
 * netboot's deadline (end_ms) still ends it. */
START_TEST(test_overall_deadline_under_progress)
{
	uint64_t deadline;

	setup();
	deadline = fake_ms + 1000;
	progress = true;
	net.end_ms = fake_ms + 5000;
	net.expired = expired;
	if (!setjmp(expired_jmp)) {
		net_run(&net, count_frames, 0, 0, 0, &deadline);
		ck_abort_msg("net_run returned instead of expiring");
	}
	ck_assert_uint_ge(fake_ms, 6000);
	ck_assert_uint_le(fake_ms, 6000 + NET_CLOCK_EVERY);
}
END_TEST

/* A quiet network: the deadline is checked at every idle poll. */
START_TEST(test_idle_timeout_and_deadline)
{
	uint64_t deadline;

	setup();
	deadline = fake_ms + 10;
	flood = false;
	ck_assert_int_eq(net_run(&net, count_frames, 0, 0, 0, &deadline),
			 NET_TIMEOUT);
	ck_assert_uint_eq(fake_ms, 1010);
	net.end_ms = fake_ms + 3;
	net.expired = expired;
	deadline = fake_ms + 100;
	if (!setjmp(expired_jmp)) {
		net_run(&net, count_frames, 0, 0, 0, &deadline);
		ck_abort_msg("net_run returned instead of expiring");
	}
	ck_assert_uint_eq(fake_ms, 1013);
}
END_TEST

static Suite *fw_net_suite(void)
{
	Suite *s = suite_create("fw_net");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timeout_holds_under_flood);
	tcase_add_test(tc, test_overall_deadline_under_progress);
	tcase_add_test(tc, test_idle_timeout_and_deadline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(fw_net_suite());
}
