// SPDX-License-Identifier: MIT
/*
 * qcow2 image back-end: header and extensions, the L1 table, a bounded
 * cache of L2 tables, guest reads through data, zero, compressed and
 * unallocated clusters (the latter from the backing image).
 * See devices/qcow2.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "devices/qcow2.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/inflate.h"
#include "devices/qcow2_int.h"
#include "vmm/log.h"

#define QCOW2_MIN_CLUSTER_BITS	9
#define QCOW2_MAX_CLUSTER_BITS	21
#define QCOW2_V2_HEADER_BYTES	72
#define QCOW2_V3_HEADER_BYTES	104
#define QCOW2_MAX_BACKING_NAME	1023
#define QCOW2_MAX_FORMAT_NAME	16
/* QEMU's own limit: an L1 table of at most 32 MiB. */
#define QCOW2_MAX_L1_BYTES	(32u << 20)
/* The L2 cache holds this many bytes of tables, at least 2 tables. */
#define QCOW2_L2_CACHE_BYTES	(4u << 20)
#define QCOW2_L2_CACHE_MAX	64u

/* incompatible_features */
#define QCOW2_INCOMPAT_DIRTY		(1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT		(1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE	(1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION	(1ull << 3)
#define QCOW2_INCOMPAT_EXTL2		(1ull << 4)
/* autoclear_features */
#define QCOW2_AUTOCLEAR_BITMAPS		(1ull << 0)
#define QCOW2_AUTOCLEAR_OFFSET		88	/* in the header */
/* Overlays minivmm makes (snapshot=on): 64 KiB clusters, as qemu-img. */
#define QCOW2_OVERLAY_CLUSTER_BITS	16

/* Header extension types. */
#define QCOW2_EXT_END			0x00000000u
#define QCOW2_EXT_BACKING_FORMAT	0xe2792acau
#define QCOW2_EXT_FEATURE_NAMES		0x6803f857u
#define QCOW2_EXT_BITMAPS		0x23852875u
#define QCOW2_EXT_ENCRYPTION		0x0537be77u
#define QCOW2_EXT_DATA_FILE		0x44415441u

/* The on-disk header, big-endian, v2 fields then v3 fields. */
struct qcow2_disk_header {
	uint32_t magic;
	uint32_t version;
	uint64_t backing_file_offset;
	uint32_t backing_file_size;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t crypt_method;
	uint32_t l1_size;
	uint64_t l1_table_offset;
	uint64_t refcount_table_offset;
	uint32_t refcount_table_clusters;
	uint32_t nb_snapshots;
	uint64_t snapshots_offset;
	/* version 3 */
	uint64_t incompatible_features;
	uint64_t compatible_features;
	uint64_t autoclear_features;
	uint32_t refcount_order;
	uint32_t header_length;
} __attribute__((packed));

_Static_assert(sizeof(struct qcow2_disk_header) == QCOW2_V3_HEADER_BYTES,
	       "qcow2 header layout");

