/* SPDX-License-Identifier: MIT */
/*
 * Checksums cheap enough for emulated guest code.  Shared with the host
 * tool bootinfo_sum, so guest and test compute the very same value.
 */
#ifndef GUEST_CHECKSUM_H
#define GUEST_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fletcher-style sum over little-endian 64-bit words (the tail padded
 * with zero bytes): a += w; b += a; both modulo 2^64.  Order-sensitive,
 * one pass, two additions per 8 bytes.
 */
struct fletcher64 {
	uint64_t a, b;
};

void fletcher64_words(struct fletcher64 *f, const void *buf, size_t len);

/* Sum of bytes modulo 256 (ACPI table checksum: 0 means good). */
uint8_t acpi_byte_sum(const void *buf, size_t len);

#endif
