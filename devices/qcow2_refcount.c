// SPDX-License-Identifier: MIT
/*
 * qcow2 refcounts and cluster allocation, for writing.
 *
 * New clusters are taken at the end of the file (clusters freed by a
 * discard are given back to the file system as holes, never reused in
 * the same run: a freed cluster may still be named by an L2 entry that
 * is not yet durable).  The refcount table stays in memory; refcount
 * blocks are read when first touched and kept (a block of 64 KiB covers
 * 2 GiB of 64 KiB clusters).  Every change is written at once, and the
 * callers order their writes so a crash leaves at most leaked clusters:
 * a cluster's refcount is written before any table points at it, and a
 * table stops pointing at a cluster before its refcount drops.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/qcow2_int.h"
#include "vmm/log.h"

/* QEMU's limit too: a refcount table of at most 8 MiB. */
#define QCOW2_MAX_RT_BYTES	(8u << 20)
#define QCOW2_HDR_RT_OFFSET	48	/* refcount_table_offset, then _clusters */

int qcow2_pread(struct qcow2 *q, void *buf, uint64_t len, uint64_t off)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	int ret;

	if (off > q->file_size || len > q->file_size - off)
		return -EIO;	/* a pointer past the end of the file */
	if (off + len > q->file_end) {
		ret = qcow2_extend(q);
		if (ret)
			return ret;
	}
	return disk_read(&q->file, &iov, 1, off);
}

int qcow2_pwrite(struct qcow2 *q, const void *buf, uint64_t len, uint64_t off)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	int ret = disk_write(&q->file, &iov, 1, off);

	if (ret) {
		q->broken = true;	/* the tables may now disagree */
		return ret;
	}
	qcow2_written(q, off + len);
	return 0;
}

void qcow2_written(struct qcow2 *q, uint64_t end)
{
	if (end > q->file_end)
		q->file_end = end;
	if (end > q->file_size)
		q->file_size = end;
}

int qcow2_extend(struct qcow2 *q)
{
	if (q->file_end >= q->file_size)
		return 0;
	if (ftruncate(q->file.fd, (off_t)q->file_size) < 0) {
		q->broken = true;
		return -errno;
	}
	q->file_end = q->file_size;
	return 0;
}

bool qcow2_cluster_ok(const struct qcow2 *q, uint64_t off)
{
	return off && !(off & (q->cluster_size - 1)) &&
	       off <= q->file_size && q->cluster_size <= q->file_size - off;
}

int qcow2_barrier(struct qcow2 *q)
{
	int ret = qcow2_rc_writeback(q);

	if (!ret)
		ret = qcow2_extend(q);

	if (ret || !q->barriers)
		return ret;
	if (fdatasync(q->file.fd) < 0) {
		q->broken = true;
		return -errno;
	}
	return 0;
}

/* ---- refcount entries of any width (1..64 bits, LSB-first below 8) ---- */

static uint64_t qcow2_rc_get(const struct qcow2 *q, const uint8_t *blk,
			     uint64_t i)
{
	unsigned int bits = 1u << q->refcount_order;
	uint64_t v = 0;

	if (bits < 8)
		return (blk[i * bits / 8] >> (i * bits % 8)) & ((1u << bits) - 1);
	for (unsigned int b = 0; b < bits / 8; b++)
		v = v << 8 | blk[i * (bits / 8) + b];
	return v;
}

static void qcow2_rc_set(const struct qcow2 *q, uint8_t *blk, uint64_t i,
			 uint64_t v)
{
	unsigned int bits = 1u << q->refcount_order;

	if (bits < 8) {
		unsigned int shift = i * bits % 8;
		uint8_t mask = (uint8_t)(((1u << bits) - 1) << shift);

		blk[i * bits / 8] = (uint8_t)((blk[i * bits / 8] & ~mask) |
					      (v << shift));
		return;
	}
	for (unsigned int b = bits / 8; b-- > 0; v >>= 8)
		blk[i * (bits / 8) + b] = (uint8_t)v;
}

static uint64_t qcow2_rc_max(const struct qcow2 *q)
{
	return q->refcount_order == 6 ? UINT64_MAX :
	       (1ull << (1u << q->refcount_order)) - 1;
}

static int qcow2_rb_get(struct qcow2 *q, uint64_t idx, uint8_t **blk);

