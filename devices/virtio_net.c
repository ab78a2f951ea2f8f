// SPDX-License-Identifier: MIT
#include "devices/virtio_net.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/event_loop.h"
#include "devices/state_stream.h"
#include "net/tap.h"

#define ETH_HDR_LEN		14
/* Config space the guest sees: mac, status, max_virtqueue_pairs. */
#define VIRTIO_NET_CONFIG_SIZE	offsetof(struct virtio_net_config, mtu)
#define VIRTIO_NET_QUEUE_SIZE	256
/* Room for the largest packet a TAP hands over (GSO up to 64 KiB). */
#define VIRTIO_NET_BOUNCE_SIZE	(VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME)
/* Chains handled per event before others get a turn. */
#define VIRTIO_NET_BUDGET	256

#define BIT(n) (1ULL << (n))

static const uint64_t virtio_net_offered =
	BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
	BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_GUEST_TSO4) |
	BIT(VIRTIO_NET_F_GUEST_TSO6) | BIT(VIRTIO_NET_F_HOST_TSO4) |
	BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
	BIT(VIRTIO_NET_F_STATUS);

enum rx_result {
	RX_DELIVERED,
	RX_DROPPED,
	RX_EMPTY,	/* nothing to read on the TAP */
	RX_NO_BUFFERS,	/* the guest posted no (more) buffers */
	RX_BROKEN,	/* the ring is broken: needs reset */
	RX_CHAIN,	/* virtio_net_rx_pop(): a usable chain */
};

/* A packet waiting in the bounce buffer for more mergeable buffers. */
struct rx_partial {
	bool active;
	size_t len, done;		/* bytes in bounce, bytes delivered */
	unsigned int nr;		/* chains held (first one included) */
	uint16_t head[VIRTQ_MAX_SIZE];
	uint32_t used_len[VIRTQ_MAX_SIZE];
	struct iovec nbuf_iov[2];	/* num_buffers of the first chain */
	unsigned int nbuf_nr;
};

struct virtio_net {
	struct tap tap;			/* fd -1 when built on a plain fd */
	int fd;				/* packets: the TAP or a test socket */
	uint8_t mac[6];
	char name[TAP_NAME_MAX + 1];
	char thread_name[16];		/* "net-" + name, truncated */

	struct virtio_mmio *mmio;
	struct virtio_transport *transport;
	struct event_loop loop;
	bool loop_ready;
	int ctl_fd;			/* activate -> I/O thread */
	int kick_fd[2];

	/*
	 * Held by the I/O thread while it works on the queues, and by
	 * activate()/reset() on a vCPU thread: after reset() returns no
	 * guest memory is touched.
	 */
	pthread_mutex_t lock;
	bool active;
	uint64_t features;
	struct virtq *rxq, *txq;
	bool offloads_dirty;
	bool mrg;			/* MRG_RXBUF negotiated */

	bool rx_wanted;			/* guest has (or may have) buffers */
	uint32_t tap_events;		/* what the TAP fd is polled for */
	bool tap_dead;			/* HUP/ERR seen: no longer polled */
	struct rx_partial part;
	uint8_t *bounce;

	bool tx_pending;		/* tx_chain waits for EPOLLOUT */
	struct virtio_net_hdr_v1 tx_hdr;
	struct iovec tx_iov[VIRTQ_MAX_SIZE + 1];
	unsigned int tx_iov_nr;
	uint64_t tx_frame_len;
	uint16_t tx_head;

	struct virtq_chain rx_chain, tx_chain;
	struct iovec rx_iov[VIRTQ_MAX_SIZE + 1];
	uint8_t rx_spare;		/* catches packets too big for a chain */
	struct virtio_net_stats st;
};

/* ---- pure helpers ---- */

unsigned int virtio_net_tap_offloads(uint64_t features)
{
	unsigned int off = 0;

	if (!(features & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0; /* TSO needs checksum offload */
	off |= TAP_OFFLOAD_CSUM;
	if (features & BIT(VIRTIO_NET_F_GUEST_TSO4))
		off |= TAP_OFFLOAD_TSO4;
	if (features & BIT(VIRTIO_NET_F_GUEST_TSO6))
		off |= TAP_OFFLOAD_TSO6;
	if ((features & BIT(VIRTIO_NET_F_GUEST_ECN)) &&
	    (off & (TAP_OFFLOAD_TSO4 | TAP_OFFLOAD_TSO6)))
		off |= TAP_OFFLOAD_TSO_ECN;
	return off;
}

bool virtio_net_tx_hdr_ok(const struct virtio_net_hdr_v1 *h,
			  uint64_t frame_len, uint64_t features)
{
	uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!(features & BIT(VIRTIO_NET_F_CSUM)))
			return false;
		if ((uint64_t)h->csum_start + h->csum_offset + 2 > frame_len)
			return false;
	}
	if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN &&
	    !(features & BIT(VIRTIO_NET_F_HOST_ECN)))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(h->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!(features & BIT(VIRTIO_NET_F_HOST_TSO4)))
			return false;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!(features & BIT(VIRTIO_NET_F_HOST_TSO6)))
			return false;
		break;
	default:
		return false;
	}
	/* A GSO packet is partially checksummed and has a segment size. */
	return (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && h->gso_size != 0 &&
	       h->hdr_len <= frame_len;
}

