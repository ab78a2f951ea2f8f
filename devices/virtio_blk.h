/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk device (virtio 1.x section 5.2) on a disk image of any format
 * (devices/disk_image.h: raw, qcow2).
 *
 * One request queue, served by the device's own I/O thread: requests are
 * vectored transfers straight between the image and guest memory.
 * Offered: SEG_MAX, SIZE_MAX, BLK_SIZE, TOPOLOGY, WRITE_ZEROES, FLUSH
 * (only with a write cache: not for cache=writethrough|directsync, as in
 * QEMU), DISCARD (not with discard=ignore), RO for readonly=on.
 * FLUSH is fdatasync; with
 * cache=unsafe it does nothing: guest data then lives in the host page
 * cache until the host kernel writes it back, so a host crash (not a
 * minivmm crash) can lose data the guest believed flushed.
 */
#ifndef MINIVMM_VIRTIO_BLK_H
#define MINIVMM_VIRTIO_BLK_H

#include <stddef.h>
#include <stdio.h>

#include <linux/virtio_blk.h>

#include "devices/disk.h"
#include "devices/event_loop.h"
#include "devices/virtio_mmio.h"

struct virtio_blk;

/*
 * The wire format is the kernel's (<linux/virtio_blk.h>): feature bits
 * VIRTIO_BLK_F_*, request types VIRTIO_BLK_T_*, status VIRTIO_BLK_S_*,
 * struct virtio_blk_outhdr (type, ioprio, sector), struct
 * virtio_blk_discard_write_zeroes, struct virtio_blk_config.
 */

/* What minivmm offers. */
#define VIRTIO_BLK_SEG_MAX		(VIRTQ_MAX_SIZE - 2)
#define VIRTIO_BLK_SIZE_MAX		(1u << 22)	/* 4 MiB per segment */
#define VIRTIO_BLK_MAX_DISCARD_SECTORS	(1u << 22)	/* 2 GiB per range */
#define VIRTIO_BLK_MAX_DISCARD_SEG	16
/* Config space up to write_zeroes_may_unmap and its padding (60 bytes). */
#define VIRTIO_BLK_CONFIG_SIZE \
	offsetof(struct virtio_blk_config, max_secure_erase_sectors)

/*
 * Open the image of cfg with disk_image_open() (format, backing chain,
 * snapshot=on overlay, cache mode, QEMU-compatible locks) and create the
 * virtio-mmio transport in window win through host (KVM, or fakes in
 * tests).  Returns 0, or -errno with one line for the user in err.
 */
int virtio_blk_create(struct virtio_blk **out,
		      const struct virtio_mmio_host *host,
		      const struct guest_mem *mem,
		      const struct virtio_mmio_window *win,
		      const struct drive_config *cfg, char *err, size_t errlen);

/* Start the device's I/O thread (before the vCPUs run); hook runs first
 * on it (vmm/ installs the I/O seccomp class there), may be NULL. */
int virtio_blk_start(struct virtio_blk *blk, const struct io_thread_hook *hook);

/* Park / unpark the I/O thread: between the two no request is served and
 * guest memory is not touched (the request in flight completes first). */
void virtio_blk_quiesce(struct virtio_blk *blk);
void virtio_blk_resume(struct virtio_blk *blk);
/*
 * Snapshots: the transport and queue state (quiesced: no request is in
 * flight, so nothing else is kept); load before start, -EINVAL when
 * malformed.
 */
struct state_writer;
struct state_reader;
void virtio_blk_save(struct virtio_blk *blk, struct state_writer *w);
int virtio_blk_load(struct virtio_blk *blk, struct state_reader *r);

/* Stop the I/O thread (after the vCPUs have stopped). */
void virtio_blk_stop(struct virtio_blk *blk);

/*
 * Stop the I/O thread if still running, reset the device, fdatasync the
 * image (not for cache=unsafe), close it (dropping the lock) and free.
 * Call after the vCPUs have stopped.  NULL is fine.
 */
void virtio_blk_destroy(struct virtio_blk *blk);

/* Request counters (-stats, QMP query-blockstats). */
struct virtio_blk_stats {
	uint64_t reads, writes, flushes, discards, write_zeroes, get_ids;
	uint64_t read_bytes, write_bytes;
	uint64_t ioerr, unsupp;
	uint64_t over_limits;	/* refused: beyond size_max / seg_max */
	uint64_t abandoned;	/* dropped half-way by a reset or stop */
	uint64_t discard_bytes;
	/*
	 * Requests that did not count above, as QEMU splits them: invalid
	 * (misaligned, out of range, malformed: refused before the image
	 * saw them) and failed (the image answered with an error, or the
	 * drive is read-only).  A flush is never invalid.
	 */
	uint64_t invalid_reads, invalid_writes, invalid_discards;
	uint64_t failed_reads, failed_writes, failed_flushes, failed_discards;
	uint64_t wr_highest_offset;	/* the end of the highest byte written */
	/*
	 * Time spent serving the counted reads, writes, flushes and
	 * discards (from decoding the request to the image's answer), in
	 * ns: QEMU's rd/wr/flush/unmap_total_time_ns.  Their average is the
	 * device's latency as the host sees it.
	 */
	uint64_t read_ns, write_ns, flush_ns, discard_ns;
	uint64_t last_done_ns;	/* CLOCK_MONOTONIC of the last one; 0: none */
};

/* A copy of the counters, from any thread (each one read whole). */
void virtio_blk_get_stats(const struct virtio_blk *blk,
			  struct virtio_blk_stats *st);
/* The clock of last_done_ns (CLOCK_MONOTONIC), for an idle time. */
uint64_t virtio_blk_clock_ns(void);
/* Counters for -stats, one line. */
void virtio_blk_print_stats(const struct virtio_blk *blk, FILE *f);

#endif
