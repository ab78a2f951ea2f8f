// SPDX-License-Identifier: MIT
/*
 * A tiny AML encoder (ACPI 6.x, chapter 20 "ACPI Machine Language
 * Specification" and 6.4 "Resource Data Types").  Containers reserve room
 * for their header when opened; aml_end() encodes the real header in its
 * shortest form and slides the body down over the unused room.
 * Freestanding.
 */
#include "boot/aml.h"

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_METHOD_OP		0x14
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		0x5c
#define AML_PARENT_CHAR		0x5e
#define AML_RETURN_OP		0xa4
#define AML_OPREGION_OP		0x80	/* after AML_EXT_OP_PREFIX */
#define AML_FIELD_OP		0x81	/* after AML_EXT_OP_PREFIX */
#define AML_LOCAL0_OP		0x60
#define AML_STORE_OP		0x70
#define AML_AND_OP		0x7b
#define AML_NOTIFY_OP		0x86
#define AML_IF_OP		0xa0
#define AML_ONES_OP		0xff

#define AML_RES_IRQ_NOFLAGS	0x22	/* small item 0x04, length 2 */
#define AML_RES_IO		0x47	/* small item 0x08, length 7 */
#define AML_RES_END_TAG		0x79	/* small item 0x0f, length 1 */
#define AML_RES_MEMORY32_FIXED	0x86	/* large item 0x06 */
#define AML_RES_EXT_INTERRUPT	0x89	/* large item 0x09 */

#define AML_PKGLEN_MAX		4	/* bytes of a PkgLength */
#define AML_BUFSIZE_MAX		5	/* DWordConst BufferSize */

enum {
	AML_OPEN_PKG,		/* PkgLength only */
	AML_OPEN_BUFFER,	/* PkgLength + BufferSize */
	AML_OPEN_RESOURCES,	/* Buffer ending in an EndTag */
};

void aml_init(struct aml *a, void *buf, size_t size)
{
	a->buf = buf;
	a->size = buf ? size : 0;
	a->len = 0;
	a->error = buf ? NULL : "no AML buffer";
	a->depth = 0;
}

const char *aml_error(const struct aml *a)
{
	return a->error;
}

size_t aml_len(const struct aml *a)
{
	return a->len;
}

static void aml_fail(struct aml *a, const char *why)
{
	if (!a->error)
		a->error = why;
}

/* Room for n more bytes?  Sets the error otherwise. */
static bool aml_room(struct aml *a, size_t n)
{
	if (a->error)
		return false;
	if (n > a->size - a->len) {
		aml_fail(a, "AML buffer full");
		return false;
	}
	return true;
}

void aml_byte(struct aml *a, uint8_t b)
{
	if (aml_room(a, 1))
		a->buf[a->len++] = b;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	if (!aml_room(a, n))
		return;
	for (i = 0; i < n; i++)
		a->buf[a->len++] = s[i];
}

static void aml_le(struct aml *a, uint64_t v, unsigned int n)
{
	unsigned int i;

	if (!aml_room(a, n))
		return;
	for (i = 0; i < n; i++)
		a->buf[a->len++] = (uint8_t)(v >> (8 * i));
}

unsigned int aml_pkglen_encode(size_t len, uint8_t out[4])
{
	unsigned int n, i;

	if (len <= 0x3f) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len < (1u << 12))
		n = 2;
	else if (len < (1u << 20))
		n = 3;
	else if (len < (1u << 28))
		n = 4;
	else
		return 0;
	/* Lead byte: count of following bytes in bits 7-6, low nibble. */
	out[0] = (uint8_t)((n - 1) << 6 | (len & 0xf));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
	return n;
}

/* PkgLength for a body of body bytes that follow it. */
static unsigned int aml_pkglen_for_body(size_t body, uint8_t out[4])
{
	unsigned int n;

	for (n = 1; n <= AML_PKGLEN_MAX; n++) {
		uint8_t tmp[4];

		if (body > (1u << 28) || aml_pkglen_encode(body + n, tmp) != n)
			continue;
		__builtin_memcpy(out, tmp, n);
		return n;
	}
	return 0;
}

