/* SPDX-License-Identifier: MIT */
/*
 * virtio-net device (virtio 1.x section 5.1) on a host TAP, behind the
 * virtio-MMIO transport.  Queue 0 receives, queue 1 transmits.
 *
 * All packet work runs on the device's own I/O thread (epoll on the TAP fd
 * and the two queue kick eventfds):
 *  - RX: readv() from the TAP straight into the guest's descriptor buffers.
 *    Without MRG_RXBUF one chain holds one packet (a packet larger than the
 *    chain is dropped); with MRG_RXBUF the first chain takes what fits, the
 *    rest goes through a 64 KiB bounce buffer into further chains.  When the
 *    guest has no buffers the TAP fd is not polled until it posts some.
 *  - TX: writev() of the chain (header copied and checked first) to the TAP;
 *    EAGAIN waits for EPOLLOUT and retries the same chain.
 * A malformed chain drops the packet and counts an error; the VMM stays up.
 */
#ifndef MINIVMM_VIRTIO_NET_H
#define MINIVMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/virtio_net.h>

#include "devices/event_loop.h"
#include "devices/virtio_mmio.h"
#include "net/tap.h"

struct virtio_net;

/*
 * The wire format is the kernel's (<linux/virtio_net.h>): feature bits
 * VIRTIO_NET_F_*, VIRTIO_NET_S_LINK_UP, struct virtio_net_hdr_v1 and its
 * VIRTIO_NET_HDR_F_* / VIRTIO_NET_HDR_GSO_* values, struct
 * virtio_net_config.
 */

#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1

/* The header before every packet (12 bytes, little-endian). */
#define VIRTIO_NET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)
/* Largest frame accepted from the guest: 64 KiB GSO + Ethernet/VLAN. */
#define VIRTIO_NET_MAX_FRAME	(65536 + 18)

/* Counters for -stats (written by the I/O thread only). */
struct virtio_net_stats {
	uint64_t rx_packets, rx_bytes, rx_drops, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_drops, tx_errors;
};

/*
 * Open the TAP of cfg (create it, bring it up, bridge attach), create the
 * virtio-mmio transport in window win through host (KVM, or fakes in
 * tests), set up the I/O thread's event loop (not started).  MAC: cfg->mac
 * (resolved by the configuration).  Returns 0, or -errno with a one-line
 * message in err (nothing left).
 */
int virtio_net_create(struct virtio_net **out,
		      const struct virtio_mmio_host *host,
		      const struct guest_mem *mem,
		      const struct virtio_mmio_window *win,
		      const struct nic_config *cfg, char *err, size_t errlen);

/*
 * The same on any packet file descriptor (taken over, closed by destroy):
 * used by tests with a SOCK_SEQPACKET socketpair (one packet per read,
 * like a TAP) and fake KVM ops.
 */
int virtio_net_create_on_fd(struct virtio_net **out,
			    const struct virtio_mmio_host *host,
			    const struct guest_mem *mem,
			    const struct virtio_mmio_window *win,
			    int fd, const uint8_t mac[6],
			    char *err, size_t errlen);

/* Start the I/O thread; hook runs first on it (vmm/ installs the I/O
 * seccomp class there), may be NULL. */
int virtio_net_start(struct virtio_net *net, const struct io_thread_hook *hook);

/* Park / unpark the I/O thread: between the two no packet moves and guest
 * memory is not touched (the packet in hand completes first). */
void virtio_net_quiesce(struct virtio_net *net);
void virtio_net_resume(struct virtio_net *net);

/*
 * Snapshots: the transport and queue state, plus what the quiesced I/O
 * thread holds (a TX chain waiting for the TAP: sent again after the
 * restore; the RX chains of a half-delivered mergeable packet: given back
 * empty).  Load before start, on whatever TAP the restore has; -EINVAL
 * when malformed.
 */
struct state_writer;
struct state_reader;
void virtio_net_save(struct virtio_net *net, struct state_writer *w);
int virtio_net_load(struct virtio_net *net, struct state_reader *r);

/* Stop the I/O thread (after the vCPUs have stopped). */
void virtio_net_stop(struct virtio_net *net);

/*
 * Stop the I/O thread if still running, reset and free the transport,
 * close the TAP (a TAP minivmm created disappears; an existing one is put
 * back as it was).  Call once the vCPUs are stopped.  NULL is fine.
 */
void virtio_net_destroy(struct virtio_net *net);

/* One line: "net tap0: rx packets=.. bytes=.. drops=.. errors=.., tx ..". */
void virtio_net_print_stats(const struct virtio_net *net, FILE *f);
void virtio_net_get_stats(const struct virtio_net *net,
			  struct virtio_net_stats *st);

/* The TAP behind the device (the machine's exit paths put it back), or
 * NULL for a device made on another descriptor. */
struct tap *virtio_net_tap(struct virtio_net *net);

/* The transport (tests drive its registers). */
struct virtio_mmio *virtio_net_transport(struct virtio_net *net);

/*
 * Is a TX header acceptable for a frame of frame_len bytes (after the
 * header) with the negotiated features?  Offloads the guest did not
 * negotiate, unknown flags or GSO types, a checksum outside the frame or a
 * GSO packet without gso_size are refused.
 */
bool virtio_net_tx_hdr_ok(const struct virtio_net_hdr_v1 *h,
			  uint64_t frame_len, uint64_t features);

/* TAP offloads (TAP_OFFLOAD_*) for the guest's negotiated RX features. */
unsigned int virtio_net_tap_offloads(uint64_t features);

#endif
