/* SPDX-License-Identifier: MIT */
/*
 * A tiny AML (ACPI Machine Language) encoder: enough to write the DSDT of a
 * minivmm guest.  Objects with a PkgLength (Scope, Device, Method, Package,
 * Buffer/ResourceTemplate) are opened with *_begin() and closed with
 * aml_end(); the length is back-patched in its shortest encoding.
 *
 * Bounded: nothing is ever written past the buffer.  The first error
 * (overflow, bad name, unbalanced begin/end) is remembered in the encoder
 * and every later call is a no-op; check aml_error() once at the end.
 * Freestanding.
 */
#ifndef MINIVMM_AML_H
#define MINIVMM_AML_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define AML_MAX_DEPTH 8

struct aml_open {
	size_t hdr;		/* offset of the reserved header room */
	uint8_t kind;		/* AML_OPEN_* of aml.c */
};

struct aml {
	uint8_t *buf;
	size_t size;
	size_t len;
	const char *error;	/* NULL while all is well */
	unsigned int depth;
	struct aml_open open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a, void *buf, size_t size);
/* NULL, or a static reason for the first failure ("AML buffer full", ...). */
const char *aml_error(const struct aml *a);
/* Bytes written so far (only meaningful when aml_error() is NULL). */
size_t aml_len(const struct aml *a);

/* Raw bytes. */
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);

/*
 * PkgLength encoding of len (which counts the PkgLength bytes themselves):
 * writes 1-4 bytes to out, returns the count, 0 if len >= 2^28.
 */
unsigned int aml_pkglen_encode(size_t len, uint8_t out[4]);

/*
 * NameString: "ABCD", "_S5" (padded with '_' to 4 chars), "\\_SB",
 * "\\_SB.COM1", "^PCI0.FOO".  Segments are [A-Z_][A-Z0-9_]{0,3}.
 */
void aml_namestring(struct aml *a, const char *name);

/* Integers in the shortest form: Zero, One, Ones, Byte/Word/DWord/QWord. */
void aml_integer(struct aml *a, uint64_t v);
/* String ("..." with a NUL); bytes 0x01-0x7F only. */
void aml_string(struct aml *a, const char *s);
/* EISAID("PNP0501") -> 0x0105D041; 0 for a malformed id. */
uint32_t aml_eisaid(const char *id);

/* Name(name, ...): the value term must follow. */
void aml_name(struct aml *a, const char *name);
/* Name(name, integer) / Name(name, "string") / Name(name, EISAID(id)). */
void aml_name_integer(struct aml *a, const char *name, uint64_t v);
void aml_name_string(struct aml *a, const char *name, const char *s);
void aml_name_eisaid(struct aml *a, const char *name, const char *id);

/* Containers, closed by aml_end(). */
void aml_scope_begin(struct aml *a, const char *name);
void aml_device_begin(struct aml *a, const char *name);
void aml_method_begin(struct aml *a, const char *name, unsigned int nargs,
		      bool serialized);
void aml_package_begin(struct aml *a, uint8_t nr_elements);
/* Buffer(){bytes}: the BufferSize is filled in by aml_end(). */
void aml_buffer_begin(struct aml *a);
/* ResourceTemplate(){...}: a Buffer whose aml_end() appends the EndTag. */
void aml_resource_template_begin(struct aml *a);
void aml_end(struct aml *a);

/* Return(term): the term must follow. */
void aml_return(struct aml *a);

/* OperationRegion(name, space, offset, len); space: AML_SPACE_*. */
#define AML_SPACE_SYSTEM_MEMORY	0x00
#define AML_SPACE_SYSTEM_IO	0x01
void aml_operation_region(struct aml *a, const char *name, uint8_t space,
			  uint64_t offset, uint64_t len);
/*
 * Field(region, flags){units}, closed by aml_end().  flags: access type
 * (bits 0-3), lock rule (bit 4), update rule (bits 5-6).
 */
#define AML_FIELD_DWORD_ACC	0x03
#define AML_FIELD_WRITE_AS_ZEROS 0x40
void aml_field_begin(struct aml *a, const char *region, uint8_t flags);
void aml_field_unit(struct aml *a, const char *name, unsigned int bits);
/* If(predicate){body}: the predicate term first, then the body; aml_end(). */
void aml_if_begin(struct aml *a);
/* Operators written prefix-first; their operands must follow in order. */
void aml_store(struct aml *a);	/* Store(source, target) */
void aml_and(struct aml *a);	/* And(a, b, target); target Zero = none */
void aml_notify(struct aml *a);	/* Notify(object, value) */
void aml_local(struct aml *a, unsigned int n);	/* LocalN */

/* Resource descriptors (inside a ResourceTemplate). */
/* IO(Decode16, min, max, align, len) */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len);
/* IRQNoFlags(){irq} (irq 0-15) */
void aml_res_irq_noflags(struct aml *a, uint8_t irq);
/* Interrupt(ResourceConsumer, Edge|Level, ActiveHigh|Low, Exclusive){gsi} */
void aml_res_interrupt(struct aml *a, bool edge, bool active_high,
		       bool shared, uint32_t gsi);
/* Memory32Fixed(ReadWrite|ReadOnly, base, len) */
void aml_res_memory32_fixed(struct aml *a, bool writable, uint32_t base,
			    uint32_t len);

#endif