/* Does an RX header from the TAP use only what the guest negotiated? */
static bool virtio_net_rx_hdr_ok(const struct virtio_net_hdr_v1 *h,
				 uint64_t features)
{
	uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !(features & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return false;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    !(features & BIT(VIRTIO_NET_F_GUEST_ECN)))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return features & BIT(VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return features & BIT(VIRTIO_NET_F_GUEST_TSO6);
	default:
		return false;
	}
}

/* ---- polling of the TAP fd ---- */

static void virtio_net_update_poll(struct virtio_net *net)
{
	uint32_t want = 0;

	if (net->tap_dead)
		return;
	if (net->active && net->rx_wanted)
		want |= EPOLLIN;
	if (net->active && net->tx_pending)
		want |= EPOLLOUT;
	if (want == net->tap_events)
		return;
	if (event_loop_modify(&net->loop, net->fd, want) == 0)
		net->tap_events = want;
}

static void virtio_net_sync_offloads(struct virtio_net *net)
{
	if (!net->offloads_dirty)
		return;
	net->offloads_dirty = false;
	if (net->tap.fd >= 0)
		tap_set_offload(&net->tap,
				virtio_net_tap_offloads(net->features));
}

static void virtio_net_broken(struct virtio_net *net)
{
	/* The ring stays broken until the guest resets the device. */
	net->rx_wanted = false;
	virtio_needs_reset(net->transport);
}

/* ---- receive ---- */

/*
 * Read one packet into iov[0, nr).  tun (like a datagram socket) silently
 * truncates to the buffer and returns the bytes copied, so callers end the
 * vector with spare room: a packet that reaches into it did not fit.
 */
static ssize_t virtio_net_read(struct virtio_net *net, struct iovec *iov,
			       unsigned int nr)
{
	ssize_t n = readv(net->fd, iov, (int)nr);

	return n < 0 ? -errno : n;
}

/*
 * Nothing read.  EAGAIN: the TAP is drained.  Anything else would come
 * back at once from a level-triggered epoll: count it and stop reading
 * until the guest's next RX notification instead of spinning.
 */
static enum rx_result virtio_net_rx_read_failed(struct virtio_net *net,
						ssize_t err)
{
	if (err != -EAGAIN && err != -EINTR) {
		net->st.rx_errors++;
		net->rx_wanted = false;
		virtq_enable_notify(net->rxq);
	}
	return RX_EMPTY;
}

/* A chain fit for RX: device-writable only, room for the header. */
static bool virtio_net_rx_chain_ok(const struct virtq_chain *c)
{
	return c->nr_out == 0 && c->in_len >= VIRTIO_NET_HDR_LEN;
}

/* Copy the first len bytes of the writable part of c (guest memory). */
static size_t virtio_net_in_read(const struct virtq_chain *c, void *dst,
				 size_t len)
{
	const struct iovec *in = c->iov + c->nr_out;
	size_t got = 0;

	for (unsigned int i = 0; i < c->nr_in && got < len; i++) {
		size_t k = in[i].iov_len < len - got ? in[i].iov_len : len - got;

		memcpy((uint8_t *)dst + got, in[i].iov_base, k);
		got += k;
	}
	return got;
}

/*
 * Checks common to both RX paths once a packet of n bytes was read.  The
 * TAP marks packets it verified DATA_VALID whatever the offloads; without
 * GUEST_CSUM the spec wants flags 0, so the mark is cleared.
 */
