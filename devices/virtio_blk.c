// SPDX-License-Identifier: MIT
/*
 * virtio-blk: config space and request decoding; the I/O thread that
 * serves the request queue is a struct virtio_worker.  The transport is reached only through
 * struct virtio_transport, the image only through devices/disk_image.h (any format).
 */
#include "devices/virtio_blk.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/disk.h"
#include "devices/disk_image.h"
#include "devices/virtio_worker.h"
#include "vmm/log.h"

/* Host errors logged per device before we go quiet (a dying disk would
 * otherwise flood the console with one line per request). */
#define VIRTIO_BLK_MAX_ERROR_LOGS 16

/*
 * Bounds on the work between two looks at "reset or stop wanted": a read
 * or write moves at most PIECE_BYTES per disk call, a discard or
 * write-zeroes range is cut into RANGE_PIECE_BYTES, and one wake-up of the
 * I/O thread serves at most BUDGET requests or BUDGET_BYTES of data before
 * it kicks itself and returns to its event loop (stop, pause).  A guest
 * can queue hundreds of GiB; none of it may hold off a reset or SIGTERM.
 */
#define VIRTIO_BLK_PIECE_BYTES		(1u << 20)
#define VIRTIO_BLK_RANGE_PIECE_BYTES	(64u << 20)
#define VIRTIO_BLK_BUDGET		32
#define VIRTIO_BLK_BUDGET_BYTES		(64u << 20)

/* Not a wire status: the request was dropped half-way for a reset or a
 * stop, so neither a status byte nor a used entry is written. */
#define VIRTIO_BLK_ABANDONED		0xff

struct virtio_blk {
	struct virtio_worker worker;	/* the I/O thread and its queue */
	struct disk_image *disk;
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtio_blk_config config;
	uint64_t features;
	bool discard_ignore;		/* discard=ignore */

	struct virtio_mmio *mmio;

	/* I/O thread scratch. */
	struct iovec data_iov[VIRTQ_MAX_SIZE];
	struct iovec piece_iov[VIRTQ_MAX_SIZE];
	unsigned int error_logs;
	struct virtio_blk_stats st;
};

/* ---- config space ---- */

/*
 * Build the constant config space once (virtio 1.x 5.2.4).  Fields of
 * features not offered stay 0; the guest sees VIRTIO_BLK_CONFIG_SIZE
 * bytes of it (up to write_zeroes_may_unmap and its padding).
 */
static void virtio_blk_build_config(struct virtio_blk *blk)
{
	uint32_t bs = blk->disk->block_size;

	blk->config = (struct virtio_blk_config){
		.capacity = blk->disk->size / DISK_SECTOR_SIZE,
		.size_max = VIRTIO_BLK_SIZE_MAX,
		.seg_max = VIRTIO_BLK_SEG_MAX,
		.blk_size = bs,
		.min_io_size = 1,		/* in logical blocks */
		.num_queues = 1,
		.max_discard_sectors = VIRTIO_BLK_MAX_DISCARD_SECTORS,
		.max_discard_seg = VIRTIO_BLK_MAX_DISCARD_SEG,
		.discard_sector_alignment = bs / DISK_SECTOR_SIZE,
		.max_write_zeroes_sectors = VIRTIO_BLK_MAX_DISCARD_SECTORS,
		.max_write_zeroes_seg = VIRTIO_BLK_MAX_DISCARD_SEG,
		.write_zeroes_may_unmap = 1,
	};
}

static uint64_t virtio_blk_features(void *dev)
{
	return ((struct virtio_blk *)dev)->features;
}

static void virtio_blk_config_read(void *dev, uint32_t offset, void *data,
				   uint32_t size)
{
	struct virtio_blk *blk = dev;

	memcpy(data, (const uint8_t *)&blk->config + offset, size);
}

/* ---- requests ---- */

static void virtio_blk_log_error(struct virtio_blk *blk, const char *what,
				 uint64_t sector, int err)
{
	if (blk->error_logs >= VIRTIO_BLK_MAX_ERROR_LOGS)
		return;
	blk->error_logs++;
	log_error("%s: %s at sector %" PRIu64 " failed: %s%s", blk->disk->path,
		  what, sector, strerror(-err),
		  blk->error_logs == VIRTIO_BLK_MAX_ERROR_LOGS ?
		  " (further errors not shown)" : "");
}

