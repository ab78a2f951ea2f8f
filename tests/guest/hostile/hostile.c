// SPDX-License-Identifier: MIT
/*
 * The hostile test guest: attacks its own VM, then checks that an innocent
 * device still works.  Expects two virtio-blk drives (window 0: the victim,
 * window 1: the innocent one, whose sector s starts with "INNOCENT s").
 * Prints "HOSTILE key=value" lines on COM1 (cases/hostile_guest.sh reads
 * them), a verdict line, then powers off.  Lean on purpose: every
 * instruction is emulated on the CI machines.
 *
 * hostile.mode=stall on the command line runs the shutdown attack instead
 * (cases/hostile_stall.sh): requests over the advertised limits, a reset
 * under a queue of the largest legal requests, then such a queue left
 * running for the host's SIGTERM.  hostile.mode=flood floods COM1
 * (cases/serial_flood.sh); hostile.mode=forge only claims netboot
 * verdicts on the firmware's status port (tests/netboot);
 * hostile.mode=markers writes 1000 -trace-boot markers (cases/trace_bound.sh);
 * hostile.mode=net and netflood attack virtio-net over a real TAP
 * (cases/hostile_net.sh).  hostile.mode=race uses two CPUs: one drives
 * the drive and the NIC, the other rewrites their rings under them and
 * resets them, until the host's SIGTERM (cases/hostile_race.sh).
 * hostile.loop=NAME repeats one of the default run's attacks until the
 * host's SIGTERM (cases/hostile_sigterm.sh).
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "boot/layout.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_serial.h"
#include "tests/guest/lib/guest_smp.h"
#include "tests/guest/lib/guest_string.h"

#define H "HOSTILE "
#define NL "\r\n"

/* Registers, status, feature and descriptor bits: the kernel's uapi. */
#define MAGIC		0x74726976	/* "virt" */
#define FEAT_LO(bit)	(1u << (bit))		/* feature word 0 */
#define FEAT_HI(bit)	(1u << ((bit) - 32))	/* feature word 1 */
#define ST_SET_UP	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
			 VIRTIO_CONFIG_S_FEATURES_OK)

#define QSIZE		8
#define VICTIM		0
#define INNOCENT	1
#define WINDOWS		LAYOUT_VIRTIO_MMIO_MAX

/* Guest RAM used for rings and buffers (the image runs at 16 MiB). */
#define AREA(n)		(0x2000000ULL + (uint64_t)(n) * 0x400000ULL)
#define O_DESC		0x0000
#define O_AVAIL		0x1000
#define O_USED		0x2000
#define O_IND		0x3000		/* indirect tables, 0x100 apart */
#define O_HDR		0x4000
#define O_STATUS	0x4100
#define O_DATA		0x10000
#define BIG_READ	0x100000	/* 1 MiB: still in flight at reset */


struct vq {
	uint64_t win, area;
	uint16_t avail_idx;
};

static uint64_t win_base(unsigned int n)
{
	return LAYOUT_VIRTIO_MMIO_BASE + n * LAYOUT_VIRTIO_MMIO_SIZE;
}

static uint32_t rd(uint64_t win, uint32_t off)
{
	return mmio_read32(win + off);
}

static void wr(uint64_t win, uint32_t off, uint32_t v)
{
	mmio_write32(win + off, v);
}

static void *ptr(uint64_t gpa)
{
	return (void *)(uintptr_t)gpa;
}

