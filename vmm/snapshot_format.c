// SPDX-License-Identifier: MIT
#include "vmm/snapshot_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAP_HEADER_CRC_LEN offsetof(struct snap_header, header_crc)

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
uint32_t snap_crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static bool snap_name_ok(const char *name, size_t max)
{
	size_t n = strnlen(name, max);

	if (n == 0 || n == max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == ':' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool snap_same_key(const struct snap_section *s, const char *name,
			  uint32_t instance)
{
	return s->instance == instance && !strncmp(s->name, name, SNAP_NAME_MAX);
}

/* ---- writing ---- */

int snap_builder_add(struct snap_builder *b, const char *name,
		     uint32_t instance, const void *data, uint64_t size)
{
	struct snap_section *s;

	if (!snap_name_ok(name, SNAP_NAME_MAX) || size > SNAP_META_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < b->nr; i++)
		if (snap_same_key(&b->sec[i], name, instance))
			return -EINVAL;
	if (b->nr == SNAP_MAX_SECTIONS)
		return -ENOSPC;
	s = &b->sec[b->nr];
	memset(s, 0, sizeof(*s));
	strncpy(s->name, name, SNAP_NAME_MAX - 1);
	s->instance = instance;
	s->size = size;
	s->crc = snap_crc32(data, size);
	b->data[b->nr++] = data;
	return 0;
}

static uint64_t snap_page_align(uint64_t v)
{
	return (v + SNAP_PAGE_SIZE - 1) & ~(uint64_t)(SNAP_PAGE_SIZE - 1);
}

uint8_t *snap_build(const struct snap_builder *b, uint64_t mem_size,
		    size_t *len, int *ret)
{
	uint64_t off = sizeof(struct snap_header) +
		       (uint64_t)b->nr * sizeof(struct snap_section);
	struct snap_section table[SNAP_MAX_SECTIONS];
	struct snap_header hdr;
	uint8_t *buf;

	for (unsigned int i = 0; i < b->nr; i++) {
		table[i] = b->sec[i];
		table[i].offset = off;
		off += table[i].size;
	}
	if (off > SNAP_META_MAX) {
		*ret = -E2BIG;
		return NULL;
	}
	hdr = (struct snap_header){
		.version = SNAP_VERSION,
		.header_size = sizeof(struct snap_header),
		.nr_sections = b->nr,
		.table_crc = snap_crc32(table, b->nr * sizeof(table[0])),
		.meta_size = off,
		.mem_offset = snap_page_align(off),
		.mem_size = mem_size,
	};
	memcpy(hdr.magic, SNAP_MAGIC, sizeof(hdr.magic));
	hdr.header_crc = snap_crc32(&hdr, SNAP_HEADER_CRC_LEN);
	buf = calloc(1, hdr.mem_offset);
	if (!buf) {
		*ret = -ENOMEM;
		return NULL;
	}
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), table, b->nr * sizeof(table[0]));
	for (unsigned int i = 0; i < b->nr; i++)
		if (table[i].size)
			memcpy(buf + table[i].offset, b->data[i], table[i].size);
	*len = hdr.mem_offset;
	*ret = 0;
	return buf;
}

/* ---- reading ---- */

uint64_t snap_meta_size(const void *hdr64, size_t len)
{
	struct snap_header h;

	if (len < sizeof(h))
		return 0;
	memcpy(&h, hdr64, sizeof(h));
	if (memcmp(h.magic, SNAP_MAGIC, sizeof(h.magic)) ||
	    h.version != SNAP_VERSION || h.meta_size < sizeof(h) ||
	    h.meta_size > SNAP_META_MAX)
		return 0;
	return h.meta_size;
}

