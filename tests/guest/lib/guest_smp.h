/* SPDX-License-Identifier: MIT */
/*
 * Start a second CPU in a test guest: the boot CPU copies a real-mode
 * trampoline (guest_smp.S) below 1 MiB and sends INIT, SIPI, SIPI through
 * its local APIC (xAPIC registers, KVM's in-kernel LAPIC).  The AP goes
 * straight from real mode to long mode on the boot CPU's GDT and page
 * tables and calls fn(arg) on the stack given; fn must never return.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stdint.h>

/* Page of low RAM the trampoline is copied to (SIPI vector 6): below the
 * boot stack, above the boot GDT; nothing of a test guest lives there. */
#define GUEST_AP_TRAMPOLINE	0x6000ULL

typedef void (*guest_ap_fn)(void *arg);

/*
 * Start the CPU with local APIC id apic_id.  True once it runs fn (it
 * sets *started before the call, from its own side), false when it did
 * not come up within a bounded wait.  One AP at a time: the trampoline
 * page is reused.
 */
bool guest_start_ap(uint32_t apic_id, guest_ap_fn fn, void *arg,
		    void *stack_top);

#endif