static bool virtio_net_rx_packet_ok(struct virtio_net *net,
				    const struct virtq_chain *c, size_t n)
{
	struct virtio_net_hdr_v1 h;
	static const uint8_t no_flags;

	if (n < VIRTIO_NET_HDR_LEN + ETH_HDR_LEN)
		return false;
	memset(&h, 0, sizeof(h));
	/* The TAP wrote the first 10 bytes into the guest buffer. */
	if (virtio_net_in_read(c, &h, 10) != 10 ||
	    !virtio_net_rx_hdr_ok(&h, net->features))
		return false;
	if (h.flags && !(net->features & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		virtq_chain_write(c, 0, &no_flags, 1);
	return true;
}

static void virtio_net_rx_set_nbuf(const struct virtq_chain *c, uint16_t nbuf)
{
	virtq_chain_write(c, 10, &nbuf, sizeof(nbuf));
}

static enum rx_result virtio_net_rx_pop(struct virtio_net *net)
{
	struct virtq_chain *c = &net->rx_chain;

	for (;;) {
		int r = virtq_pop(net->rxq, c);

		if (r < 0)
			return RX_BROKEN;
		if (r == 0)
			return RX_NO_BUFFERS;
		if (virtio_net_rx_chain_ok(c))
			return RX_CHAIN;
		/* Unusable buffer: hand it back empty and take the next. */
		net->st.rx_errors++;
		virtq_push(net->rxq, c->head, 0);
	}
}

/* One packet into one chain (no MRG_RXBUF): zero copy. */
static enum rx_result virtio_net_rx_one(struct virtio_net *net)
{
	struct virtq_chain *c = &net->rx_chain;
	enum rx_result r = virtio_net_rx_pop(net);
	ssize_t n;

	if (r != RX_CHAIN)
		return r;
	memcpy(net->rx_iov, virtq_chain_in(c), c->nr_in * sizeof(struct iovec));
	net->rx_iov[c->nr_in].iov_base = &net->rx_spare;
	net->rx_iov[c->nr_in].iov_len = sizeof(net->rx_spare);
	n = virtio_net_read(net, net->rx_iov, c->nr_in + 1);
	if (n < 0) {
		virtq_unpop(net->rxq);
		return virtio_net_rx_read_failed(net, n);
	}
	if ((uint64_t)n > c->in_len || !virtio_net_rx_packet_ok(net, c, n)) {
		/* Too big for the buffer or not for this guest: reuse it. */
		virtq_unpop(net->rxq);
		net->st.rx_drops++;
		return RX_DROPPED;
	}
	virtio_net_rx_set_nbuf(c, 1);
	virtq_add_used(net->rxq, c->head, (uint32_t)n);
	net->st.rx_packets++;
	net->st.rx_bytes += (uint64_t)n - VIRTIO_NET_HDR_LEN;
	return RX_DELIVERED;
}

/* Hand a finished mergeable packet to the guest. */
static void virtio_net_rx_finish_partial(struct virtio_net *net)
{
	struct rx_partial *p = &net->part;
	uint16_t nbuf = (uint16_t)p->nr;
	size_t off = 0;

	for (unsigned int i = 0; i < p->nbuf_nr; i++) {
		memcpy(p->nbuf_iov[i].iov_base, (uint8_t *)&nbuf + off,
		       p->nbuf_iov[i].iov_len);
		off += p->nbuf_iov[i].iov_len;
	}
	for (unsigned int i = 0; i < p->nr; i++)
		virtq_add_used(net->rxq, p->head[i], p->used_len[i]);
	net->st.rx_packets++;
	net->st.rx_bytes += p->len + p->used_len[0] - VIRTIO_NET_HDR_LEN;
	p->active = false;
}

/* Give held chains back empty (the packet is dropped). */
static void virtio_net_rx_abort_partial(struct virtio_net *net)
{
	struct rx_partial *p = &net->part;

	for (unsigned int i = 0; i < p->nr; i++)
		virtq_add_used(net->rxq, p->head[i], 0);
	net->st.rx_drops++;
	p->active = false;
}

/* Spread the rest of a packet from the bounce buffer over more chains. */
static enum rx_result virtio_net_rx_continue(struct virtio_net *net)
{
	struct rx_partial *p = &net->part;
	struct virtq_chain *c = &net->rx_chain;

	while (p->done < p->len) {
		enum rx_result r;

		if (p->nr == VIRTQ_MAX_SIZE || p->nr == net->rxq->size) {
			/* Every buffer of the ring is not enough. */
			virtio_net_rx_abort_partial(net);
			return RX_DROPPED;
		}
		r = virtio_net_rx_pop(net);
		if (r != RX_CHAIN)
			return r;
		size_t k = p->len - p->done;

		if (k > c->in_len)
			k = c->in_len;
		virtq_chain_write(c, 0, net->bounce + p->done, k);
		p->head[p->nr] = c->head;
		p->used_len[p->nr] = (uint32_t)k;
		p->nr++;
		p->done += k;
	}
	virtio_net_rx_finish_partial(net);
	return RX_DELIVERED;
}

/* One packet with MRG_RXBUF: the first chain zero copy, the rest bounced. */
static enum rx_result virtio_net_rx_one_mrg(struct virtio_net *net)
{
	struct virtq_chain *c = &net->rx_chain;
	struct rx_partial *p = &net->part;
	enum rx_result r;
	ssize_t n;

	if (p->active)
		return virtio_net_rx_continue(net);
	r = virtio_net_rx_pop(net);
	if (r != RX_CHAIN)
		return r;
	memcpy(net->rx_iov, virtq_chain_in(c), c->nr_in * sizeof(struct iovec));
	net->rx_iov[c->nr_in].iov_base = net->bounce;
	net->rx_iov[c->nr_in].iov_len = VIRTIO_NET_BOUNCE_SIZE + 1;
	n = virtio_net_read(net, net->rx_iov, c->nr_in + 1);
	if (n < 0) {
		virtq_unpop(net->rxq);
		return virtio_net_rx_read_failed(net, n);
	}
	if ((uint64_t)n > c->in_len + VIRTIO_NET_BOUNCE_SIZE ||
	    !virtio_net_rx_packet_ok(net, c, n)) {
		virtq_unpop(net->rxq);
		net->st.rx_drops++;
		return RX_DROPPED;
	}
	if ((uint64_t)n <= c->in_len) {
		virtio_net_rx_set_nbuf(c, 1);
		virtq_add_used(net->rxq, c->head, (uint32_t)n);
		net->st.rx_packets++;
		net->st.rx_bytes += (uint64_t)n - VIRTIO_NET_HDR_LEN;
		return RX_DELIVERED;
	}
	/*
	 * Hold the first chain (unpublished) until the packet is complete:
	 * num_buffers is known only then.
	 */
	int nr = virtq_iov_slice(p->nbuf_iov, 2, virtq_chain_in(c), c->nr_in,
				 10, 2);

	if (nr < 0) {
		virtq_unpop(net->rxq);
		net->st.rx_errors++;
		return RX_DROPPED;
	}
	p->nbuf_nr = (unsigned int)nr;
	p->active = true;
	p->head[0] = c->head;
	p->used_len[0] = (uint32_t)c->in_len;
	p->nr = 1;
	p->len = (size_t)n - c->in_len;
	p->done = 0;
	return virtio_net_rx_continue(net);
}

static void virtio_net_rx_process(struct virtio_net *net)
{
	unsigned int budget = VIRTIO_NET_BUDGET;

	if (!net->rxq->ready || net->rxq->broken)
		net->rx_wanted = false;
	if (!net->rx_wanted)
		goto out;
	while (budget--) {
		enum rx_result r = net->mrg ? virtio_net_rx_one_mrg(net)
					    : virtio_net_rx_one(net);

		if (r == RX_EMPTY) {
			break;
		} else if (r == RX_NO_BUFFERS) {
			/* Wait for a kick unless buffers raced in. */
			if (!virtq_enable_notify(net->rxq)) {
				net->rx_wanted = false;
				break;
			}
			virtq_disable_notify(net->rxq);
		} else if (r == RX_BROKEN) {
			net->st.rx_errors++;
			virtio_net_broken(net);
			break;
		}
	}
	/* Dropped packets may have returned buffers too: always publish. */
	virtq_publish_used(net->rxq);
	if (virtq_need_interrupt(net->rxq))
		virtio_signal_used(net->transport);
out:
	virtio_net_update_poll(net);
}

/* ---- transmit ---- */

/* writev the prepared chain; 0 sent (or dropped), -EAGAIN to retry. */
static int virtio_net_tx_send(struct virtio_net *net)
{
	ssize_t n = writev(net->fd, net->tx_iov, (int)net->tx_iov_nr);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		net->tx_pending = true;
		return -EAGAIN;
	}
	net->tx_pending = false;
	if (n < 0) {
		if (errno == EINVAL || errno == EFAULT)
			net->st.tx_errors++;	/* the kernel refused it */
		else
			net->st.tx_drops++;	/* TAP down, no memory... */
	} else {
		net->st.tx_packets++;
		net->st.tx_bytes += net->tx_frame_len;
	}
	virtq_push(net->txq, net->tx_head, 0);
	return 0;
}

/* Check a popped TX chain and build its iovec: our header copy + frame. */
static bool virtio_net_tx_prepare(struct virtio_net *net)
{
	struct virtq_chain *c = &net->tx_chain;
	int nr;

	net->tx_head = c->head;
	if (c->nr_in != 0 || c->out_len < VIRTIO_NET_HDR_LEN + ETH_HDR_LEN ||
	    c->out_len > VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME)
		return false;
	net->tx_frame_len = c->out_len - VIRTIO_NET_HDR_LEN;
	if (virtq_chain_read(c, 0, &net->tx_hdr, VIRTIO_NET_HDR_LEN) !=
	    VIRTIO_NET_HDR_LEN)
		return false;
	if (!virtio_net_tx_hdr_ok(&net->tx_hdr, net->tx_frame_len,
				  net->features))
		return false;
	net->tx_hdr.num_buffers = 0;
	net->tx_iov[0].iov_base = &net->tx_hdr;
	net->tx_iov[0].iov_len = VIRTIO_NET_HDR_LEN;
	nr = virtq_iov_slice(net->tx_iov + 1, VIRTQ_MAX_SIZE, c->iov,
			     c->nr_out, VIRTIO_NET_HDR_LEN, net->tx_frame_len);
	if (nr < 0)
		return false;
	net->tx_iov_nr = (unsigned int)nr + 1;
	return true;
}

static void virtio_net_tx_process(struct virtio_net *net)
{
	unsigned int budget = VIRTIO_NET_BUDGET;
	int r = 0;

	if (!net->txq->ready || net->txq->broken)
		goto out;
	if (net->tx_pending && virtio_net_tx_send(net) == -EAGAIN)
		goto out;
	for (unsigned int round = 0;; round++) {
		unsigned int before = budget;

		virtq_disable_notify(net->txq);
		while (budget && (r = virtq_pop(net->txq, &net->tx_chain)) > 0) {
			budget--;
			if (!virtio_net_tx_prepare(net)) {
				net->st.tx_errors++;
				virtq_push(net->txq, net->tx_head, 0);
				continue;
			}
			if (virtio_net_tx_send(net) == -EAGAIN)
				goto signal;
		}
		if (r < 0) {
			net->st.tx_errors++;
			virtio_needs_reset(net->transport);
			goto signal;
		}
		if (!budget) {
			/* Let RX run, then come back (notifications off). */
			uint64_t one = 1;

			if (write(net->kick_fd[VIRTIO_NET_TXQ], &one,
				  sizeof(one)) < 0)
				virtq_enable_notify(net->txq);
			goto signal;
		}
		if (!virtq_enable_notify(net->txq) || (round && budget == before))
			break;
	}
signal:
	if (virtq_need_interrupt(net->txq))
		virtio_signal_used(net->transport);
out:
	virtio_net_update_poll(net);
}

/* ---- event handlers (I/O thread) ---- */

static void virtio_net_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return; /* EAGAIN: already drained */
}

