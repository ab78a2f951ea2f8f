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

#include "devices/inflate.h"
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

/* Header extension types. */
#define QCOW2_EXT_END			0x00000000u
#define QCOW2_EXT_BACKING_FORMAT	0xe2792acau
#define QCOW2_EXT_FEATURE_NAMES		0x6803f857u
#define QCOW2_EXT_BITMAPS		0x23852875u
#define QCOW2_EXT_ENCRYPTION		0x0537be77u
#define QCOW2_EXT_DATA_FILE		0x44415441u

/* Table entries. */
#define QCOW2_OFFSET_MASK	0x00fffffffffffe00ull	/* bits 9..55 */
#define QCOW2_COPIED		(1ull << 63)
#define QCOW2_COMPRESSED	(1ull << 62)
#define QCOW2_ZERO		(1ull << 0)

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

struct qcow2_l2_slot {
	uint64_t offset;		/* host offset of the table, 0 = empty */
	uint64_t last_use;
	uint64_t *table;		/* big-endian entries, as on disk */
};

enum qcow2_kind {
	QCOW2_UNALLOCATED,		/* backing image, or zeroes */
	QCOW2_ZEROES,
	QCOW2_DATA,
	QCOW2_COMPRESSED_DATA,
};

struct qcow2 {
	struct disk_image img;
	struct disk file;
	uint64_t file_size;
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
};

bool qcow2_probe(const uint8_t *buf, uint64_t len)
{
	return len >= 4 && ((uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
			    (uint32_t)buf[2] << 8 | buf[3]) == QCOW2_MAGIC;
}

/* ---- file access --------------------------------------------------- */

static int qcow2_pread(struct qcow2 *q, void *buf, uint64_t len, uint64_t off)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	if (off > q->file_size || len > q->file_size - off)
		return -EIO;	/* a pointer past the end of the file */
	return disk_read(&q->file, &iov, 1, off);
}

/* An offset of a cluster-sized structure: aligned and inside the file. */
static bool qcow2_cluster_ok(const struct qcow2 *q, uint64_t off)
{
	return off && !(off & (q->cluster_size - 1)) &&
	       off <= q->file_size && q->cluster_size <= q->file_size - off;
}

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

/* The L2 table at host offset off (checked by the caller), cached. */
static int qcow2_l2_get(struct qcow2 *q, uint64_t off, uint64_t **table)
{
	struct qcow2_l2_slot *victim = &q->l2_cache[0];
	int ret;

	for (unsigned int i = 0; i < q->l2_slots; i++) {
		struct qcow2_l2_slot *s = &q->l2_cache[i];

		if (s->offset == off) {
			s->last_use = ++q->l2_clock;
			*table = s->table;
			return 0;
		}
		if (s->last_use < victim->last_use)
			victim = s;
	}
	if (!victim->table) {
		victim->table = malloc(q->cluster_size);
		if (!victim->table)
			return -ENOMEM;
	}
	victim->offset = 0;
	ret = qcow2_pread(q, victim->table, q->cluster_size, off);
	if (ret)
		return ret;
	victim->offset = off;
	victim->last_use = ++q->l2_clock;
	*table = victim->table;
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
	if (q->version >= 3 && (entry & QCOW2_ZERO)) {
		*kind = QCOW2_ZEROES;
		return 0;
	}
	*host = entry & QCOW2_OFFSET_MASK;
	if (!*host) {
		*kind = QCOW2_UNALLOCATED;
		return 0;
	}
	if (!qcow2_cluster_ok(q, *host))
		return -EIO;
	*kind = QCOW2_DATA;
	return 0;
}

/* ---- compressed clusters ------------------------------------------------ */

