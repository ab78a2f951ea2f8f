// SPDX-License-Identifier: MIT
/*
 * Start an application processor (see guest_smp.h).  The ICR sequence is
 * the MP specification's INIT, SIPI, SIPI; KVM's in-kernel LAPIC holds an
 * AP in wait-for-SIPI until then.
 */
#include "tests/guest/lib/guest_smp.h"

#include "boot/layout.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_string.h"

#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define APIC_ICR_BUSY		(1u << 12)
#define APIC_DM_INIT		0x00000500u
#define APIC_DM_STARTUP		0x00000600u
#define APIC_LEVEL_ASSERT	0x00004000u

extern const char guest_ap_tramp_start[], guest_ap_tramp_end[];
extern const char guest_ap_tramp_gdt[], guest_ap_tramp_cr3[];
extern const char guest_ap_tramp_far[], guest_ap_tramp_stack[];
extern const char guest_ap_tramp_entry[], guest_ap_tramp_arg[];

struct ap_start {
	guest_ap_fn fn;
	void *arg;
	volatile uint32_t started;
};

static struct ap_start ap_start;

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(LAYOUT_LAPIC_ADDR + reg) = v;
}

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(LAYOUT_LAPIC_ADDR + reg);
}

static void apic_ipi(uint32_t apic_id, uint32_t lo)
{
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, lo);
	for (unsigned int i = 0; i < 100000 && (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY); i++)
		__asm__ volatile("pause");
}

/* A short spin between the IPIs (KVM needs none; real CPUs want ~10 ms). */
static void ap_delay(void)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < 1000000)
		__asm__ volatile("pause");
}

/* Where the trampoline's field f lands in its low-RAM copy. */
static void *tramp_field(const char *f)
{
	return (void *)(uintptr_t)(GUEST_AP_TRAMPOLINE +
				   (uint64_t)(f - guest_ap_tramp_start));
}

/* The AP's first C code: say it runs, then the caller's function. */
static void ap_entry(void *arg)
{
	struct ap_start *s = arg;

	__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
	s->fn(s->arg);
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool guest_start_ap(uint32_t apic_id, guest_ap_fn fn, void *arg,
		    void *stack_top)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;
	uint64_t far_off, v;
	uint32_t base32;

	ap_start.fn = fn;
	ap_start.arg = arg;
	ap_start.started = 0;
	memcpy(tramp_field(guest_ap_tramp_start), guest_ap_tramp_start,
	       (size_t)(guest_ap_tramp_end - guest_ap_tramp_start));
	/* The boot CPU's own GDT (below 4 GiB: the image is), CR3, and the
	 * far pointer's offset made absolute. */
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	base32 = (uint32_t)gdtr.base;
	memcpy(tramp_field(guest_ap_tramp_gdt), &gdtr.limit, 2);
	memcpy((char *)tramp_field(guest_ap_tramp_gdt) + 2, &base32, 4);
	base32 = (uint32_t)read_cr3();
	memcpy(tramp_field(guest_ap_tramp_cr3), &base32, 4);
	memcpy(&base32, tramp_field(guest_ap_tramp_far), 4);
	far_off = GUEST_AP_TRAMPOLINE + base32;
	base32 = (uint32_t)far_off;
	memcpy(tramp_field(guest_ap_tramp_far), &base32, 4);
	v = (uint64_t)(uintptr_t)stack_top;
	memcpy(tramp_field(guest_ap_tramp_stack), &v, 8);
	v = (uint64_t)(uintptr_t)ap_entry;
	memcpy(tramp_field(guest_ap_tramp_entry), &v, 8);
	v = (uint64_t)(uintptr_t)&ap_start;
	memcpy(tramp_field(guest_ap_tramp_arg), &v, 8);
	__asm__ volatile("mfence" ::: "memory");

	apic_ipi(apic_id, APIC_DM_INIT | APIC_LEVEL_ASSERT);
	ap_delay();
	for (unsigned int i = 0; i < 2; i++) {
		apic_ipi(apic_id, APIC_DM_STARTUP |
			 (uint32_t)(GUEST_AP_TRAMPOLINE >> 12));
		ap_delay();
		if (__atomic_load_n(&ap_start.started, __ATOMIC_ACQUIRE))
			return true;
	}
	for (unsigned int i = 0; i < 1000; i++) {
		if (__atomic_load_n(&ap_start.started, __ATOMIC_ACQUIRE))
			return true;
		ap_delay();
	}
	return false;
}