static bool virtio_blk_range_ok(const struct virtio_blk *blk, uint64_t sector,
				uint64_t bytes)
{
	uint64_t sectors = blk->disk->size / DISK_SECTOR_SIZE;

	return sector <= sectors &&
	       bytes <= blk->disk->size - sector * DISK_SECTOR_SIZE;
}

/* A reset or stop waits: the request in flight is dropped at its next
 * piece, so neither waits for a guest-sized amount of I/O. */
static bool virtio_blk_abandon_wanted(struct virtio_blk *blk)
{
	return virtio_worker_abandon_wanted(&blk->worker);
}

/*
 * The advertised limits (5.2.4: size_max per segment, seg_max segments per
 * request) hold for the data part; a request beyond them is an I/O error.
 */
static bool virtio_blk_within_limits(const struct iovec *iov, unsigned int n)
{
	if (n > VIRTIO_BLK_SEG_MAX)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (iov[i].iov_len > VIRTIO_BLK_SIZE_MAX)
			return false;
	return true;
}

/*
 * Cut the next piece of at most VIRTIO_BLK_PIECE_BYTES out of data_iov[n],
 * starting at entry *i, byte *skip; advance both.  Returns the number of
 * piece_iov entries and the piece's bytes in *bytes.
 */
static unsigned int virtio_blk_next_piece(struct virtio_blk *blk,
					  unsigned int n, unsigned int *i,
					  uint64_t *skip, uint64_t *bytes)
{
	unsigned int k = 0;

	*bytes = 0;
	while (*i < n && *bytes < VIRTIO_BLK_PIECE_BYTES) {
		const struct iovec *src = &blk->data_iov[*i];
		uint64_t take = src->iov_len - *skip;

		if (take > VIRTIO_BLK_PIECE_BYTES - *bytes)
			take = VIRTIO_BLK_PIECE_BYTES - *bytes;
		blk->piece_iov[k].iov_base = (char *)src->iov_base + *skip;
		blk->piece_iov[k].iov_len = take;
		k++;
		*bytes += take;
		*skip += take;
		if (*skip == src->iov_len) {
			(*i)++;
			*skip = 0;
		}
	}
	return k;
}

/* Move data_iov[n] from/to offset in pieces; -ECANCELED when a reset or a
 * stop came in between two of them. */
static int virtio_blk_transfer(struct virtio_blk *blk, unsigned int n,
			       uint64_t offset, bool write)
{
	unsigned int i = 0;
	uint64_t skip = 0;

	while (i < n) {
		uint64_t bytes;
		unsigned int k;
		int err;

		if (virtio_blk_abandon_wanted(blk))
			return -ECANCELED;
		k = virtio_blk_next_piece(blk, n, &i, &skip, &bytes);
		if (write)
			err = disk_image_writev(blk->disk, blk->piece_iov, k,
						offset);
		else
			err = disk_image_readv(blk->disk, blk->piece_iov, k,
					       offset);
		if (err)
			return err;
		offset += bytes;
		virtio_worker_charge(&blk->worker, bytes);
	}
	return 0;
}

uint64_t virtio_blk_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Add to a counter of blk->st.  Only the I/O thread writes them, so a
 * plain add stored whole (no lock, no locked instruction) is enough for
 * virtio_blk_get_stats() on another thread to read each number whole.
 */
static void virtio_blk_stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

/* One request served: its count, bytes and time since start (ns). */
static void virtio_blk_account(struct virtio_blk *blk, uint64_t *ops,
			       uint64_t *bytes, uint64_t len,
			       uint64_t *total_ns, uint64_t start_ns)
{
	uint64_t now = virtio_blk_clock_ns();

	virtio_blk_stat_add(ops, 1);
	if (bytes)
		virtio_blk_stat_add(bytes, len);
	virtio_blk_stat_add(total_ns, now - start_ns);
	__atomic_store_n(&blk->st.last_done_ns, now, __ATOMIC_RELAXED);
}

/* A write reached up to end (bytes): QEMU's wr_highest_offset. */
static void virtio_blk_note_write_end(struct virtio_blk *blk, uint64_t end)
{
	if (end > blk->st.wr_highest_offset)
		__atomic_store_n(&blk->st.wr_highest_offset, end,
				 __ATOMIC_RELAXED);
}