static void barrier(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

/* ---- attacks on the legacy ports ---- */

/* Junk that never asks for power-off, reset or a firmware verdict. */
static const uint32_t junk[] = { 0x5a5a5a5a, 0xc3c3c3c3, 0, 0x80808080 };

static void port_junk(uint16_t first, uint16_t last, unsigned int *n)
{
	for (uint16_t p = first; p <= last; p++) {
		for (unsigned int j = 0; j < 4; j++) {
			outb(p, (uint8_t)junk[j]);
			outw(p, (uint16_t)junk[j]);
			outl(p, junk[j]);
			(void)inb(p);
			(void)inw(p);
			(void)inl(p);
			*n += 6;
		}
	}
}

/*
 * Claim a netboot outcome (minivmm exit 6 or 5) from a guest that is not
 * the netboot firmware: the status port must not exist without -netboot,
 * nor after the firmware's hand-off to the kernel.
 */
static void forge_netboot_verdicts(void)
{
	outb(PORT_FW_STATUS, FW_STATUS_LOCALBOOT);
	outb(PORT_FW_STATUS, FW_STATUS_NETBOOT_FAILED);
}

static void attack_ports(void)
{
	unsigned int n = 0;

	guest_printf(H "phase=ports" NL);
	port_junk(PORT_COM1, PORT_COM1 + 7, &n);
	/* The UART may now be in loopback or DLAB mode: set it up again. */
	serial_init();
	port_junk(PORT_I8042_DATA, PORT_I8042_CMD, &n);
	port_junk(PORT_ACPI_SLEEP_CTL, PORT_ACPI_RESET, &n);
	port_junk(PORT_DEBUG_TRACE, PORT_FW_STATUS, &n);
	forge_netboot_verdicts();
	n += 2;
	serial_init();
	guest_printf(H "ports.accesses=%u" NL, n);
}

/* ---- attacks on the virtio-mmio registers ---- */

static void mmio_junk_window(uint64_t win, unsigned int *n)
{
	for (uint32_t off = 0; off < VIRTIO_MMIO_CONFIG + 0x40; off += 4) {
		uint32_t v = junk[(off >> 2) & 3];

		/* Status is attacked below on purpose, not by accident. */
		if (off == VIRTIO_MMIO_STATUS)
			continue;
		mmio_write8(win + off + 1, (uint8_t)v);
		mmio_write16(win + off + 2, (uint16_t)v);
		mmio_write32(win + off, v);
		*(volatile uint64_t *)(uintptr_t)(win + off) = v | (uint64_t)v << 32;
		(void)mmio_read8(win + off + 3);
		(void)*(volatile uint16_t *)(uintptr_t)(win + off + 1);
		(void)mmio_read32(win + off);
		(void)*(volatile uint64_t *)(uintptr_t)(win + off);
		*n += 8;
	}
	/* Every status bit pattern the state machine should refuse. */
	wr(win, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_DRIVER_OK);
	wr(win, VIRTIO_MMIO_STATUS, 0xff);
	wr(win, VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FEATURES_OK);
	wr(win, VIRTIO_MMIO_STATUS, 0);
	*n += 4;
}

static void attack_mmio(void)
{
	unsigned int n = 0, devices = 0;

	guest_printf(H "phase=mmio" NL);
	for (unsigned int w = 0; w < WINDOWS; w++) {
		uint64_t win = win_base(w);

		if (rd(win, VIRTIO_MMIO_MAGIC_VALUE) == MAGIC &&
		    rd(win, VIRTIO_MMIO_DEVICE_ID))
			devices++;
		mmio_junk_window(win, &n);
	}
	guest_printf(H "mmio.devices=%u mmio.accesses=%u" NL, devices, n);
}

/* ---- a minimal polled virtio-blk driver ---- */

/* Reset and bring a device up with queue 0 at the given addresses;
 * returns the status register afterwards. */
static uint32_t dev_up(uint64_t win, uint32_t num, uint64_t desc,
		       uint64_t avail, uint64_t used)
{
	wr(win, VIRTIO_MMIO_STATUS, 0);
	wr(win, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(win, VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES, FEAT_LO(VIRTIO_RING_F_INDIRECT_DESC));
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES, FEAT_HI(VIRTIO_F_VERSION_1));
	wr(win, VIRTIO_MMIO_STATUS, ST_SET_UP);
	wr(win, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(win, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(win, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(win, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(win, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(win, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(win, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(win, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(win, VIRTIO_MMIO_QUEUE_READY, 1);
	wr(win, VIRTIO_MMIO_STATUS, ST_SET_UP | VIRTIO_CONFIG_S_DRIVER_OK);
	return rd(win, VIRTIO_MMIO_STATUS);
}

static uint32_t vq_up(struct vq *q, unsigned int dev)
{
	q->win = win_base(dev);
	q->area = AREA(dev);
	q->avail_idx = 0;
	/* Only the ring pages: zeroing is an emulated loop here. */
	memset(ptr(q->area), 0, 0x3000);
	return dev_up(q->win, QSIZE, q->area + O_DESC, q->area + O_AVAIL,
		      q->area + O_USED);
}

static struct vring_desc *vq_desc(struct vq *q, unsigned int i)
{
	return (struct vring_desc *)ptr(q->area + O_DESC) + i;
}

static void set_desc(struct vring_desc *d, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* A read request header + data + status chain at descriptors 0..2. */
static void vq_read_chain(struct vq *q, uint64_t sector, uint32_t len)
{
	uint32_t *hdr = ptr(q->area + O_HDR);

	hdr[0] = VIRTIO_BLK_T_IN;
	hdr[1] = 0;
	hdr[2] = (uint32_t)sector;
	hdr[3] = (uint32_t)(sector >> 32);
	*(volatile uint8_t *)ptr(q->area + O_STATUS) = 0xff;
	set_desc(vq_desc(q, 0), q->area + O_HDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(vq_desc(q, 1), q->area + O_DATA, len,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(vq_desc(q, 2), q->area + O_STATUS, 1, VRING_DESC_F_WRITE, 0);
}

static void vq_post(struct vq *q, uint16_t head, uint16_t step)
{
	volatile uint16_t *avail = ptr(q->area + O_AVAIL);

	avail[2 + q->avail_idx % QSIZE] = head;
	barrier();
	q->avail_idx = (uint16_t)(q->avail_idx + step);
	avail[1] = q->avail_idx;
	barrier();
	wr(q->win, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint16_t vq_used_idx(struct vq *q)
{
	return ((volatile uint16_t *)ptr(q->area + O_USED))[1];
}

/*
 * Poll until the used index reaches want or the device asks for a reset.
 * Returns 1 (done), 0 (DEVICE_NEEDS_RESET) or -1 (nothing happened).
 */
static int vq_wait(struct vq *q, uint16_t want)
{
	for (unsigned int i = 0; i < 20000; i++) {
		if (vq_used_idx(q) == want)
			return 1;
		if (rd(q->win, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET)
			return 0;
		__asm__ volatile("pause");
	}
	return -1;
}

/* ---- attacks on the victim's rings and chains ---- */

struct verdict {
	unsigned int cases, needs_reset, failed_setup, completed, silent;
};

static void report(struct verdict *v, const char *name, int r, struct vq *q)
{
	uint32_t st = rd(q->win, VIRTIO_MMIO_STATUS);

	v->cases++;
	if (st & VIRTIO_CONFIG_S_NEEDS_RESET)
		v->needs_reset++;
	else if (r > 0)
		v->completed++;
	else
		v->silent++;
	guest_printf(H "case=%s result=%s status=0x%x used=%u blk=%u" NL, name,
		     r > 0 ? "done" : r == 0 ? "needs_reset" : "none", st,
		     vq_used_idx(q), *(volatile uint8_t *)ptr(q->area + O_STATUS));
	wr(q->win, VIRTIO_MMIO_INTERRUPT_ACK,
	   rd(q->win, VIRTIO_MMIO_INTERRUPT_STATUS));
}

/* Queue set-ups a device must refuse (or survive without touching RAM). */
static void attack_queue_setup(struct verdict *v)
{
	static const struct {
		const char *name;
		uint32_t num;
		uint64_t desc, avail, used;
	} bad[] = {
		{ "q.outside_ram", QSIZE, 0xE0000000ULL, 0xE0001000ULL, 0xE0002000ULL },
		{ "q.above_4g", QSIZE, 0x4000000000ULL, AREA(0) + O_AVAIL, AREA(0) + O_USED },
		{ "q.unaligned", QSIZE, AREA(0) + 1, AREA(0) + O_AVAIL + 1, AREA(0) + O_USED + 2 },
		{ "q.overlap", QSIZE, AREA(0), AREA(0), AREA(0) },
		{ "q.straddle_ram_end", QSIZE, AREA(0), AREA(0) + O_AVAIL, 0x3FFFFF8ULL },
		{ "q.num_0", 0, AREA(0), AREA(0) + O_AVAIL, AREA(0) + O_USED },
		{ "q.num_3", 3, AREA(0), AREA(0) + O_AVAIL, AREA(0) + O_USED },
		{ "q.num_65535", 65535, AREA(0), AREA(0) + O_AVAIL, AREA(0) + O_USED },
		{ "q.wrap_64bit", QSIZE, 0xFFFFFFFFFFFFFFF0ULL, AREA(0) + O_AVAIL, AREA(0) + O_USED },
	};
	struct vq q = { .win = win_base(VICTIM), .area = AREA(VICTIM) };

	guest_printf(H "phase=queues" NL);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t st = dev_up(q.win, bad[i].num, bad[i].desc,
				     bad[i].avail, bad[i].used);
		bool live = (st & VIRTIO_CONFIG_S_DRIVER_OK) &&
			    !(st & VIRTIO_CONFIG_S_NEEDS_RESET);

		wr(q.win, VIRTIO_MMIO_QUEUE_SEL, 0);
		/* A queue the device accepted must at least not hurt. */
		if (live)
			wr(q.win, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		v->cases++;
		st = rd(q.win, VIRTIO_MMIO_STATUS);
		if (!live)
			v->failed_setup++;
		guest_printf(H "case=%s status=0x%x ready=%u" NL, bad[i].name, st,
			     rd(q.win, VIRTIO_MMIO_QUEUE_READY));
	}
}

/* One malformed chain per case; returns what vq_wait said. */
static int chain_case(struct vq *q, unsigned int kind)
{
	struct vring_desc *ind = ptr(q->area + O_IND);

	vq_up(q, VICTIM);
	vq_read_chain(q, 0, 512);
	switch (kind) {
	case 0:		/* loop: 2 -> 1 -> 2 ... */
		set_desc(vq_desc(q, 2), q->area + O_STATUS, 1,
			 VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
		break;
	case 1:		/* data buffer outside RAM */
		vq_desc(q, 1)->addr = 0xF0000000ULL;
		break;
	case 2:		/* zero-length header and data */
		vq_desc(q, 0)->len = 0;
		vq_desc(q, 1)->len = 0;
		break;
	case 3:		/* gigantic data buffer */
		vq_desc(q, 1)->len = 0xFFFFFFFFu;
		break;
	case 4:		/* indirect table that holds another indirect */
		set_desc(&ind[0], q->area + O_IND + 0x100, 32, VRING_DESC_F_INDIRECT, 0);
		set_desc(vq_desc(q, 0), q->area + O_IND, 16, VRING_DESC_F_INDIRECT, 0);
		break;
	case 5:		/* next index beyond the queue */
		vq_desc(q, 1)->next = 0x7fff;
		break;
	case 6:		/* indirect table outside RAM, odd length */
		set_desc(vq_desc(q, 0), 0xF8000000ULL, 0x10000 + 8, VRING_DESC_F_INDIRECT, 0);
		break;
	}
	if (kind == 7) {	/* head index out of range */
		vq_post(q, 0xffff, 1);
	} else if (kind == 8) {	/* avail index jumps by 1000 */
		vq_post(q, 0, 1000);
		return vq_wait(q, 1000);
	} else {
		vq_post(q, 0, 1);
	}
	return vq_wait(q, 1);
}

static void attack_chains(struct verdict *v)
{
	static const char *const names[] = {
		"chain.loop", "chain.outside_ram", "chain.zero_len",
		"chain.gigantic", "chain.nested_indirect", "chain.next_oob",
		"chain.indirect_outside", "avail.head_oob", "avail.idx_jump",
	};
	struct vq q;

	guest_printf(H "phase=chains" NL);
	for (unsigned int k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int r = chain_case(&q, k);

		report(v, names[k], r, &q);
	}
}

/*
 * used = avail + 2: used->flags is avail->idx, so the device's own
 * notification suppression (flags 1, then 0) moves the avail index under
 * it.  Without EVENT_IDX a naive "disable, pop, enable, recheck" loop
 * spins forever here.  The device must stay resettable.
 */
static void attack_ring_alias(struct verdict *v)
{
	struct vq q = { .win = win_base(VICTIM), .area = AREA(VICTIM) };
	uint64_t avail = q.area + O_AVAIL + 2;
	uint32_t st;

	guest_printf(H "phase=alias" NL);
	memset(ptr(q.area), 0, 0x3000);
	vq_read_chain(&q, 2, 512);
	st = dev_up(q.win, QSIZE, q.area + O_DESC, avail, avail + 2);
	wr(q.win, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (unsigned int i = 0; i < 2000; i++)
		__asm__ volatile("pause");
	wr(q.win, VIRTIO_MMIO_STATUS, 0);
	v->cases++;
	guest_printf(H "case=alias.flags_idx setup=0x%x reset=%s" NL, st,
		     rd(q.win, VIRTIO_MMIO_STATUS) == 0 ? "ok" : "bad");
}

/* Notifications with nothing and with one good request posted. */
static void attack_flood(struct verdict *v)
{
	struct vq q;
	int r;

	guest_printf(H "phase=flood" NL);
	vq_up(&q, VICTIM);
	for (unsigned int i = 0; i < 2000; i++)
		wr(q.win, VIRTIO_MMIO_QUEUE_NOTIFY, i & 1 ? 0 : 0xffff);
	vq_read_chain(&q, 1, 512);
	vq_post(&q, 0, 1);
	for (unsigned int i = 0; i < 2000; i++)
		wr(q.win, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	r = vq_wait(&q, 1);
	report(v, "flood.notify", r, &q);
}

/* Reset while a 1 MiB read is in flight, then use the queue again. */
static void attack_reset_mid_request(struct verdict *v)
{
	struct vq q;
	int r;

	guest_printf(H "phase=reset" NL);
	vq_up(&q, VICTIM);
	vq_read_chain(&q, 0, BIG_READ);
	vq_post(&q, 0, 1);
	wr(q.win, VIRTIO_MMIO_STATUS, 0);
	/* Also point the rings away while the device may still look. */
	wr(q.win, VIRTIO_MMIO_QUEUE_DESC_LOW, 0xE0000000u);
	guest_printf(H "reset.status_after=0x%x" NL, rd(q.win, VIRTIO_MMIO_STATUS));
	vq_up(&q, VICTIM);
	vq_read_chain(&q, 0, 512);
	vq_post(&q, 0, 1);
	r = vq_wait(&q, 1);
	report(v, "reset.reuse", r, &q);
}

/* ---- the innocent drive ---- */

__attribute__((format(printf, 3, 4)))
static size_t fmt(char *buf, size_t size, const char *f, ...)
{
	__builtin_va_list ap;
	size_t n;

	__builtin_va_start(ap, f);
	n = guest_vsnprintf(buf, size, f, ap);
	__builtin_va_end(ap);
	return n;
}

/* The host wrote "INNOCENT <s>;" at the start of every sector s. */
static bool innocent_sector_ok(uint64_t data, unsigned int s)
{
	char want[24];
	size_t n = fmt(want, sizeof(want), "INNOCENT %u;", s);

	return memcmp(ptr(data + s * 512ULL), want, n) == 0;
}

static bool check_innocent(void)
{
	struct vq q;
	uint32_t st = vq_up(&q, INNOCENT);
	int r;

	if (!(st & VIRTIO_CONFIG_S_DRIVER_OK) || (st & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		guest_printf(H "innocent.status=0x%x" NL, st);
		return false;
	}
	vq_read_chain(&q, 0, 8 * 512);
	vq_post(&q, 0, 1);
	r = vq_wait(&q, 1);
	uint8_t blk = *(volatile uint8_t *)ptr(q.area + O_STATUS);
	bool ok = r == 1 && blk == 0 && innocent_sector_ok(q.area + O_DATA, 0) &&
		  innocent_sector_ok(q.area + O_DATA, 7);

	guest_printf(H "innocent.read=%s status=0x%x blk=%u" NL,
		     ok ? "ok" : "bad", rd(q.win, VIRTIO_MMIO_STATUS), blk);
	return ok;
}

/* The victim, reset once more, must serve a plain read again. */
static bool check_victim_recovers(void)
{
	struct vq q;
	int r;

	vq_up(&q, VICTIM);
	vq_read_chain(&q, 3, 512);
	vq_post(&q, 0, 1);
	r = vq_wait(&q, 1);
	bool ok = r == 1 && *(volatile uint8_t *)ptr(q.area + O_STATUS) == 0;

	guest_printf(H "victim.recovered=%s status=0x%x" NL, ok ? "ok" : "bad",
		     rd(q.win, VIRTIO_MMIO_STATUS));
	return ok;
}

/* ---- the shutdown attack (hostile.mode=stall) ---- */

#define GIB		(1ULL << 30)
#define SIZE_MAX_SEG	(4U << 20)	/* the device's size_max */
#define SEG_MAX		254		/* the device's seg_max */
#define STALL_TABLES	(AREA(0) + 0x400000ULL)	/* 4 KiB per request */
#define STALL_DATA	(AREA(0) + 0x800000ULL)	/* 4 MiB, shared by all */
#define STALL_BIG	0x4000000ULL	/* 1 GiB from 64 MiB: -m 1100 */

/*
 * Request r as an indirect table: header (of the given type), segs
 * segments of seg_len bytes all over the same guest RAM at data, status.
 * Returns the number of table entries.
 */
static unsigned int blk_table(struct vq *q, unsigned int r, uint32_t type,
			      unsigned int segs, uint32_t seg_len,
			      uint64_t data, uint64_t sector)
{
	struct vring_desc *t = ptr(STALL_TABLES + r * 0x1000ULL);
	uint32_t *hdr = ptr(q->area + O_HDR + r * 16);
	unsigned int i;

	hdr[0] = type;
	hdr[1] = 0;
	hdr[2] = (uint32_t)sector;
	hdr[3] = (uint32_t)(sector >> 32);
	*(volatile uint8_t *)ptr(q->area + O_STATUS + r) = 0xff;
	set_desc(&t[0], q->area + O_HDR + r * 16, 16, VRING_DESC_F_NEXT, 1);
	for (i = 1; i <= segs; i++)
		set_desc(&t[i], data, seg_len, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
			 (uint16_t)(i + 1));
	set_desc(&t[i], q->area + O_STATUS + r, 1, VRING_DESC_F_WRITE, 0);
	return i + 1;
}

static unsigned int stall_table(struct vq *q, unsigned int r, unsigned int segs,
				uint32_t seg_len, uint64_t data, uint64_t sector)
{
	return blk_table(q, r, VIRTIO_BLK_T_IN, segs, seg_len, data, sector);
}

/* Post table r (n entries) on descriptor r. */
static void stall_post_table(struct vq *q, unsigned int r, unsigned int n)
{
	set_desc(vq_desc(q, r), STALL_TABLES + r * 0x1000ULL, n * 16,
		 VRING_DESC_F_INDIRECT, 0);
	vq_post(q, (uint16_t)r, 1);
}

static void stall_post(struct vq *q, unsigned int r, unsigned int segs,
		       uint32_t seg_len, uint64_t data, uint64_t sector)
{
	stall_post_table(q, r, stall_table(q, r, segs, seg_len, data, sector));
}

/* A full queue of the largest legal reads (~1 GiB each, sparse image). */
static void stall_fill_queue(struct vq *q)
{
	for (unsigned int r = 0; r < QSIZE; r++)
		stall_post(q, r, SEG_MAX, SIZE_MAX_SEG, STALL_DATA,
			   (uint64_t)r << 21);
}

static __attribute__((noreturn)) void hostile_stall(void)
{
	struct vq q;
	int r;

	guest_printf(H "phase=stall" NL);
	/* The audit's request: 254 segments of 1 GiB over the same RAM. */
	vq_up(&q, VICTIM);
	stall_post(&q, 0, SEG_MAX, (uint32_t)GIB, STALL_BIG, 0);
	r = vq_wait(&q, 1);
	guest_printf(H "case=stall.oversize result=%s blk=%u" NL,
		     r > 0 ? "done" : r == 0 ? "needs_reset" : "none",
		     *(volatile uint8_t *)ptr(q.area + O_STATUS));
	/* 255 segments of 512 bytes: the last one holds the status too, so
	 * the chain still fits the 256 entries of an indirect table. */
	vq_up(&q, VICTIM);
	{
		struct vring_desc *t = ptr(STALL_TABLES);

		/* Entries 1..254 are data, 255 (the status) becomes data
		 * too, with the status byte after its 512 bytes. */
		stall_table(&q, 0, SEG_MAX, 512, STALL_DATA, 0);
		set_desc(&t[SEG_MAX + 1], STALL_DATA + 0x100000, 513, VRING_DESC_F_WRITE, 0);
		*(volatile uint8_t *)ptr(STALL_DATA + 0x100000 + 512) = 0xff;
		stall_post_table(&q, 0, SEG_MAX + 2);
	}
	r = vq_wait(&q, 1);
	guest_printf(H "case=stall.too_many_segments result=%s blk=%u" NL,
		     r > 0 ? "done" : r == 0 ? "needs_reset" : "none",
		     *(volatile uint8_t *)ptr(STALL_DATA + 0x100000 + 512));
	/* A reset under a queue of ~8 GiB must not wait for it. */
	vq_up(&q, VICTIM);
	stall_fill_queue(&q);
	guest_printf(H "stall.queued" NL);
	wr(q.win, VIRTIO_MMIO_STATUS, 0);
	guest_printf(H "stall.reset status=0x%x" NL, rd(q.win, VIRTIO_MMIO_STATUS));
	/* Again, and leave it running: the host sends SIGTERM now. */
	vq_up(&q, VICTIM);
	stall_fill_queue(&q);
	guest_printf(H "stall.posted" NL);
	for (;;)
		__asm__ volatile("pause");
}

/*
 * hostile.mode=flood: 16 KiB on COM1 as fast as the guest can, then power
 * off (cases/serial_flood.sh: the console is a full pipe nobody reads).
 */
static __attribute__((noreturn)) void hostile_flood(uint64_t rsdp)
{
	static const char line[] =
		"HOSTILE flood 0123456789abcdefghijklmnopqrstuvwxyz0123456789" NL;

	for (unsigned int i = 0; i < 16384 / (sizeof(line) - 1); i++)
		guest_printf("%s", line);
	guest_printf(H "flood.done" NL);
	guest_poweroff(rsdp);
}

/* ---- virtio-net over a real TAP (hostile.mode=net / netflood) ---- */

#define NET_AREA	AREA(4)
#define NET_TX		(NET_AREA + 0x8000ULL)	/* TX rings; RX at NET_AREA */
#define NET_HDR		(NET_AREA + 0x10000ULL)	/* headers, 0x40 apart */
#define NET_FRAME	(NET_AREA + 0x20000ULL)	/* one valid frame */
#define NET_BIG		(NET_AREA + 0x100000ULL)	/* 1 MiB of frame */
#define NET_RXBUF	(NET_AREA + 0x200000ULL)
#define NET_HDR_LEN	12		/* virtio_net_hdr_v1 */
#define NET_F_CSUM	(1u << 0)
#define NET_F_HOST_TSO4	(1u << 11)

static int net_window(void)
{
	for (unsigned int w = 0; w < WINDOWS; w++)
		if (rd(win_base(w), VIRTIO_MMIO_MAGIC_VALUE) == MAGIC &&
		    rd(win_base(w), VIRTIO_MMIO_DEVICE_ID) == 1)
			return (int)w;
	return -1;
}

static void net_queue(uint64_t win, uint32_t q, uint64_t rings)
{
	wr(win, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(win, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr(win, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)rings);
	wr(win, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(rings >> 32));
	wr(win, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(rings + O_AVAIL));
	wr(win, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)((rings + O_AVAIL) >> 32));
	wr(win, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(rings + O_USED));
	wr(win, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)((rings + O_USED) >> 32));
	wr(win, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Reset, negotiate CSUM + HOST_TSO4 (so the GSO checks are reachable),
 * both queues up, eight RX buffers posted.  Returns the TX queue. */
static struct vq net_up(uint64_t win)
{
	struct vq tx = { .win = win, .area = NET_TX };
	struct vq rx = { .win = win, .area = NET_AREA };

	wr(win, VIRTIO_MMIO_STATUS, 0);
	memset(ptr(NET_AREA), 0, 0x3000);
	memset(ptr(NET_TX), 0, 0x3000);
	wr(win, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(win, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES, NET_F_CSUM | NET_F_HOST_TSO4 | FEAT_LO(VIRTIO_RING_F_INDIRECT_DESC));
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(win, VIRTIO_MMIO_DRIVER_FEATURES, FEAT_HI(VIRTIO_F_VERSION_1));
	wr(win, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	net_queue(win, 0, NET_AREA);
	net_queue(win, 1, NET_TX);
	wr(win, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	for (unsigned int i = 0; i < QSIZE; i++) {
		set_desc(vq_desc(&rx, i), NET_RXBUF + i * 0x800ULL, 0x800,
			 VRING_DESC_F_WRITE, 0);
		((volatile uint16_t *)ptr(NET_AREA + O_AVAIL))[2 + i] = (uint16_t)i;
	}
	barrier();
	((volatile uint16_t *)ptr(NET_AREA + O_AVAIL))[1] = QSIZE;
	wr(win, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return tx;
}

static void net_post(struct vq *tx, uint16_t head)
{
	volatile uint16_t *avail = ptr(tx->area + O_AVAIL);

	avail[2 + tx->avail_idx % QSIZE] = head;
	barrier();
	tx->avail_idx++;
	avail[1] = tx->avail_idx;
	barrier();
	wr(tx->win, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
}

/* Header h (flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)
 * at slot i, then frame bytes; a two-descriptor chain at i*2. */
static uint16_t net_chain(struct vq *tx, unsigned int i, uint8_t flags,
			  uint8_t gso, uint16_t hdr_len, uint16_t gso_size,
			  uint16_t csum_start, uint16_t csum_off, uint64_t frame,
			  uint32_t len)
{
	uint8_t *h = ptr(NET_HDR + i * 0x40ULL);
	uint16_t d = (uint16_t)(i * 2 % QSIZE);

	memset(h, 0, NET_HDR_LEN);
	h[0] = flags;
	h[1] = gso;
	memcpy(h + 2, &hdr_len, 2);
	memcpy(h + 4, &gso_size, 2);
	memcpy(h + 6, &csum_start, 2);
	memcpy(h + 8, &csum_off, 2);
	set_desc(vq_desc(tx, d), NET_HDR + i * 0x40ULL, NET_HDR_LEN, VRING_DESC_F_NEXT,
		 (uint16_t)(d + 1));
	set_desc(vq_desc(tx, d + 1), frame, len, 0, 0);
	return d;
}

/* A broadcast frame of the local experimental ethertype 0x88b5. */
static void net_frame(void)
{
	uint8_t *f = ptr(NET_FRAME);

	memset(f, 0xff, 6);
	memcpy(f + 6, "\x52\x54\x00\x66\x66\x66\x88\xb5", 8);
	memset(f + 14, 0x5a, 46);
}

static int net_wait(struct vq *tx, uint16_t want)
{
	return vq_wait(tx, want);
}

static void net_case(struct vq *tx, const char *name, uint16_t d,
		     struct verdict *v)
{
	int r;

	net_post(tx, d);
	r = net_wait(tx, tx->avail_idx);
	v->cases++;
	if (r > 0)
		v->completed++;
	else if (r == 0)
		v->needs_reset++;
	guest_printf(H "case=%s result=%s status=0x%x len=%u" NL, name,
		     r > 0 ? "done" : r == 0 ? "needs_reset" : "none",
		     rd(tx->win, VIRTIO_MMIO_STATUS),
		     ((volatile uint32_t *)ptr(tx->area + O_USED + 4))
			[((uint16_t)(vq_used_idx(tx) - 1) % QSIZE) * 2 + 1]);
	wr(tx->win, VIRTIO_MMIO_INTERRUPT_ACK, rd(tx->win, VIRTIO_MMIO_INTERRUPT_STATUS));
}

/* TX: sends n valid frames, kicking for each; the used index it reached. */
static uint16_t net_flood(struct vq *tx, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint16_t d = net_chain(tx, i % (QSIZE / 2), 0, 0, 0, 0, 0, 0,
				       NET_FRAME, 60);

		/* Never more in flight than the ring holds. */
		while ((uint16_t)(tx->avail_idx - vq_used_idx(tx)) >= QSIZE / 2)
			__asm__ volatile("pause");
		net_post(tx, d);
	}
	return vq_used_idx(tx);
}

static __attribute__((noreturn)) void hostile_net(uint64_t rsdp, bool forever)
{
	int w = net_window();
	struct verdict v = { 0 };
	struct vq tx;
	uint16_t d;
	bool alive;

	guest_printf(H "phase=net window=%d" NL, w);
	if (w < 0) {
		guest_printf(H "net.verdict=FAIL (no virtio-net)" NL);
		guest_poweroff(rsdp);
	}
	net_frame();
	tx = net_up(win_base((unsigned int)w));
	net_case(&tx, "net.valid", net_chain(&tx, 0, 0, 0, 0, 0, 0, 0,
					     NET_FRAME, 60), &v);
	net_case(&tx, "net.bad_flags", net_chain(&tx, 1, 0xff, 0, 0, 0, 0, 0,
						 NET_FRAME, 60), &v);
	net_case(&tx, "net.csum_outside", net_chain(&tx, 2, 1, 0, 0, 0,
						    0xfff0, 0x20, NET_FRAME, 60),
		 &v);
	net_case(&tx, "net.gso_no_size", net_chain(&tx, 3, 1, 1, 0xffff, 0,
						   14, 16, NET_FRAME, 60), &v);
	net_case(&tx, "net.gso_unknown", net_chain(&tx, 0, 0, 0x7f, 0, 0, 0, 0,
						   NET_FRAME, 60), &v);
	net_case(&tx, "net.oversized", net_chain(&tx, 1, 0, 0, 0, 0, 0, 0,
						 NET_BIG, 0x100000), &v);
	net_case(&tx, "net.runt", net_chain(&tx, 2, 0, 0, 0, 0, 0, 0,
					    NET_FRAME, 4), &v);
	/* A chain that loops (frame -> header -> frame ...). */
	d = net_chain(&tx, 3, 0, 0, 0, 0, 0, 0, NET_FRAME, 60);
	vq_desc(&tx, d + 1)->flags = VRING_DESC_F_NEXT;
	vq_desc(&tx, d + 1)->next = d;
	net_case(&tx, "net.loop", d, &v);
	/* Back to work after the reset: a flood of valid frames. */
	tx = net_up(win_base((unsigned int)w));
	guest_printf(H "net.flood used=%u" NL, net_flood(&tx, forever ? 64 : 400));
	if (forever) {
		guest_printf(H "net.flooding" NL);
		for (;;)
			net_flood(&tx, 1000);
	}
	d = net_chain(&tx, 0, 0, 0, 0, 0, 0, 0, NET_FRAME, 60);
	net_post(&tx, d);
	alive = net_wait(&tx, tx.avail_idx) > 0 &&
		!(rd(tx.win, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	guest_printf(H "net.cases=%u needs_reset=%u completed=%u" NL, v.cases,
		     v.needs_reset, v.completed);
	guest_printf(H "net.verdict=%s" NL, alive ? "PASS" : "FAIL");
	wr(tx.win, VIRTIO_MMIO_STATUS, 0);
	guest_poweroff(rsdp);
}

/* ---- two vCPUs at once (hostile.mode=race) ---- */

/*
 * The boot CPU drives the victim drive and (when there is one) the NIC
 * like a driver that means well: legal reads from 512 bytes to ~1 GiB,
 * GET_ID and flushes on indirect tables, TX frames, a kick for each, the
 * device brought up again whenever it is reset or asks for a reset.  The
 * second CPU (started through the LAPIC, tests/guest/lib/guest_smp.h)
 * meanwhile rewrites what the devices are reading: descriptor addresses,
 * lengths, flags and links in the queue and in the indirect tables,
 * avail entries and indexes, the used index, and now and then resets a
 * device or kicks it with junk.  Nothing ends this mode: the host sends
 * SIGTERM while both CPUs are at it (cases/hostile_race.sh).
 */
#define RACE_AP_APIC_ID	1
#define RACE_STACK	16384
#define RACE_BIG_EVERY	8	/* one ~1 GiB read in 8 requests */
#define RACE_PRINT_EVERY 64	/* rounds between progress lines */

struct race {
	uint64_t blk_win, net_win;	/* net_win 0: no NIC */
	volatile uint32_t actions, blk_resets, net_resets;
};

static struct race race;
static uint8_t race_ap_stack[RACE_STACK] __attribute__((aligned(16)));

static uint32_t race_rand(uint64_t *s)
{
	/* xorshift64: cheap, and a different walk on each CPU's seed. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 16);
}

static int find_window(uint32_t device_id)
{
	for (unsigned int w = 0; w < WINDOWS; w++)
		if (rd(win_base(w), VIRTIO_MMIO_MAGIC_VALUE) == MAGIC &&
		    rd(win_base(w), VIRTIO_MMIO_DEVICE_ID) == device_id)
			return (int)w;
	return -1;
}

/* A length a device must handle: empty, tiny, at and over the limits. */
static uint32_t race_len(uint32_t x)
{
	static const uint32_t lens[] = {
		0, 1, 16, 512, 4096, SIZE_MAX_SEG, SIZE_MAX_SEG + 512,
		0x7fffffffu, 0xffffffffu, 0x100000,
	};

	return lens[x % (sizeof(lens) / sizeof(lens[0]))];
}

/* An address in the victim's own pages, just past RAM, or anywhere. */
static uint64_t race_addr(uint32_t x, uint64_t area)
{
	switch (x % 4) {
	case 0:
		return area + (x & 0xfffff0u);
	case 1:
		return 0x7fffff0ULL + (x & 0xff);	/* -m 128 ends here */
	case 2:
		return (uint64_t)x << 20;
	default:
		return area + O_DATA;
	}
}

static void race_scribble_desc(struct vring_desc *d, uint32_t x, uint32_t y,
			       uint64_t area)
{
	switch (y % 4) {
	case 0:
		d->len = race_len(x);
		break;
	case 1:
		d->addr = race_addr(x, area);
		break;
	case 2:
		d->flags = (uint16_t)(x & (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE |
					   VRING_DESC_F_INDIRECT));
		break;
	default:
		d->next = (uint16_t)(x % 300);	/* in and out of a table */
		break;
	}
}

static void race_action(struct race *r, uint32_t x, uint32_t y)
{
	uint64_t area = AREA(VICTIM);
	volatile uint16_t *avail = ptr(area + O_AVAIL);
	volatile uint16_t *used = ptr(area + O_USED);

	switch (x % 16) {
	case 0: case 1: case 2: case 3:	/* the queue's descriptors */
		race_scribble_desc((struct vring_desc *)ptr(area + O_DESC) +
				   y % QSIZE, x >> 4, y >> 4, area);
		break;
	case 4: case 5: case 6: case 7:	/* an indirect table's entries */
		race_scribble_desc((struct vring_desc *)ptr(STALL_TABLES +
				   (y % QSIZE) * 0x1000ULL) + (x >> 4) % 258,
				   y >> 3, x >> 8, area);
		break;
	case 8:
		avail[2 + y % QSIZE] = (uint16_t)(y >> 8) % 10;
		break;
	case 9:
		avail[1] = (uint16_t)(avail[1] + (y % 3) - 1);
		break;
	case 10:
		used[1] = (uint16_t)y;
		break;
	case 11:
		if (r->net_win) {
			struct vring_desc *d = ptr(NET_TX + O_DESC);

			race_scribble_desc(d + y % QSIZE, x >> 4, y >> 4,
					   NET_AREA);
		}
		break;
	case 12:
		if (r->net_win)
			((volatile uint16_t *)ptr(NET_TX + O_AVAIL))[1] += (uint16_t)(y % 9);
		break;
	case 13:
		wr(r->blk_win, VIRTIO_MMIO_STATUS, 0);
		r->blk_resets++;
		break;
	case 14:
		if (r->net_win) {
			wr(r->net_win, VIRTIO_MMIO_STATUS, 0);
			r->net_resets++;
		}
		break;
	default:
		wr(r->blk_win, VIRTIO_MMIO_QUEUE_NOTIFY, y & 1 ? 0 : y);
		break;
	}
}

/* The second CPU: never returns. */
static void race_ap(void *arg)
{
	struct race *r = arg;
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (;;) {
		uint32_t x = race_rand(&s), y = race_rand(&s);

		/* Irregular gaps, so the rewrites land at every stage of
		 * the device's work. */
		for (unsigned int i = x & 0x1ff; i; i--)
			__asm__ volatile("pause");
		race_action(r, x >> 9, y);
		r->actions++;
	}
}

static bool dev_live(uint64_t win)
{
	uint32_t st = rd(win, VIRTIO_MMIO_STATUS);

	return (st & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(st & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* One request of the well-meaning driver, on descriptor r. */
static void race_post_blk(struct vq *q, unsigned int round)
{
	unsigned int r = round % QSIZE;

	if (round % RACE_BIG_EVERY == 0)
		stall_post(q, r, SEG_MAX, SIZE_MAX_SEG, STALL_DATA,
			   (uint64_t)r << 21);
	else if (round % 4 == 1)
		stall_post_table(q, r, blk_table(q, r, VIRTIO_BLK_T_GET_ID, 1,
						 VIRTIO_BLK_ID_BYTES,
						 STALL_DATA, 0));
	else if (round % 4 == 2)
		stall_post_table(q, r, blk_table(q, r, VIRTIO_BLK_T_FLUSH, 0,
						 0, STALL_DATA, 0));
	else
		stall_post(q, r, 8, 4096, STALL_DATA + r * 0x8000ULL, round);
}

/* Room for one more request, waiting a bounded while for the device. */
static bool race_room(struct vq *q)
{
	for (unsigned int i = 0; i < 2000; i++) {
		if ((uint16_t)(q->avail_idx - vq_used_idx(q)) < QSIZE)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

static __attribute__((noreturn)) void hostile_race(void)
{
	int bw = find_window(VIRTIO_ID_BLOCK), nw = find_window(VIRTIO_ID_NET);
	struct vq q, tx = { 0 };
	unsigned int ups = 0, sent = 0;

	guest_printf(H "phase=race blk=%d net=%d" NL, bw, nw);
	if (bw != VICTIM) {
		guest_printf(H "race.verdict=FAIL (the victim drive is not window %u)" NL,
			     VICTIM);
		cpu_halt_forever();
	}
	race.blk_win = win_base(VICTIM);
	vq_up(&q, VICTIM);
	if (nw >= 0) {
		race.net_win = win_base((unsigned int)nw);
		net_frame();
		tx = net_up(race.net_win);
	}
	if (!guest_start_ap(RACE_AP_APIC_ID, race_ap, &race,
			    race_ap_stack + RACE_STACK)) {
		guest_printf(H "race.verdict=FAIL (the second CPU did not start)" NL);
		cpu_halt_forever();
	}
	guest_printf(H "race.running" NL);
	for (unsigned int round = 0;; round++) {
		if (!dev_live(q.win) || !race_room(&q)) {
			vq_up(&q, VICTIM);
			ups++;
		}
		race_post_blk(&q, round);
		if (race.net_win) {
			if (!dev_live(tx.win)) {
				tx = net_up(race.net_win);
				ups++;
			}
			if ((uint16_t)(tx.avail_idx - vq_used_idx(&tx)) < QSIZE / 2) {
				net_post(&tx, net_chain(&tx, round % (QSIZE / 2),
							0, 0, 0, 0, 0, 0,
							NET_FRAME, 60));
				sent++;
			}
		}
		if (round % RACE_PRINT_EVERY == 0)
			guest_printf(H "race.progress rounds=%u ap_actions=%u "
				     "blk_resets=%u net_resets=%u ups=%u sent=%u" NL,
				     round, race.actions, race.blk_resets,
				     race.net_resets, ups, sent);
	}
}

static bool cmdline_is(const struct guest_boot *b, const char *key,
		       const char *value)
{
	size_t n;
	const char *v = b->cmdline ?
		guest_cmdline_value(b->cmdline, b->cmdline_len, key, &n) : NULL;

	return v && guest_word_eq(v, n, value);
}

static bool mode_is(const struct guest_boot *b, const char *mode)
{
	return cmdline_is(b, "hostile.mode", mode);
}

/* The default run's attacks, by the names hostile.loop= takes (no table
 * of pointers: the image may be relocated). */
static const char attack_names[][8] = {
	"ports", "mmio", "queues", "chains", "flood", "reset", "alias",
};

static void run_attack(unsigned int i, struct verdict *v)
{
	switch (i) {
	case 0: attack_ports(); break;
	case 1: attack_mmio(); break;
	case 2: attack_queue_setup(v); break;
	case 3: attack_chains(v); break;
	case 4: attack_flood(v); break;
	case 5: attack_reset_mid_request(v); break;
	default: attack_ring_alias(v); break;
	}
}

/*
 * hostile.loop=NAME: that one attack over and over, never powering off,
 * so the host's SIGTERM lands in the middle of it (cases/hostile_sigterm.sh).
 */
static void hostile_loop(const struct guest_boot *b)
{
	struct verdict v = { 0 };

	for (unsigned int i = 0; i < sizeof(attack_names) / sizeof(attack_names[0]); i++) {
		if (!cmdline_is(b, "hostile.loop", attack_names[i]))
			continue;
		guest_printf(H "loop=%s" NL, attack_names[i]);
		for (;;)
			run_attack(i, &v);
	}
}

void guest_main(const struct guest_boot *b)
{
	struct verdict v = { 0 };
	const char *src;
	uint64_t rsdp = acpi_find_rsdp(b->rsdp_hint, &src);
	bool innocent, victim;

	guest_printf(NL H "start" NL);
	hostile_loop(b);
	if (mode_is(b, "stall"))
		hostile_stall();
	if (mode_is(b, "race"))
		hostile_race();
	if (mode_is(b, "flood"))
		hostile_flood(rsdp);
	if (mode_is(b, "net") || mode_is(b, "netflood"))
		hostile_net(rsdp, mode_is(b, "netflood"));
	if (mode_is(b, "markers")) {	/* cases/trace_bound.sh */
		for (unsigned int i = 0; i < 1000; i++)
			outb(PORT_DEBUG_TRACE, (uint8_t)i);
		guest_printf(H "markers.done" NL);
		guest_poweroff(rsdp);
	}
	if (mode_is(b, "forge")) {	/* netboot_handoff_port.sh */
		forge_netboot_verdicts();
		guest_printf(H "forged" NL);
		guest_poweroff(rsdp);
	}
	attack_ports();
	attack_mmio();
	attack_queue_setup(&v);
	attack_chains(&v);
	attack_flood(&v);
	attack_reset_mid_request(&v);
	attack_ring_alias(&v);
	victim = check_victim_recovers();
	innocent = check_innocent();
	guest_printf(H "cases=%u needs_reset=%u refused_setup=%u completed=%u silent=%u" NL,
		     v.cases, v.needs_reset, v.failed_setup, v.completed, v.silent);
	guest_printf(H "verdict=%s" NL, innocent && victim ? "PASS" : "FAIL");
	guest_poweroff(rsdp);
}
