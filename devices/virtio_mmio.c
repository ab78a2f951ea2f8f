// SPDX-License-Identifier: MIT
/*
 * virtio-MMIO version 2 transport: registers, status state machine,
 * feature negotiation, queue set-up, interrupts.  See devices/virtio_mmio.h.
 */
#include "devices/virtio_mmio.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/state_stream.h"

/* Feature bits the transport itself offers on top of the device's. */
#define VIRTIO_MMIO_TRANSPORT_FEATURES \
	((1ull << VIRTIO_F_VERSION_1) | \
	 (1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1ull << VIRTIO_RING_F_EVENT_IDX))

#define VIRTIO_STATUS_DRIVER_BITS \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK | \
	 VIRTIO_CONFIG_S_FAILED)

struct virtio_mmio_queue {
	/* Registers as the driver wrote them. */
	uint16_t num;
	bool ready;
	uint64_t desc, avail, used;
	/* Notification eventfd and whether KVM signals it (ioeventfd). */
	int kick_fd;
	bool kick_kvm;
};

struct virtio_mmio {
	struct virtio_transport tp;	/* handed to the device */
	pthread_mutex_t lock;		/* register accesses (vCPU threads) */
	const struct virtio_device_ops *ops;
	void *dev;
	const struct guest_mem *mem;
	struct virtio_mmio_host host;
	uint64_t base;
	uint32_t gsi;

	/* Touched by the device's thread too, hence atomics. */
	atomic_uint status;
	atomic_uint int_status;
	atomic_uint config_generation;

	/* Under lock. */
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	bool live;			/* ops->activate() succeeded */
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];
	struct virtq vq[VIRTIO_MMIO_MAX_QUEUES];
};

static struct virtio_mmio *virtio_mmio_of(struct virtio_transport *tp)
{
	return (struct virtio_mmio *)((char *)tp -
				      offsetof(struct virtio_mmio, tp));
}

/* ---- device -> transport (any thread, lock-free) ---- */

static void virtio_mmio_raise(struct virtio_mmio *t, unsigned int why)
{
	atomic_fetch_or(&t->int_status, why);
	/* KVM refuses only a GSI it does not route: nothing to retry. */
	t->host.pulse_irq(t->host.opaque, t->gsi);
}

static void virtio_mmio_tp_signal_used(struct virtio_transport *tp)
{
	virtio_mmio_raise(virtio_mmio_of(tp), VIRTIO_MMIO_INT_VRING);
}

static void virtio_mmio_tp_signal_config(struct virtio_transport *tp)
{
	struct virtio_mmio *t = virtio_mmio_of(tp);

	atomic_fetch_add(&t->config_generation, 1);
	virtio_mmio_raise(t, VIRTIO_MMIO_INT_CONFIG);
}

static void virtio_mmio_tp_needs_reset(struct virtio_transport *tp)
{
	struct virtio_mmio *t = virtio_mmio_of(tp);
	unsigned int old;

	old = atomic_fetch_or(&t->status, VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Tell a driver that is up; one interrupt is enough. */
	if ((old & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_NEEDS_RESET))
		virtio_mmio_raise(t, VIRTIO_MMIO_INT_CONFIG);
}

static int virtio_mmio_tp_kick_fd(struct virtio_transport *tp, unsigned int q)
{
	struct virtio_mmio *t = virtio_mmio_of(tp);

	if (q >= t->ops->nr_queues)
		return -EINVAL;
	return t->q[q].kick_fd;
}

struct virtio_transport *virtio_mmio_transport(struct virtio_mmio *t)
{
	return &t->tp;
}

/* ---- register helpers (under lock) ---- */

static struct virtio_mmio_queue *virtio_mmio_cur_queue(struct virtio_mmio *t)
{
	if (t->queue_sel >= t->ops->nr_queues)
		return NULL;
	return &t->q[t->queue_sel];
}

static void virtio_mmio_reset_locked(struct virtio_mmio *t)
{
	/* Stop the device before the queues it uses are forgotten. */
	if (t->live)
		t->ops->reset(t->dev);
	t->live = false;
	t->driver_features = 0;
	t->device_features_sel = 0;
	t->driver_features_sel = 0;
	t->queue_sel = 0;
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct virtio_mmio_queue *q = &t->q[i];

		q->num = 0;
		q->ready = false;
		q->desc = q->avail = q->used = 0;
		virtq_reset(&t->vq[i]);
	}
	atomic_store(&t->int_status, 0);
	atomic_store(&t->status, 0);
}

