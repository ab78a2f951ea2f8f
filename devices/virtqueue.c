// SPDX-License-Identifier: MIT
/*
 * Split virtqueue, device side.  See devices/virtqueue.h for the rules;
 * the comments here say why each check or barrier is where it is.
 */
#include "devices/virtqueue.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool virtq_is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Bytes of each ring area, event fields included. */
static uint64_t virtq_desc_bytes(uint16_t size)
{
	return 16ull * size;
}

static uint64_t virtq_avail_bytes(uint16_t size)
{
	return 4ull + 2ull * size + 2;
}

static uint64_t virtq_used_bytes(uint16_t size)
{
	return 4ull + 8ull * size + 2;
}

int virtq_activate(struct virtq *vq, const struct guest_mem *mem,
		   uint16_t size, uint64_t desc_gpa, uint64_t avail_gpa,
		   uint64_t used_gpa, uint64_t features)
{
	void *desc, *avail, *used;

	virtq_reset(vq);
	if (!virtq_is_pow2(size) || size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	if ((desc_gpa & 15) || (avail_gpa & 1) || (used_gpa & 3))
		return -EINVAL;
	desc = guest_mem_ptr(mem, desc_gpa, virtq_desc_bytes(size));
	avail = guest_mem_ptr(mem, avail_gpa, virtq_avail_bytes(size));
	used = guest_mem_ptr(mem, used_gpa, virtq_used_bytes(size));
	if (!desc || !avail || !used)
		return -EFAULT;
	vq->mem = mem;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->size = size;
	vq->event_idx = features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	vq->ready = true;
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static uint16_t virtq_load_avail_idx(const struct virtq *vq)
{
	/* Acquire: ring entries and descriptors written before idx. */
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
}

/* One walk over a chain; fails without touching the queue state. */
struct virtq_walk {
	const struct virtq *vq;
	struct virtq_chain *chain;
	unsigned int nr;	/* iov entries used */
};

static int virtq_walk_add(struct virtq_walk *w, const struct vring_desc *d)
{
	struct virtq_chain *c = w->chain;
	void *p;

	if (d->len == 0)
		return 0;	/* legal, nothing to map */
	p = guest_mem_ptr(w->vq->mem, d->addr, d->len);
	if (!p)
		return -EBADMSG;
	if (w->nr == VIRTQ_MAX_SIZE)
		return -EBADMSG;
	if (d->flags & VRING_DESC_F_WRITE) {
		c->nr_in++;
		c->in_len += d->len;
	} else {
		/* Device-readable descriptors must all come first. */
		if (c->nr_in)
			return -EBADMSG;
		c->nr_out++;
		c->out_len += d->len;
	}
	c->iov[w->nr].iov_base = p;
	c->iov[w->nr].iov_len = d->len;
	w->nr++;
	return 0;
}

/*
 * Read descriptor idx of a table exactly once: the guest may rewrite it
 * concurrently, so every check below is made on this private copy.
 */
static void virtq_read_desc(const volatile void *table, unsigned int idx,
			    struct vring_desc *d)
{
	__builtin_memcpy(d, (const char *)table + 16ull * idx, sizeof(*d));
	__asm__ volatile("" ::: "memory");
}

static int virtq_walk_chain(struct virtq_walk *w, uint16_t head)
{
	const volatile void *table = w->vq->desc;
	unsigned int table_size = w->vq->size;
	unsigned int idx = head, budget = w->vq->size;
	bool in_indirect = false;
	struct vring_desc d;
	int err;

	for (;;) {
		/* A chain never visits more descriptors than its table has:
		 * this is what makes a loop terminate. */
		if (budget-- == 0)
			return -EBADMSG;
		virtq_read_desc(table, idx, &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			void *t;

			if (!w->vq->indirect || in_indirect ||
			    (d.flags & VRING_DESC_F_NEXT))
				return -EBADMSG;
			if (d.len == 0 || d.len % 16 ||
			    d.len / 16 > VIRTQ_MAX_SIZE)
				return -EBADMSG;
			t = guest_mem_ptr(w->vq->mem, d.addr, d.len);
			if (!t)
				return -EBADMSG;
			table = t;
			table_size = d.len / 16;
			budget = table_size;
			idx = 0;
			in_indirect = true;
			continue;
		}
		err = virtq_walk_add(w, &d);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		idx = d.next;
		if (idx >= table_size)
			return -EBADMSG;
	}
}

static int virtq_fail(struct virtq *vq, int err)
{
	vq->broken = true;
	vq->nr_errors++;
	return err;
}

int virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	struct virtq_walk w = { .vq = vq, .chain = chain };
	uint16_t avail_idx, head;
	int err;

	if (!vq->ready)
		return 0;
	if (vq->broken)
		return -EPROTO;
	avail_idx = virtq_load_avail_idx(vq);
	if (avail_idx == vq->last_avail)
		return 0;
	/* More new entries than the ring holds: the index is garbage. */
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return virtq_fail(vq, -EPROTO);
	head = __atomic_load_n(&vq->avail->ring[vq->last_avail &
						  (vq->size - 1)],
			       __ATOMIC_RELAXED);
	if (head >= vq->size)
		return virtq_fail(vq, -EPROTO);
	chain->head = head;
	chain->nr_out = chain->nr_in = 0;
	chain->out_len = chain->in_len = 0;
	err = virtq_walk_chain(&w, head);
	if (err)
		return virtq_fail(vq, err);
	vq->last_avail++;
	vq->nr_chains++;
	return 1;
}

void virtq_unpop(struct virtq *vq)
{
	vq->last_avail--;
}

void virtq_add_used(struct virtq *vq, uint16_t head, uint32_t len)
{
	volatile struct vring_used_elem *e;

	if (!vq->ready)
		return;
	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	e->id = head;
	e->len = len;
	vq->used_idx++;
}

void virtq_publish_used(struct virtq *vq)
{
	if (!vq->ready)
		return;
	/* Release: the elements (and the data in the buffers) first. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	virtq_add_used(vq, head, len);
	virtq_publish_used(vq);
}

/* virtio 1.x 2.7.10: notify when event lies in (old, new]. */
static bool virtq_need_event(uint16_t event, uint16_t new_idx,
			     uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_need_interrupt(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, now = vq->used_idx;
	bool valid = vq->signalled_valid;

	if (!vq->ready)
		return false;
	/*
	 * Full fence: our used->idx store must be visible before we read
	 * the guest's suppression state, or both sides could decide the
	 * other one will act (store->load ordering, not given by x86).
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled_used = now;
	vq->signalled_valid = true;
	if (valid && old == now)
		return false;	/* nothing new since the last interrupt */
	if (!vq->event_idx)
		return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	return virtq_need_event(__atomic_load_n(&vq->avail->ring[vq->size],
						__ATOMIC_RELAXED), now, old);
}

static volatile uint16_t *virtq_avail_event(struct virtq *vq)
{
	return (volatile uint16_t *)&vq->used->ring[vq->size];
}

void virtq_describe(const struct virtq *vq, char *buf, size_t len)
{
	if (!vq->ready) {
		snprintf(buf, len, "not ready");
		return;
	}
	/* The guest's fields are read once each; they may move meanwhile. */
	snprintf(buf, len,
		 "size=%u broken=%d last_avail=%u used_idx=%u signalled=%u%s | "
		 "avail.idx=%u avail.flags=%#x used_event=%u | "
		 "used.idx=%u used.flags=%#x avail_event=%u | chains=%llu errors=%llu",
		 vq->size, vq->broken, vq->last_avail, vq->used_idx,
		 vq->signalled_used, vq->signalled_valid ? "" : "(none)",
		 __atomic_load_n(&vq->avail->idx, __ATOMIC_RELAXED),
		 __atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED),
		 __atomic_load_n(&vq->avail->ring[vq->size], __ATOMIC_RELAXED),
		 __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED),
		 __atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED),
		 __atomic_load_n((volatile const uint16_t *)&vq->used->ring[vq->size],
				 __ATOMIC_RELAXED),
		 (unsigned long long)vq->nr_chains,
		 (unsigned long long)vq->nr_errors);
}