bool qcow2_probe(const uint8_t *buf, uint64_t len)
{
	return len >= 4 && ((uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
			    (uint32_t)buf[2] << 8 | buf[3]) == QCOW2_MAGIC;
}

/* ---- file access --------------------------------------------------- */

/* ---- iovec helpers --------------------------------------------------- */

/*
 * dst = the bytes [skip, skip + len) of src.  Returns the entry count;
 * the caller's ranges are inside src, so this cannot run short.
 */
static int qcow2_iov_slice(struct iovec *dst, const struct iovec *src,
			   int cnt, uint64_t skip, uint64_t len)
{
	int n = 0;

	for (int i = 0; i < cnt && len; i++) {
		uint64_t take;

		if (skip >= src[i].iov_len) {
			skip -= src[i].iov_len;
			continue;
		}
		take = src[i].iov_len - skip;
		if (take > len)
			take = len;
		dst[n].iov_base = (char *)src[i].iov_base + skip;
		dst[n].iov_len = take;
		n++;
		skip = 0;
		len -= take;
	}
	return n;
}

/* Copy buf (or zeroes when buf is NULL) into the slice's bytes. */
static void qcow2_iov_fill(const struct iovec *iov, int cnt, const uint8_t *buf)
{
	for (int i = 0; i < cnt; i++) {
		if (buf) {
			memcpy(iov[i].iov_base, buf, iov[i].iov_len);
			buf += iov[i].iov_len;
		} else {
			memset(iov[i].iov_base, 0, iov[i].iov_len);
		}
	}
}

/* ---- the L2 cache ------------------------------------------------------ */

/*
 * Write the deferred L2 entries of every slot (qcow2_commit()).  The
 * barrier first makes the clusters they name, data and refcounts,
 * durable before any table names them.
 */
static int qcow2_l2_writeback(struct qcow2 *q)
{
	int ret;

	if (!q->l2_dirty)
		return 0;
	ret = qcow2_barrier(q);
	for (unsigned int i = 0; i < q->l2_slots && !ret; i++) {
		struct qcow2_l2_slot *slot = &q->l2_cache[i];

		if (!slot->dirty_hi)
			continue;
		ret = qcow2_pwrite(q, slot->table + slot->dirty_lo,
				   (uint64_t)(slot->dirty_hi - slot->dirty_lo) * 8,
				   slot->offset + (uint64_t)slot->dirty_lo * 8);
		if (ret)
			break;
		slot->dirty_lo = slot->dirty_hi = 0;
		q->l2_dirty--;
	}
	return ret;
}

/* Entry i of the cached table was changed in memory only. */
static void qcow2_l2_mark_dirty(struct qcow2 *q, const uint64_t *table,
				uint32_t i)
{
	for (unsigned int s = 0; s < q->l2_slots; s++) {
		struct qcow2_l2_slot *slot = &q->l2_cache[s];

		if (slot->table != table)
			continue;
		if (!slot->dirty_hi) {
			slot->dirty_lo = i;
			slot->dirty_hi = i + 1;
			q->l2_dirty++;
		} else if (i < slot->dirty_lo) {
			slot->dirty_lo = i;
		} else if (i >= slot->dirty_hi) {
			slot->dirty_hi = i + 1;
		}
		return;
	}
}

/* The least recently used slot, its table allocated, emptied. */
static int qcow2_l2_victim(struct qcow2 *q, struct qcow2_l2_slot **out)
{
	struct qcow2_l2_slot *victim = &q->l2_cache[0];

	for (unsigned int i = 1; i < q->l2_slots; i++)
		if (q->l2_cache[i].last_use < victim->last_use)
			victim = &q->l2_cache[i];
	if (victim->dirty_hi) {
		int ret = qcow2_l2_writeback(q);

		if (ret)
			return ret;
	}
	if (!victim->table) {
		victim->table = malloc(q->cluster_size);
		if (!victim->table)
			return -ENOMEM;
	}
	victim->offset = 0;
	victim->last_use = ++q->l2_clock;
	*out = victim;
	return 0;
}

/* The L2 table at host offset off (checked by the caller), cached. */
static int qcow2_l2_get(struct qcow2 *q, uint64_t off, uint64_t **table)
{
	struct qcow2_l2_slot *slot;
	int ret;

	for (unsigned int i = 0; i < q->l2_slots; i++) {
		slot = &q->l2_cache[i];
		if (slot->offset == off) {
			slot->last_use = ++q->l2_clock;
			*table = slot->table;
			return 0;
		}
	}
	ret = qcow2_l2_victim(q, &slot);
	if (!ret)
		ret = qcow2_pread(q, slot->table, q->cluster_size, off);
	if (ret)
		return ret;
	slot->offset = off;
	*table = slot->table;
	return 0;
}

/* A new, empty L2 table for host offset off, in the cache. */
static int qcow2_l2_new(struct qcow2 *q, uint64_t off, uint64_t **table)
{
	struct qcow2_l2_slot *slot;
	int ret = qcow2_l2_victim(q, &slot);

	if (ret)
		return ret;
	memset(slot->table, 0, q->cluster_size);
	slot->offset = off;
	*table = slot->table;
	return 0;
}

/* The L2 entry of guest cluster gc (0 when no L2 table covers it). */
static int qcow2_l2_entry(struct qcow2 *q, uint64_t gc, uint64_t *entry)
{
	uint64_t l1_index = gc >> q->l2_bits, l2_off, *table;
	int ret;

	*entry = 0;
	if (l1_index >= q->l1_size)
		return 0;
	l2_off = q->l1[l1_index] & QCOW2_OFFSET_MASK;
	if (!l2_off)
		return 0;
	if (!qcow2_cluster_ok(q, l2_off))
		return -EIO;
	ret = qcow2_l2_get(q, l2_off, &table);
	if (ret)
		return ret;
	*entry = be64toh(table[gc & ((1ull << q->l2_bits) - 1)]);
	return 0;
}

/* What an L2 entry says about its cluster; host = the data's offset. */
static int qcow2_classify(const struct qcow2 *q, uint64_t entry,
			  enum qcow2_kind *kind, uint64_t *host)
{
	*host = 0;
	if (entry & QCOW2_COMPRESSED) {
		*kind = QCOW2_COMPRESSED_DATA;
		*host = entry;
		return 0;
	}
	*host = entry & QCOW2_OFFSET_MASK;
	if (q->version >= 3 && (entry & QCOW2_ZERO)) {
		/* Reads as zeroes; a preallocated cluster may stay behind. */
		*kind = QCOW2_ZEROES;
		return 0;
	}
	if (!*host) {
		*kind = QCOW2_UNALLOCATED;
		return 0;
	}
	if (!qcow2_cluster_ok(q, *host))
		return -EIO;
	*kind = (entry & QCOW2_COPIED) ? QCOW2_DATA : QCOW2_DATA_SHARED;
	return 0;
}

/* The host bytes a compressed cluster's data occupies. */
static void qcow2_compressed_range(const struct qcow2 *q, uint64_t entry,
				   uint64_t *off, uint64_t *len)
{
	uint32_t shift = 62 - (q->cluster_bits - 8);
	uint64_t nsect_mask = (1ull << (q->cluster_bits - 8)) - 1;
	uint64_t nsect = ((entry >> shift) & nsect_mask) + 1;

	*off = entry & ((1ull << shift) - 1);
	*len = nsect * 512 - (*off & 511);
}

/* ---- compressed clusters ------------------------------------------------ */

static int qcow2_inflate_cluster(struct qcow2 *q, uint64_t entry)
{
	uint64_t coff, clen;
	int ret;

	qcow2_compressed_range(q, entry, &coff, &clen);
	if (q->zbuf_host == entry)
		return 0;
	if (!q->zbuf_in) {
		q->zbuf_in = malloc(2 * q->cluster_size);
		q->zbuf_out = malloc(q->cluster_size);
		if (!q->zbuf_in || !q->zbuf_out)
			return -ENOMEM;
	}
	q->zbuf_host = 0;
	if (coff >= q->file_size)
		return -EIO;
	/* The last sector of the last cluster may end with the file. */
	if (clen > q->file_size - coff)
		clen = q->file_size - coff;
	ret = qcow2_pread(q, q->zbuf_in, clen, coff);
	if (ret)
		return ret;
	ret = inflate_raw(q->zbuf_out, q->cluster_size, q->zbuf_in, clen);
	if (ret != INFLATE_OK) {
		if (q->inflate_warnings++ < 4)
			log_warn("%s: compressed cluster at %llu: %s",
				 q->file.path, (unsigned long long)coff,
				 inflate_strerror(ret));
		return -EIO;
	}
	q->zbuf_host = entry;
	return 0;
}

/* ---- reads ------------------------------------------------------------- */

/* Backing bytes for [off, off + len), zeroes past the backing's end. */
static int qcow2_read_backing(struct qcow2 *q, const struct iovec *iov,
			      int cnt, uint64_t skip, uint64_t len,
			      uint64_t off)
{
	uint64_t from_backing = 0;
	int n, ret;

	if (q->backing && off < q->backing->size)
		from_backing = q->backing->size - off < len ?
			       q->backing->size - off : len;
	if (from_backing) {
		/* A request of a few pieces (the usual) needs no malloc. */
		struct iovec few[8];
		struct iovec *sub = cnt <= 8 ? few :
				    malloc(sizeof(*sub) * (size_t)cnt);

		if (!sub)
			return -ENOMEM;
		n = qcow2_iov_slice(sub, iov, cnt, skip, from_backing);
		ret = disk_image_readv(q->backing, sub, n, off);
		if (sub != few)
			free(sub);
		if (ret)
			return ret;
	}
	n = qcow2_iov_slice(q->scratch, iov, cnt, skip + from_backing,
			    len - from_backing);
	qcow2_iov_fill(q->scratch, n, NULL);
	return 0;
}

/*
 * How many bytes from guest offset off (at most max) map the same way as
 * the first cluster: contiguous data, or zeroes, or unallocated.
 */
static int qcow2_extent(struct qcow2 *q, uint64_t off, uint64_t max,
			enum qcow2_kind *kind, uint64_t *host, uint64_t *len)
{
	uint64_t gc = off >> q->cluster_bits, entry;
	uint64_t in_cluster = off & (q->cluster_size - 1);
	int ret;

	ret = qcow2_l2_entry(q, gc, &entry);
	if (!ret)
		ret = qcow2_classify(q, entry, kind, host);
	if (ret)
		return ret;
	*len = q->cluster_size - in_cluster;
	if (*kind == QCOW2_DATA || *kind == QCOW2_DATA_SHARED)
		*host += in_cluster;
	if (*kind == QCOW2_ZEROES)
		*host = 0;
	if (*kind == QCOW2_COMPRESSED_DATA)
		*host = entry;
	while (*len < max && *kind != QCOW2_COMPRESSED_DATA) {
		enum qcow2_kind k;
		uint64_t h;

		ret = qcow2_l2_entry(q, ++gc, &entry);
		if (!ret)
			ret = qcow2_classify(q, entry, &k, &h);
		if (ret || k != *kind ||
		    ((k == QCOW2_DATA || k == QCOW2_DATA_SHARED) &&
		     h != *host + *len))
			break;
		*len += q->cluster_size;
	}
	if (*len > max)
		*len = max;
	return 0;
}

static int qcow2_readv(struct disk_image *img, const struct iovec *iov,
		       int cnt, uint64_t off)
{
	struct qcow2 *q = (struct qcow2 *)img;
	uint64_t total = 0, done = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	while (done < total) {
		enum qcow2_kind kind;
		uint64_t host, len;
		int n, ret;

		ret = qcow2_extent(q, off + done, total - done, &kind, &host,
				   &len);
		if (ret)
			return ret;
		switch (kind) {
		case QCOW2_UNALLOCATED:
			ret = qcow2_read_backing(q, iov, cnt, done, len,
						 off + done);
			break;
		case QCOW2_ZEROES:
			n = qcow2_iov_slice(q->scratch, iov, cnt, done, len);
			qcow2_iov_fill(q->scratch, n, NULL);
			break;
		case QCOW2_DATA:
		case QCOW2_DATA_SHARED:
			/* A new cluster's zero tail may not be in the file. */
			if (host + len > q->file_end)
				ret = qcow2_extend(q);
			if (ret)
				break;
			n = qcow2_iov_slice(q->scratch, iov, cnt, done, len);
			ret = disk_read(&q->file, q->scratch, n, host);
			break;
		case QCOW2_COMPRESSED_DATA:
			ret = qcow2_inflate_cluster(q, host);
			if (ret)
				break;
			n = qcow2_iov_slice(q->scratch, iov, cnt, done, len);
			qcow2_iov_fill(q->scratch, n, q->zbuf_out +
				       ((off + done) & (q->cluster_size - 1)));
			break;
		}
		if (ret)
			return ret;
		done += len;
	}
	return 0;
}

/* ---- writes ------------------------------------------------------------ */

/* Copy the slice [skip, skip + len) of iov into buf. */
static void qcow2_iov_to_buf(uint8_t *buf, const struct iovec *iov, int cnt,
			     uint64_t skip, uint64_t len)
{
	for (int i = 0; i < cnt && len; i++) {
		uint64_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - skip;
		if (take > len)
			take = len;
		memcpy(buf, (char *)iov[i].iov_base + skip, take);
		buf += take;
		len -= take;
		skip = 0;
	}
}

/* The guest cluster at gc_off as it reads now, into q->cbuf. */
static int qcow2_cow_fill(struct qcow2 *q, uint64_t gc_off, uint64_t entry)
{
	struct iovec iov = { q->cbuf, q->cluster_size };
	enum qcow2_kind kind;
	uint64_t host;
	int ret = qcow2_classify(q, entry, &kind, &host);

	if (ret)
		return ret;
	switch (kind) {
	case QCOW2_UNALLOCATED:
		return qcow2_read_backing(q, &iov, 1, 0, q->cluster_size,
					  gc_off);
	case QCOW2_ZEROES:
		memset(q->cbuf, 0, q->cluster_size);
		return 0;
	case QCOW2_COMPRESSED_DATA:
		ret = qcow2_inflate_cluster(q, entry);
		if (!ret)
			memcpy(q->cbuf, q->zbuf_out, q->cluster_size);
		return ret;
	case QCOW2_DATA:
	case QCOW2_DATA_SHARED:
		return qcow2_pread(q, q->cbuf, q->cluster_size, host);
	}
	return -EIO;
}

/* Give up the host clusters an L2 entry held (after it stopped). */
static int qcow2_release(struct qcow2 *q, uint64_t entry)
{
	uint64_t off, len;

	if (entry & QCOW2_COMPRESSED) {
		qcow2_compressed_range(q, entry, &off, &len);
		return qcow2_free_range(q, off, len);
	}
	off = entry & QCOW2_OFFSET_MASK;
	return off ? qcow2_free_range(q, off, q->cluster_size) : 0;
}

/*
 * The L2 table covering guest cluster gc, for changing: made when the L1
 * entry is empty (*fresh: the caller writes it whole, then the L1 entry).
 */
static int qcow2_l2_for_write(struct qcow2 *q, uint64_t gc, uint64_t **table,
			      uint64_t *l2_off, bool *fresh)
{
	uint64_t l1_index = gc >> q->l2_bits, l1e = q->l1[l1_index];
	int ret;

	*fresh = false;
	*l2_off = l1e & QCOW2_OFFSET_MASK;
	if (*l2_off) {
		/* A table shared with a snapshot would need copying first. */
		if (!(l1e & QCOW2_COPIED) || !qcow2_cluster_ok(q, *l2_off))
			return -EIO;
		return qcow2_l2_get(q, *l2_off, table);
	}
	ret = qcow2_alloc_cluster(q, l2_off);
	if (!ret)
		ret = qcow2_l2_new(q, *l2_off, table);
	if (ret)
		return ret;
	*fresh = true;
	return 0;
}

/*
 * Point guest cluster gc at new_entry: in a fresh table, write the table
 * whole, then (after a barrier) the L1 entry; else the one L2 entry.
 * The caller has made everything new_entry names durable-before (barrier).
 */
static int qcow2_set_l2(struct qcow2 *q, uint64_t gc, uint64_t *table,
			uint64_t l2_off, bool fresh, uint64_t new_entry)
{
	uint64_t i = gc & ((1ull << q->l2_bits) - 1), l1e;
	int ret;

	table[i] = htobe64(new_entry);
	if (!fresh)
		return qcow2_pwrite(q, &table[i], 8, l2_off + i * 8);
	ret = qcow2_pwrite(q, table, q->cluster_size, l2_off);
	if (!ret)
		ret = qcow2_barrier(q);
	if (ret)
		return ret;
	q->l1[gc >> q->l2_bits] = l2_off | QCOW2_COPIED;
	l1e = htobe64(q->l1[gc >> q->l2_bits]);
	return qcow2_pwrite(q, &l1e, 8, q->l1_offset + (gc >> q->l2_bits) * 8);
}

/*
 * Does the backing image have nothing in [off, off + len)?  ask: may ask
 * the backing image (a hole: lseek); else only none or past its end.
 */
static bool qcow2_backing_zero(struct qcow2 *q, uint64_t off, uint64_t len,
			       bool ask)
{
	if (!len || !q->backing || off >= q->backing->size)
		return true;
	if (len > q->backing->size - off)
		len = q->backing->size - off;
	return ask && disk_image_known_zero(q->backing, off, len);
}

/*
 * Do the bytes [from, to) of guest cluster gc_off (L2 entry old) read as
 * zeroes?  In a zero cluster they do; in an unallocated one when the
 * backing image has nothing there (none, past its end, or, when ask, a
 * hole it knows of).
 */
static bool qcow2_reads_zero(struct qcow2 *q, uint64_t gc_off, uint64_t old,
			     uint64_t from, uint64_t to, bool ask)
{
	enum qcow2_kind kind;
	uint64_t host;

	if (qcow2_classify(q, old, &kind, &host))
		return false;
	if (kind == QCOW2_ZEROES)
		return true;
	return kind == QCOW2_UNALLOCATED &&
	       qcow2_backing_zero(q, gc_off + from, to - from, ask);
}

/*
 * Write the slice [skip, skip + len) of iov at host offset at, in a new
 * cluster that lies past the end of the file and ends at end.  The rest
 * of the cluster reads as zeroes once the file reaches end: with a
 * write cache that waits for the next barrier or read there
 * (qcow2_extend(), one ftruncate for many clusters), else it is done now.
 */
static int qcow2_write_into_zeroes(struct qcow2 *q, const struct iovec *iov,
				   int cnt, uint64_t skip, uint64_t len,
				   uint64_t at, uint64_t end)
{
	int n = qcow2_iov_slice(q->scratch, iov, cnt, skip, len);
	int ret = disk_write(&q->file, q->scratch, n, at);

	if (ret)
		return ret;
	qcow2_written(q, at + len);
	if (end > q->file_size)
		q->file_size = end;
	return q->defer_l2 ? 0 : qcow2_extend(q);
}

/* Are the len bytes at buf all zero?  (memcmp with itself one byte on.) */
static bool qcow2_buf_zero(const uint8_t *buf, uint64_t len)
{
	return !len || (!buf[0] && !memcmp(buf, buf + 1, len - 1));
}

/*
 * Write a whole new cluster at host in one pwritev: the old bytes before
 * the new ones from q->cbuf, the new bytes (the slice [skip, skip + len)
 * of iov) straight from the guest's buffers, the old bytes after them
 * from q->cbuf.  head: where the new bytes start in the cluster.
 */
static int qcow2_write_cow(struct qcow2 *q, const struct iovec *iov, int cnt,
			   uint64_t skip, uint64_t len, uint64_t head,
			   uint64_t host)
{
	struct iovec *v = q->scratch;
	uint64_t tail = head + len;
	int n = 0, ret;

	if (cnt > IOV_MAX - 2) {	/* no room for the two old pieces */
		qcow2_iov_to_buf(q->cbuf + head, iov, cnt, skip, len);
		return qcow2_pwrite(q, q->cbuf, q->cluster_size, host);
	}
	if (head) {
		v[n].iov_base = q->cbuf;
		v[n++].iov_len = head;
	}
	n += qcow2_iov_slice(v + n, iov, cnt, skip, len);
	if (tail < q->cluster_size) {
		v[n].iov_base = q->cbuf + tail;
		v[n++].iov_len = q->cluster_size - tail;
	}
	ret = disk_write(&q->file, v, n, host);
	if (!ret)
		qcow2_written(q, host + q->cluster_size);
	return ret;
}

/* A new cluster written but not yet in the tables (see below). */
struct qcow2_pending {
	uint64_t gc;			/* guest cluster */
	uint64_t host;			/* its new home */
	uint64_t old;			/* the L2 entry it replaces */
};

/* New clusters per batch, i.e. per pair of barriers. */
#define QCOW2_WRITE_BATCH 64

/*
 * A write into a cluster that is not ours alone (unallocated, zero,
 * compressed or shared): a new cluster gets the old contents with the
 * new bytes over them (copy on write).  The tables follow in
 * qcow2_commit(), for a whole batch of clusters at once.
 */
static int qcow2_write_new_cluster(struct qcow2 *q, const struct iovec *iov,
				   int cnt, uint64_t skip, uint64_t len,
				   uint64_t off, struct qcow2_pending *p)
{
	uint64_t gc = off >> q->cluster_bits, gc_off = gc << q->cluster_bits;
	uint64_t head = off - gc_off, tail = head + len;
	bool past_end;
	int n, ret;

	p->gc = gc;
	ret = qcow2_l2_entry(q, gc, &p->old);
	if (!ret)
		ret = qcow2_alloc_cluster(q, &p->host);
	if (ret)
		return ret;
	/* A new cluster past the end of the file reads as zeroes already:
	 * when the old bytes around the new ones are zeroes too, only the
	 * new bytes need writing (no copy, as QEMU does).  Known without
	 * I/O for a zero cluster or no backing bytes below... */
	past_end = p->host >= q->file_size && !q->file.is_blkdev;
	if (past_end && len < q->cluster_size &&
	    qcow2_reads_zero(q, gc_off, p->old, 0, head, false) &&
	    qcow2_reads_zero(q, gc_off, p->old, tail, q->cluster_size, false))
		return qcow2_write_into_zeroes(q, iov, cnt, skip, len,
					       p->host + head,
					       p->host + q->cluster_size);
	if (len < q->cluster_size) {
		ret = qcow2_cow_fill(q, gc_off, p->old);
		if (ret)
			return ret;
		/* ...else seen once read: one read of the cluster costs less
		 * than asking a backing file where its holes are (lseek). */
		if (past_end && qcow2_buf_zero(q->cbuf, head) &&
		    qcow2_buf_zero(q->cbuf + tail, q->cluster_size - tail))
			return qcow2_write_into_zeroes(q, iov, cnt, skip, len,
						       p->host + head,
						       p->host + q->cluster_size);
		return qcow2_write_cow(q, iov, cnt, skip, len, head, p->host);
	}
	n = qcow2_iov_slice(q->scratch, iov, cnt, skip, len);
	ret = disk_write(&q->file, q->scratch, n, p->host);
	if (!ret)
		qcow2_written(q, p->host + q->cluster_size);
	return ret;
}

/*
 * Put a batch of new clusters into the tables.  Order: (their data and
 * refcounts are written) barrier, L2 entries (+ L1 for new tables),
 * barrier, then the replaced clusters are released.
 *
 * With a write cache (cache=writeback, none, unsafe) a completed write
 * need only be durable after the next flush, as in QEMU: the L2 entries
 * of new clusters then stay in the cached tables, marked dirty, and
 * qcow2_l2_writeback() writes them before the flush's fdatasync (or when
 * their table leaves the cache), after a barrier.  The order on disk is
 * the same; a crash before it leaves the new clusters leaked, and the
 * per-write fdatasync, most of an allocating write's cost, is gone.
 */
/*
 * Can the batch's L2 entries wait for the next flush?  Only when writes
 * need not be durable before they complete (q->defer_l2), no entry
 * replaces a cluster (its release must follow a durable table) and every
 * table exists (a new one is written at once, then the L1 entry).
 */
static bool qcow2_can_defer(const struct qcow2 *q,
			    const struct qcow2_pending *p, unsigned int n)
{
	if (!q->defer_l2)
		return false;
	for (unsigned int i = 0; i < n; i++) {
		if (p[i].old & (QCOW2_COMPRESSED | QCOW2_OFFSET_MASK))
			return false;
		if (!(q->l1[p[i].gc >> q->l2_bits] & QCOW2_OFFSET_MASK))
			return false;
	}
	return true;
}

/* The batch's entries, in the cached tables only (written back later). */
static int qcow2_commit_deferred(struct qcow2 *q,
				 const struct qcow2_pending *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t l2_off, *table, idx = p[i].gc & ((1ull << q->l2_bits) - 1);
		bool fresh;
		int ret = qcow2_l2_for_write(q, p[i].gc, &table, &l2_off, &fresh);

		if (ret)
			return ret;
		table[idx] = htobe64(p[i].host | QCOW2_COPIED);
		qcow2_l2_mark_dirty(q, table, (uint32_t)idx);
	}
	return 0;
}

