// SPDX-License-Identifier: MIT
/*
 * virtio-MMIO transport without KVM: fake host ops (plain eventfds, a
 * local bus) and a fake device that records what the transport asks of
 * it.  Register layout, status state machine, feature negotiation, queue
 * set-up checks, reset, interrupts, config space and generation.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/state_stream.h"
#include "devices/virtio_mmio.h"
#include "vmm/bus.h"
#include "tests/lib/fake_virtio.h"
#include "tests/unit/unit_main.h"

#define RAM_SIZE	0x40000ull
#define SLOT		3
#define BASE		(LAYOUT_VIRTIO_MMIO_BASE + SLOT * LAYOUT_VIRTIO_MMIO_SIZE)

struct fake_dev {
	int activated, resets;
	uint64_t features;
	struct virtq *vqs;
	unsigned int nr;
	int activate_ret;
	uint8_t config[12];
};

static struct fake_virtio_host host;
static struct fake_dev dev;
static struct virtio_mmio *t;

static uint64_t fake_features(void *d)
{
	(void)d;
	return 1ull << 5;
}

static void fake_config_read(void *d, uint32_t off, void *data, uint32_t size)
{
	memcpy(data, ((struct fake_dev *)d)->config + off, size);
}

static void fake_config_write(void *d, uint32_t off, const void *data,
			      uint32_t size)
{
	memcpy(((struct fake_dev *)d)->config + off, data, size);
}

static int fake_activate(void *d, uint64_t features, struct virtq *vqs,
			 unsigned int nr)
{
	struct fake_dev *f = d;

	f->activated++;
	f->features = features;
	f->vqs = vqs;
	f->nr = nr;
	return f->activate_ret;
}

static void fake_reset(void *d)
{
	((struct fake_dev *)d)->resets++;
}

static const struct virtio_device_ops fake_ops = {
	.name = "fake",
	.device_id = 42,
	.nr_queues = 2,
	.queue_max_size = 64,
	.config_size = 12,
	.features = fake_features,
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.activate = fake_activate,
	.reset = fake_reset,
};


static uint32_t rd(uint64_t off)
{
	uint32_t v;

	ck_assert(bus_read(&host.bus, BASE + off, &v, 4));
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	ck_assert(bus_write(&host.bus, BASE + off, &v, 4));
}

static uint64_t drain(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void setup(void)
{
	/* No ioeventfd: the transport signals the kick fd itself. */
	fake_virtio_host_init(&host, RAM_SIZE, SLOT);
	memset(&dev, 0, sizeof(dev));
	memcpy(dev.config, "ABCDEFGHIJKL", 12);
	ck_assert_int_eq(virtio_mmio_create(&t, &host.ops, &host.mem, FAKE_WINDOW(SLOT),
					    &fake_ops, &dev), 0);
}

static void teardown(void)
{
	virtio_mmio_destroy(t);
	fake_virtio_host_free(&host);
}

static bool needs_reset(void)
{
	return rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* The Linux driver's order up to FEATURES_OK. */
static void negotiate(uint32_t lo, uint32_t hi)
{
	fake_virtio_negotiate(&host, lo | (uint64_t)hi << 32);
}

static void setup_queue(unsigned int q, uint32_t num, uint64_t desc,
			uint64_t avail, uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

#define STATUS_FEATURES_OK	FAKE_VIRTIO_STATUS_FEATURES_OK
#define STATUS_LIVE		FAKE_VIRTIO_STATUS_LIVE

/* Full bring-up: features with VERSION_1 + EVENT_IDX, queue 0 live. */
static void bring_up(void)
{
	negotiate(1u << 5 | 1u << VIRTIO_RING_F_EVENT_IDX, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), STATUS_FEATURES_OK);
	setup_queue(0, 64, 0x1000, 0x2000, 0x3000);
	wr(VIRTIO_MMIO_STATUS, STATUS_LIVE);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), STATUS_LIVE);
}

START_TEST(test_identity)
{
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), 42);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	/* QueueReset (virtio 1.2, 0x0c0; RING_RESET is not offered). */
	ck_assert_uint_eq(rd(0x0c0), 0);
	/* Unclaimed registers read 0; write-only ones too. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	ck_assert_uint_eq(rd(0x0f8), 0);
	/* Window end: the next slot is not ours. */
	ck_assert(!bus_read(&host.bus, BASE + LAYOUT_VIRTIO_MMIO_SIZE,
			    &(uint32_t){ 0 }, 4));
}
END_TEST

START_TEST(test_device_features)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = rd(VIRTIO_MMIO_DEVICE_FEATURES);

	ck_assert(lo & (1u << 5));
	ck_assert(lo & (1u << VIRTIO_RING_F_EVENT_IDX));
	ck_assert(lo & (1u << VIRTIO_RING_F_INDIRECT_DESC));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
}
END_TEST

