// SPDX-License-Identifier: MIT
/*
 * The boot-info test guest: prints, one "BOOTINFO key=value" per line on
 * COM1, everything the VMM told it (command line, e820, initrd, ACPI
 * tables, MADT, FADT), then ends the way bootinfo.action= asks:
 * poweroff (default), reboot, triplefault, halt, i8042reset, pvpanic
 * (print the pvpanic port's offered events, write PANICKED, then halt:
 * minivmm must end the run) or tick (print "BOOTINFO tick=N", N = 0, 1,
 * 2, ..., about every 100 ms, forever: a paused VM prints nothing).
 * docs/testing-guests.md lists the keys.
 */
#include "boot/layout.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_checksum.h"
#include "tests/guest/lib/guest_cpu.h"
#include "tests/guest/lib/guest_io.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"

#define BI "BOOTINFO "
#define NL "\r\n"

#define E820_RAM		1
#define MADT_LAPIC_ADDR		36
#define MADT_FLAGS		40
#define MADT_ENTRIES		44
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_X2APIC		9
#define MADT_ENABLED		1	/* Local APIC flags bit 0 */
#define BOOTINFO_MAP_END	0x100000000ULL

static const char *bootinfo_gas_space(const struct acpi_gas *g)
{
	switch (g->space) {
	case ACPI_GAS_MEM:
		return "mem";
	case ACPI_GAS_IO:
		return "io";
	case 2:
		return "pci";
	default:
		return "other";
	}
}

static void bootinfo_gas(const char *key, const struct acpi_gas *g)
{
	guest_printf(BI "%s=%s:0x%llx/%u" NL, key, bootinfo_gas_space(g),
		     (unsigned long long)g->addr, g->bit_width);
}

static void bootinfo_cpu(void)
{
	uint32_t r[4];
	char s[13];

	cpuid(0, 0, r);
	__builtin_memcpy(s, &r[1], 4);
	__builtin_memcpy(s + 4, &r[3], 4);
	__builtin_memcpy(s + 8, &r[2], 4);
	s[12] = 0;
	guest_printf(BI "cpuid.vendor=%s" NL, s);
	cpuid(1, 0, r);
	guest_printf(BI "cpuid.apic_id=%u" NL, r[1] >> 24);
	if (!(r[2] & (1U << 31)))
		return;
	cpuid(0x40000000, 0, r);
	__builtin_memcpy(s, &r[1], 4);
	__builtin_memcpy(s + 4, &r[2], 4);
	__builtin_memcpy(s + 8, &r[3], 4);
	s[12] = 0;
	guest_printf(BI "cpuid.hypervisor=%s" NL, s);
}

static void bootinfo_header(const struct guest_boot *b)
{
	guest_printf(BI "boot=%s" NL,
		     b->kind == GUEST_BOOT_PVH ? "pvh" : "linux64");
	guest_printf(BI "load=0x%llx" NL, (unsigned long long)b->load_addr);
	guest_printf(BI "info=0x%llx" NL, (unsigned long long)b->info_addr);
	guest_printf(BI "info.ok=%u" NL, b->info_ok);
	guest_printf(BI "entry.cs=0x%x" NL, b->entry_cs);
	guest_printf(BI "entry.ds=0x%x" NL, b->entry_ds);
	guest_printf(BI "entry.ss=0x%x" NL, b->entry_ss);
	guest_printf(BI "entry.rflags=0x%llx" NL,
		     (unsigned long long)b->entry_rflags);
	guest_printf(BI "entry.if=%u" NL, !!(b->entry_rflags & 0x200));
	guest_printf(BI "cpu.cr0=0x%llx" NL, (unsigned long long)read_cr0());
	guest_printf(BI "cpu.cr4=0x%llx" NL, (unsigned long long)read_cr4());
	guest_printf(BI "cpu.efer=0x%llx" NL,
		     (unsigned long long)rdmsr(MSR_EFER));
	if (b->kind == GUEST_BOOT_LINUX64) {
		guest_printf(BI "bp.version=0x%04x" NL, b->hdr_version);
		guest_printf(BI "bp.loader=0x%02x" NL, b->type_of_loader);
	} else {
		guest_printf(BI "pvh.version=%u" NL, b->hdr_version);
	}
}

