/* SPDX-License-Identifier: MIT */
/*
 * What a device tells the machine about the guest: it powered off, asked
 * for a reset, or our firmware reached its final word.  Devices report the
 * event through a guest_event_fn callback; vmm/exit_code.c alone turns an
 * event into the process exit code (docs/usage.md), so no device names one.
 */
#ifndef MINIVMM_GUEST_EVENT_H
#define MINIVMM_GUEST_EVENT_H

enum guest_event {
	GUEST_EVENT_POWEROFF,		/* ACPI S5 */
	GUEST_EVENT_RESET,		/* ACPI reset register, i8042 0xFE, KVM reset event */
	GUEST_EVENT_CRASH,		/* the CPU cannot go on (triple fault, bad entry) */
	GUEST_EVENT_PANIC,		/* the guest kernel panicked (pvpanic) */
	GUEST_EVENT_NETBOOT_FAILED,	/* the netboot firmware gave up */
	GUEST_EVENT_LOCALBOOT,		/* the netboot config chose LOCALBOOT */
	GUEST_EVENT_NETBOOT_DEADLINE,	/* the netboot firmware ran out of time */
};

/* Report ev; the machine stops with the matching exit code (first wins). */
typedef void (*guest_event_fn)(void *opaque, enum guest_event ev);

#endif