START_TEST(test_features_ok_needs_version_1)
{
	negotiate(1u << 5, 0);		/* legacy driver: refused */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	negotiate(1u << 5, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), STATUS_FEATURES_OK);
}
END_TEST

START_TEST(test_features_not_offered)
{
	negotiate(1u << 6, 1);		/* bit 6 was not offered */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	negotiate(0, 1 | 2);		/* bit 33 neither */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	ck_assert(!needs_reset());
}
END_TEST

START_TEST(test_features_frozen_after_ok)
{
	negotiate(0, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 5);
	ck_assert(needs_reset());
	setup_queue(0, 16, 0x1000, 0x2000, 0x3000);
	wr(VIRTIO_MMIO_STATUS, STATUS_LIVE);
	ck_assert_uint_eq(dev.activated, 1);
	ck_assert_uint_eq(dev.features, 1ull << 32);	/* unchanged */
}
END_TEST

START_TEST(test_status_order_violations)
{
	/* DRIVER without ACKNOWLEDGE. */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_DRIVER);
	ck_assert(needs_reset());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);

	/* DRIVER_OK without FEATURES_OK. */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	   VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(needs_reset());
	ck_assert_uint_eq(dev.activated, 0);
	wr(VIRTIO_MMIO_STATUS, 0);

	/* Clearing a bit without a reset. */
	negotiate(0, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert(needs_reset());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & 0xf, STATUS_FEATURES_OK);

	/* FAILED may be set at any time. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FAILED);
	ck_assert(!needs_reset());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FAILED);
}
END_TEST

START_TEST(test_bring_up_and_reset)
{
	bring_up();
	ck_assert_uint_eq(dev.activated, 1);
	ck_assert_uint_eq(dev.nr, 2);
	ck_assert(dev.vqs[0].ready);
	ck_assert(dev.vqs[0].event_idx);
	ck_assert(!dev.vqs[0].indirect);
	ck_assert_uint_eq(dev.vqs[0].size, 64);
	ck_assert(!dev.vqs[1].ready);		/* never enabled */
	ck_assert(dev.features & (1ull << VIRTIO_F_VERSION_1));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);

	/* Reset: the device is stopped, everything is back to zero. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(dev.resets, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!dev.vqs[0].ready);

	/* And it comes up again. */
	bring_up();
	ck_assert_uint_eq(dev.activated, 2);
	/* A second reset before activation does not reset the device. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(dev.resets, 2);
}
END_TEST

START_TEST(test_queue_checks)
{
	negotiate(0, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);		/* no such queue */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(!needs_reset());

	/* Bigger than QueueNumMax. */
	setup_queue(0, 128, 0x1000, 0x2000, 0x3000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(needs_reset());
	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(0, 1);
	/* Not a power of two. */
	setup_queue(0, 24, 0x1000, 0x2000, 0x3000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(0, 1);
	/* 64-bit addresses: the high half matters (outside RAM). */
	setup_queue(0, 16, 0x100001000ull, 0x2000, 0x3000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(needs_reset());
	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(0, 1);
	/* Used ring running past RAM. */
	setup_queue(1, 64, 0x1000, 0x2000, RAM_SIZE - 0x100);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(needs_reset());
}
END_TEST

START_TEST(test_queue_frozen_when_live)
{
	bring_up();
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000);
	ck_assert(needs_reset());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	/* The live queue kept its rings. */
	ck_assert_ptr_eq((void *)dev.vqs[0].desc, host.ram + 0x1000);
}
END_TEST

START_TEST(test_activate_failure)
{
	dev.activate_ret = -EINVAL;
	negotiate(0, 1);
	setup_queue(0, 16, 0x1000, 0x2000, 0x3000);
	wr(VIRTIO_MMIO_STATUS, STATUS_LIVE);
	ck_assert(needs_reset());
	/* The driver got told: config change interrupt. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS) &
			  VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_ge(drain(host.irq_fd), 1);
	ck_assert_uint_eq(host.irq_gsi, IRQ_VIRTIO_MMIO_BASE + SLOT);
	/* Not live: reset does not call the device. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(dev.resets, 0);
}
END_TEST

START_TEST(test_notify_and_interrupts)
{
	struct virtio_transport *tp = virtio_mmio_transport(t);
	int kick0 = virtio_kick_fd(tp, 0), kick1 = virtio_kick_fd(tp, 1);

	ck_assert_int_ge(kick0, 0);
	ck_assert_int_ge(kick1, 0);
	ck_assert_int_ne(kick0, kick1);
	ck_assert_int_eq(virtio_kick_fd(tp, 2), -EINVAL);
	bring_up();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_uint_eq(drain(kick1), 1);
	ck_assert_uint_eq(drain(kick0), 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7);	/* no such queue: ignored */
	ck_assert_uint_eq(drain(kick0), 0);

	virtio_signal_used(tp);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(drain(host.irq_fd), 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	uint32_t gen = rd(VIRTIO_MMIO_CONFIG_GENERATION);

	virtio_signal_config(tp);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(drain(host.irq_fd), 1);

	/* Device-detected breakage: flag + config interrupt, once. */
	virtio_needs_reset(tp);
	virtio_needs_reset(tp);
	ck_assert(needs_reset());
	ck_assert_uint_eq(drain(host.irq_fd), 1);
	/* A reset clears it. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert(!needs_reset());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* Kick fds survive resets. */
	ck_assert_int_eq(virtio_kick_fd(tp, 0), kick0);
}
END_TEST

START_TEST(test_config_space)
{
	uint8_t b = 0;
	uint16_t w = 0;
	uint32_t l = 0;
	uint64_t q = 0;

	ck_assert(bus_read(&host.bus, BASE + 0x100, &b, 1));
	ck_assert_uint_eq(b, 'A');
	ck_assert(bus_read(&host.bus, BASE + 0x101, &w, 2));
	ck_assert_uint_eq(w, 'B' | 'C' << 8);
	ck_assert(bus_read(&host.bus, BASE + 0x104, &q, 8));
	ck_assert_int_eq(memcmp(&q, "EFGHIJKL", 8), 0);
	/* Past the end of config space: zeroes, no overrun. */
	l = 0x12345678;
	ck_assert(bus_read(&host.bus, BASE + 0x10a, &l, 4));
	ck_assert_uint_eq(l, 0);
	ck_assert(bus_read(&host.bus, BASE + 0xffc, &l, 4));
	ck_assert_uint_eq(l, 0);
	/* Writes inside land in the device, outside are dropped. */
	b = 'z';
	ck_assert(bus_write(&host.bus, BASE + 0x100, &b, 1));
	ck_assert_uint_eq(dev.config[0], 'z');
	l = 0xffffffff;
	ck_assert(bus_write(&host.bus, BASE + 0x10a, &l, 4));
	ck_assert_uint_eq(dev.config[10], 'K');
}
END_TEST

START_TEST(test_register_width)
{
	uint16_t w = 0xffff;
	uint8_t b = 0xff;

	/* Registers are 32-bit only: narrower accesses read 0, writes drop. */
	ck_assert(bus_read(&host.bus, BASE + VIRTIO_MMIO_MAGIC_VALUE, &w, 2));
	ck_assert_uint_eq(w, 0);
	ck_assert(bus_read(&host.bus, BASE + VIRTIO_MMIO_MAGIC_VALUE + 1, &b, 1));
	ck_assert_uint_eq(b, 0);
	b = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	ck_assert(bus_write(&host.bus, BASE + VIRTIO_MMIO_STATUS, &b, 1));
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	/* Misaligned 32-bit access. */
	uint32_t l = 0xffffffff;

	ck_assert(bus_read(&host.bus, BASE + 2, &l, 4));
	ck_assert_uint_eq(l, 0);
}
END_TEST

START_TEST(test_destroy_live_resets)
{
	bring_up();
	virtio_mmio_destroy(t);
	ck_assert_uint_eq(dev.resets, 1);
	/* Recreate for teardown (the bus keeps the old window: new bus). */
	memset(&host.bus, 0, sizeof(host.bus));
	ck_assert_int_eq(virtio_mmio_create(&t, &host.ops, &host.mem, FAKE_WINDOW(SLOT),
					    &fake_ops, &dev), 0);
}
END_TEST

/* A second transport on a fresh bus, as a restored process has. */
static void recreate(void)
{
	virtio_mmio_destroy(t);
	fake_virtio_host_free(&host);
	fake_virtio_host_init(&host, RAM_SIZE, SLOT);
	memset(&dev, 0, sizeof(dev));
	ck_assert_int_eq(virtio_mmio_create(&t, &host.ops, &host.mem, FAKE_WINDOW(SLOT),
					    &fake_ops, &dev), 0);
}

/* Snapshots: a live transport saved and loaded comes back live, with its
 * queue positions, and the device is activated on the same rings. */
START_TEST(test_save_load_live)
{
	struct state_writer w;
	struct state_reader r;

	bring_up();
	dev.vqs[0].last_avail = 7;
	dev.vqs[0].used_idx = 7;
	dev.vqs[0].signalled_used = 6;
	dev.vqs[0].signalled_valid = true;
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	state_writer_init(&w);
	virtio_mmio_save(t, &w);
	ck_assert(!w.bad);

	recreate();
	state_reader_init(&r, w.buf, w.len);
	ck_assert_int_eq(virtio_mmio_load(t, &r), 0);
	ck_assert_int_eq(dev.activated, 1);
	ck_assert_uint_eq(dev.features, 1u << 5 | 1u << VIRTIO_RING_F_EVENT_IDX |
			  1ull << 32);
	ck_assert(dev.vqs[0].ready && dev.vqs[0].event_idx);
	ck_assert_uint_eq(dev.vqs[0].size, 64);
	ck_assert_uint_eq(dev.vqs[0].last_avail, 7);
	ck_assert_uint_eq(dev.vqs[0].used_idx, 7);
	ck_assert_uint_eq(dev.vqs[0].signalled_used, 6);
	ck_assert(!dev.vqs[1].ready);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), STATUS_LIVE);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);	/* queue 1 selected */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	/* Still a normal transport: a reset stops the device. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(dev.resets, 1);
	state_writer_free(&w);
}
END_TEST

/* Every field is checked as the registers would check it. */
START_TEST(test_load_refuses_malformed)
{
	struct state_writer w;
	struct state_reader r;
	uint8_t *copy;

	bring_up();
	state_writer_init(&w);
	virtio_mmio_save(t, &w);
	copy = malloc(w.len);
	recreate();
	/* Cut anywhere: refused, nothing activated. */
	for (size_t n = 0; n < w.len; n += 3) {
		state_reader_init(&r, w.buf, n);
		ck_assert_int_eq(virtio_mmio_load(t, &r), -EINVAL);
	}
	ck_assert_int_eq(dev.activated, 0);
	/* Features the device never offered (byte 12: driver_features). */
	memcpy(copy, w.buf, w.len);
	copy[12 + 1] |= 0x80;
	state_reader_init(&r, copy, w.len);
	ck_assert_int_eq(virtio_mmio_load(t, &r), -EINVAL);
	/* A queue larger than the device allows (queue 0's num at 37). */
	memcpy(copy, w.buf, w.len);
	copy[37] = 0;
	copy[38] = 1;	/* 256 > 64 */
	state_reader_init(&r, copy, w.len);
	ck_assert_int_eq(virtio_mmio_load(t, &r), -EINVAL);
	/* Live without DRIVER_OK. */
	memcpy(copy, w.buf, w.len);
	copy[0] &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
	state_reader_init(&r, copy, w.len);
	ck_assert_int_eq(virtio_mmio_load(t, &r), -EINVAL);
	/* Rings outside guest memory: activation fails, device stays off. */
	memcpy(copy, w.buf, w.len);
	copy[40 + 7] = 0x10;	/* queue 0's desc address, high byte */
	state_reader_init(&r, copy, w.len);
	ck_assert_int_eq(virtio_mmio_load(t, &r), -EINVAL);
	ck_assert_int_eq(dev.activated, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	free(copy);
	state_writer_free(&w);
}
END_TEST

START_TEST(test_create_rejects)
{
	struct virtio_mmio *t2;
	struct virtio_device_ops bad = fake_ops;

	/* Slot taken on the bus. */
	ck_assert_int_eq(virtio_mmio_create(&t2, &host.ops, &host.mem, FAKE_WINDOW(SLOT),
					    &fake_ops, &dev), -EBUSY);
	ck_assert_int_eq(virtio_mmio_create(&t2, &host.ops, &host.mem, NULL,
					    &fake_ops, &dev), -EINVAL);
	bad.queue_max_size = 48;
	ck_assert_int_eq(virtio_mmio_create(&t2, &host.ops, &host.mem, FAKE_WINDOW(0),
					    &bad, &dev), -EINVAL);
	bad = fake_ops;
	bad.nr_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	ck_assert_int_eq(virtio_mmio_create(&t2, &host.ops, &host.mem, FAKE_WINDOW(0),
					    &bad, &dev), -EINVAL);
	bad = fake_ops;
	bad.config_size = 0x1000;
	ck_assert_int_eq(virtio_mmio_create(&t2, &host.ops, &host.mem, FAKE_WINDOW(0),
					    &bad, &dev), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("transport");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_device_features);
	tcase_add_test(tc, test_features_ok_needs_version_1);
	tcase_add_test(tc, test_features_not_offered);
	tcase_add_test(tc, test_features_frozen_after_ok);
	tcase_add_test(tc, test_status_order_violations);
	tcase_add_test(tc, test_bring_up_and_reset);
	tcase_add_test(tc, test_queue_checks);
	tcase_add_test(tc, test_queue_frozen_when_live);
	tcase_add_test(tc, test_activate_failure);
	tcase_add_test(tc, test_notify_and_interrupts);
	tcase_add_test(tc, test_config_space);
	tcase_add_test(tc, test_register_width);
	tcase_add_test(tc, test_destroy_live_resets);
	tcase_add_test(tc, test_save_load_live);
	tcase_add_test(tc, test_load_refuses_malformed);
	tcase_add_test(tc, test_create_rejects);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