static int qcow2_commit(struct qcow2 *q, const struct qcow2_pending *p,
			unsigned int n)
{
	bool release = false;
	int ret;

	if (qcow2_can_defer(q, p, n))
		return qcow2_commit_deferred(q, p, n);
	ret = n ? qcow2_barrier(q) : 0;

	for (unsigned int i = 0; i < n && !ret; i++) {
		uint64_t l2_off, *table;
		bool fresh;

		ret = qcow2_l2_for_write(q, p[i].gc, &table, &l2_off, &fresh);
		if (!ret)
			ret = qcow2_set_l2(q, p[i].gc, table, l2_off, fresh,
					   p[i].host | QCOW2_COPIED);
		release |= !!(p[i].old & (QCOW2_COMPRESSED | QCOW2_OFFSET_MASK));
	}
	if (ret || !release)
		return ret;
	ret = qcow2_barrier(q);
	for (unsigned int i = 0; i < n && !ret; i++)
		if (p[i].old & (QCOW2_COMPRESSED | QCOW2_OFFSET_MASK))
			ret = qcow2_release(q, p[i].old);
	return ret;
}

static int qcow2_writev(struct disk_image *img, const struct iovec *iov,
			int cnt, uint64_t off)
{
	struct qcow2 *q = (struct qcow2 *)img;
	struct qcow2_pending pending[QCOW2_WRITE_BATCH];
	uint64_t total = 0, done = 0;
	unsigned int npending = 0;
	int ret = 0;

	if (q->broken)
		return -EIO;
	if (cnt > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	while (done < total && !ret) {
		uint64_t in_cluster = (off + done) & (q->cluster_size - 1);
		enum qcow2_kind kind;
		uint64_t host, len;
		int n;

		ret = qcow2_extent(q, off + done, total - done, &kind, &host,
				   &len);
		if (ret)
			break;
		if (kind == QCOW2_DATA) {
			/* Ours alone: in place, contiguous clusters at once. */
			n = qcow2_iov_slice(q->scratch, iov, cnt, done, len);
			ret = disk_write(&q->file, q->scratch, n, host);
			if (!ret)
				qcow2_written(q, host + len);
		} else {
			if (len > q->cluster_size - in_cluster)
				len = q->cluster_size - in_cluster;
			ret = qcow2_write_new_cluster(q, iov, cnt, done, len,
						      off + done,
						      &pending[npending++]);
			if (!ret && npending == QCOW2_WRITE_BATCH) {
				ret = qcow2_commit(q, pending, npending);
				npending = 0;
			}
		}
		done += len;
	}
	/* On an error, new clusters not yet in the tables stay leaked. */
	if (!ret)
		ret = qcow2_commit(q, pending, npending);
	return ret;
}

/*
 * Everything kept in memory goes to the file (the tables in the order a
 * barrier keeps, then refcounts and the file's growth written since):
 * on the I/O thread at a pause and when it stops, so closing the image
 * later writes nothing.
 */
static int qcow2_settle(struct disk_image *img)
{
	struct qcow2 *q = (struct qcow2 *)img;
	int ret = qcow2_l2_writeback(q);

	if (!ret && !q->broken)
		ret = qcow2_rc_writeback(q);
	if (!ret && !q->broken)
		ret = qcow2_extend(q);
	return ret;
}

static int qcow2_flush(struct disk_image *img)
{
	struct qcow2 *q = (struct qcow2 *)img;
	int ret = qcow2_l2_writeback(q);

	return ret ? ret : disk_flush(&q->file);
}

/* Clusters changed per barrier by discard and write-zeroes. */
#define QCOW2_UNMAP_BATCH 1024

/* Barrier, then give back the host clusters of the entries in freed. */
static int qcow2_release_batch(struct qcow2 *q, const uint64_t *freed,
			       unsigned int *nfreed)
{
	int ret = *nfreed ? qcow2_barrier(q) : 0;

	for (unsigned int k = 0; k < *nfreed && !ret; k++)
		ret = qcow2_release(q, freed[k]);
	*nfreed = 0;
	return ret;
}

/*
 * Point whole clusters [gc, gc + nr) at want (0: unallocated, or
 * QCOW2_ZERO) and give back their host clusters.  discard: leave
 * unallocated clusters alone (they may show the backing image, allowed
 * after a discard); otherwise (write-zeroes) every cluster must end up
 * reading zeroes, making L2 tables where needed.
 */
static int qcow2_unmap_clusters(struct qcow2 *q, uint64_t gc, uint64_t nr,
				uint64_t want, bool discard, bool keep)
{
	uint64_t freed[QCOW2_UNMAP_BATCH];
	unsigned int nfreed = 0;
	/* Deferred entries first: an entry written below may keep naming a
	 * new cluster (keep), whose refcount must be durable before. */
	int ret = qcow2_l2_writeback(q);

	for (uint64_t i = 0; i < nr && !ret; i++) {
		uint64_t old, l2_off, *table;
		bool fresh;

		ret = qcow2_l2_entry(q, gc + i, &old);
		if (ret || old == want)
			continue;
		if (!old && (discard || !q->backing))
			continue;	/* reads right already */
		ret = qcow2_l2_for_write(q, gc + i, &table, &l2_off, &fresh);
		if (ret)
			break;
		/* Write-zeroes without unmap keeps a cluster of ours. */
		if (keep && (old & QCOW2_COPIED) && (old & QCOW2_OFFSET_MASK) &&
		    !(old & QCOW2_COMPRESSED)) {
			ret = qcow2_set_l2(q, gc + i, table, l2_off, fresh,
					   (old & QCOW2_OFFSET_MASK) |
					   QCOW2_COPIED | QCOW2_ZERO);
			continue;
		}
		ret = qcow2_set_l2(q, gc + i, table, l2_off, fresh, want);
		if (!ret && (old & (QCOW2_COMPRESSED | QCOW2_OFFSET_MASK)))
			freed[nfreed++] = old;
		if (!ret && nfreed == QCOW2_UNMAP_BATCH)
			ret = qcow2_release_batch(q, freed, &nfreed);
	}
	if (!ret)
		ret = qcow2_release_batch(q, freed, &nfreed);
	return ret;
}

/* Write zeroes the slow way: zero clusters through the write path. */
static int qcow2_write_zero_bytes(struct qcow2 *q, uint64_t off, uint64_t len)
{
	while (len) {
		uint64_t in = off & (q->cluster_size - 1);
		struct iovec iov = { q->zero_cluster, q->cluster_size - in };
		int ret;

		if (iov.iov_len > len)
			iov.iov_len = len;
		ret = qcow2_writev(&q->img, &iov, 1, off);
		if (ret)
			return ret;
		off += iov.iov_len;
		len -= iov.iov_len;
	}
	return 0;
}

/* The whole clusters inside [off, off + len): [*first, *first + *nr). */
static void qcow2_whole_clusters(const struct qcow2 *q, uint64_t off,
				 uint64_t len, uint64_t *first, uint64_t *nr)
{
	uint64_t start = (off + q->cluster_size - 1) >> q->cluster_bits;
	uint64_t end = (off + len) >> q->cluster_bits;

	/* The image's last cluster may be cut short by its size. */
	if (off + len == q->img.size && (q->img.size & (q->cluster_size - 1)))
		end++;
	*first = start;
	*nr = end > start ? end - start : 0;
}

static int qcow2_discard(struct disk_image *img, uint64_t off, uint64_t len)
{
	struct qcow2 *q = (struct qcow2 *)img;
	uint64_t first, nr;

	if (q->broken)
		return -EIO;
	/* A v3 image with a backing file keeps discarded clusters reading
	 * zeroes rather than the older backing data, as QEMU does. */
	qcow2_whole_clusters(q, off, len, &first, &nr);
	return qcow2_unmap_clusters(q, first, nr, q->version >= 3 &&
				    q->backing ? QCOW2_ZERO : 0, true, false);
}

static int qcow2_write_zeroes(struct disk_image *img, uint64_t off,
			      uint64_t len, bool unmap)
{
	struct qcow2 *q = (struct qcow2 *)img;
	uint64_t first, nr, head, end;
	int ret;

	if (q->broken)
		return -EIO;
	qcow2_whole_clusters(q, off, len, &first, &nr);
	if (q->version < 3 || !nr)
		return qcow2_write_zero_bytes(q, off, len);
	head = (first << q->cluster_bits) - off;
	end = (first + nr) << q->cluster_bits;
	ret = qcow2_write_zero_bytes(q, off, head);
	if (!ret)
		ret = qcow2_unmap_clusters(q, first, nr, QCOW2_ZERO, false,
					   !unmap);
	if (!ret && end < off + len)
		ret = qcow2_write_zero_bytes(q, end, off + len - end);
	return ret;
}

/* known_zero of a qcow2 image (the backing of another): every cluster
 * the range touches a zero cluster, or unallocated over zeroes there. */
static bool qcow2_known_zero(struct disk_image *img, uint64_t off,
			     uint64_t len)
{
	struct qcow2 *q = (struct qcow2 *)img;
	uint64_t first = off >> q->cluster_bits;
	uint64_t last = (off + len - 1) >> q->cluster_bits;

	if (!len || off + len > img->size)
		return false;
	for (uint64_t gc = first; gc <= last; gc++) {
		uint64_t entry;

		uint64_t gc_off = gc << q->cluster_bits;
		uint64_t from = gc == first ? off - gc_off : 0;
		uint64_t to = gc == last ? off + len - gc_off : q->cluster_size;

		if (qcow2_l2_entry(q, gc, &entry) ||
		    !qcow2_reads_zero(q, gc_off, entry, from, to, true))
			return false;
	}
	return true;
}

static void qcow2_free(struct qcow2 *q)
{
	disk_image_close(q->backing);
	free(q->backing_path);
	for (unsigned int i = 0; q->l2_cache && i < q->l2_slots; i++)
		free(q->l2_cache[i].table);
	free(q->l2_cache);
	free(q->l1);
	free(q->zbuf_in);
	free(q->zbuf_out);
	free(q->scratch);
	free(q->cbuf);
	free(q->zero_cluster);
	qcow2_refcount_close(q);
	free(q);
}

static void qcow2_close(struct disk_image *img)
{
	struct qcow2 *q = (struct qcow2 *)img;
	/* Under virtio-blk the I/O thread's last settle wrote them already. */
	int ret = qcow2_settle(img);

	if (ret)
		log_error("%s: writing the L2 tables failed: %s", q->file.path,
			  strerror(-ret));
	disk_close(&q->file);
	qcow2_free(q);
}

static const struct disk_image_ops qcow2_ops = {
	.readv = qcow2_readv,
	.writev = qcow2_writev,
	.known_zero = qcow2_known_zero,
	.settle = qcow2_settle,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.write_zeroes = qcow2_write_zeroes,
	.close = qcow2_close,
};

/* ---- opening ----------------------------------------------------------- */

#define qcow2_err(err, ...) \
	(snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* The incompatible features minivmm cannot honour, by name. */
static int qcow2_check_features(struct qcow2 *q, bool readonly,
				char *err, size_t errlen)
{
	const char *p = q->file.path;
	uint64_t unknown = q->incompat & ~(QCOW2_INCOMPAT_DIRTY |
		QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_DATA_FILE |
		QCOW2_INCOMPAT_COMPRESSION | QCOW2_INCOMPAT_EXTL2);

	if (q->incompat & QCOW2_INCOMPAT_DATA_FILE)
		return qcow2_err(err, "%s: qcow2 external data files are not "
				 "supported", p);
	if (q->incompat & QCOW2_INCOMPAT_EXTL2)
		return qcow2_err(err, "%s: qcow2 extended L2 entries "
				 "(subclusters) are not supported", p);
	if (q->incompat & QCOW2_INCOMPAT_COMPRESSION)
		return qcow2_err(err, "%s: qcow2 zstd compression is not "
				 "supported (qemu-img convert -O qcow2 -c makes "
				 "deflate clusters)", p);
	if (unknown)
		return qcow2_err(err, "%s: unknown qcow2 incompatible feature "
				 "bit %d", p, __builtin_ctzll(unknown));
	if (q->incompat & QCOW2_INCOMPAT_CORRUPT)
		return qcow2_err(err, "%s: the image is marked corrupt; repair "
				 "it with qemu-img check -r all", p);
	if ((q->incompat & QCOW2_INCOMPAT_DIRTY) && !readonly)
		return qcow2_err(err, "%s: the image is dirty (lazy refcounts "
				 "not written back); repair it with qemu-img "
				 "check -r all", p);
	return 0;
}

static int qcow2_parse_header(struct qcow2 *q, const struct drive_config *cfg,
			      uint64_t *backing_off, uint32_t *backing_len,
			      char *err, size_t errlen)
{
	struct qcow2_disk_header h = { 0 };
	const char *p = q->file.path;
	uint64_t l2_span, l1_need;
	uint32_t crypt;
	int ret;

	if (q->file_size < QCOW2_V2_HEADER_BYTES)
		return qcow2_err(err, "%s: too short for a qcow2 header", p);
	ret = qcow2_pread(q, &h, q->file_size < sizeof(h) ? QCOW2_V2_HEADER_BYTES
			  : sizeof(h), 0);
	if (ret)
		return qcow2_err(err, "%s: cannot read the qcow2 header: %s", p,
				 strerror(-ret));
	q->version = be32toh(h.version);
	if (q->version != 2 && q->version != 3)
		return qcow2_err(err, "%s: qcow2 version %u is not supported "
				 "(2 and 3 are)", p, q->version);
	q->cluster_bits = be32toh(h.cluster_bits);
	if (q->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
	    q->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
		return qcow2_err(err, "%s: qcow2 cluster_bits %u outside 9..21",
				 p, q->cluster_bits);
	q->cluster_size = 1ull << q->cluster_bits;
	q->l2_bits = q->cluster_bits - 3;
	crypt = be32toh(h.crypt_method);
	if (crypt)
		return qcow2_err(err, "%s: qcow2 encryption is not supported", p);
	if (q->version == 3) {
		if (q->file_size < QCOW2_V3_HEADER_BYTES)
			return qcow2_err(err, "%s: too short for a qcow2 v3 "
					 "header", p);
		q->incompat = be64toh(h.incompatible_features);
		q->compat = be64toh(h.compatible_features);
		q->autoclear = be64toh(h.autoclear_features);
		q->refcount_order = be32toh(h.refcount_order);
		q->header_length = be32toh(h.header_length);
		if (q->header_length < QCOW2_V3_HEADER_BYTES ||
		    q->header_length > q->cluster_size || q->header_length % 8)
			return qcow2_err(err, "%s: bad qcow2 header_length %u",
					 p, q->header_length);
		if (q->refcount_order > 6)
			return qcow2_err(err, "%s: bad qcow2 refcount_order %u",
					 p, q->refcount_order);
	} else {
		q->refcount_order = 4;
		q->header_length = QCOW2_V2_HEADER_BYTES;
	}
	ret = qcow2_check_features(q, cfg->readonly, err, errlen);
	if (ret)
		return ret;

	q->img.size = be64toh(h.size);
	q->l1_size = be32toh(h.l1_size);
	q->l1_offset = be64toh(h.l1_table_offset);
	q->refcount_table_offset = be64toh(h.refcount_table_offset);
	q->refcount_table_clusters = be32toh(h.refcount_table_clusters);
	q->nb_snapshots = be32toh(h.nb_snapshots);
	if (q->img.size % 512) {
		log_warn("%s: size %llu is not a multiple of 512, the guest "
			 "sees the first %llu bytes", p,
			 (unsigned long long)q->img.size,
			 (unsigned long long)(q->img.size & ~511ull));
		q->img.size &= ~511ull;
	}
	if ((uint64_t)q->l1_size * 8 > QCOW2_MAX_L1_BYTES)
		return qcow2_err(err, "%s: qcow2 L1 table of %u entries is "
				 "larger than 32 MiB", p, q->l1_size);
	l2_span = q->cluster_size << q->l2_bits;
	l1_need = q->img.size / l2_span + !!(q->img.size % l2_span);
	if (l1_need > q->l1_size)
		return qcow2_err(err, "%s: qcow2 L1 table of %u entries is too "
				 "small for %llu bytes", p, q->l1_size,
				 (unsigned long long)q->img.size);
	if (q->l1_size && (!q->l1_offset ||
	    (q->l1_offset & (q->cluster_size - 1)) ||
	    q->l1_offset > q->file_size ||
	    (uint64_t)q->l1_size * 8 > q->file_size - q->l1_offset))
		return qcow2_err(err, "%s: qcow2 L1 table offset %llu is bad "
				 "or past the end of the file", p,
				 (unsigned long long)q->l1_offset);
	if ((q->refcount_table_offset & (q->cluster_size - 1)) ||
	    !q->refcount_table_clusters ||
	    q->refcount_table_offset > q->file_size ||
	    ((uint64_t)q->refcount_table_clusters << q->cluster_bits) >
	    q->file_size - q->refcount_table_offset)
		return qcow2_err(err, "%s: qcow2 refcount table at %llu is bad "
				 "or past the end of the file", p,
				 (unsigned long long)q->refcount_table_offset);
	*backing_off = be64toh(h.backing_file_offset);
	*backing_len = be32toh(h.backing_file_size);
	if (*backing_off && (*backing_len == 0 ||
	    *backing_len > QCOW2_MAX_BACKING_NAME ||
	    *backing_off > q->cluster_size ||
	    *backing_len > q->cluster_size - *backing_off ||
	    *backing_off + *backing_len > q->file_size))
		return qcow2_err(err, "%s: qcow2 backing file name at %llu "
				 "(%u bytes) is bad", p,
				 (unsigned long long)*backing_off, *backing_len);
	return 0;
}

/*
 * Header extensions between the header and the backing name (or the end
 * of the first cluster).  Only the backing format is used; features
 * minivmm cannot honour are refused.
 */
static int qcow2_parse_extensions(struct qcow2 *q, uint64_t end,
				  char fmt[QCOW2_MAX_FORMAT_NAME + 1],
				  char *err, size_t errlen)
{
	const char *p = q->file.path;
	uint64_t off = q->header_length;
	uint8_t *buf;
	int ret = 0;

	if (end > q->file_size)
		end = q->file_size;
	if (end <= off)
		return 0;
	buf = malloc(end);
	if (!buf)
		return qcow2_err(err, "%s: out of memory", p);
	ret = qcow2_pread(q, buf, end, 0);
	if (ret) {
		ret = qcow2_err(err, "%s: cannot read the qcow2 header "
				"extensions", p);
		goto out;
	}
	while (end - off >= 8) {
		uint32_t type, len;

		memcpy(&type, buf + off, 4);
		memcpy(&len, buf + off + 4, 4);
		type = be32toh(type);
		len = be32toh(len);
		off += 8;
		if (type == QCOW2_EXT_END)
			break;
		if (len > end - off) {
			ret = qcow2_err(err, "%s: qcow2 header extension %#x "
					"runs past its cluster", p, type);
			goto out;
		}
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len > QCOW2_MAX_FORMAT_NAME) {
				ret = qcow2_err(err, "%s: qcow2 backing format "
						"name too long", p);
				goto out;
			}
			memcpy(fmt, buf + off, len);
			fmt[len] = 0;
		} else if (type == QCOW2_EXT_ENCRYPTION) {
			ret = qcow2_err(err, "%s: qcow2 encryption is not "
					"supported", p);
			goto out;
		} else if (type == QCOW2_EXT_DATA_FILE) {
			ret = qcow2_err(err, "%s: qcow2 external data files "
					"are not supported", p);
			goto out;
		} else if (type == QCOW2_EXT_BITMAPS &&
			   (q->autoclear & QCOW2_AUTOCLEAR_BITMAPS)) {
			ret = qcow2_err(err, "%s: qcow2 persistent dirty bitmaps "
					"are not supported (qemu-img bitmap "
					"--remove drops them)", p);
			goto out;
		}
		off += ((uint64_t)len + 7) & ~7ull;
		if (off > end)
			break;
	}
out:
	free(buf);
	return ret;
}

static int qcow2_load_l1(struct qcow2 *q, char *err, size_t errlen)
{
	int ret;

	if (!q->l1_size)
		return 0;
	q->l1 = malloc((size_t)q->l1_size * 8);
	if (!q->l1)
		return qcow2_err(err, "%s: out of memory for the L1 table",
				 q->file.path);
	ret = qcow2_pread(q, q->l1, (uint64_t)q->l1_size * 8, q->l1_offset);
	if (ret)
		return qcow2_err(err, "%s: cannot read the qcow2 L1 table: %s",
				 q->file.path, strerror(-ret));
	for (uint32_t i = 0; i < q->l1_size; i++)
		q->l1[i] = be64toh(q->l1[i]);
	return 0;
}

static bool qcow2_path_forbidden(const char *path)
{
	char *real = realpath(path, NULL);
	bool bad;

	if (!real)
		return false;	/* the open fails and says why */
	bad = !strncmp(real, "/proc/", 6) || !strcmp(real, "/proc") ||
	      !strncmp(real, "/sys/", 5) || !strcmp(real, "/sys");
	free(real);
	return bad;
}

/* name relative to the directory of the image that names it. */
static char *qcow2_backing_path(const char *image, const char *name)
{
	const char *slash = strrchr(image, '/');
	char *out;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&out, "%.*s/%s", (int)(slash - image), image, name) < 0)
		return NULL;
	return out;
}