static bool aml_seg_char(char c, bool lead)
{
	if ((c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !lead && c >= '0' && c <= '9';
}

/* Length of the segment at s (1-4 valid chars up to '.' or NUL), 0 if bad. */
static unsigned int aml_seg_len(const char *s)
{
	unsigned int n = 0;

	while (s[n] && s[n] != '.') {
		if (n == 4 || !aml_seg_char(s[n], n == 0))
			return 0;
		n++;
	}
	return n;
}

void aml_namestring(struct aml *a, const char *name)
{
	const char *p;
	unsigned int segs = 0, i, n;

	if (a->error)
		return;
	if (!name) {
		aml_fail(a, "AML name missing");
		return;
	}
	if (*name == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		name++;
	} else {
		while (*name == '^') {
			aml_byte(a, AML_PARENT_CHAR);
			name++;
		}
	}
	if (!*name) {
		aml_byte(a, 0);		/* NullName: "\" alone */
		return;
	}
	for (p = name;; p += n + 1) {
		n = aml_seg_len(p);
		if (!n || segs == 255) {
			aml_fail(a, "bad AML name");
			return;
		}
		segs++;
		if (!p[n])
			break;
	}
	if (segs == 2)
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	else if (segs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)segs);
	}
	for (p = name; segs--; p += n + 1) {
		n = aml_seg_len(p);
		for (i = 0; i < 4; i++)
			aml_byte(a, i < n ? (uint8_t)p[i] : '_');
	}
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v == UINT64_MAX) {
		aml_byte(a, AML_ONES_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	size_t i;

	if (!s) {
		aml_fail(a, "AML string missing");
		return;
	}
	for (i = 0; s[i]; i++) {
		if ((uint8_t)s[i] > 0x7f) {
			aml_fail(a, "AML string is not ASCII");
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, i + 1);
}

static int aml_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint32_t aml_eisaid(const char *id)
{
	uint32_t v = 0;
	int i;

	if (!id)
		return 0;
	/* Three letters in 5 bits each, then four hex digits ... */
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		v = v << 5 | (uint32_t)(id[i] - 0x40);
	}
	for (i = 3; i < 7; i++) {
		int h = aml_hex(id[i]);

		if (h < 0)
			return 0;
		v = v << 4 | (uint32_t)h;
	}
	if (id[7])
		return 0;
	/* ... stored big-endian in the DWord. */
	return (v >> 24) | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

void aml_name_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

void aml_name_eisaid(struct aml *a, const char *name, const char *id)
{
	uint32_t v = aml_eisaid(id);

	if (!v)
		aml_fail(a, "bad EISAID");
	aml_name_integer(a, name, v);
}

/* Open a container whose header room starts here. */
static void aml_open(struct aml *a, uint8_t kind)
{
	size_t room = AML_PKGLEN_MAX + (kind == AML_OPEN_PKG ? 0 : AML_BUFSIZE_MAX);

	if (a->error)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		aml_fail(a, "AML nested too deep");
		return;
	}
	if (!aml_room(a, room))
		return;
	a->open[a->depth].hdr = a->len;
	a->open[a->depth].kind = kind;
	a->depth++;
	a->len += room;
}

void aml_scope_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_open(a, AML_OPEN_PKG);
	aml_namestring(a, name);
}

void aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	aml_open(a, AML_OPEN_PKG);
	aml_namestring(a, name);
}

void aml_method_begin(struct aml *a, const char *name, unsigned int nargs,
		      bool serialized)
{
	if (nargs > 7)
		aml_fail(a, "AML method with more than 7 arguments");
	aml_byte(a, AML_METHOD_OP);
	aml_open(a, AML_OPEN_PKG);
	aml_namestring(a, name);
	aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 0x08 : 0)));
}

void aml_operation_region(struct aml *a, const char *name, uint8_t space,
			  uint64_t offset, uint64_t len)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_OPREGION_OP);
	aml_namestring(a, name);
	aml_byte(a, space);
	aml_integer(a, offset);
	aml_integer(a, len);
}

void aml_field_begin(struct aml *a, const char *region, uint8_t flags)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_FIELD_OP);
	aml_open(a, AML_OPEN_PKG);
	aml_namestring(a, region);
	aml_byte(a, flags);
}

/* NamedField: a NameSeg and its width in bits as a PkgLength value. */
void aml_field_unit(struct aml *a, const char *name, unsigned int bits)
{
	if (!name[0] || !name[1] || !name[2] || !name[3] || name[4] ||
	    bits == 0 || bits >= (1u << 12)) {
		aml_fail(a, "AML field unit malformed");
		return;
	}
	aml_bytes(a, name, 4);
	if (bits < 0x40) {
		aml_byte(a, (uint8_t)bits);
	} else {
		aml_byte(a, (uint8_t)(0x40 | (bits & 0x0f)));
		aml_byte(a, (uint8_t)(bits >> 4));
	}
}

void aml_if_begin(struct aml *a)
{
	aml_byte(a, AML_IF_OP);
	aml_open(a, AML_OPEN_PKG);
}

void aml_store(struct aml *a)
{
	aml_byte(a, AML_STORE_OP);
}