/* The guest broke a rule: flag it rather than guess what it meant. */
static void virtio_mmio_violation(struct virtio_mmio *t)
{
	virtio_mmio_tp_needs_reset(&t->tp);
}

static bool virtio_mmio_features_acceptable(const struct virtio_mmio *t)
{
	if (t->driver_features & ~t->device_features)
		return false;
	return t->driver_features & (1ull << VIRTIO_F_VERSION_1);
}

/* DRIVER_OK: make every enabled queue live, then start the device. */
static int virtio_mmio_activate_locked(struct virtio_mmio *t)
{
	for (unsigned int i = 0; i < t->ops->nr_queues; i++) {
		struct virtio_mmio_queue *q = &t->q[i];

		virtq_reset(&t->vq[i]);
		if (!q->ready)
			continue;
		if (virtq_activate(&t->vq[i], t->mem, q->num, q->desc,
				   q->avail, q->used, t->driver_features))
			return -EINVAL;
	}
	return t->ops->activate(t->dev, t->driver_features, t->vq,
				t->ops->nr_queues);
}

static void virtio_mmio_write_status(struct virtio_mmio *t, uint32_t val)
{
	unsigned int cur, added;

	if (val == 0) {
		virtio_mmio_reset_locked(t);
		return;
	}
	cur = atomic_load(&t->status) & VIRTIO_STATUS_DRIVER_BITS;
	val &= VIRTIO_STATUS_DRIVER_BITS;	/* NEEDS_RESET is ours */
	added = val & ~cur;
	/* Bits only accumulate, in order (virtio 1.x 3.1.1). */
	if ((cur & ~val) ||
	    ((added & VIRTIO_CONFIG_S_DRIVER) &&
	     !(val & VIRTIO_CONFIG_S_ACKNOWLEDGE)) ||
	    ((added & VIRTIO_CONFIG_S_FEATURES_OK) &&
	     !(val & VIRTIO_CONFIG_S_DRIVER)) ||
	    ((added & VIRTIO_CONFIG_S_DRIVER_OK) &&
	     !(val & VIRTIO_CONFIG_S_FEATURES_OK))) {
		virtio_mmio_violation(t);
		return;
	}
	/* Unacceptable features: FEATURES_OK simply does not stick. */
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !virtio_mmio_features_acceptable(t)) {
		added &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		added &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !(added & VIRTIO_CONFIG_S_FAILED)) {
		if (virtio_mmio_activate_locked(t) < 0) {
			for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
				virtq_reset(&t->vq[i]);
			atomic_fetch_or(&t->status, added);
			virtio_mmio_violation(t);
			return;
		}
		t->live = true;
	}
	atomic_fetch_or(&t->status, added);
}

/* Queue registers may change only while the queue is off and the
 * driver is not running (virtio 1.x 4.2.3.2). */
static struct virtio_mmio_queue *virtio_mmio_queue_for_write(
	struct virtio_mmio *t)
{
	struct virtio_mmio_queue *q = virtio_mmio_cur_queue(t);

	if (!q)
		return NULL;
	if (q->ready || (atomic_load(&t->status) & VIRTIO_CONFIG_S_DRIVER_OK)) {
		virtio_mmio_violation(t);
		return NULL;
	}
	return q;
}