/* The refcount of the cluster at host, without making anything. */
static int qcow2_refcount_of(struct qcow2 *q, uint64_t host, uint64_t *v)
{
	uint64_t cl = host >> q->cluster_bits, idx = cl / q->rb_entries;
	uint8_t *blk;
	int ret;

	*v = 0;
	if (idx >= q->rt_entries || !q->rt[idx])
		return 0;
	ret = qcow2_rb_get(q, idx, &blk);
	if (ret)
		return ret;
	*v = qcow2_rc_get(q, blk, cl % q->rb_entries);
	return 0;
}

/* Clusters tried past the end before giving up (leaked ones are skipped). */
#define QCOW2_MAX_SKIP (1u << 20)

/*
 * n free clusters in a row at the end of the file.  A crash can leave
 * clusters there counted but never written or named (leaks): skip them.
 */
static int qcow2_alloc_free_run(struct qcow2 *q, uint64_t n, uint64_t *first)
{
	uint64_t start = q->alloc_next, found = 0;

	for (unsigned int tries = 0; found < n; tries++) {
		uint64_t v;
		int ret;

		if (tries > QCOW2_MAX_SKIP)
			return -ENOSPC;
		ret = qcow2_refcount_of(q, start + found * q->cluster_size, &v);
		if (ret)
			return ret;
		if (v) {
			start += (found + 1) * q->cluster_size;
			found = 0;
		} else {
			found++;
		}
	}
	q->alloc_next = start + n * q->cluster_size;
	*first = start;
	return 0;
}

/* Write refcount i of the block at rt index idx (the bytes holding it). */
static int qcow2_rc_write(struct qcow2 *q, uint64_t idx, uint64_t i)
{
	unsigned int bits = 1u << q->refcount_order;
	uint64_t byte = i * bits / 8;

	return qcow2_pwrite(q, q->rb[idx] + byte, bits < 8 ? 1 : bits / 8,
			    q->rt[idx] + byte);
}

int qcow2_rc_writeback(struct qcow2 *q)
{
	for (unsigned int k = 0; k < q->rc_ndirty; k++) {
		const struct qcow2_rc_dirty *d = &q->rc_dirty[k];
		int ret = qcow2_pwrite(q, q->rb[d->idx] + d->lo, d->hi - d->lo,
				       q->rt[d->idx] + d->lo);

		if (ret)
			return ret;
	}
	q->rc_ndirty = 0;
	return 0;
}

/*
 * Refcount i of block idx was raised: with a write cache the bytes wait
 * for the next barrier, which comes before any table names the cluster
 * (a crash before it leaves the cluster merely unused).  Else now.
 */
static int qcow2_rc_raised(struct qcow2 *q, uint64_t idx, uint64_t i)
{
	unsigned int bits = 1u << q->refcount_order;
	uint32_t lo = (uint32_t)(i * bits / 8);
	uint32_t hi = lo + (bits < 8 ? 1 : bits / 8);
	struct qcow2_rc_dirty *d;
	int ret;

	if (!q->defer_l2)
		return qcow2_rc_write(q, idx, i);
	for (unsigned int k = 0; k < q->rc_ndirty; k++) {
		d = &q->rc_dirty[k];
		if (d->idx != idx)
			continue;
		if (lo < d->lo)
			d->lo = lo;
		if (hi > d->hi)
			d->hi = hi;
		return 0;
	}
	if (q->rc_ndirty == sizeof(q->rc_dirty) / sizeof(q->rc_dirty[0])) {
		ret = qcow2_rc_writeback(q);
		if (ret)
			return ret;
	}
	d = &q->rc_dirty[q->rc_ndirty++];
	*d = (struct qcow2_rc_dirty){ .idx = idx, .lo = lo, .hi = hi };
	return 0;
}

static int qcow2_rt_write(struct qcow2 *q, uint64_t idx)
{
	uint64_t be = htobe64(q->rt[idx]);

	return qcow2_pwrite(q, &be, 8, q->refcount_table_offset + idx * 8);
}

static int qcow2_refcount_add(struct qcow2 *q, uint64_t host, int delta,
			      uint64_t *now);

/*
 * Grow the rb pointer array along with the table.  Not realloc(): a
 * large block would be moved with mremap, which the I/O thread's seccomp
 * filter does not allow.
 */
static int qcow2_rb_resize(struct qcow2 *q, uint64_t entries)
{
	uint8_t **rb = calloc(entries, sizeof(*rb));

	if (!rb)
		return -ENOMEM;
	memcpy(rb, q->rb, q->rt_entries * sizeof(*rb));
	free(q->rb);
	q->rb = rb;
	return 0;
}