static void bootinfo_cmdline(const struct guest_boot *b)
{
	guest_printf(BI "cmdline.addr=0x%llx" NL,
		     (unsigned long long)b->cmdline_addr);
	guest_printf(BI "cmdline.len=%zu" NL, b->cmdline_len);
	guest_printf(BI "cmdline=%.*s" NL, (int)b->cmdline_len,
		     b->cmdline ? b->cmdline : "");
}

static void bootinfo_e820(const struct guest_boot *b)
{
	uint64_t total = 0, top = 0;
	unsigned int i;

	guest_printf(BI "e820.entries=%u" NL, b->nr_e820_reported);
	for (i = 0; i < b->nr_e820; i++) {
		const struct guest_e820 *e = &b->e820[i];

		guest_printf(BI "e820=0x%016llx 0x%016llx %u" NL,
			     (unsigned long long)e->addr,
			     (unsigned long long)e->size, e->type);
		if (e->type != E820_RAM)
			continue;
		total += e->size;
		if (e->addr + e->size > top)
			top = e->addr + e->size;
	}
	guest_printf(BI "ram.total=%llu" NL, (unsigned long long)total);
	guest_printf(BI "ram.top=0x%llx" NL, (unsigned long long)top);
}

static void bootinfo_initrd(const struct guest_boot *b)
{
	struct fletcher64 f = { 0, 0 };

	guest_printf(BI "initrd.addr=0x%llx" NL,
		     (unsigned long long)b->initrd_addr);
	guest_printf(BI "initrd.size=%llu" NL,
		     (unsigned long long)b->initrd_size);
	if (!b->initrd_size)
		return;
	if (b->initrd_addr >= BOOTINFO_MAP_END ||
	    b->initrd_size > BOOTINFO_MAP_END - b->initrd_addr) {
		guest_printf(BI "initrd.sum=unmapped" NL);
		return;
	}
	fletcher64_words(&f, phys_ptr(b->initrd_addr), b->initrd_size);
	guest_printf(BI "initrd.sum=%016llx%016llx" NL,
		     (unsigned long long)f.a, (unsigned long long)f.b);
}

/* One line per table; returns 1 when its checksum is bad. */
static unsigned int bootinfo_table(uint64_t addr)
{
	uint32_t len = acpi_table_len(addr);
	bool ok = acpi_table_ok(addr);
	const char *p = phys_ptr(addr);

	if (!len) {
		guest_printf(BI "acpi.table=???? addr=0x%llx len=0 csum=bad" NL,
			     (unsigned long long)addr);
		return 1;
	}
	guest_printf(BI "acpi.table=%.*s addr=0x%llx len=%u rev=%u csum=%s" NL,
		     4, p, (unsigned long long)addr, len, (uint8_t)p[8],
		     ok ? "ok" : "bad");
	return ok ? 0 : 1;
}