static int qcow2_open_backing(struct qcow2 *q, const struct drive_config *cfg,
			      uint64_t off, uint32_t len, const char *fmt,
			      struct disk_image_chain *chain,
			      char *err, size_t errlen)
{
	struct drive_config bcfg = { .readonly = true, .cache = cfg->cache };
	char name[QCOW2_MAX_BACKING_NAME + 1];
	int ret;

	ret = qcow2_pread(q, name, len, off);
	if (ret)
		return qcow2_err(err, "%s: cannot read the backing file name",
				 q->file.path);
	name[len] = 0;
	if (strlen(name) != len)
		return qcow2_err(err, "%s: qcow2 backing file name contains "
				 "a NUL byte", q->file.path);
	if (!*fmt) {
		bcfg.format = DRIVE_FORMAT_PROBE;
	} else if (!strcmp(fmt, "raw")) {
		bcfg.format = DRIVE_FORMAT_RAW;
	} else if (!strcmp(fmt, "qcow2")) {
		bcfg.format = DRIVE_FORMAT_QCOW2;
	} else {
		return qcow2_err(err, "%s: backing format '%.16s' is not "
				 "supported (raw and qcow2 are)",
				 q->file.path, fmt);
	}
	q->backing_path = qcow2_backing_path(q->file.path, name);
	if (!q->backing_path)
		return qcow2_err(err, "%s: out of memory", q->file.path);
	if (qcow2_path_forbidden(q->backing_path))
		return qcow2_err(err, "%s: backing file %.200s is under /proc "
				 "or /sys, refused", q->file.path,
				 q->backing_path);
	bcfg.path = q->backing_path;
	return disk_image_open_in_chain(&bcfg, chain, &q->backing, err, errlen);
}