/*
 * The data of a read or write, in blk->data_iov: readable bytes after the
 * header, or writable bytes before the status byte.  Returns the number
 * of pieces, or -1 when the request is invalid (misaligned, out of
 * range, malformed or beyond size_max / seg_max).
 */
static int virtio_blk_rw_data(struct virtio_blk *blk, struct virtq_chain *c,
			      uint64_t sector, uint64_t len, bool write)
{
	int n;

	if (len % DISK_SECTOR_SIZE || !virtio_blk_range_ok(blk, sector, len))
		return -1;
	if (write)
		n = virtq_iov_slice(blk->data_iov, VIRTQ_MAX_SIZE,
				    virtq_chain_out(c), c->nr_out,
				    sizeof(struct virtio_blk_outhdr), len);
	else
		n = virtq_iov_slice(blk->data_iov, VIRTQ_MAX_SIZE,
				    virtq_chain_in(c), c->nr_in, 0, len);
	if (n < 0)
		return -1;
	if (!virtio_blk_within_limits(blk->data_iov, (unsigned int)n)) {
		virtio_blk_stat_add(&blk->st.over_limits, 1);
		return -1;
	}
	return n;
}

static uint8_t virtio_blk_rw(struct virtio_blk *blk, struct virtq_chain *c,
			     uint64_t sector, bool write, uint32_t *written)
{
	struct virtio_blk_stats *st = &blk->st;
	uint64_t len = write ? c->out_len - sizeof(struct virtio_blk_outhdr) :
			       c->in_len - 1;
	uint64_t start = virtio_blk_clock_ns();
	int n, err;

	n = virtio_blk_rw_data(blk, c, sector, len, write);
	if (n < 0) {
		virtio_blk_stat_add(write ? &st->invalid_writes :
				    &st->invalid_reads, 1);
		return VIRTIO_BLK_S_IOERR;
	}
	/* As in QEMU, a write to a read-only drive is a failed one. */
	if (write && blk->disk->readonly) {
		virtio_blk_stat_add(&st->failed_writes, 1);
		return VIRTIO_BLK_S_IOERR;
	}
	err = virtio_blk_transfer(blk, (unsigned int)n,
				  sector * DISK_SECTOR_SIZE, write);
	if (err == -ECANCELED)
		return VIRTIO_BLK_ABANDONED;
	if (err) {
		virtio_blk_log_error(blk, write ? "write" : "read", sector, err);
		virtio_blk_stat_add(write ? &st->failed_writes :
				    &st->failed_reads, 1);
		return VIRTIO_BLK_S_IOERR;
	}
	if (write) {
		virtio_blk_account(blk, &st->writes, &st->write_bytes, len,
				   &st->write_ns, start);
		virtio_blk_note_write_end(blk, sector * DISK_SECTOR_SIZE + len);
	} else {
		virtio_blk_account(blk, &st->reads, &st->read_bytes, len,
				   &st->read_ns, start);
		*written = (uint32_t)len;
	}
	return VIRTIO_BLK_S_OK;
}

/* Failed flushes count apart, as in QEMU (flush_operations: the good). */
static uint8_t virtio_blk_flush(struct virtio_blk *blk)
{
	uint64_t start = virtio_blk_clock_ns();
	int err = disk_image_flush(blk->disk);

	if (err) {
		virtio_blk_stat_add(&blk->st.failed_flushes, 1);
		virtio_blk_log_error(blk, "flush", 0, err);
		return VIRTIO_BLK_S_IOERR;
	}
	virtio_blk_account(blk, &blk->st.flushes, NULL, 0, &blk->st.flush_ns,
			   start);
	return VIRTIO_BLK_S_OK;
}

static uint8_t virtio_blk_get_id(struct virtio_blk *blk, struct virtq_chain *c,
				 uint32_t *written)
{
	uint64_t room = c->in_len - 1;
	size_t n = room < VIRTIO_BLK_ID_BYTES ? (size_t)room :
						VIRTIO_BLK_ID_BYTES;

	blk->st.get_ids++;
	*written = (uint32_t)virtq_chain_write(c, 0, blk->serial, n);
	return VIRTIO_BLK_S_OK;
}

/* One discard or write-zeroes range, in pieces (a range may be 2 GiB of
 * zeroes written out where the file system cannot punch them). */
