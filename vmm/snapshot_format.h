/* SPDX-License-Identifier: MIT */
/*
 * The snapshot file (docs/snapshots.md): a header, a table of named state
 * sections, the sections, and guest RAM as one page-aligned range at the
 * end, written sparsely (pages of zeros are holes) so that a restore maps
 * it copy-on-write instead of reading it.
 *
 *   0                    struct snap_header (64 bytes, CRC-32 protected)
 *   64                   nr_sections * struct snap_section (table CRC)
 *   ...                  the sections' bytes (each with its own CRC-32)
 *   meta_size            end of everything above
 *   mem_offset (4 KiB aligned, >= meta_size)
 *                        guest RAM, mem_size bytes, not checksummed (a
 *                        checksum would mean reading all of it on restore)
 *
 * All integers little-endian.  Pure code: the writer builds the part
 * before mem_offset in a buffer; the parser checks a buffer that holds it,
 * so the unit tests and the fuzzer drive both without a VM.
 */
#ifndef MINIVMM_SNAPSHOT_FORMAT_H
#define MINIVMM_SNAPSHOT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC		"MVMSNAP\0"
#define SNAP_VERSION		1
#define SNAP_PAGE_SIZE		4096u
#define SNAP_NAME_MAX		24	/* with its NUL */
#define SNAP_MAX_SECTIONS	1024
/* Everything before the RAM: the parser reads at most this much. */
#define SNAP_META_MAX		(64u << 20)

struct snap_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;		/* sizeof(struct snap_header) */
	uint32_t nr_sections;
	uint32_t table_crc;		/* CRC-32 of the section table */
	uint64_t meta_size;		/* header + table + sections */
	uint64_t mem_offset;
	uint64_t mem_size;
	uint32_t flags;			/* none defined: must be 0 */
	uint32_t reserved;
	uint32_t pad;
	uint32_t header_crc;		/* CRC-32 of the 60 bytes before it */
};

struct snap_section {
	char name[SNAP_NAME_MAX];	/* NUL-terminated, [a-z0-9:_-] */
	uint32_t instance;
	uint32_t crc;			/* CRC-32 of the section's bytes */
	uint64_t offset;
	uint64_t size;
};

_Static_assert(sizeof(struct snap_header) == 64, "snapshot header layout");
_Static_assert(sizeof(struct snap_section) == 48, "snapshot table layout");

/* A parsed file: the header and a table into the caller's buffer. */
struct snap_index {
	struct snap_header hdr;
	const uint8_t *buf;		/* the meta bytes parsed */
	struct snap_section sec[SNAP_MAX_SECTIONS];
	unsigned int nr;
};

uint32_t snap_crc32(const void *buf, size_t len);

/* ---- writing ---- */

struct snap_builder {
	struct snap_section sec[SNAP_MAX_SECTIONS];
	const void *data[SNAP_MAX_SECTIONS];
	unsigned int nr;
};

/*
 * Add a section (the builder keeps a pointer to data until snap_build).
 * -EINVAL for a bad or duplicate name, -ENOSPC when the table is full.
 */
int snap_builder_add(struct snap_builder *b, const char *name,
		     uint32_t instance, const void *data, uint64_t size);
/*
 * Lay out the file for mem_size bytes of RAM: a malloc'ed buffer with
 * everything before the RAM (*len bytes, *len == its mem_offset), or NULL
 * (-ENOMEM / -E2BIG in *ret).
 */
uint8_t *snap_build(const struct snap_builder *b, uint64_t mem_size,
		    size_t *len, int *ret);

/* ---- reading ---- */

/* The size of the meta part a header announces, to read before parsing;
 * 0 if the 64 bytes are not a snapshot header this version can read. */
uint64_t snap_meta_size(const void *hdr64, size_t len);
/*
 * Check buf (len bytes from the start of a file of file_size bytes):
 * magic, version, sizes, every offset in bounds, names, CRCs, the RAM
 * range page-aligned and inside the file.  0, or -EINVAL with one line in
 * err; -EPROTONOSUPPORT for another format version.
 */
int snap_parse(struct snap_index *idx, const uint8_t *buf, size_t len,
	       uint64_t file_size, char *err, size_t errlen);
/* The bytes of section (name, instance), or NULL. */
const uint8_t *snap_find(const struct snap_index *idx, const char *name,
			 uint32_t instance, uint64_t *size);

#endif