static int qcow2_alloc_caches(struct qcow2 *q)
{
	uint64_t slots = QCOW2_L2_CACHE_BYTES >> q->cluster_bits;

	if (slots < 2)
		slots = 2;
	if (slots > QCOW2_L2_CACHE_MAX)
		slots = QCOW2_L2_CACHE_MAX;
	q->l2_slots = (unsigned int)slots;
	q->l2_cache = calloc(slots, sizeof(*q->l2_cache));
	q->scratch = calloc(IOV_MAX, sizeof(*q->scratch));
	return q->l2_cache && q->scratch ? 0 : -ENOMEM;
}

/*
 * Writing needs the refcounts, and an image whose clusters are ours
 * alone: internal snapshots share clusters (copying shared L2 tables is
 * not implemented), so such an image is read-only here.
 */
static int qcow2_open_for_writing(struct qcow2 *q,
				  const struct drive_config *cfg,
				  char *err, size_t errlen)
{
	const char *p = q->file.path;
	int ret;

	if (q->nb_snapshots)
		return qcow2_err(err, "%s: the image has %u internal snapshots; "
				 "minivmm writes only images without them "
				 "(readonly=on reads the current state)", p,
				 q->nb_snapshots);
	ret = qcow2_refcount_open(q, err, errlen);
	if (ret)
		return ret;
	/* Only O_DSYNC writes and cache=unsafe need no fdatasync between
	 * a refcount and the table that then names the cluster. */
	q->barriers = cfg->cache == DRIVE_CACHE_WRITEBACK ||
		      cfg->cache == DRIVE_CACHE_NONE;
	/* With a write cache, new L2 entries may wait for the flush. */
	q->defer_l2 = q->barriers || cfg->cache == DRIVE_CACHE_UNSAFE;
	if (posix_memalign((void **)&q->cbuf, 4096, q->cluster_size) ||
	    !(q->zero_cluster = calloc(1, q->cluster_size)))
		return qcow2_err(err, "%s: out of memory", p);
	/* Auto-clear features we do not keep up to date are cleared, as
	 * the format asks of a writer that does not know them. */
	if (q->autoclear) {
		uint64_t zero = 0;

		ret = qcow2_pwrite(q, &zero, 8, QCOW2_AUTOCLEAR_OFFSET);
		if (ret)
			return qcow2_err(err, "%s: cannot write the header: %s",
					 p, strerror(-ret));
		q->autoclear = 0;
	}
	return 0;
}

