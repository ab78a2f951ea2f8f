// SPDX-License-Identifier: MIT
/*
 * The GDB stub's test guest: an ELF with symbols.  It calls gdbguest_target()
 * (where the debugger breaks), prints gdbguest_poke (which the debugger
 * changes) and powers off.  Alone it prints "GDBGUEST poke=7 result=22".
 * With gdbguest.spin=1 on the command line it first spins in
 * gdbguest_spin(), counting in gdbguest_spins, until the debugger sets
 * gdbguest_release (the Ctrl-C test, gdb_ctrlc.sh).
 */
#include <stdint.h>

#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"

volatile uint64_t gdbguest_poke = 7;
volatile uint64_t gdbguest_spins;
volatile uint64_t gdbguest_release;

/* Global on purpose: the gdb session breaks on them by name. */
uint64_t gdbguest_target(uint64_t x);
void gdbguest_spin(void);

__attribute__((noinline)) uint64_t gdbguest_target(uint64_t x)
{
	return x * 3 + gdbguest_poke;
}

/* A busy vCPU for the debugger to interrupt. */
__attribute__((noinline)) void gdbguest_spin(void)
{
	while (!gdbguest_release)
		gdbguest_spins++;
}

static bool gdbguest_spin_wanted(const struct guest_boot *b)
{
	size_t len = 0;
	const char *v = b->cmdline ?
		guest_cmdline_value(b->cmdline, b->cmdline_len, "gdbguest.spin",
				    &len) : NULL;

	return v && guest_word_eq(v, len, "1");
}

void guest_main(const struct guest_boot *b)
{
	const char *src;
	uint64_t rsdp = acpi_find_rsdp(b->rsdp_hint, &src);
	uint64_t r;

	guest_printf("GDBGUEST start\r\n");
	if (gdbguest_spin_wanted(b)) {
		guest_printf("GDBGUEST spinning\r\n");
		gdbguest_spin();
		guest_printf("GDBGUEST released\r\n");
	}
	r = gdbguest_target(5);
	guest_printf("GDBGUEST poke=%llu result=%llu\r\n",
		     (unsigned long long)gdbguest_poke, (unsigned long long)r);
	guest_poweroff(rsdp);
}