static int snap_parse_header(struct snap_header *h, const uint8_t *buf,
			     size_t len, uint64_t file_size, char *err,
			     size_t errlen)
{
	if (len < sizeof(*h)) {
		snprintf(err, errlen, "not a minivmm snapshot (too short)");
		return -EINVAL;
	}
	memcpy(h, buf, sizeof(*h));
	if (memcmp(h->magic, SNAP_MAGIC, sizeof(h->magic))) {
		snprintf(err, errlen, "not a minivmm snapshot (bad magic)");
		return -EINVAL;
	}
	if (h->version != SNAP_VERSION) {
		snprintf(err, errlen, "snapshot format version %u, this minivmm reads version %u only",
			 h->version, SNAP_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (h->header_crc != snap_crc32(h, SNAP_HEADER_CRC_LEN)) {
		snprintf(err, errlen, "snapshot header checksum mismatch (file damaged)");
		return -EINVAL;
	}
	if (h->header_size != sizeof(*h) || h->flags || h->reserved || h->pad ||
	    h->nr_sections > SNAP_MAX_SECTIONS ||
	    h->meta_size > len || h->meta_size > SNAP_META_MAX ||
	    h->meta_size < sizeof(*h) + (uint64_t)h->nr_sections * sizeof(struct snap_section)) {
		snprintf(err, errlen, "snapshot header is inconsistent (sizes or counts out of range)");
		return -EINVAL;
	}
	if (h->mem_offset % SNAP_PAGE_SIZE || h->mem_offset < h->meta_size ||
	    h->mem_size == 0 || h->mem_size % SNAP_PAGE_SIZE ||
	    h->mem_offset > file_size || h->mem_size > file_size - h->mem_offset) {
		snprintf(err, errlen, "snapshot memory range is outside the file or not page-aligned (file truncated?)");
		return -EINVAL;
	}
	return 0;
}

static int snap_parse_section(struct snap_index *idx, unsigned int i,
			      uint64_t table_end, char *err, size_t errlen)
{
	const struct snap_section *s = &idx->sec[i];

	if (!snap_name_ok(s->name, SNAP_NAME_MAX)) {
		snprintf(err, errlen, "snapshot section %u has a bad name", i);
		return -EINVAL;
	}
	if (s->offset < table_end || s->offset > idx->hdr.meta_size ||
	    s->size > idx->hdr.meta_size - s->offset) {
		snprintf(err, errlen, "snapshot section %.23s/%u lies outside the file's state part",
			 s->name, s->instance);
		return -EINVAL;
	}
	if (snap_crc32(idx->buf + s->offset, s->size) != s->crc) {
		snprintf(err, errlen, "snapshot section %.23s/%u checksum mismatch (file damaged)",
			 s->name, s->instance);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < i; k++)
		if (snap_same_key(&idx->sec[k], s->name, s->instance)) {
			snprintf(err, errlen, "snapshot section %.23s/%u appears twice",
				 s->name, s->instance);
			return -EINVAL;
		}
	return 0;
}

int snap_parse(struct snap_index *idx, const uint8_t *buf, size_t len,
	       uint64_t file_size, char *err, size_t errlen)
{
	uint64_t table_end;
	size_t table_len;
	int ret;

	idx->nr = 0;
	idx->buf = buf;
	ret = snap_parse_header(&idx->hdr, buf, len, file_size, err, errlen);
	if (ret)
		return ret;
	table_len = idx->hdr.nr_sections * sizeof(struct snap_section);
	table_end = sizeof(struct snap_header) + table_len;
	if (snap_crc32(buf + sizeof(struct snap_header), table_len) !=
	    idx->hdr.table_crc) {
		snprintf(err, errlen, "snapshot section table checksum mismatch (file damaged)");
		return -EINVAL;
	}
	memcpy(idx->sec, buf + sizeof(struct snap_header), table_len);
	for (unsigned int i = 0; i < idx->hdr.nr_sections; i++) {
		ret = snap_parse_section(idx, i, table_end, err, errlen);
		if (ret)
			return ret;
	}
	idx->nr = idx->hdr.nr_sections;
	return 0;
}

const uint8_t *snap_find(const struct snap_index *idx, const char *name,
			 uint32_t instance, uint64_t *size)
{
	for (unsigned int i = 0; i < idx->nr; i++)
		if (snap_same_key(&idx->sec[i], name, instance)) {
			*size = idx->sec[i].size;
			return idx->buf + idx->sec[i].offset;
		}
	*size = 0;
	return NULL;
}
