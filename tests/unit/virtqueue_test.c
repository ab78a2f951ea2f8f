// SPDX-License-Identifier: MIT
/*
 * Split virtqueue against crafted hostile rings: loops, addresses outside
 * RAM or wrapping around 2^64, zero-length and oversized buffers, wrong
 * directions, nested or malformed indirect tables, insane avail indices.
 * Guest memory is a malloc'd region; every case must end in the right
 * error, never a crash or a hang.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "vmm/guest_mem.h"
#include "tests/unit/unit_main.h"

#define RAM_GPA		0x100000ull
#define RAM_SIZE	0x100000ull	/* 1 MiB */
#define QSIZE		16
#define DESC_GPA	(RAM_GPA + 0x0000)
#define AVAIL_GPA	(RAM_GPA + 0x1000)
#define USED_GPA	(RAM_GPA + 0x2000)
#define IND_GPA		(RAM_GPA + 0x4000)	/* indirect tables */
#define BUF_GPA		(RAM_GPA + 0x10000)	/* data buffers */

static uint8_t *ram;
static struct guest_mem mem;
static struct virtq vq;
static struct virtq_chain chain;

static void *gptr(uint64_t gpa)
{
	return ram + (gpa - RAM_GPA);
}

static struct vring_desc *desc_at(uint64_t table_gpa, unsigned int i)
{
	return (struct vring_desc *)gptr(table_gpa) + i;
}

static void set_desc(uint64_t table_gpa, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = desc_at(table_gpa, i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static struct vring_avail *avail(void)
{
	return gptr(AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return gptr(USED_GPA);
}

static void avail_add(uint16_t head)
{
	struct vring_avail *a = avail();

	a->ring[a->idx % QSIZE] = head;
	a->idx++;
}

static void setup_features(uint64_t features)
{
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	memset(&mem, 0, sizeof(mem));
	mem.region[0] = (struct guest_mem_region){ RAM_GPA, RAM_SIZE, ram };
	mem.nr_regions = 1;
	mem.ram_size = RAM_SIZE;
	ck_assert_int_eq(virtq_activate(&vq, &mem, QSIZE, DESC_GPA, AVAIL_GPA,
					USED_GPA, features), 0);
}

static void setup(void)
{
	setup_features((1ull << VIRTIO_RING_F_INDIRECT_DESC) |
		       (1ull << VIRTIO_F_VERSION_1));
}

static void teardown(void)
{
	free(ram);
	ram = NULL;
}

/* The queue is dead after a structural error: every later pop says so. */
static void assert_broken(void)
{
	ck_assert(vq.broken);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EPROTO);
}

START_TEST(test_activate_checks)
{
	struct virtq q;

	ck_assert_int_eq(virtq_activate(&q, &mem, 0, DESC_GPA, AVAIL_GPA,
					USED_GPA, 0), -EINVAL);
	ck_assert_int_eq(virtq_activate(&q, &mem, 12, DESC_GPA, AVAIL_GPA,
					USED_GPA, 0), -EINVAL);
	ck_assert_int_eq(virtq_activate(&q, &mem, 512, DESC_GPA, AVAIL_GPA,
					USED_GPA, 0), -EINVAL);
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, DESC_GPA + 8, AVAIL_GPA,
					USED_GPA, 0), -EINVAL);
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, DESC_GPA, AVAIL_GPA + 1,
					USED_GPA, 0), -EINVAL);
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, DESC_GPA, AVAIL_GPA,
					USED_GPA + 2, 0), -EINVAL);
	/* Outside RAM, below it, or running over its end. */
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, 0x1000, AVAIL_GPA,
					USED_GPA, 0), -EFAULT);
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, DESC_GPA,
					RAM_GPA + RAM_SIZE - 8, USED_GPA, 0),
			 -EFAULT);
	ck_assert_int_eq(virtq_activate(&q, &mem, 256, DESC_GPA, AVAIL_GPA,
					RAM_GPA + RAM_SIZE - 0x800, 0),
			 -EFAULT);
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, 0xfffffffffffff000ull,
					AVAIL_GPA, USED_GPA, 0), -EFAULT);
	ck_assert(!q.ready);
	/* The avail ring's used_event ends exactly where RAM ends. */
	ck_assert_int_eq(virtq_activate(&q, &mem, 16, DESC_GPA,
					RAM_GPA + RAM_SIZE - (4 + 2 * 16 + 2),
					USED_GPA, 0), 0);
	ck_assert(q.ready);
}
END_TEST

