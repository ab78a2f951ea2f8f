// SPDX-License-Identifier: MIT
/*
 * The GDB stub's test guest: an ELF with symbols.  It calls gdbguest_target()
 * (where the debugger breaks), prints gdbguest_poke (which the debugger
 * changes) and powers off.  Alone it prints "GDBGUEST poke=7 result=22".
 */
#include <stdint.h>

#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"

volatile uint64_t gdbguest_poke = 7;

__attribute__((noinline)) uint64_t gdbguest_target(uint64_t x)
{
	return x * 3 + gdbguest_poke;
}

void guest_main(const struct guest_boot *b)
{
	const char *src;
	uint64_t rsdp = acpi_find_rsdp(b->rsdp_hint, &src);
	uint64_t r;

	guest_printf("GDBGUEST start\r\n");
	r = gdbguest_target(5);
	guest_printf("GDBGUEST poke=%llu result=%llu\r\n",
		     (unsigned long long)gdbguest_poke, (unsigned long long)r);
	guest_poweroff(rsdp);
}
