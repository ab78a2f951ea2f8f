// SPDX-License-Identifier: MIT
/*
 * The split-ring walker on hostile rings, without a device or threads:
 * the input sets the queue size, features and ring addresses, the rest is
 * guest RAM (two regions, so chains can straddle a hole).  Every chain the
 * walker accepts must describe RAM only and add up; reads, writes and
 * slices of it must stay inside.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "tests/fuzz/fuzz_input.h"

#define RAM0_GPA	0x0ULL
#define RAM0_SIZE	0x10000ULL
#define RAM1_GPA	0x20000ULL	/* hole at 0x10000-0x1ffff */
#define RAM1_SIZE	0x1000ULL

static uint8_t *fuzz_ram0, *fuzz_ram1;

static bool fuzz_in_ram(const struct iovec *v)
{
	const uint8_t *b = v->iov_base;

	if (b >= fuzz_ram0 && b <= fuzz_ram0 + RAM0_SIZE)
		return v->iov_len <= (size_t)(fuzz_ram0 + RAM0_SIZE - b);
	if (b >= fuzz_ram1 && b <= fuzz_ram1 + RAM1_SIZE)
		return v->iov_len <= (size_t)(fuzz_ram1 + RAM1_SIZE - b);
	return false;
}

static void fuzz_check_chain(struct virtq_chain *c, uint16_t qsize,
			     struct fuzz_input *in)
{
	uint64_t out = 0, inb = 0;
	struct iovec slice[8];
	uint8_t buf[64];
	unsigned int i;

	assert(c->head < qsize);
	assert((unsigned int)c->nr_out + c->nr_in <= VIRTQ_MAX_SIZE);
	for (i = 0; i < c->nr_out; i++) {
		assert(fuzz_in_ram(&virtq_chain_out(c)[i]));
		out += virtq_chain_out(c)[i].iov_len;
	}
	for (i = 0; i < c->nr_in; i++) {
		assert(fuzz_in_ram(&virtq_chain_in(c)[i]));
		inb += virtq_chain_in(c)[i].iov_len;
	}
	assert(out == c->out_len && inb == c->in_len);

	uint64_t off = fuzz_u16(in);
	size_t len = fuzz_u8(in) % sizeof(buf);
	size_t n = virtq_chain_read(c, off, buf, len);

	assert(n <= len && (off > c->out_len || n <= c->out_len - off));
	n = virtq_chain_write(c, off, buf, len);
	assert(n <= len && (off > c->in_len || n <= c->in_len - off));
	int k = virtq_iov_slice(slice, 8, virtq_chain_out(c), c->nr_out, off,
				len);
	assert(k <= 8);
	for (i = 0; k > 0 && i < (unsigned int)k; i++)
		assert(fuzz_in_ram(&slice[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct guest_mem mem = { .nr_regions = 2, .ram_size = RAM0_SIZE + RAM1_SIZE };
	struct virtq vq;
	struct virtq_chain *chain = malloc(sizeof(*chain));
	uint16_t qsize = (uint16_t)(1u << (fuzz_u8(&in) % 10)); /* up to 512 */
	uint8_t fl = fuzz_u8(&in);
	uint64_t features = ((fl & 1) ? 1ULL << VIRTIO_RING_F_INDIRECT_DESC : 0) |
			    ((fl & 2) ? 1ULL << VIRTIO_RING_F_EVENT_IDX : 0);
	/* Ring addresses: mostly in RAM, sometimes anywhere. */
	uint64_t desc = (fl & 4) ? fuzz_u64(&in) : fuzz_u16(&in);
	uint64_t avail = (fl & 8) ? fuzz_u64(&in) : fuzz_u16(&in);
	uint64_t used = (fl & 16) ? fuzz_u64(&in) : fuzz_u16(&in);
	uint8_t rounds = fuzz_u8(&in);

	if (!fuzz_ram0) {
		fuzz_ram0 = malloc(RAM0_SIZE);
		fuzz_ram1 = malloc(RAM1_SIZE);
	}
	memset(fuzz_ram0, 0, RAM0_SIZE);
	memset(fuzz_ram1, 0, RAM1_SIZE);
	mem.region[0] = (struct guest_mem_region){ RAM0_GPA, RAM0_SIZE, fuzz_ram0 };
	mem.region[1] = (struct guest_mem_region){ RAM1_GPA, RAM1_SIZE, fuzz_ram1 };
	/* The rest of the input is guest RAM from gpa 0. */
	fuzz_take(&in, fuzz_ram0, in.left < RAM0_SIZE ? in.left : RAM0_SIZE);

	memset(&vq, 0, sizeof(vq));
	if (virtq_activate(&vq, &mem, qsize, desc, avail, used, features) == 0) {
		/* Poke the rings between rounds, like a racing driver. */
		for (unsigned int r = 0; r <= (rounds & 3u); r++) {
			for (unsigned int i = 0; i < 2u * VIRTQ_MAX_SIZE + 2; i++) {
				int ret = virtq_pop(&vq, chain);

				if (ret <= 0) {
					if (ret < 0)
						assert(virtq_pop(&vq, chain) == -EPROTO);
					break;
				}
				fuzz_check_chain(chain, qsize, &in);
				if ((rounds >> 2) & 1)
					virtq_unpop(&vq);
				else
					virtq_push(&vq, chain->head,
						   (uint32_t)chain->in_len);
				(void)virtq_need_interrupt(&vq);
			}
			virtq_disable_notify(&vq);
			(void)virtq_enable_notify(&vq);
			if (vq.broken)
				break;
			/* Bump avail idx as a driver would. */
			uint16_t *idx = guest_mem_ptr(&mem, avail + 2, 2);

			if (idx)
				*idx = (uint16_t)(*idx + (rounds >> 4));
		}
		virtq_reset(&vq);
	}
	free(chain);
	return 0;
}