static int qcow2_inflate_cluster(struct qcow2 *q, uint64_t entry)
{
	uint32_t shift = 62 - (q->cluster_bits - 8);
	uint64_t nsect_mask = (1ull << (q->cluster_bits - 8)) - 1;
	uint64_t coff = entry & ((1ull << shift) - 1);
	uint64_t nsect = ((entry >> shift) & nsect_mask) + 1;
	uint64_t clen = nsect * 512 - (coff & 511);
	int ret;

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
		struct iovec *sub = malloc(sizeof(*sub) * (size_t)cnt);

		if (!sub)
			return -ENOMEM;
		n = qcow2_iov_slice(sub, iov, cnt, skip, from_backing);
		ret = disk_image_readv(q->backing, sub, n, off);
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
	if (*kind == QCOW2_DATA)
		*host += in_cluster;
	if (*kind == QCOW2_COMPRESSED_DATA)
		*host = entry;
	while (*len < max && *kind != QCOW2_COMPRESSED_DATA) {
		enum qcow2_kind k;
		uint64_t h;

		ret = qcow2_l2_entry(q, ++gc, &entry);
		if (!ret)
			ret = qcow2_classify(q, entry, &k, &h);
		if (ret || k != *kind ||
		    (k == QCOW2_DATA && h != *host + *len))
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

static int qcow2_writev(struct disk_image *img, const struct iovec *iov,
			int cnt, uint64_t off)
{
	(void)img;
	(void)iov;
	(void)cnt;
	(void)off;
	return -EROFS;
}

static int qcow2_flush(struct disk_image *img)
{
	struct qcow2 *q = (struct qcow2 *)img;

	return disk_flush(&q->file);
}

static int qcow2_discard(struct disk_image *img, uint64_t off, uint64_t len)
{
	(void)img;
	(void)off;
	(void)len;
	return -EROFS;
}

static int qcow2_write_zeroes(struct disk_image *img, uint64_t off,
			      uint64_t len, bool unmap)
{
	(void)img;
	(void)off;
	(void)len;
	(void)unmap;
	return -EROFS;
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
	free(q);
}

static void qcow2_close(struct disk_image *img)
{
	struct qcow2 *q = (struct qcow2 *)img;

	disk_close(&q->file);
	qcow2_free(q);
}

static const struct disk_image_ops qcow2_ops = {
	.readv = qcow2_readv,
	.writev = qcow2_writev,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.write_zeroes = qcow2_write_zeroes,
	.close = qcow2_close,
};

/* ---- opening ----------------------------------------------------------- */

#define qcow2_err(err, ...) \
	(snprintf(err, CONFIG_ERR_MAX, __VA_ARGS__), -EINVAL)

/* The incompatible features minivmm cannot honour, by name. */
static int qcow2_check_features(struct qcow2 *q, bool readonly,
				char err[CONFIG_ERR_MAX])
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
			      char err[CONFIG_ERR_MAX])
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
	ret = qcow2_check_features(q, cfg->readonly, err);
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
				  char err[CONFIG_ERR_MAX])
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

static int qcow2_load_l1(struct qcow2 *q, char err[CONFIG_ERR_MAX])
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
			      char err[CONFIG_ERR_MAX])
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
	return disk_image_open_in_chain(&bcfg, chain, &q->backing, err);
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

int qcow2_open(struct disk *file, const struct drive_config *cfg,
	       struct disk_image_chain *chain, struct disk_image **out,
	       char err[CONFIG_ERR_MAX])
{
	char fmt[QCOW2_MAX_FORMAT_NAME + 1] = "";
	struct qcow2 *q = calloc(1, sizeof(*q));
	uint64_t backing_off = 0;
	uint32_t backing_len = 0;
	int ret;

	if (!q)
		return -ENOMEM;
	q->file = *file;
	q->file_size = file->file_bytes;
	ret = qcow2_parse_header(q, cfg, &backing_off, &backing_len, err);
	if (!ret)
		ret = qcow2_parse_extensions(q, backing_off ? backing_off :
					     q->cluster_size, fmt, err);
	if (!ret && !cfg->readonly)
		ret = qcow2_err(err, "%s: writing to qcow2 images is not "
				"supported yet; use readonly=on", file->path);
	if (!ret)
		ret = qcow2_load_l1(q, err);
	if (!ret && backing_off)
		ret = qcow2_open_backing(q, cfg, backing_off, backing_len, fmt,
					 chain, err);
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