/*
 * A refcount table with room for rt index idx: a bigger copy at the end
 * of the file (its own clusters counted), then the header points at it,
 * then the old one is freed.  A crash before the header write leaves the
 * old table in charge and the new clusters leaked.
 */
static int qcow2_rt_grow(struct qcow2 *q, uint64_t idx)
{
	uint64_t per_cluster = q->cluster_size / 8;
	uint64_t entries = 2 * (idx + 1 > q->rt_entries ? idx + 1 : q->rt_entries);
	uint64_t *old = q->rt, old_off = q->refcount_table_offset;
	uint64_t old_clusters = q->refcount_table_clusters, clusters, table;
	uint8_t hdr[12];
	uint64_t *rt;
	int ret;

	if (q->rt_growing)
		return -EIO;
	entries = (entries + per_cluster - 1) / per_cluster * per_cluster;
	if (entries * 8 > QCOW2_MAX_RT_BYTES)
		return -ENOSPC;
	clusters = entries / per_cluster;
	if (posix_memalign((void **)&rt, 4096, entries * 8))
		return -ENOMEM;
	ret = qcow2_rb_resize(q, entries);
	if (ret) {
		free(rt);
		return ret;
	}
	memset(rt, 0, entries * 8);
	memcpy(rt, old, q->rt_entries * 8);
	ret = qcow2_alloc_free_run(q, clusters, &table);
	if (ret) {
		free(rt);
		return ret;
	}
	/* From here on the new table is the one in use in memory. */
	q->rt = rt;
	q->rt_entries = entries;
	q->refcount_table_offset = table;
	q->refcount_table_clusters = (uint32_t)clusters;
	q->rt_growing = true;
	for (uint64_t c = 0; c < clusters && !ret; c++)
		ret = qcow2_refcount_add(q, table + c * q->cluster_size, 1, NULL);
	q->rt_growing = false;
	for (uint64_t i = 0; i < entries && !ret; i++)
		rt[i] = htobe64(rt[i]);
	if (!ret)
		ret = qcow2_pwrite(q, rt, entries * 8, table);
	for (uint64_t i = 0; i < entries; i++)
		rt[i] = be64toh(rt[i]);
	if (!ret)
		ret = qcow2_barrier(q);
	if (!ret) {
		uint64_t off = htobe64(table);
		uint32_t n = htobe32((uint32_t)clusters);

		memcpy(hdr, &off, 8);
		memcpy(hdr + 8, &n, 4);
		ret = qcow2_pwrite(q, hdr, sizeof(hdr), QCOW2_HDR_RT_OFFSET);
	}
	if (!ret)
		ret = qcow2_barrier(q);
	if (ret) {
		q->broken = true;
		free(old);
		return ret;
	}
	free(old);
	return qcow2_free_range(q, old_off, old_clusters * q->cluster_size);
}

/* The refcount block at rt index idx, read or (create) made. */
static int qcow2_rb_get(struct qcow2 *q, uint64_t idx, uint8_t **blk)
{
	uint64_t off = q->rt[idx], b, bidx;
	int ret;

	if (q->rb[idx]) {
		*blk = q->rb[idx];
		return 0;
	}
	if (posix_memalign((void **)&q->rb[idx], 4096, q->cluster_size))
		return -ENOMEM;
	if (off) {
		if (!qcow2_cluster_ok(q, off)) {
			free(q->rb[idx]);
			q->rb[idx] = NULL;
			return -EIO;
		}
		ret = qcow2_pread(q, q->rb[idx], q->cluster_size, off);
		if (ret) {
			free(q->rb[idx]);
			q->rb[idx] = NULL;
			return ret;
		}
		*blk = q->rb[idx];
		return 0;
	}
	/* A new block at the end of the file; it may count itself. */
	memset(q->rb[idx], 0, q->cluster_size);
	/* Not yet in the table, so not seen by the free-run search. */
	ret = qcow2_alloc_free_run(q, 1, &b);
	if (ret) {
		free(q->rb[idx]);
		q->rb[idx] = NULL;
		return ret;
	}
	bidx = (b >> q->cluster_bits) / q->rb_entries;
	if (bidx == idx)
		qcow2_rc_set(q, q->rb[idx], (b >> q->cluster_bits) % q->rb_entries,
			     1);
	q->rt[idx] = b;		/* for qcow2_rc_write, written below */
	ret = qcow2_pwrite(q, q->rb[idx], q->cluster_size, b);
	if (!ret && bidx != idx)
		ret = qcow2_refcount_add(q, b, 1, NULL);
	if (!ret)	/* its own count too, not deferred (qcow2_rc_raised) */
		ret = qcow2_rc_writeback(q);
	if (!ret)
		ret = qcow2_rt_write(q, idx);	/* the block is on disk first */
	if (ret)
		return ret;
	*blk = q->rb[idx];
	return 0;
}