static void bootinfo_madt(uint64_t madt)
{
	const uint8_t *p = phys_ptr(madt);
	uint32_t len = acpi_table_len(madt), off;
	unsigned int lapic = 0, lapic_off = 0, x2apic = 0, ioapics = 0;

	if (len < MADT_ENTRIES)
		return;
	guest_printf(BI "madt.lapic_addr=0x%x" NL, get32(p + MADT_LAPIC_ADDR));
	guest_printf(BI "madt.flags=0x%x" NL, get32(p + MADT_FLAGS));
	for (off = MADT_ENTRIES; off + 2 <= len; off += p[off + 1]) {
		const uint8_t *e = p + off;

		if (e[1] < 2 || off + e[1] > len) {
			guest_printf(BI "madt.bad_entry=%u" NL, off);
			break;
		}
		if (e[0] == MADT_LAPIC && e[1] >= 8) {
			bool en = get32(e + 4) & MADT_ENABLED;

			guest_printf(BI "madt.lapic=uid=%u apic_id=%u flags=0x%x"
				     NL, e[2], e[3], get32(e + 4));
			if (en)
				lapic++;
			else
				lapic_off++;
		} else if (e[0] == MADT_X2APIC && e[1] >= 16) {
			guest_printf(BI "madt.x2apic=id=%u flags=0x%x uid=%u" NL,
				     get32(e + 4), get32(e + 8), get32(e + 12));
			if (get32(e + 8) & MADT_ENABLED)
				x2apic++;
		} else if (e[0] == MADT_IOAPIC && e[1] >= 12) {
			guest_printf(BI "madt.ioapic=id=%u addr=0x%x gsi=%u" NL,
				     e[2], get32(e + 4), get32(e + 8));
			ioapics++;
		} else if (e[0] == MADT_ISO && e[1] >= 10) {
			guest_printf(BI "madt.iso=irq=%u gsi=%u flags=0x%x" NL,
				     e[3], get32(e + 4), get16(e + 8));
		} else if (e[0] == MADT_LAPIC_NMI && e[1] >= 6) {
			guest_printf(BI "madt.nmi=uid=%u flags=0x%x lint=%u" NL,
				     e[2], get16(e + 3), e[5]);
		} else {
			guest_printf(BI "madt.entry=type=%u len=%u" NL, e[0], e[1]);
		}
	}
	guest_printf(BI "madt.lapics=%u" NL, lapic);
	guest_printf(BI "madt.lapics_disabled=%u" NL, lapic_off);
	guest_printf(BI "madt.x2apics=%u" NL, x2apic);
	guest_printf(BI "madt.ioapics=%u" NL, ioapics);
	guest_printf(BI "cpus=%u" NL, lapic + x2apic);
}

static void bootinfo_fadt(uint64_t fadt)
{
	struct acpi_fadt f;
	int s5;

	if (!acpi_fadt_parse(fadt, &f))
		return;
	guest_printf(BI "fadt.rev=%u.%u" NL, f.revision, f.minor);
	guest_printf(BI "fadt.flags=0x%x" NL, f.flags);
	guest_printf(BI "fadt.hw_reduced=%u" NL,
		     !!(f.flags & FADT_F_HW_REDUCED));
	guest_printf(BI "fadt.reset_reg_sup=%u" NL,
		     !!(f.flags & FADT_F_RESET_REG_SUP));
	guest_printf(BI "fadt.sci=%u" NL, f.sci_int);
	guest_printf(BI "fadt.pm1a_cnt=0x%x" NL, f.pm1a_cnt);
	bootinfo_gas("fadt.reset_reg", &f.reset);
	guest_printf(BI "fadt.reset_value=0x%02x" NL, f.reset_value);
	if (f.has_sleep_regs) {
		bootinfo_gas("fadt.sleep_ctl", &f.sleep_ctl);
		bootinfo_gas("fadt.sleep_sts", &f.sleep_sts);
	}
	guest_printf(BI "fadt.dsdt=0x%llx" NL, (unsigned long long)f.dsdt);
	guest_printf(BI "fadt.facs=0x%llx" NL, (unsigned long long)f.facs);
	bootinfo_table(f.dsdt);
	if (f.facs)
		guest_printf(BI "acpi.table=FACS addr=0x%llx len=%u" NL,
			     (unsigned long long)f.facs,
			     acpi_sig_is(f.facs, "FACS") ?
			     get32((const uint8_t *)phys_ptr(f.facs) + 4) : 0);
	s5 = acpi_dsdt_s5(f.dsdt);
	if (s5 >= 0)
		guest_printf(BI "dsdt.s5=%d" NL, s5);
	else
		guest_printf(BI "dsdt.s5=none" NL);
}

