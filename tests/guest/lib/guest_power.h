/* SPDX-License-Identifier: MIT */
/*
 * Ending a test guest.  Each function prints what it does ("GUEST ..."),
 * performs it and, should the machine still be running after a grace
 * period, reports that and triple-faults, so a broken VMM path shows up
 * as a crash exit instead of a hang.
 */
#ifndef GUEST_POWER_H
#define GUEST_POWER_H

#include <stdint.h>

/* ACPI S5: FADT sleep control register (hardware-reduced) or PM1a_CNT. */
void guest_poweroff(uint64_t rsdp) __attribute__((noreturn));
/* ACPI reset: FADT RESET_REG <- RESET_VALUE. */
void guest_reboot(uint64_t rsdp) __attribute__((noreturn));
/* Pulse the reset line through the i8042 (0xFE to port 0x64). */
void guest_i8042_reset(void) __attribute__((noreturn));
/* Empty IDT, then an exception: #UD -> #DF -> shutdown. */
void guest_triple_fault(void) __attribute__((noreturn));
/* cli; hlt forever. */
void guest_halt(void) __attribute__((noreturn));

#endif