/* Change the refcount of the cluster at host by delta (+1 or -1). */
static int qcow2_refcount_add(struct qcow2 *q, uint64_t host, int delta,
			      uint64_t *now)
{
	uint64_t cl = host >> q->cluster_bits, idx = cl / q->rb_entries;
	uint64_t i = cl % q->rb_entries, v;
	uint8_t *blk;
	int ret;

	if (idx >= q->rt_entries) {
		ret = qcow2_rt_grow(q, idx);
		if (ret)
			return ret;
	}
	ret = qcow2_rb_get(q, idx, &blk);
	if (ret)
		return ret;
	v = qcow2_rc_get(q, blk, i);
	if ((delta < 0 && v == 0) || (delta > 0 && v == qcow2_rc_max(q))) {
		log_error("%s: refcount of cluster %llu would %s: image "
			  "corrupt, no more writes", q->file.path,
			  (unsigned long long)host,
			  delta < 0 ? "go below 0" : "overflow");
		q->broken = true;
		return -EIO;
	}
	v += (uint64_t)(int64_t)delta;
	qcow2_rc_set(q, blk, i, v);
	if (now)
		*now = v;
	return delta > 0 ? qcow2_rc_raised(q, idx, i) : qcow2_rc_write(q, idx, i);
}

int qcow2_alloc_cluster(struct qcow2 *q, uint64_t *host)
{
	uint64_t h;
	int ret;

	if (q->broken)
		return -EIO;
	ret = qcow2_alloc_free_run(q, 1, &h);
	if (!ret)
		ret = qcow2_refcount_add(q, h, 1, NULL);
	if (!ret)
		*host = h;
	return ret;
}

int qcow2_free_range(struct qcow2 *q, uint64_t host, uint64_t len)
{
	uint64_t first = host & ~(q->cluster_size - 1);

	for (uint64_t c = first; c < host + len; c += q->cluster_size) {
		uint64_t v;
		int ret = qcow2_refcount_add(q, c, -1, &v);

		if (ret)
			return ret;
		/* Give the space back; the hole reads as zeroes (a hint). */
		if (v == 0 && !q->file.is_blkdev)
			(void)fallocate(q->file.fd, FALLOC_FL_PUNCH_HOLE |
					FALLOC_FL_KEEP_SIZE, (off_t)c,
					(off_t)q->cluster_size);
	}
	return 0;
}

int qcow2_refcount_open(struct qcow2 *q, char *err, size_t errlen)
{
	uint64_t bytes = (uint64_t)q->refcount_table_clusters << q->cluster_bits;

	if (bytes > QCOW2_MAX_RT_BYTES) {
		snprintf(err, errlen, "%s: qcow2 refcount table larger "
			 "than 8 MiB", q->file.path);
		return -EINVAL;
	}
	q->rt_entries = bytes / 8;
	q->rb_entries = (q->cluster_size * 8) >> q->refcount_order;
	q->rt = malloc(bytes);
	q->rb = calloc(q->rt_entries, sizeof(*q->rb));
	if (!q->rt || !q->rb) {
		snprintf(err, errlen, "%s: out of memory", q->file.path);
		return -ENOMEM;
	}
	if (qcow2_pread(q, q->rt, bytes, q->refcount_table_offset)) {
		snprintf(err, errlen, "%s: cannot read the qcow2 "
			 "refcount table", q->file.path);
		return -EIO;
	}
	for (uint64_t i = 0; i < q->rt_entries; i++)
		q->rt[i] = be64toh(q->rt[i]);
	q->alloc_next = (q->file_size + q->cluster_size - 1) &
			~(q->cluster_size - 1);
	return 0;
}

void qcow2_refcount_close(struct qcow2 *q)
{
	for (uint64_t i = 0; q->rb && i < q->rt_entries; i++)
		free(q->rb[i]);
	free(q->rb);
	free(q->rt);
	q->rb = NULL;
	q->rt = NULL;
}
