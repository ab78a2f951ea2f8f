/* SPDX-License-Identifier: MIT */
/*
 * What devices/qcow2.c (mapping, reads, writes) and devices/qcow2_refcount.c
 * (refcounts, cluster allocation) share about one open qcow2 image.
 */
#ifndef MINIVMM_QCOW2_INT_H
#define MINIVMM_QCOW2_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/disk.h"
#include "devices/disk_image.h"

/* Table entries. */
#define QCOW2_OFFSET_MASK	0x00fffffffffffe00ull	/* bits 9..55 */
#define QCOW2_COPIED		(1ull << 63)
#define QCOW2_COMPRESSED	(1ull << 62)
#define QCOW2_ZERO		(1ull << 0)

struct qcow2_l2_slot {
	uint64_t offset;		/* host offset of the table, 0 = empty */
	uint64_t last_use;
	uint64_t *table;		/* big-endian entries, as on disk */
	/* Entries [dirty_lo, dirty_hi) may differ from the file (deferred
	 * updates, see qcow2_commit()); dirty_hi == 0: clean. */
	uint32_t dirty_lo, dirty_hi;
};

enum qcow2_kind {
	QCOW2_UNALLOCATED,		/* backing image, or zeroes */
	QCOW2_ZEROES,
	QCOW2_DATA,			/* ours alone (COPIED): write in place */
	QCOW2_DATA_SHARED,		/* not COPIED: copy before writing */
	QCOW2_COMPRESSED_DATA,
};

struct qcow2 {
	struct disk_image img;
	struct disk file;
	uint64_t file_size;		/* bytes in use, new clusters included */
	uint64_t file_end;		/* the file's real size: <= file_size
					 * while a new cluster's zero tail is
					 * not yet part of it (qcow2_extend) */
	char *backing_path;		/* owned; backing->path points here */
	struct disk_image *backing;

	uint32_t version;
	uint32_t cluster_bits;
	uint64_t cluster_size;
	uint32_t l2_bits;		/* log2 of entries per L2 table */
	uint64_t incompat, compat, autoclear;
	uint32_t refcount_order;
	uint32_t header_length;
	uint32_t nb_snapshots;
	uint64_t refcount_table_offset;
	uint32_t refcount_table_clusters;

	uint64_t *l1;			/* host-endian */
	uint32_t l1_size;
	uint64_t l1_offset;

	struct qcow2_l2_slot *l2_cache;
	unsigned int l2_slots;
	uint64_t l2_clock;

	/* Compressed clusters: the last one inflated stays here. */
	uint8_t *zbuf_in, *zbuf_out;
	uint64_t zbuf_host;		/* its L2 entry, 0 = none */
	unsigned int inflate_warnings;

	struct iovec *scratch;		/* IOV_MAX entries */

	/* Writing (NULL/0 for a read-only image): see qcow2_refcount.c. */
	bool barriers;			/* fdatasync orders metadata writes */
	bool defer_l2;			/* new clusters' L2 entries wait for a
					 * flush (writes are not durable yet) */
	unsigned int l2_dirty;		/* slots with deferred entries */
	bool broken;			/* a metadata write failed: no more */
	uint64_t *rt;			/* refcount table, host-endian */
	uint64_t rt_entries;
	uint8_t **rb;			/* loaded refcount blocks, by rt index */
	uint64_t rb_entries;		/* refcounts per block */
	uint64_t alloc_next;		/* next free cluster at the file's end */
	/* Refcount bytes changed in memory only (increments under a write
	 * cache), written at the next barrier: [lo, hi) of block idx. */
	struct qcow2_rc_dirty {
		uint64_t idx;
		uint32_t lo, hi;
	} rc_dirty[4];
	unsigned int rc_ndirty;
	bool rt_growing;
	uint8_t *cbuf;			/* one cluster, copy-on-write */
	uint8_t *zero_cluster;		/* one cluster of zeroes */
};

/* Read len bytes at off of the image file; -EIO past its end. */
int qcow2_pread(struct qcow2 *q, void *buf, uint64_t len, uint64_t off);
/* Write them (the file may grow). */
int qcow2_pwrite(struct qcow2 *q, const void *buf, uint64_t len, uint64_t off);
/* An offset of a cluster-sized structure: aligned and inside the file. */
bool qcow2_cluster_ok(const struct qcow2 *q, uint64_t off);
/* Order the writes before it before the writes after it (fdatasync, or
 * nothing when every write is durable already or durability is off);
 * the file is first made to reach file_size (qcow2_extend). */
int qcow2_barrier(struct qcow2 *q);
/* Make the file reach file_size: a new cluster written only in part
 * (over zeroes) must lie wholly inside it before a table names it and
 * before it is read.  0 or -errno. */
int qcow2_extend(struct qcow2 *q);
/* Bytes up to end were written: file_end and file_size follow. */
void qcow2_written(struct qcow2 *q, uint64_t end);

/* Write the refcount bytes changed in memory only (qcow2_barrier()
 * does it first).  0 or -errno. */
int qcow2_rc_writeback(struct qcow2 *q);

/* Load the refcount table for writing.  0 or -errno with err set. */
int qcow2_refcount_open(struct qcow2 *q, char *err, size_t errlen);
void qcow2_refcount_close(struct qcow2 *q);
/* A new cluster at the end of the file, its refcount 1 (written). */
int qcow2_alloc_cluster(struct qcow2 *q, uint64_t *host);
/* Drop one reference to every cluster in [host, host + len); a cluster
 * that reaches 0 has its space given back to the host file system. */
int qcow2_free_range(struct qcow2 *q, uint64_t host, uint64_t len);

#endif