int qcow2_format_overlay(int fd, uint64_t size, const char *backing,
			 const char *backing_fmt)
{
	const uint64_t cs = 1ull << QCOW2_OVERLAY_CLUSTER_BITS;
	uint64_t l2_span = cs << (QCOW2_OVERLAY_CLUSTER_BITS - 3);
	uint64_t l1_size = (size + l2_span - 1) / l2_span;
	uint64_t l1_clusters = (l1_size * 8 + cs - 1) / cs;
	uint64_t used = 3 + (l1_clusters ? l1_clusters : 1), hdr_used;
	size_t name_len = strlen(backing), fmt_len = strlen(backing_fmt);
	struct qcow2_disk_header h = { 0 };
	uint8_t *buf;
	int ret = 0;

	/* Header, extensions and name in cluster 0, the refcount table in
	 * 1, its one block in 2, the L1 table from 3 on. */
	if (name_len > QCOW2_MAX_BACKING_NAME || fmt_len > QCOW2_MAX_FORMAT_NAME ||
	    l1_size * 8 > QCOW2_MAX_L1_BYTES || used > cs / 2)
		return -EFBIG;
	buf = calloc(1, cs * 3);
	if (!buf)
		return -ENOMEM;
	hdr_used = QCOW2_V3_HEADER_BYTES;
	if (fmt_len) {
		uint32_t type = htobe32(QCOW2_EXT_BACKING_FORMAT);
		uint32_t len = htobe32((uint32_t)fmt_len);

		memcpy(buf + hdr_used, &type, 4);
		memcpy(buf + hdr_used + 4, &len, 4);
		memcpy(buf + hdr_used + 8, backing_fmt, fmt_len);
		hdr_used += 8 + ((fmt_len + 7) & ~7ull);
	}
	hdr_used += 8;		/* the end-of-extensions marker: zeroes */
	memcpy(buf + hdr_used, backing, name_len);
	h.magic = htobe32(QCOW2_MAGIC);
	h.version = htobe32(3);
	h.backing_file_offset = htobe64(hdr_used);
	h.backing_file_size = htobe32((uint32_t)name_len);
	h.cluster_bits = htobe32(QCOW2_OVERLAY_CLUSTER_BITS);
	h.size = htobe64(size);
	h.l1_size = htobe32((uint32_t)l1_size);
	h.l1_table_offset = htobe64(3 * cs);
	h.refcount_table_offset = htobe64(cs);
	h.refcount_table_clusters = htobe32(1);
	h.refcount_order = htobe32(4);
	h.header_length = htobe32(QCOW2_V3_HEADER_BYTES);
	memcpy(buf, &h, sizeof(h));
	/* Refcount table entry 0 -> block at cluster 2; 16-bit counts. */
	{
		uint64_t rt0 = htobe64(2 * cs);

		memcpy(buf + cs, &rt0, 8);
	}
	for (uint64_t c = 0; c < used; c++)
		buf[2 * cs + c * 2 + 1] = 1;
	if (pwrite(fd, buf, cs * 3, 0) != (ssize_t)(cs * 3) ||
	    ftruncate(fd, (off_t)(used * cs)) < 0)
		ret = errno ? -errno : -EIO;
	free(buf);
	return ret;
}