START_TEST(test_simple_chain)
{
	uint8_t *hdr = gptr(BUF_GPA);

	memcpy(hdr, "0123456789abcdef", 16);
	set_desc(DESC_GPA, 3, BUF_GPA, 16, VRING_DESC_F_NEXT, 7);
	set_desc(DESC_GPA, 7, BUF_GPA + 0x1000, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 9);
	set_desc(DESC_GPA, 9, BUF_GPA + 0x2000, 1, VRING_DESC_F_WRITE, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	avail_add(3);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.nr_out, 1);
	ck_assert_uint_eq(chain.nr_in, 2);
	ck_assert_uint_eq(chain.out_len, 16);
	ck_assert_uint_eq(chain.in_len, 513);
	ck_assert_ptr_eq(chain.iov[0].iov_base, hdr);
	ck_assert_ptr_eq(virtq_chain_in(&chain)[0].iov_base,
			 gptr(BUF_GPA + 0x1000));
	ck_assert_ptr_eq(virtq_chain_in(&chain)[1].iov_base,
			 gptr(BUF_GPA + 0x2000));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);

	/* Copy helpers across segment borders. */
	char buf[16];

	ck_assert_uint_eq(virtq_chain_read(&chain, 10, buf, 16), 6);
	ck_assert_int_eq(memcmp(buf, "abcdef", 6), 0);
	uint8_t st = 0x5a;

	ck_assert_uint_eq(virtq_chain_write(&chain, 512, &st, 1), 1);
	ck_assert_uint_eq(*(uint8_t *)gptr(BUF_GPA + 0x2000), 0x5a);
	ck_assert_uint_eq(virtq_chain_write(&chain, 513, &st, 1), 0);

	/* Used ring: element, then index with release. */
	virtq_push(&vq, chain.head, 513);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 3);
	ck_assert_uint_eq(used()->ring[0].len, 513);
	ck_assert_uint_eq(vq.nr_chains, 1);
}
END_TEST

START_TEST(test_descriptor_loops)
{
	/* 0 -> 1 -> 0 ... must end, with an error. */
	set_desc(DESC_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, BUF_GPA, 8, VRING_DESC_F_NEXT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
	assert_broken();
}
END_TEST

START_TEST(test_self_loop)
{
	set_desc(DESC_GPA, 5, BUF_GPA, 8, VRING_DESC_F_NEXT, 5);
	avail_add(5);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
	assert_broken();
}
END_TEST

START_TEST(test_full_length_chain_ok)
{
	/* A chain using every descriptor once is legal. */
	for (unsigned int i = 0; i < QSIZE; i++)
		set_desc(DESC_GPA, i, BUF_GPA + 64 * i, 64,
			 i + 1 < QSIZE ? VRING_DESC_F_NEXT : 0, i + 1);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.nr_out, QSIZE);
	ck_assert_uint_eq(chain.out_len, 64 * QSIZE);
}
END_TEST

START_TEST(test_next_out_of_range)
{
	set_desc(DESC_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, QSIZE);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
	assert_broken();
}
END_TEST

START_TEST(test_addr_outside_ram)
{
	set_desc(DESC_GPA, 0, 0x1000, 8, 0, 0);	/* below RAM */
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
	assert_broken();
}
END_TEST