static int virtio_blk_range(struct virtio_blk *blk, uint64_t offset,
			    uint64_t len, bool zeroes, bool unmap)
{
	while (len) {
		uint64_t piece = len < VIRTIO_BLK_RANGE_PIECE_BYTES ? len :
				 VIRTIO_BLK_RANGE_PIECE_BYTES;
		int err;

		if (virtio_blk_abandon_wanted(blk))
			return -ECANCELED;
		if (zeroes)
			err = disk_image_write_zeroes(blk->disk, offset, piece,
						      unmap);
		else
			err = disk_image_discard(blk->disk, offset, piece);
		if (err)
			return err;
		offset += piece;
		len -= piece;
		virtio_worker_charge(&blk->worker, piece);
	}
	return 0;
}

/* A discard refused before the image saw it counts as an invalid one. */
static uint8_t virtio_blk_range_invalid(struct virtio_blk *blk, bool zeroes,
					uint8_t status)
{
	if (!zeroes)
		virtio_blk_stat_add(&blk->st.invalid_discards, 1);
	return status;
}

/* DISCARD and WRITE_ZEROES: an array of 16-byte segments after the header. */
static uint8_t virtio_blk_ranges(struct virtio_blk *blk, struct virtq_chain *c,
				 bool zeroes)
{
	uint64_t bytes = c->out_len - sizeof(struct virtio_blk_outhdr);
	uint64_t nr = bytes / sizeof(struct virtio_blk_discard_write_zeroes);
	uint64_t start = virtio_blk_clock_ns(), done = 0;

	if (blk->disk->readonly)
		return virtio_blk_range_invalid(blk, zeroes, VIRTIO_BLK_S_IOERR);
	if (nr == 0 || bytes % sizeof(struct virtio_blk_discard_write_zeroes) ||
	    nr > VIRTIO_BLK_MAX_DISCARD_SEG)
		return virtio_blk_range_invalid(blk, zeroes, VIRTIO_BLK_S_IOERR);
	for (uint64_t i = 0; i < nr; i++) {
		struct virtio_blk_discard_write_zeroes seg;
		uint64_t off = sizeof(struct virtio_blk_outhdr) + i * sizeof(seg);
		uint64_t len;
		int err;

		if (virtq_chain_read(c, off, &seg, sizeof(seg)) != sizeof(seg))
			return virtio_blk_range_invalid(blk, zeroes,
							VIRTIO_BLK_S_IOERR);
		/* Unknown flags, or unmap on a plain discard (5.2.6.2). */
		if ((seg.flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
		    (!zeroes && (seg.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)))
			return virtio_blk_range_invalid(blk, zeroes,
							VIRTIO_BLK_S_UNSUPP);
		len = (uint64_t)seg.num_sectors * DISK_SECTOR_SIZE;
		if (seg.num_sectors > VIRTIO_BLK_MAX_DISCARD_SECTORS ||
		    !virtio_blk_range_ok(blk, seg.sector, len))
			return virtio_blk_range_invalid(blk, zeroes,
							VIRTIO_BLK_S_IOERR);
		err = virtio_blk_range(blk, seg.sector * DISK_SECTOR_SIZE, len,
				       zeroes, (seg.flags &
					VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) &&
				       !blk->discard_ignore);
		if (err == -ECANCELED)
			return VIRTIO_BLK_ABANDONED;
		if (err) {
			virtio_blk_log_error(blk, zeroes ? "write-zeroes" :
					     "discard", seg.sector, err);
			if (!zeroes)
				virtio_blk_stat_add(&blk->st.failed_discards, 1);
			return VIRTIO_BLK_S_IOERR;
		}
		if (zeroes)
			virtio_blk_note_write_end(blk, seg.sector *
						  DISK_SECTOR_SIZE + len);
		done += len;
	}
	if (zeroes)
		virtio_blk_stat_add(&blk->st.write_zeroes, 1);
	else
		virtio_blk_account(blk, &blk->st.discards,
				   &blk->st.discard_bytes, done,
				   &blk->st.discard_ns, start);
	return VIRTIO_BLK_S_OK;
}

/*
 * Decode and run one request.  The status byte is the last writable byte
 * of the chain; *written counts data bytes written before it.
 */
static uint8_t virtio_blk_handle_request(struct virtio_blk *blk,
					 struct virtq_chain *c,
					 uint32_t *written)
{
	struct virtio_blk_outhdr hdr;

	*written = 0;
	if (virtq_chain_read(c, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return VIRTIO_BLK_S_IOERR;
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		return virtio_blk_rw(blk, c, hdr.sector, false, written);
	case VIRTIO_BLK_T_OUT:
		return virtio_blk_rw(blk, c, hdr.sector, true, written);
	case VIRTIO_BLK_T_FLUSH:
		return virtio_blk_flush(blk);
	case VIRTIO_BLK_T_GET_ID:
		return virtio_blk_get_id(blk, c, written);
	case VIRTIO_BLK_T_DISCARD:
		/* discard=ignore: not offered, so not served. */
		if (blk->discard_ignore)
			return VIRTIO_BLK_S_UNSUPP;
		return virtio_blk_ranges(blk, c, false);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return virtio_blk_ranges(blk, c, true);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Serve one chain: the used length, or VIRTIO_WORKER_ABANDONED. */
static int64_t virtio_blk_serve_chain(void *dev, unsigned int q,
				      struct virtq_chain *c)
{
	struct virtio_blk *blk = dev;
	uint32_t written = 0;
	uint8_t status;

	(void)q;
	if (c->in_len == 0) {
		/* No status byte to report through: hand it back empty. */
		blk->st.ioerr++;
		return 0;
	}
	status = virtio_blk_handle_request(blk, c, &written);
	if (status == VIRTIO_BLK_ABANDONED) {
		/* The guest's memory is not ours any more (reset) or the
		 * VM is going away (stop): leave the chain alone. */
		blk->st.abandoned++;
		return VIRTIO_WORKER_ABANDONED;
	}
	if (status == VIRTIO_BLK_S_IOERR)
		blk->st.ioerr++;
	else if (status == VIRTIO_BLK_S_UNSUPP)
		blk->st.unsupp++;
	virtq_chain_write(c, c->in_len - 1, &status, 1);
	return (int64_t)written + 1;
}

/* Same budget as I/O errors: a guest that breaks its queue, resets and
 * repeats cannot flood stderr. */
static void virtio_blk_broken(void *dev, unsigned int q, int err)
{
	struct virtio_blk *blk = dev;

	(void)q;
	if (blk->error_logs >= VIRTIO_BLK_MAX_ERROR_LOGS)
		return;
	blk->error_logs++;
	log_error("%s: malformed request queue (%s), device needs reset",
		  blk->disk->path, strerror(-err));
}

static const struct virtio_worker_ops virtio_blk_worker_ops = {
	.serve = virtio_blk_serve_chain,
	.broken = virtio_blk_broken,
};

/* ---- device life cycle (transport side, vCPU thread) ---- */

static int virtio_blk_activate(void *dev, uint64_t features, struct virtq *vqs,
			       unsigned int nr)
{
	struct virtio_blk *blk = dev;

	(void)features;
	return virtio_worker_activate(&blk->worker, vqs, nr);
}

static void virtio_blk_reset(void *dev)
{
	struct virtio_blk *blk = dev;

	/* The request in flight is dropped at its next piece (a few ms of
	 * I/O at most). */
	virtio_worker_reset(&blk->worker);
}

static const struct virtio_device_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.queue_max_size = VIRTQ_MAX_SIZE,
	.config_size = VIRTIO_BLK_CONFIG_SIZE,
	.features = virtio_blk_features,
	.config_read = virtio_blk_config_read,
	.config_write = NULL,	/* nothing writable: no CONFIG_WCE */
	.activate = virtio_blk_activate,
	.reset = virtio_blk_reset,
};

/* A write cache the guest must flush: QEMU's rule for VIRTIO_BLK_F_FLUSH. */
static bool virtio_blk_write_cache(enum drive_cache cache)
{
	return cache == DRIVE_CACHE_WRITEBACK || cache == DRIVE_CACHE_NONE ||
	       cache == DRIVE_CACHE_UNSAFE;
}

static uint64_t virtio_blk_offered_features(const struct disk_image *d,
					    const struct drive_config *cfg)
{
	uint64_t f = (1ull << VIRTIO_BLK_F_SIZE_MAX) |
		     (1ull << VIRTIO_BLK_F_SEG_MAX) |
		     (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		     (1ull << VIRTIO_BLK_F_TOPOLOGY);

	/* writethrough/directsync: every write is durable on completion,
	 * the guest sees a disk without a volatile cache. */
	if (virtio_blk_write_cache(cfg->cache))
		f |= 1ull << VIRTIO_BLK_F_FLUSH;
	if (d->readonly)
		f |= 1ull << VIRTIO_BLK_F_RO;
	else
		f |= 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	if (!d->readonly && cfg->discard == DRIVE_DISCARD_UNMAP)
		f |= 1ull << VIRTIO_BLK_F_DISCARD;
	return f;
}

/*
 * On the I/O thread when the VM pauses and when the thread stops: the
 * image file must then hold every completed write (qcow2 keeps new L2
 * entries in memory until a flush), because a snapshot records the file
 * as it is, another process may open it, and the main thread that closes
 * the image at exit may not write it (its seccomp filter).
 */
static void virtio_blk_settle(void *opaque)
{
	struct virtio_blk *blk = opaque;
	int err = disk_image_settle(blk->disk);

	if (err)
		log_error("%s: writing its metadata failed: %s",
			  blk->disk->path, strerror(-err));
}

int virtio_blk_create(struct virtio_blk **out,
		      const struct virtio_mmio_host *host,
		      const struct guest_mem *mem,
		      const struct virtio_mmio_window *win,
		      const struct drive_config *cfg, char *err, size_t errlen)
{
	const struct virtio_worker_budget budget = {
		.chains = VIRTIO_BLK_BUDGET, .bytes = VIRTIO_BLK_BUDGET_BYTES,
	};
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	char name[16];
	int ret;

	if (!blk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (cfg->serial)
		memcpy(blk->serial, cfg->serial,
		       strnlen(cfg->serial, sizeof(blk->serial)));
	ret = disk_image_open(cfg, &blk->disk, err, errlen);
	if (ret)
		goto fail_free;
	blk->features = virtio_blk_offered_features(blk->disk, cfg);
	blk->discard_ignore = cfg->discard == DRIVE_DISCARD_IGNORE;
	virtio_blk_build_config(blk);
	snprintf(name, sizeof(name), "virtio-blk%u", win->index);
	ret = virtio_worker_init(&blk->worker, name, &virtio_blk_worker_ops,
				 blk, budget);
	if (ret) {
		snprintf(err, errlen, "%s: event loop: %s", cfg->path,
			 strerror(-ret));
		goto fail_disk;
	}
	event_loop_on_park(&blk->worker.loop, virtio_blk_settle, blk);
	ret = virtio_mmio_create(&blk->mmio, host, mem, win, &virtio_blk_ops,
				 blk);
	if (ret) {
		snprintf(err, errlen,
			 "%s: cannot create virtio-mmio device %u: %s",
			 cfg->path, win->index, strerror(-ret));
		goto fail_worker;
	}
	ret = virtio_worker_attach(&blk->worker, virtio_mmio_transport(blk->mmio),
				   virtio_blk_ops.nr_queues);
	if (ret) {
		snprintf(err, errlen, "%s: event loop: %s", cfg->path,
			 strerror(-ret));
		goto fail_mmio;
	}
	*out = blk;
	return 0;
fail_mmio:
	virtio_mmio_destroy(blk->mmio);
fail_worker:
	virtio_worker_destroy(&blk->worker);
fail_disk:
	disk_image_close(blk->disk);
fail_free:
	free(blk);
	return ret;
}

int virtio_blk_start(struct virtio_blk *blk, const struct io_thread_hook *hook)
{
	return virtio_worker_start(&blk->worker, hook);
}

void virtio_blk_quiesce(struct virtio_blk *blk)
{
	virtio_worker_quiesce(&blk->worker);
}

void virtio_blk_resume(struct virtio_blk *blk)
{
	virtio_worker_resume(&blk->worker);
}

void virtio_blk_save(struct virtio_blk *blk, struct state_writer *w)
{
	virtio_mmio_save(blk->mmio, w);
}

int virtio_blk_load(struct virtio_blk *blk, struct state_reader *r)
{
	return virtio_mmio_load(blk->mmio, r);
}

void virtio_blk_stop(struct virtio_blk *blk)
{
	/* Whatever is queued: the thread ends after the piece in flight. */
	virtio_worker_stop(&blk->worker);
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	int err;

	if (!blk)
		return;
	virtio_blk_stop(blk);
	virtio_mmio_destroy(blk->mmio);	/* resets the device */
	virtio_worker_destroy(&blk->worker);
	err = disk_image_flush(blk->disk);
	if (err)
		log_error("%s: final flush failed: %s", blk->disk->path,
			  strerror(-err));
	disk_image_close(blk->disk);
	free(blk);
}

void virtio_blk_get_stats(const struct virtio_blk *blk,
			  struct virtio_blk_stats *st)
{
	const struct virtio_blk_stats *s = &blk->st;

	/* The I/O thread counts without a lock: each number is read whole. */
	*st = (struct virtio_blk_stats){
		.reads = __atomic_load_n(&s->reads, __ATOMIC_RELAXED),
		.writes = __atomic_load_n(&s->writes, __ATOMIC_RELAXED),
		.flushes = __atomic_load_n(&s->flushes, __ATOMIC_RELAXED),
		.discards = __atomic_load_n(&s->discards, __ATOMIC_RELAXED),
		.write_zeroes = __atomic_load_n(&s->write_zeroes, __ATOMIC_RELAXED),
		.get_ids = __atomic_load_n(&s->get_ids, __ATOMIC_RELAXED),
		.read_bytes = __atomic_load_n(&s->read_bytes, __ATOMIC_RELAXED),
		.write_bytes = __atomic_load_n(&s->write_bytes, __ATOMIC_RELAXED),
		.ioerr = __atomic_load_n(&s->ioerr, __ATOMIC_RELAXED),
		.unsupp = __atomic_load_n(&s->unsupp, __ATOMIC_RELAXED),
		.over_limits = __atomic_load_n(&s->over_limits, __ATOMIC_RELAXED),
		.abandoned = __atomic_load_n(&s->abandoned, __ATOMIC_RELAXED),
		.discard_bytes = __atomic_load_n(&s->discard_bytes, __ATOMIC_RELAXED),
		.read_ns = __atomic_load_n(&s->read_ns, __ATOMIC_RELAXED),
		.write_ns = __atomic_load_n(&s->write_ns, __ATOMIC_RELAXED),
		.flush_ns = __atomic_load_n(&s->flush_ns, __ATOMIC_RELAXED),
		.discard_ns = __atomic_load_n(&s->discard_ns, __ATOMIC_RELAXED),
		.last_done_ns = __atomic_load_n(&s->last_done_ns, __ATOMIC_RELAXED),
		.invalid_reads = __atomic_load_n(&s->invalid_reads, __ATOMIC_RELAXED),
		.invalid_writes = __atomic_load_n(&s->invalid_writes, __ATOMIC_RELAXED),
		.invalid_discards = __atomic_load_n(&s->invalid_discards, __ATOMIC_RELAXED),
		.failed_reads = __atomic_load_n(&s->failed_reads, __ATOMIC_RELAXED),
		.failed_writes = __atomic_load_n(&s->failed_writes, __ATOMIC_RELAXED),
		.failed_flushes = __atomic_load_n(&s->failed_flushes, __ATOMIC_RELAXED),
		.failed_discards = __atomic_load_n(&s->failed_discards, __ATOMIC_RELAXED),
		.wr_highest_offset = __atomic_load_n(&s->wr_highest_offset, __ATOMIC_RELAXED),
	};
}

void virtio_blk_print_stats(const struct virtio_blk *blk, FILE *f)
{
	const struct virtio_blk_stats *s = &blk->st;

	fprintf(f, "minivmm: %s: %" PRIu64 " reads (%" PRIu64 " bytes), %" PRIu64
		 " writes (%" PRIu64 " bytes), %" PRIu64 " flushes, %" PRIu64
		 " discards, %" PRIu64 " write-zeroes, %" PRIu64 " errors (%"
		 PRIu64 " over the size/segment limits), %" PRIu64
		 " unsupported, %" PRIu64 " abandoned at reset/stop\n",
		 blk->worker.name, s->reads, s->read_bytes, s->writes, s->write_bytes,
		 s->flushes, s->discards, s->write_zeroes, s->ioerr,
		 s->over_limits, s->unsupp, s->abandoned);
}