void virtq_disable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->event_idx)
		return;	/* with EVENT_IDX a stale avail_event suppresses */
	__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY,
			 __ATOMIC_RELAXED);
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	if (vq->event_idx)
		__atomic_store_n(virtq_avail_event(vq), vq->last_avail,
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	/* Publish the re-enable before looking for entries that raced it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_load_avail_idx(vq) != vq->last_avail;
}

static size_t virtq_iov_copy(const struct iovec *iov, unsigned int nr,
			     uint64_t off, void *buf, size_t len, bool to_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < nr && done < len; i++) {
		size_t n;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		n = iov[i].iov_len - off;
		if (n > len - done)
			n = len - done;
		if (to_iov)
			memcpy((char *)iov[i].iov_base + off,
			       (const char *)buf + done, n);
		else
			memcpy((char *)buf + done,
			       (const char *)iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain_read(const struct virtq_chain *c, uint64_t off,
			void *dst, size_t len)
{
	return virtq_iov_copy(c->iov, c->nr_out, off, dst, len, false);
}

size_t virtq_chain_write(const struct virtq_chain *c, uint64_t off,
			 const void *src, size_t len)
{
	return virtq_iov_copy(c->iov + c->nr_out, c->nr_in, off, (void *)src,
			      len, true);
}

int virtq_iov_slice(struct iovec *dst, unsigned int dst_max,
		    const struct iovec *src, unsigned int nr,
		    uint64_t off, uint64_t len)
{
	unsigned int i = 0, n = 0;

	/* Skip whole entries before off; off may end exactly at the end. */
	while (i < nr && off >= src[i].iov_len) {
		off -= src[i].iov_len;
		i++;
	}
	if (off && i == nr)
		return -1;
	for (; i < nr && len; i++) {
		uint64_t take = src[i].iov_len - off;

		if (n == dst_max)
			return -1;
		if (take > len)
			take = len;
		dst[n].iov_base = (char *)src[i].iov_base + off;
		dst[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return len ? -1 : (int)n;
}