int qcow2_open(struct disk *file, const struct drive_config *cfg,
	       struct disk_image_chain *chain, struct disk_image **out,
	       char *err, size_t errlen)
{
	char fmt[QCOW2_MAX_FORMAT_NAME + 1] = "";
	struct qcow2 *q = calloc(1, sizeof(*q));
	uint64_t backing_off = 0;
	uint32_t backing_len = 0;
	int ret;

	if (!q)
		return -ENOMEM;
	q->file = *file;
	q->file_size = q->file_end = file->file_bytes;
	ret = qcow2_parse_header(q, cfg, &backing_off, &backing_len, err, errlen);
	if (!ret)
		ret = qcow2_parse_extensions(q, backing_off ? backing_off :
					     q->cluster_size, fmt, err, errlen);
	if (!ret)
		ret = qcow2_load_l1(q, err, errlen);
	if (!ret && !cfg->readonly)
		ret = qcow2_open_for_writing(q, cfg, err, errlen);
	if (!ret && backing_off)
		ret = qcow2_open_backing(q, cfg, backing_off, backing_len, fmt,
					 chain, err, errlen);
	if (!ret && qcow2_alloc_caches(q))
		ret = qcow2_err(err, "%s: out of memory", file->path);
	if (ret)
		goto fail;
	q->img.ops = &qcow2_ops;
	q->img.format = "qcow2";
	q->img.path = q->file.path;
	q->img.block_size = 512;
	q->img.readonly = cfg->readonly;
	*out = &q->img;
	return 0;
fail:
	qcow2_free(q);	/* the caller still owns and closes *file */
	return ret;
}