/* Prints the ACPI facts; returns the RSDP address (0: none). */
static uint64_t bootinfo_acpi(const struct guest_boot *b)
{
	const char *source;
	uint64_t rsdp = acpi_find_rsdp(b->rsdp_hint, &source), t;
	struct acpi_root root;
	unsigned int i, bad = 0, tables = 0;

	guest_printf(BI "acpi.rsdp_hint=0x%llx" NL,
		     (unsigned long long)b->rsdp_hint);
	guest_printf(BI "acpi.rsdp=0x%llx" NL, (unsigned long long)rsdp);
	guest_printf(BI "acpi.rsdp.source=%s" NL, source);
	if (!rsdp)
		return 0;
	guest_printf(BI "acpi.rsdp.rev=%u" NL,
		     get8((const uint8_t *)phys_ptr(rsdp) + 15));
	if (!acpi_root_get(rsdp, &root)) {
		guest_printf(BI "acpi.root=bad" NL);
		return rsdp;
	}
	bad += bootinfo_table(root.addr);
	tables++;
	guest_printf(BI "acpi.root=%s" NL, root.xsdt ? "XSDT" : "RSDT");
	guest_printf(BI "acpi.root.entries=%u" NL, root.entries);
	for (i = 0; i < root.entries; i++) {
		struct acpi_fadt f;

		t = acpi_root_entry(&root, i);
		bad += bootinfo_table(t);
		tables++;
		if (acpi_sig_is(t, "FACP")) {
			bootinfo_fadt(t);
			tables++;	/* the DSDT */
			if (acpi_fadt_parse(t, &f) && !acpi_table_ok(f.dsdt))
				bad++;
		} else if (acpi_sig_is(t, "APIC")) {
			bootinfo_madt(t);
		}
	}
	guest_printf(BI "acpi.tables=%u" NL, tables);
	guest_printf(BI "acpi.bad=%u" NL, bad);
	return rsdp;
}

/* 10^8 TSC cycles between ticks: 30 to 100 ms on current hosts. */
#define TICK_CYCLES	100000000ull

static __attribute__((noreturn)) void bootinfo_tick(void)
{
	for (unsigned long long n = 0;; n++) {
		uint64_t t = rdtsc();

		guest_printf(BI "tick=%llu" NL, n);
		while (rdtsc() - t < TICK_CYCLES)
			__asm__ volatile("pause");
	}
}

static __attribute__((noreturn)) void bootinfo_act(const struct guest_boot *b, uint64_t rsdp)
{
	const char *a = "poweroff";
	size_t len = 8;
	const char *v = b->cmdline ?
		guest_cmdline_value(b->cmdline, b->cmdline_len,
				    "bootinfo.action", &len) : NULL;

	if (v)
		a = v;
	else
		len = 8;
	guest_printf(BI "action=%.*s" NL, (int)len, a);
	guest_printf(BI "tsc.entry=%llu" NL, (unsigned long long)b->tsc_entry);
	guest_printf(BI "tsc.end=%llu" NL, (unsigned long long)rdtsc());
	guest_printf(BI "end" NL);
	outb(PORT_DEBUG_TRACE, 2);
	if (guest_word_eq(a, len, "poweroff"))
		guest_poweroff(rsdp);
	if (guest_word_eq(a, len, "reboot"))
		guest_reboot(rsdp);
	if (guest_word_eq(a, len, "triplefault"))
		guest_triple_fault();
	if (guest_word_eq(a, len, "halt"))
		guest_halt();
	if (guest_word_eq(a, len, "i8042reset"))
		guest_i8042_reset();
	if (guest_word_eq(a, len, "pvpanic")) {
		guest_printf(BI "pvpanic.offered=%u" NL, inb(PORT_PVPANIC));
		outb(PORT_PVPANIC, 1);	/* PVPANIC_PANICKED */
		guest_halt();
	}
	if (guest_word_eq(a, len, "tick"))
		bootinfo_tick();
	/* A typo in a test must not pass as a clean power-off. */
	guest_printf("GUEST unknown bootinfo.action" NL);
	guest_triple_fault();
}

void guest_main(const struct guest_boot *b)
{
	uint64_t rsdp;

	guest_printf(NL BI "start" NL);
	bootinfo_header(b);
	bootinfo_cpu();
	bootinfo_cmdline(b);
	bootinfo_e820(b);
	bootinfo_initrd(b);
	rsdp = bootinfo_acpi(b);
	bootinfo_act(b, rsdp);
}