static void virtio_net_on_tap(void *opaque, uint32_t events)
{
	struct virtio_net *net = opaque;

	pthread_mutex_lock(&net->lock);
	if (events & (EPOLLERR | EPOLLHUP)) {
		/* The back-end is gone: stop polling it rather than spin. */
		event_loop_remove(&net->loop, net->fd);
		net->tap_dead = true;
		net->st.rx_errors++;
	} else if (net->active) {
		virtio_net_sync_offloads(net);
		if (events & EPOLLOUT)
			virtio_net_tx_process(net);
		if (events & EPOLLIN)
			virtio_net_rx_process(net);
	} else {
		virtio_net_update_poll(net);
	}
	pthread_mutex_unlock(&net->lock);
}

/*
 * The queue kicks are edge-triggered (EPOLLET): every guest notify is one
 * wake-up and the eventfd counter is never read, which saves a system
 * call per kick on the TX path, the per-packet one.
 */
static void virtio_net_on_rx_kick(void *opaque, uint32_t events)
{
	struct virtio_net *net = opaque;

	(void)events;
	pthread_mutex_lock(&net->lock);
	if (net->active && !net->rxq->broken) {
		virtio_net_sync_offloads(net);
		if (!net->rx_wanted) {
			net->rx_wanted = true;
			virtq_disable_notify(net->rxq);
		}
		virtio_net_rx_process(net);
	}
	pthread_mutex_unlock(&net->lock);
}