static void virtio_mmio_set_half(uint64_t *v, bool high, uint32_t val)
{
	if (high)
		*v = (*v & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*v = (*v & ~0xffffffffull) | val;
}

static void virtio_mmio_write_queue_ready(struct virtio_mmio *t, uint32_t val)
{
	struct virtio_mmio_queue *q = virtio_mmio_cur_queue(t);
	struct virtq probe;

	if (!q)
		return;
	if (val == 0) {
		/* Turning a queue off is only meaningful before DRIVER_OK. */
		if (!(atomic_load(&t->status) & VIRTIO_CONFIG_S_DRIVER_OK))
			q->ready = false;
		return;
	}
	if (q->ready)
		return;
	if (atomic_load(&t->status) & VIRTIO_CONFIG_S_DRIVER_OK) {
		virtio_mmio_violation(t);
		return;
	}
	/* Check size and rings now, so a bad set-up is refused at once. */
	if (q->num > t->ops->queue_max_size ||
	    virtq_activate(&probe, t->mem, q->num, q->desc, q->avail, q->used,
			   0)) {
		virtio_mmio_violation(t);
		return;
	}
	q->ready = true;
}

static void virtio_mmio_notify(struct virtio_mmio *t, uint32_t val)
{
	uint64_t one = 1;

	if (val >= t->ops->nr_queues)
		return;
	if (t->ops->notify) {
		if (t->live && t->q[val].ready)
			t->ops->notify(t->dev, val);
		return;
	}
	/* KVM's ioeventfd normally catches these writes before us. */
	if (write(t->q[val].kick_fd, &one, sizeof(one)) < 0)
		return;	/* counter full: a kick is pending anyway */
}

static void virtio_mmio_write_reg(struct virtio_mmio *t, uint64_t off,
				  uint32_t val)
{
	struct virtio_mmio_queue *q;
	bool feat_locked;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		feat_locked = atomic_load(&t->status) &
			      VIRTIO_CONFIG_S_FEATURES_OK;
		if (feat_locked)
			virtio_mmio_violation(t);
		else if (t->driver_features_sel < 2)
			virtio_mmio_set_half(&t->driver_features,
					     t->driver_features_sel, val);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		q = virtio_mmio_queue_for_write(t);
		if (q)
			q->num = val > 0xffff ? 0xffff : val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		virtio_mmio_write_queue_ready(t, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		virtio_mmio_notify(t, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		atomic_fetch_and(&t->int_status, ~val);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_mmio_write_status(t, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		q = virtio_mmio_queue_for_write(t);
		if (q)
			virtio_mmio_set_half(&q->desc,
					     off == VIRTIO_MMIO_QUEUE_DESC_HIGH,
					     val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		q = virtio_mmio_queue_for_write(t);
		if (q)
			virtio_mmio_set_half(&q->avail,
					     off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
					     val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		q = virtio_mmio_queue_for_write(t);
		if (q)
			virtio_mmio_set_half(&q->used,
					     off == VIRTIO_MMIO_QUEUE_USED_HIGH,
					     val);
		break;
	default:
		/* Read-only or unknown (SHMSel, QueueReset): ignored. */
		break;
	}
}

static uint32_t virtio_mmio_read_reg(struct virtio_mmio *t, uint64_t off)
{
	struct virtio_mmio_queue *q = virtio_mmio_cur_queue(t);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->device_features_sel >= 2)
			return 0;
		return (uint32_t)(t->device_features >>
				  (32 * t->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max_size : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return atomic_load(&t->int_status);
	case VIRTIO_MMIO_STATUS:
		return atomic_load(&t->status);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffff;	/* no shared memory regions */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return atomic_load(&t->config_generation);
	default:
		return 0;		/* write-only or unknown */
	}
}

void virtio_mmio_read(void *opaque, uint64_t offset, void *data,
		      uint32_t size)
{
	struct virtio_mmio *t = opaque;

	memset(data, 0, size);
	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;

		if (off + size <= t->ops->config_size && t->ops->config_read)
			t->ops->config_read(t->dev, (uint32_t)off, data, size);
	} else if (size == 4 && !(offset & 3)) {
		/* Registers: 32-bit aligned accesses only (4.2.2.2). */
		uint32_t v = virtio_mmio_read_reg(t, offset);

		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t size)
{
	struct virtio_mmio *t = opaque;

	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;

		if (off + size <= t->ops->config_size && t->ops->config_write)
			t->ops->config_write(t->dev, (uint32_t)off, data, size);
	} else if (size == 4 && !(offset & 3)) {
		uint32_t v;

		memcpy(&v, data, 4);
		virtio_mmio_write_reg(t, offset, v);
	}
	pthread_mutex_unlock(&t->lock);
}

/* ---- life cycle ---- */

static int virtio_mmio_make_kick(struct virtio_mmio *t, unsigned int i)
{
	struct virtio_mmio_queue *q = &t->q[i];
	int fd = -ENOSYS;

	if (t->host.add_ioeventfd)
		fd = t->host.add_ioeventfd(t->host.opaque,
					   t->base + VIRTIO_MMIO_QUEUE_NOTIFY,
					   i);
	if (fd >= 0) {
		q->kick_kvm = true;
	} else {
		/* No KVM ioeventfd: the register write signals it. */
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fd < 0)
			return -errno;
		q->kick_kvm = false;
	}
	q->kick_fd = fd;
	return 0;
}

static void virtio_mmio_close_fds(struct virtio_mmio *t)
{
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct virtio_mmio_queue *q = &t->q[i];

		if (q->kick_fd < 0)
			continue;
		if (q->kick_kvm && t->host.remove_ioeventfd)
			/* vm_remove_mmio_ioeventfd() closes the fd too. */
			t->host.remove_ioeventfd(t->host.opaque, q->kick_fd,
						 t->base +
						 VIRTIO_MMIO_QUEUE_NOTIFY, i);
		else
			close(q->kick_fd);
		q->kick_fd = -1;
	}
}

static bool virtio_mmio_ops_valid(const struct virtio_device_ops *ops)
{
	return ops && ops->nr_queues && ops->nr_queues <= VIRTIO_MMIO_MAX_QUEUES &&
	       ops->queue_max_size && ops->queue_max_size <= VIRTQ_MAX_SIZE &&
	       !(ops->queue_max_size & (ops->queue_max_size - 1)) &&
	       ops->config_size <= LAYOUT_VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG &&
	       ops->activate && ops->reset;
}

int virtio_mmio_create(struct virtio_mmio **out,
		       const struct virtio_mmio_host *host,
		       const struct guest_mem *mem,
		       const struct virtio_mmio_window *win,
		       const struct virtio_device_ops *ops, void *dev)
{
	struct virtio_mmio *t;
	int err;

	if (!win || !virtio_mmio_ops_valid(ops) ||
	    !host || !host->register_mmio || !host->pulse_irq)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->tp.signal_used = virtio_mmio_tp_signal_used;
	t->tp.signal_config = virtio_mmio_tp_signal_config;
	t->tp.needs_reset = virtio_mmio_tp_needs_reset;
	t->tp.kick_fd = virtio_mmio_tp_kick_fd;
	t->ops = ops;
	t->dev = dev;
	t->mem = mem;
	t->host = *host;
	t->base = win->base;
	t->gsi = win->gsi;
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		t->q[i].kick_fd = -1;
	t->device_features = (ops->features ? ops->features(dev) : 0) |
			     VIRTIO_MMIO_TRANSPORT_FEATURES;
	pthread_mutex_init(&t->lock, NULL);

	for (unsigned int i = 0; i < ops->nr_queues && !ops->notify; i++) {
		err = virtio_mmio_make_kick(t, i);
		if (err)
			goto fail;
	}

	struct bus_device bd = {
		.name = ops->name,
		.base = t->base,
		.len = LAYOUT_VIRTIO_MMIO_SIZE,
		.read = virtio_mmio_read,
		.write = virtio_mmio_write,
		.opaque = t,
	};

	err = host->register_mmio(host->opaque, &bd);
	if (err)
		goto fail;
	*out = t;
	return 0;
fail:
	virtio_mmio_close_fds(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return err;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	virtio_mmio_reset_locked(t);
	pthread_mutex_unlock(&t->lock);
	virtio_mmio_close_fds(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* ---- snapshots ---- */

void virtio_mmio_save(struct virtio_mmio *t, struct state_writer *w)
{
	pthread_mutex_lock(&t->lock);
	state_put_u32(w, atomic_load(&t->status));
	state_put_u32(w, atomic_load(&t->int_status));
	state_put_u32(w, atomic_load(&t->config_generation));
	state_put_u64(w, t->driver_features);
	state_put_u32(w, t->device_features_sel);
	state_put_u32(w, t->driver_features_sel);
	state_put_u32(w, t->queue_sel);
	state_put_u8(w, t->live);
	state_put_u32(w, t->ops->nr_queues);
	for (unsigned int i = 0; i < t->ops->nr_queues; i++) {
		const struct virtio_mmio_queue *q = &t->q[i];
		const struct virtq *vq = &t->vq[i];

		state_put_u16(w, q->num);
		state_put_u8(w, q->ready);
		state_put_u64(w, q->desc);
		state_put_u64(w, q->avail);
		state_put_u64(w, q->used);
		state_put_u8(w, vq->ready);
		state_put_u8(w, vq->broken);
		state_put_u16(w, vq->last_avail);
		state_put_u16(w, vq->used_idx);
		state_put_u16(w, vq->signalled_used);
		state_put_u8(w, vq->signalled_valid);
	}
	pthread_mutex_unlock(&t->lock);
}

struct virtio_mmio_saved_queue {
	struct virtio_mmio_queue regs;
	bool live, broken, signalled_valid;
	uint16_t last_avail, used_idx, signalled_used;
};

static bool virtio_mmio_load_queue(struct virtio_mmio *t, struct state_reader *r,
				   struct virtio_mmio_saved_queue *sq)
{
	sq->regs.num = state_get_u16(r);
	sq->regs.ready = state_get_u8(r);
	sq->regs.desc = state_get_u64(r);
	sq->regs.avail = state_get_u64(r);
	sq->regs.used = state_get_u64(r);
	sq->live = state_get_u8(r);
	sq->broken = state_get_u8(r);
	sq->last_avail = state_get_u16(r);
	sq->used_idx = state_get_u16(r);
	sq->signalled_used = state_get_u16(r);
	sq->signalled_valid = state_get_u8(r);
	return !r->bad && sq->regs.num <= t->ops->queue_max_size &&
	       (!sq->live || sq->regs.ready);
}

/* The queues of a live device, mapped and positioned as saved. */
static int virtio_mmio_load_rings(struct virtio_mmio *t,
				  const struct virtio_mmio_saved_queue *sq)
{
	for (unsigned int i = 0; i < t->ops->nr_queues; i++) {
		struct virtq *vq = &t->vq[i];

		if (!sq[i].live)
			continue;
		if (virtq_activate(vq, t->mem, sq[i].regs.num, sq[i].regs.desc,
				   sq[i].regs.avail, sq[i].regs.used,
				   t->driver_features))
			return -EINVAL;
		vq->broken = sq[i].broken;
		vq->last_avail = sq[i].last_avail;
		vq->used_idx = sq[i].used_idx;
		vq->signalled_used = sq[i].signalled_used;
		vq->signalled_valid = sq[i].signalled_valid;
	}
	return t->ops->activate(t->dev, t->driver_features, t->vq,
				t->ops->nr_queues) < 0 ? -EINVAL : 0;
}

int virtio_mmio_load(struct virtio_mmio *t, struct state_reader *r)
{
	struct virtio_mmio_saved_queue sq[VIRTIO_MMIO_MAX_QUEUES];
	uint32_t status = state_get_u32(r), int_status = state_get_u32(r);
	uint32_t generation = state_get_u32(r);
	uint64_t features = state_get_u64(r);
	uint32_t dsel = state_get_u32(r), fsel = state_get_u32(r);
	uint32_t qsel = state_get_u32(r);
	bool live = state_get_u8(r);
	int ret = 0;

	memset(sq, 0, sizeof(sq));
	if (state_get_u32(r) != t->ops->nr_queues)
		state_reader_fail(r);
	for (unsigned int i = 0; i < t->ops->nr_queues && !r->bad; i++)
		if (!virtio_mmio_load_queue(t, r, &sq[i]))
			state_reader_fail(r);
	/* What the register interface lets a driver reach, nothing else. */
	if ((status & ~(VIRTIO_STATUS_DRIVER_BITS | VIRTIO_CONFIG_S_NEEDS_RESET)) ||
	    (int_status & ~(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)) ||
	    (features & ~t->device_features) ||
	    (live && !(status & VIRTIO_CONFIG_S_DRIVER_OK)))
		state_reader_fail(r);
	if (!state_reader_done(r))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	virtio_mmio_reset_locked(t);
	t->driver_features = features;
	t->device_features_sel = dsel;
	t->driver_features_sel = fsel;
	t->queue_sel = qsel;
	for (unsigned int i = 0; i < t->ops->nr_queues; i++) {
		t->q[i].num = sq[i].regs.num;
		t->q[i].ready = sq[i].regs.ready;
		t->q[i].desc = sq[i].regs.desc;
		t->q[i].avail = sq[i].regs.avail;
		t->q[i].used = sq[i].regs.used;
	}
	if (live) {
		ret = virtio_mmio_load_rings(t, sq);
		t->live = !ret;
	}
	if (ret) {
		for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
			virtq_reset(&t->vq[i]);
	} else {
		atomic_store(&t->status, status);
		atomic_store(&t->int_status, int_status);
		atomic_store(&t->config_generation, generation);
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}