void aml_and(struct aml *a)
{
	aml_byte(a, AML_AND_OP);
}

void aml_notify(struct aml *a)
{
	aml_byte(a, AML_NOTIFY_OP);
}

void aml_local(struct aml *a, unsigned int n)
{
	if (n > 7) {
		aml_fail(a, "AML local beyond Local7");
		return;
	}
	aml_byte(a, (uint8_t)(AML_LOCAL0_OP + n));
}

void aml_package_begin(struct aml *a, uint8_t nr_elements)
{
	aml_byte(a, AML_PACKAGE_OP);
	aml_open(a, AML_OPEN_PKG);
	aml_byte(a, nr_elements);
}

void aml_buffer_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, AML_OPEN_BUFFER);
}

void aml_resource_template_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, AML_OPEN_RESOURCES);
}

void aml_end(struct aml *a)
{
	struct aml_open *o;
	uint8_t hdr[AML_PKGLEN_MAX + AML_BUFSIZE_MAX], bufsize[AML_BUFSIZE_MAX];
	size_t room, body_start, body, i;
	unsigned int nb = 0, np;

	if (a->error)
		return;
	if (a->depth == 0) {
		aml_fail(a, "AML end without begin");
		return;
	}
	o = &a->open[a->depth - 1];
	if (o->kind == AML_OPEN_RESOURCES) {
		uint8_t sum = AML_RES_END_TAG;

		body_start = o->hdr + AML_PKGLEN_MAX + AML_BUFSIZE_MAX;
		for (i = body_start; i < a->len; i++)
			sum = (uint8_t)(sum + a->buf[i]);
		/* Checksum byte makes the whole template sum to zero. */
		aml_byte(a, AML_RES_END_TAG);
		aml_byte(a, (uint8_t)-sum);
		if (a->error)
			return;
	}
	a->depth--;
	room = AML_PKGLEN_MAX + (o->kind == AML_OPEN_PKG ? 0 : AML_BUFSIZE_MAX);
	body_start = o->hdr + room;
	body = a->len - body_start;
	if (o->kind != AML_OPEN_PKG) {
		/* BufferSize as an integer term in its shortest form. */
		struct aml t;

		aml_init(&t, bufsize, sizeof(bufsize));
		aml_integer(&t, body);
		if (t.error) {
			aml_fail(a, "AML buffer too long");
			return;
		}
		nb = (unsigned int)t.len;
	}
	np = aml_pkglen_for_body(nb + body, hdr);
	if (!np) {
		aml_fail(a, "AML object too long");
		return;
	}
	__builtin_memcpy(hdr + np, bufsize, nb);
	/* Body slides down (regions may overlap, destination is lower). */
	for (i = 0; i < body; i++)
		a->buf[o->hdr + np + nb + i] = a->buf[body_start + i];
	__builtin_memcpy(a->buf + o->hdr, hdr, np + nb);
	a->len = o->hdr + np + nb + body;
}

void aml_return(struct aml *a)
{
	aml_byte(a, AML_RETURN_OP);
}

void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len)
{
	aml_byte(a, AML_RES_IO);
	aml_byte(a, 0x01);		/* Decode16 */
	aml_le(a, min, 2);
	aml_le(a, max, 2);
	aml_byte(a, align);
	aml_byte(a, len);
}

void aml_res_irq_noflags(struct aml *a, uint8_t irq)
{
	if (irq > 15) {
		aml_fail(a, "IRQNoFlags takes IRQ 0-15");
		return;
	}
	aml_byte(a, AML_RES_IRQ_NOFLAGS);
	aml_le(a, 1u << irq, 2);
}

void aml_res_interrupt(struct aml *a, bool edge, bool active_high,
		       bool shared, uint32_t gsi)
{
	/* bit 0 consumer, 1 edge, 2 active low, 3 shared */
	uint8_t flags = 0x01 | (edge ? 0x02 : 0) | (active_high ? 0 : 0x04) |
			(shared ? 0x08 : 0);

	aml_byte(a, AML_RES_EXT_INTERRUPT);
	aml_le(a, 6, 2);		/* flags, count, one DWord */
	aml_byte(a, flags);
	aml_byte(a, 1);
	aml_le(a, gsi, 4);
}

void aml_res_memory32_fixed(struct aml *a, bool writable, uint32_t base,
			    uint32_t len)
{
	aml_byte(a, AML_RES_MEMORY32_FIXED);
	aml_le(a, 9, 2);
	aml_byte(a, writable ? 0x01 : 0x00);
	aml_le(a, base, 4);
	aml_le(a, len, 4);
}
