/* SPDX-License-Identifier: MIT */
/* Port I/O, MMIO, TSC and barriers for the firmware. */
#ifndef MINIVMM_FW_IO_H
#define MINIVMM_FW_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint8_t mmio_read8(uint64_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

/* Orders our ring writes before the device sees the notify. */
static inline void mb(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

static inline __attribute__((noreturn)) void cpu_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