static void virtio_net_on_tx_kick(void *opaque, uint32_t events)
{
	struct virtio_net *net = opaque;

	(void)events;
	pthread_mutex_lock(&net->lock);
	if (net->active && !net->tx_pending) {
		virtio_net_sync_offloads(net);
		virtio_net_tx_process(net);
	}
	pthread_mutex_unlock(&net->lock);
}

/* activate() happened: offloads, then start both directions. */
static void virtio_net_on_ctl(void *opaque, uint32_t events)
{
	struct virtio_net *net = opaque;

	(void)events;
	virtio_net_drain(net->ctl_fd);
	pthread_mutex_lock(&net->lock);
	if (net->active) {
		virtio_net_sync_offloads(net);
		virtio_net_tx_process(net);
		virtio_net_rx_process(net);
	}
	virtio_net_update_poll(net);
	pthread_mutex_unlock(&net->lock);
}

/* ---- device ops (vCPU thread, under the transport lock) ---- */

static uint64_t virtio_net_features(void *dev)
{
	(void)dev;
	return virtio_net_offered;
}

static void virtio_net_config_read(void *dev, uint32_t offset, void *data,
				   uint32_t size)
{
	struct virtio_net *net = dev;
	struct virtio_net_config cfg = {
		.status = VIRTIO_NET_S_LINK_UP,
		.max_virtqueue_pairs = 1,
	};

	memcpy(cfg.mac, net->mac, sizeof(cfg.mac));
	if (offset <= VIRTIO_NET_CONFIG_SIZE &&
	    size <= VIRTIO_NET_CONFIG_SIZE - offset)
		memcpy(data, (const uint8_t *)&cfg + offset, size);
	else
		memset(data, 0, size);
}

