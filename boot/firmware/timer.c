// SPDX-License-Identifier: MIT
/*
 * Time for retransmission timers.  The TSC rate comes from, in order:
 * KVM's pvclock (exact: the scale KVM itself uses), CPUID 0x15 when the
 * VMM fills it, or PIT channel 2 (KVM's in-kernel PIT with the dummy
 * speaker port, as Linux's pit_calibrate_tsc uses it): 10 ms of PIT ticks
 * against the TSC, best of three, since a descheduled vCPU only ever
 * makes the count too long.
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

#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2	(1u << 3)

struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed, aligned(64)));

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static uint64_t timer_from_kvmclock(void)
{
	static struct pvclock_vcpu_time_info pvti;
	uint32_t a, b, c, d, mul;
	int8_t shift;
	uint64_t khz;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return 0;		/* no hypervisor */
	cpuid(0x40000000, &a, &b, &c, &d);
	/* "KVMKVMKVM\0\0\0" */
	if (b != 0x4b4d564b || c != 0x564b4d56 || d != 0x4d || a < 0x40000001)
		return 0;
	cpuid(0x40000001, &a, &b, &c, &d);
	if (!(a & KVM_FEATURE_CLOCKSOURCE2))
		return 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)&pvti | 1);
	__asm__ volatile("" : : : "memory");
	mul = *(volatile uint32_t *)&pvti.tsc_to_system_mul;
	shift = *(volatile int8_t *)&pvti.tsc_shift;
	/* Stop the updates: this memory is not ours once Linux runs. */
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!mul)
		return 0;
	/* ns per tick = mul * 2^shift / 2^32 */
	khz = (1000000ull << 32) / mul;
	if (shift > 0)
		khz >>= shift;
	else
		khz <<= -shift;
	return khz;
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

uint64_t timer_init(const char **source)
{
	uint64_t khz = timer_from_kvmclock();

	*source = "kvmclock";
	if (!khz) {
		khz = timer_from_cpuid();
		*source = "CPUID 0x15";
	}
	if (!khz) {
		*source = "PIT";
		for (int i = 0; i < 3; i++) {
			uint64_t k = timer_from_pit();

			if (k && (!khz || k < khz))
				khz = k;
		}
	}
	if (khz < 1000) {		/* < 1 MHz: not believable */
		khz = FALLBACK_KHZ;
		*source = "a guess";
	}
	timer_khz = khz;
	return khz;
}

uint64_t timer_now_ms(void)
{
	return rdtsc() / timer_khz;
}
