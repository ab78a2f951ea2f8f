// SPDX-License-Identifier: MIT
/*
 * The snapshot tests' guest: prints "COUNT n sum=s" for n = 0..COUNT_TO
 * and powers off.  Every step first checks, in its RAM, the value each
 * earlier step stored (a restored guest whose memory came back wrong
 * prints "COUNT BAD n"), then waits about 10 ms (TSC cycles, so that a
 * test has time to save it mid-count on any host).  What it prints
 * depends on nothing but its own state: two runs from one snapshot print
 * the same bytes.
 */
#include <stdint.h>

#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"

#define COUNT_TO	300
#define COUNT_DELAY_CYCLES 20000000ull	/* ~10 ms at 2 GHz */

static uint64_t counter_seen[COUNT_TO + 1];

static uint64_t counter_value(unsigned int n)
{
	return (n + 1) * 0x9e3779b97f4a7c15ull;
}

/* The sum of the values stored so far, or ~0 if one of them is wrong. */
static uint64_t counter_check(unsigned int upto)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < upto; i++) {
		if (counter_seen[i] != counter_value(i))
			return ~0ull;
		sum += counter_seen[i] >> 32;
	}
	return sum;
}

static uint64_t counter_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void counter_delay(void)
{
	uint64_t t0 = counter_rdtsc();

	while (counter_rdtsc() - t0 < COUNT_DELAY_CYCLES)
		__asm__ volatile("pause");
}

void guest_main(const struct guest_boot *b)
{
	const char *src;
	uint64_t rsdp = acpi_find_rsdp(b->rsdp_hint, &src);

	guest_printf("COUNT start\r\n");
	for (unsigned int n = 0; n <= COUNT_TO; n++) {
		uint64_t sum = counter_check(n);

		if (sum == ~0ull)
			guest_printf("COUNT BAD %u\r\n", n);
		else
			guest_printf("COUNT %u sum=%llx\r\n", n, (unsigned long long)sum);
		counter_seen[n] = counter_value(n);
		counter_delay();
	}
	guest_printf("COUNT done\r\n");
	guest_poweroff(rsdp);
}