START_TEST(test_addr_straddles_end)
{
	set_desc(DESC_GPA, 0, RAM_GPA + RAM_SIZE - 4, 8, 0, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_addr_wraps_2_64)
{
	set_desc(DESC_GPA, 0, 0xfffffffffffffff0ull, 0x20, 0, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_addr_wraps_into_ram)
{
	/* addr + len wraps to inside RAM: must not pass a naive end check. */
	set_desc(DESC_GPA, 0, 0xffffffff00000000ull,
		 0xffffffffu, 0, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_oversized_buffer)
{
	set_desc(DESC_GPA, 0, BUF_GPA, 0xffffffffu, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_zero_length_ok)
{
	/* Zero-length descriptors are legal and map nothing, anywhere. */
	set_desc(DESC_GPA, 0, 0xdead0000000ull, 0, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, BUF_GPA, 4, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.nr_out, 0);
	ck_assert_uint_eq(chain.nr_in, 1);
	ck_assert_uint_eq(chain.in_len, 4);
}
END_TEST

START_TEST(test_readable_after_writable)
{
	set_desc(DESC_GPA, 0, BUF_GPA, 8, VRING_DESC_F_WRITE |
		 VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, BUF_GPA + 8, 8, 0, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
	assert_broken();
}
END_TEST

START_TEST(test_avail_idx_jump)
{
	avail()->idx = QSIZE + 1;	/* 17 new entries in a 16-entry ring */
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EPROTO);
	assert_broken();
}
END_TEST

START_TEST(test_avail_idx_full_ring_ok)
{
	for (unsigned int i = 0; i < QSIZE; i++) {
		set_desc(DESC_GPA, i, BUF_GPA, 8, 0, 0);
		avail_add(i);
	}
	for (unsigned int i = 0; i < QSIZE; i++)
		ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
}
END_TEST

START_TEST(test_head_out_of_range)
{
	avail_add(QSIZE);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EPROTO);
	assert_broken();
}
END_TEST

START_TEST(test_indirect_ok)
{
	set_desc(IND_GPA, 0, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(IND_GPA, 2, BUF_GPA + 0x100, 4096,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(IND_GPA, 1, BUF_GPA + 0x2000, 1, VRING_DESC_F_WRITE, 0);
	/* A direct readable descriptor first, then the indirect table. */
	set_desc(DESC_GPA, 4, BUF_GPA + 0x3000, 32, VRING_DESC_F_NEXT, 6);
	set_desc(DESC_GPA, 6, IND_GPA, 3 * 16,
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	avail_add(4);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 4);
	ck_assert_uint_eq(chain.nr_out, 2);
	ck_assert_uint_eq(chain.nr_in, 2);
	ck_assert_uint_eq(chain.out_len, 48);
	ck_assert_uint_eq(chain.in_len, 4097);
}
END_TEST

START_TEST(test_indirect_max_size)
{
	/* VIRTQ_MAX_SIZE entries in one table, more than the queue size. */
	for (unsigned int i = 0; i < VIRTQ_MAX_SIZE; i++)
		set_desc(IND_GPA, i, BUF_GPA, 8,
			 i + 1 < VIRTQ_MAX_SIZE ? VRING_DESC_F_NEXT : 0, i + 1);
	set_desc(DESC_GPA, 0, IND_GPA, 16 * VIRTQ_MAX_SIZE,
		 VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.nr_out, VIRTQ_MAX_SIZE);

	/* One more entry is refused. */
	set_desc(DESC_GPA, 1, IND_GPA, 16 * (VIRTQ_MAX_SIZE + 1),
		 VRING_DESC_F_INDIRECT, 0);
	avail_add(1);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_too_many_segments)
{
	/* A direct descriptor plus a full table: one iovec too many. */
	for (unsigned int i = 0; i < VIRTQ_MAX_SIZE; i++)
		set_desc(IND_GPA, i, BUF_GPA, 8,
			 i + 1 < VIRTQ_MAX_SIZE ? VRING_DESC_F_NEXT : 0, i + 1);
	set_desc(DESC_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, IND_GPA, 16 * VIRTQ_MAX_SIZE,
		 VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_in_indirect)
{
	set_desc(IND_GPA, 0, IND_GPA + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(IND_GPA + 0x100, 0, BUF_GPA, 8, 0, 0);
	set_desc(DESC_GPA, 0, IND_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
	assert_broken();
}
END_TEST

START_TEST(test_indirect_bad_len)
{
	set_desc(IND_GPA, 0, BUF_GPA, 8, 0, 0);
	set_desc(DESC_GPA, 0, IND_GPA, 24, VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_zero_len)
{
	set_desc(DESC_GPA, 0, IND_GPA, 0, VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_outside_ram)
{
	set_desc(DESC_GPA, 0, RAM_GPA + RAM_SIZE - 16, 32,
		 VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_with_next)
{
	set_desc(IND_GPA, 0, BUF_GPA, 8, 0, 0);
	set_desc(DESC_GPA, 0, IND_GPA, 16,
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, BUF_GPA, 8, 0, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_loop)
{
	set_desc(IND_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	set_desc(IND_GPA, 1, BUF_GPA, 8, VRING_DESC_F_NEXT, 0);
	set_desc(DESC_GPA, 0, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_next_out_of_table)
{
	/* next 2 is inside the queue but outside this 2-entry table. */
	set_desc(IND_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 2);
	set_desc(DESC_GPA, 0, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_indirect_not_negotiated)
{
	struct virtq q2;

	ck_assert_int_eq(virtq_activate(&q2, &mem, QSIZE, DESC_GPA, AVAIL_GPA,
					USED_GPA, 0), 0);
	set_desc(IND_GPA, 0, BUF_GPA, 8, 0, 0);
	set_desc(DESC_GPA, 0, IND_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(0);
	ck_assert_int_eq(virtq_pop(&q2, &chain), -EBADMSG);
}
END_TEST

START_TEST(test_unpop)
{
	set_desc(DESC_GPA, 2, BUF_GPA, 8, 0, 0);
	avail_add(2);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	virtq_unpop(&vq);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
}
END_TEST

START_TEST(test_interrupt_no_event_idx)
{
	/* Nothing published yet: after an initial push, interrupt. */
	virtq_push(&vq, 0, 0);
	ck_assert(virtq_need_interrupt(&vq));
	/* Nothing new since: no interrupt. */
	ck_assert(!virtq_need_interrupt(&vq));
	/* The guest suppresses interrupts. */
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	virtq_push(&vq, 0, 0);
	ck_assert(!virtq_need_interrupt(&vq));
	avail()->flags = 0;
	virtq_push(&vq, 0, 0);
	ck_assert(virtq_need_interrupt(&vq));

	/* Notification suppression towards the guest. */
	virtq_disable_notify(&vq);
	ck_assert_uint_eq(used()->flags, VRING_USED_F_NO_NOTIFY);
	ck_assert(!virtq_enable_notify(&vq));
	ck_assert_uint_eq(used()->flags, 0);
	set_desc(DESC_GPA, 0, BUF_GPA, 8, 0, 0);
	avail_add(0);
	ck_assert(virtq_enable_notify(&vq));	/* raced in: pop again */
}
END_TEST

START_TEST(test_interrupt_event_idx)
{
	struct virtq q;
	uint16_t *used_event = &avail()->ring[QSIZE];
	uint16_t *avail_event = (uint16_t *)&used()->ring[QSIZE];

	ck_assert_int_eq(virtq_activate(&q, &mem, QSIZE, DESC_GPA, AVAIL_GPA,
					USED_GPA,
					1ull << VIRTIO_RING_F_EVENT_IDX), 0);
	/* First batch always signals. */
	virtq_push(&q, 0, 0);
	ck_assert(virtq_need_interrupt(&q));
	/* The guest wants an interrupt only once used idx passes 3. */
	*used_event = 3;
	virtq_push(&q, 0, 0);		/* used idx 2 */
	ck_assert(!virtq_need_interrupt(&q));
	virtq_push(&q, 0, 0);		/* 3 */
	virtq_push(&q, 0, 0);		/* 4: crosses 3 -> 4 */
	ck_assert(virtq_need_interrupt(&q));
	virtq_push(&q, 0, 0);		/* 5: event 3 is behind */
	ck_assert(!virtq_need_interrupt(&q));
	/* Interrupt flag is ignored with EVENT_IDX. */
	*used_event = 5;
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	virtq_push(&q, 0, 0);		/* 6 crosses 5 */
	ck_assert(virtq_need_interrupt(&q));

	/* enable_notify publishes where we are in avail_event. */
	set_desc(DESC_GPA, 0, BUF_GPA, 8, 0, 0);
	avail_add(0);
	avail_add(0);
	virtq_disable_notify(&q);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert(virtq_enable_notify(&q));
	ck_assert_uint_eq(*avail_event, 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert(!virtq_enable_notify(&q));
	ck_assert_uint_eq(*avail_event, 2);
}
END_TEST

START_TEST(test_used_wraps)
{
	/* 16-bit indices wrap; ring slots use idx mod size. */
	vq.used_idx = 0xffff;
	vq.last_avail = 0xffff;
	avail()->idx = 0xffff;
	set_desc(DESC_GPA, 1, BUF_GPA, 8, 0, 0);
	avail_add(1);
	ck_assert_uint_eq(avail()->idx, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 1);
	virtq_push(&vq, chain.head, 8);
	ck_assert_uint_eq(used()->idx, 0);
	ck_assert_uint_eq(used()->ring[15].id, 1);
}
END_TEST

START_TEST(test_not_ready)
{
	struct virtq q;

	virtq_reset(&q);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	virtq_push(&q, 0, 0);		/* no crash, nothing written */
	ck_assert(!virtq_need_interrupt(&q));
	ck_assert(!virtq_enable_notify(&q));
}
END_TEST

START_TEST(test_iov_slice)
{
	char a[10], b[20], c[5];
	struct iovec src[3] = { { a, 10 }, { b, 20 }, { c, 5 } };
	struct iovec dst[3];

	ck_assert_int_eq(virtq_iov_slice(dst, 3, src, 3, 0, 35), 3);
	ck_assert_int_eq(virtq_iov_slice(dst, 3, src, 3, 12, 10), 1);
	ck_assert_ptr_eq(dst[0].iov_base, b + 2);
	ck_assert_uint_eq(dst[0].iov_len, 10);
	ck_assert_int_eq(virtq_iov_slice(dst, 3, src, 3, 5, 30), 3);
	ck_assert_ptr_eq(dst[0].iov_base, a + 5);
	ck_assert_uint_eq(dst[2].iov_len, 5);
	ck_assert_int_eq(virtq_iov_slice(dst, 3, src, 3, 35, 0), 0);
	ck_assert_int_eq(virtq_iov_slice(dst, 3, src, 3, 36, 0), -1);
	ck_assert_int_eq(virtq_iov_slice(dst, 3, src, 3, 30, 6), -1);
	ck_assert_int_eq(virtq_iov_slice(dst, 1, src, 3, 0, 11), -1);
	ck_assert_int_eq(virtq_iov_slice(dst, 1, src, 3, 10, 20), 1);
}
END_TEST

/* xorshift64: a deterministic stream of hostile bytes. */
static uint64_t fuzz_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

START_TEST(test_fuzz_random_rings)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (unsigned int round = 0; round < 3000; round++) {
		uint8_t *desc = gptr(DESC_GPA), *ind = gptr(IND_GPA);
		uint64_t features = fuzz_next(&seed);
		int pops = 0, r;

		/*
		 * Random descriptors, mostly almost sane (so chains get far),
		 * sometimes wild: addresses anywhere, huge lengths, any flags,
		 * next indices past the table, indirect tables of any size.
		 */
		for (unsigned int i = 0; i < QSIZE + 64; i++) {
			struct vring_desc *d = i < QSIZE ?
				(struct vring_desc *)desc + i :
				(struct vring_desc *)ind + (i - QSIZE);
			uint64_t x = fuzz_next(&seed);

			d->addr = (x & 7) == 0 ? fuzz_next(&seed) :
				  BUF_GPA + (fuzz_next(&seed) % (RAM_SIZE - 0x10000 + 64));
			d->len = (x & 0x38) == 0 ? (uint32_t)fuzz_next(&seed) :
				 (uint32_t)(fuzz_next(&seed) % 4096);
			d->flags = (uint16_t)((x >> 8) & 3);
			if (((x >> 12) & 7) == 0) {	/* an indirect table */
				d->flags = VRING_DESC_F_INDIRECT |
					   (((x >> 15) & 7) == 0 ? VRING_DESC_F_NEXT : 0);
				d->addr = IND_GPA + 16 * (fuzz_next(&seed) % 8);
				d->len = ((x >> 18) & 7) == 0 ?
					 (uint32_t)(fuzz_next(&seed) % 1100) :
					 16 * (uint32_t)(fuzz_next(&seed) % 40);
			}
			d->next = (uint16_t)((x >> 24) % (((x >> 40) & 15) == 0 ?
							  0x10000 : QSIZE));
		}
		for (unsigned int i = 0; i < QSIZE; i++)
			avail()->ring[i] = (uint16_t)(fuzz_next(&seed) %
						      (round % 16 ? QSIZE : QSIZE + 1));
		avail()->idx = (uint16_t)(round % 32 ? fuzz_next(&seed) % (QSIZE + 1) :
					  fuzz_next(&seed));
		ck_assert_int_eq(virtq_activate(&vq, &mem, QSIZE, DESC_GPA,
						AVAIL_GPA, USED_GPA,
						features & ((1ull << 28) | (1ull << 29))),
				 0);
		while ((r = virtq_pop(&vq, &chain)) > 0) {
			pops++;
			ck_assert_int_le(pops, QSIZE);
			ck_assert_uint_lt(chain.head, QSIZE);
			ck_assert_uint_le(chain.nr_out + chain.nr_in,
					  VIRTQ_MAX_SIZE);
			for (unsigned int i = 0; i < chain.nr_out + chain.nr_in;
			     i++) {
				uint8_t *b = chain.iov[i].iov_base;

				ck_assert(b >= ram && chain.iov[i].iov_len <=
					  RAM_SIZE - (uint64_t)(b - ram));
			}
			virtq_push(&vq, chain.head, 0);
		}
		ck_assert(r == 0 || r == -EPROTO || r == -EBADMSG);
		ck_assert(r == 0 || vq.broken);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_activate_checks);
	tcase_add_test(tc, test_simple_chain);
	tcase_add_test(tc, test_descriptor_loops);
	tcase_add_test(tc, test_self_loop);
	tcase_add_test(tc, test_full_length_chain_ok);
	tcase_add_test(tc, test_next_out_of_range);
	tcase_add_test(tc, test_addr_outside_ram);
	tcase_add_test(tc, test_addr_straddles_end);
	tcase_add_test(tc, test_addr_wraps_2_64);
	tcase_add_test(tc, test_addr_wraps_into_ram);
	tcase_add_test(tc, test_oversized_buffer);
	tcase_add_test(tc, test_zero_length_ok);
	tcase_add_test(tc, test_readable_after_writable);
	tcase_add_test(tc, test_avail_idx_jump);
	tcase_add_test(tc, test_avail_idx_full_ring_ok);
	tcase_add_test(tc, test_head_out_of_range);
	tcase_add_test(tc, test_indirect_ok);
	tcase_add_test(tc, test_indirect_max_size);
	tcase_add_test(tc, test_indirect_too_many_segments);
	tcase_add_test(tc, test_indirect_in_indirect);
	tcase_add_test(tc, test_indirect_bad_len);
	tcase_add_test(tc, test_indirect_zero_len);
	tcase_add_test(tc, test_indirect_outside_ram);
	tcase_add_test(tc, test_indirect_with_next);
	tcase_add_test(tc, test_indirect_loop);
	tcase_add_test(tc, test_indirect_next_out_of_table);
	tcase_add_test(tc, test_indirect_not_negotiated);
	tcase_add_test(tc, test_unpop);
	tcase_add_test(tc, test_interrupt_no_event_idx);
	tcase_add_test(tc, test_interrupt_event_idx);
	tcase_add_test(tc, test_used_wraps);
	tcase_add_test(tc, test_not_ready);
	tcase_add_test(tc, test_iov_slice);
	tcase_add_test(tc, test_fuzz_random_rings);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