static int virtio_net_activate(void *dev, uint64_t features,
			       struct virtq *vqs, unsigned int nr)
{
	struct virtio_net *net = dev;
	uint64_t one = 1;

	if (nr < 2)
		return -EINVAL;
	pthread_mutex_lock(&net->lock);
	net->features = features;
	net->mrg = features & BIT(VIRTIO_NET_F_MRG_RXBUF);
	net->rxq = &vqs[VIRTIO_NET_RXQ];
	net->txq = &vqs[VIRTIO_NET_TXQ];
	net->offloads_dirty = true;
	net->rx_wanted = true;
	net->tx_pending = false;
	net->part.active = false;
	net->active = true;
	pthread_mutex_unlock(&net->lock);
	/* The work happens on the I/O thread. */
	if (write(net->ctl_fd, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

static void virtio_net_reset(void *dev)
{
	struct virtio_net *net = dev;

	/* Waits for the I/O thread to leave the queues. */
	pthread_mutex_lock(&net->lock);
	net->active = false;
	net->features = 0;
	net->mrg = false;
	net->rxq = net->txq = NULL;
	net->rx_wanted = false;
	net->tx_pending = false;
	net->part.active = false;
	pthread_mutex_unlock(&net->lock);
	/* The I/O thread turns TAP polling off when it next wakes. */
}

static const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.nr_queues = 2,
	.queue_max_size = VIRTIO_NET_QUEUE_SIZE,
	.config_size = VIRTIO_NET_CONFIG_SIZE,
	.features = virtio_net_features,
	.config_read = virtio_net_config_read,
	.config_write = NULL,
	.activate = virtio_net_activate,
	.reset = virtio_net_reset,
};

/* ---- life cycle ---- */

static int virtio_net_setup_loop(struct virtio_net *net)
{
	int ret;

	snprintf(net->thread_name, sizeof(net->thread_name), "net-%.11s",
		 net->name);
	ret = event_loop_init(&net->loop, net->thread_name);

	if (ret)
		return ret;
	net->loop_ready = true;
	ret = event_loop_add(&net->loop, net->ctl_fd, EPOLLIN,
			     virtio_net_on_ctl, net);
	if (!ret)
		ret = event_loop_add(&net->loop, net->kick_fd[VIRTIO_NET_RXQ],
				     EPOLLIN | EPOLLET, virtio_net_on_rx_kick, net);
	if (!ret)
		ret = event_loop_add(&net->loop, net->kick_fd[VIRTIO_NET_TXQ],
				     EPOLLIN | EPOLLET, virtio_net_on_tx_kick, net);
	if (!ret)
		ret = event_loop_add(&net->loop, net->fd, 0,
				     virtio_net_on_tap, net);
	return ret;
}

static void virtio_net_free(struct virtio_net *net)
{
	if (net->loop_ready)
		event_loop_stop(&net->loop);
	if (net->mmio)
		virtio_mmio_destroy(net->mmio);
	if (net->loop_ready)
		event_loop_destroy(&net->loop);
	if (net->ctl_fd >= 0)
		close(net->ctl_fd);
	if (net->tap.fd >= 0)
		tap_close(&net->tap);
	else if (net->fd >= 0)
		close(net->fd);
	pthread_mutex_destroy(&net->lock);
	free(net->bounce);
	free(net);
}

static int virtio_net_alloc(struct virtio_net **out, const uint8_t mac[6])
{
	struct virtio_net *net = calloc(1, sizeof(*net));

	if (!net)
		return -ENOMEM;
	net->tap.fd = -1;
	net->fd = -1;
	net->ctl_fd = -1;
	memcpy(net->mac, mac, 6);
	pthread_mutex_init(&net->lock, NULL);
	net->bounce = malloc(VIRTIO_NET_BOUNCE_SIZE + 1); /* + spare byte */
	if (!net->bounce) {
		virtio_net_free(net);
		return -ENOMEM;
	}
	*out = net;
	return 0;
}

/* Everything after the back-end fd: transport, kick fds, event loop. */
static int virtio_net_finish(struct virtio_net *net,
			     const struct virtio_mmio_host *host,
			     const struct guest_mem *mem,
			     const struct virtio_mmio_window *win,
			     char *err, size_t errlen)
{
	int ret;

	net->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (net->ctl_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(-ret));
		return ret;
	}
	ret = virtio_mmio_create(&net->mmio, host, mem, win,
				 &virtio_net_ops, net);
	if (ret) {
		snprintf(err, errlen,
			 "virtio-net %s: virtio-mmio slot %u: %s", net->name,
			 win->index, strerror(-ret));
		return ret;
	}
	net->transport = virtio_mmio_transport(net->mmio);
	for (unsigned int q = 0; q < 2; q++) {
		net->kick_fd[q] = virtio_kick_fd(net->transport, q);
		if (net->kick_fd[q] < 0) {
			snprintf(err, errlen,
				 "virtio-net %s: no queue eventfd", net->name);
			return -EINVAL;
		}
	}
	ret = virtio_net_setup_loop(net);
	if (ret)
		snprintf(err, errlen, "virtio-net %s: event loop: %s",
			 net->name, strerror(-ret));
	return ret;
}

int virtio_net_create_on_fd(struct virtio_net **out,
			    const struct virtio_mmio_host *host,
			    const struct guest_mem *mem,
			    const struct virtio_mmio_window *win,
			    int fd, const uint8_t mac[6],
			    char *err, size_t errlen)
{
	struct virtio_net *net;
	int ret = virtio_net_alloc(&net, mac);

	if (ret) {
		close(fd);
		snprintf(err, errlen, "virtio-net: out of memory");
		return ret;
	}
	net->fd = fd;
	snprintf(net->name, sizeof(net->name), "net%u", win->index);
	ret = virtio_net_finish(net, host, mem, win, err, errlen);
	if (ret) {
		virtio_net_free(net);
		return ret;
	}
	*out = net;
	return 0;
}

int virtio_net_create(struct virtio_net **out,
		      const struct virtio_mmio_host *host,
		      const struct guest_mem *mem,
		      const struct virtio_mmio_window *win,
		      const struct nic_config *cfg, char *err, size_t errlen)
{
	struct virtio_net *net;
	int ret = virtio_net_alloc(&net, cfg->mac);

	if (ret) {
		snprintf(err, errlen, "virtio-net: out of memory");
		return ret;
	}
	ret = tap_open(&net->tap, cfg->tap, cfg->bridge, err, errlen);
	if (ret) {
		virtio_net_free(net);
		return ret;
	}
	net->fd = net->tap.fd;
	snprintf(net->name, sizeof(net->name), "%s", net->tap.name);
	ret = virtio_net_finish(net, host, mem, win, err, errlen);
	if (ret) {
		virtio_net_free(net);
		return ret;
	}
	*out = net;
	return 0;
}

int virtio_net_start(struct virtio_net *net, const struct io_thread_hook *hook)
{
	return event_loop_start(&net->loop, hook);
}

void virtio_net_quiesce(struct virtio_net *net)
{
	event_loop_pause(&net->loop);
}

void virtio_net_resume(struct virtio_net *net)
{
	event_loop_resume(&net->loop);
}

/*
 * Snapshots.  Quiesced, the I/O thread holds at most two things the
 * transport's indices do not show: a TX chain it popped but could not
 * write yet (the TAP was full), and, with MRG_RXBUF, the RX chains of a
 * packet it is still spreading.  The TX chain is sent again after the
 * restore (its avail entry is still in guest memory): no frame is lost or
 * sent twice.  The held RX chains are given back empty after the
 * restore, as when a packet is dropped: the packet lived in this
 * process's bounce buffer and its TAP, which the restored VM does not
 * have.  The live VM goes on with both untouched.
 */
void virtio_net_save(struct virtio_net *net, struct state_writer *w)
{
	pthread_mutex_lock(&net->lock);
	state_put_u8(w, net->active && net->tx_pending);
	if (net->active && net->part.active) {
		state_put_u16(w, (uint16_t)net->part.nr);
		for (unsigned int i = 0; i < net->part.nr; i++)
			state_put_u16(w, net->part.head[i]);
	} else {
		state_put_u16(w, 0);
	}
	pthread_mutex_unlock(&net->lock);
	virtio_mmio_save(net->mmio, w);
}

/* After the transport's load: the TX chain to send again, the RX chains to give back. */
static int virtio_net_load_held(struct virtio_net *net, bool tx_pending,
				const uint16_t *held, unsigned int nr_held)
{
	int ret = 0;

	pthread_mutex_lock(&net->lock);
	if ((tx_pending || nr_held) && !net->active) {
		ret = -EINVAL;
		goto out;
	}
	for (unsigned int i = 0; i < nr_held; i++)
		if (held[i] >= net->rxq->size || nr_held > net->rxq->size)
			ret = -EINVAL;
	if (ret)
		goto out;
	if (tx_pending)
		virtq_unpop(net->txq);
	for (unsigned int i = 0; i < nr_held; i++)
		virtq_add_used(net->rxq, held[i], 0);
	if (nr_held) {
		virtq_publish_used(net->rxq);
		net->st.rx_drops++;
	}
out:
	pthread_mutex_unlock(&net->lock);
	return ret;
}

int virtio_net_load(struct virtio_net *net, struct state_reader *r)
{
	uint16_t held[VIRTIO_NET_QUEUE_SIZE];
	bool tx_pending = state_get_u8(r);
	unsigned int nr_held = state_get_u16(r);
	int ret;

	if (nr_held > VIRTIO_NET_QUEUE_SIZE)
		state_reader_fail(r);
	for (unsigned int i = 0; i < nr_held && !r->bad; i++)
		held[i] = state_get_u16(r);
	if (r->bad)
		return -EINVAL;
	ret = virtio_mmio_load(net->mmio, r);
	if (ret)
		return ret;
	return virtio_net_load_held(net, tx_pending, held, nr_held);
}

void virtio_net_stop(struct virtio_net *net)
{
	event_loop_stop(&net->loop);
}

void virtio_net_destroy(struct virtio_net *net)
{
	if (net)
		virtio_net_free(net);
}

struct virtio_mmio *virtio_net_transport(struct virtio_net *net)
{
	return net->mmio;
}

void virtio_net_get_stats(const struct virtio_net *net,
			  struct virtio_net_stats *st)
{
	pthread_mutex_lock((pthread_mutex_t *)&net->lock);
	*st = net->st;
	pthread_mutex_unlock((pthread_mutex_t *)&net->lock);
}

/* The rings as both sides see them: what a stalled guest was waiting for. */
static void virtio_net_print_queues(const struct virtio_net *net, FILE *f)
{
	pthread_mutex_t *lock = (pthread_mutex_t *)&net->lock;
	char rx[320], tx[320];
	bool active;

	pthread_mutex_lock(lock);
	active = net->active;
	if (active) {
		virtq_describe(net->rxq, rx, sizeof(rx));
		virtq_describe(net->txq, tx, sizeof(tx));
		fprintf(f, "net %s: state rx_wanted=%d tx_pending=%d tap_dead=%d rx_partial=%d\n",
			net->name, net->rx_wanted, net->tx_pending,
			net->tap_dead, net->part.active);
	}
	pthread_mutex_unlock(lock);
	if (active)
		fprintf(f, "net %s: rxq %s\nnet %s: txq %s\n", net->name, rx,
			net->name, tx);
}

void virtio_net_print_stats(const struct virtio_net *net, FILE *f)
{
	struct virtio_net_stats st;

	virtio_net_get_stats(net, &st);
	fprintf(f,
		"net %s: rx packets=%llu bytes=%llu drops=%llu errors=%llu, tx packets=%llu bytes=%llu drops=%llu errors=%llu\n",
		net->name, (unsigned long long)st.rx_packets,
		(unsigned long long)st.rx_bytes,
		(unsigned long long)st.rx_drops,
		(unsigned long long)st.rx_errors,
		(unsigned long long)st.tx_packets,
		(unsigned long long)st.tx_bytes,
		(unsigned long long)st.tx_drops,
		(unsigned long long)st.tx_errors);
	virtio_net_print_queues(net, f);
}

struct tap *virtio_net_tap(struct virtio_net *net)
{
	return net->tap.fd >= 0 ? &net->tap : NULL;
}
