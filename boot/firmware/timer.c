// SPDX-License-Identifier: MIT
/*
 * Time for retransmission timers.  The TSC rate comes from CPUID 0x15 when
 * the VMM fills it, else from PIT channel 2 (KVM's in-kernel PIT with the
 * dummy speaker port, as Linux's pit_calibrate_tsc uses it): count 10 ms
 * of PIT ticks and read the TSC at both ends.
 */
#include "boot/firmware/io.h"
#include "boot/firmware/timer.h"

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PIT_GATE	0x61
#define CALIB_MS	10
#define FALLBACK_KHZ	2000000ull	/* 2 GHz if nothing answers */

static uint64_t timer_khz = FALLBACK_KHZ;

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
		  uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

static uint64_t timer_from_cpuid(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (a < 0x15)
		return 0;
	cpuid(0x15, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a / 1000;
}

static uint64_t timer_from_pit(void)
{
	uint32_t count = PIT_HZ / (1000 / CALIB_MS);
	uint64_t t0, t1;
	unsigned long spins = 0;

	/* Gate on, speaker off; channel 2, lobyte/hibyte, mode 0. */
	outb(PIT_GATE, (uint8_t)((inb(PIT_GATE) & ~0x02) | 0x01));
	outb(PIT_MODE, 0xb0);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20)) {
		if (++spins > 50000000ul)
			return 0;	/* no PIT: give up */
	}
	t1 = rdtsc();
	if (t1 <= t0)
		return 0;
	return (t1 - t0) / CALIB_MS;
}

uint64_t timer_init(void)
{
	uint64_t khz = timer_from_cpuid();

	if (!khz)
		khz = timer_from_pit();
	if (khz < 1000)			/* < 1 MHz: not believable */
		khz = FALLBACK_KHZ;
	timer_khz = khz;
	return khz;
}

uint64_t timer_now_ms(void)
{
	return rdtsc() / timer_khz;
}
