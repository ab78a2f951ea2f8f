// SPDX-License-Identifier: MIT
/*
 * The benchmark guest: the same image boots under minivmm (bzImage) and
 * QEMU (PVH ELF), writes '!' on COM1 at its first instruction (the byte
 * scripts/bench.sh times as "first serial byte": GUEST_ENTRY_BYTE in
 * guest_head.S), says one short line after its start-up code ("BENCH up",
 * timed too) and ends as bench.action= asks:
 *   poweroff (default)	ACPI S5 at once, without printing anything more
 *   halt		prints "BENCH idle", then cli; hlt (memory benchmark)
 *   blk		reads bench.n= (default 1000) 4 KiB blocks from the first
 *			virtio-blk device, prints "BENCH blk done=D errors=E
 *			tsc=T", then halts (the host reads its threads' CPU
 *			time, then stops it); bench.op=write writes them,
 *			bench.order=scattered spreads them over the disk
 *			(bench_blk.h)
 *   net		sends bench.n= (default 1000) 64-byte broadcast frames
 *			through the first virtio-net device, waits until the
 *			device has returned them all, prints "BENCH net done=D
 *			errors=E tsc=T", then halts like blk
 * A failed power-off falls back to guest_poweroff(), which reports it and
 * triple-faults, so a broken run never counts as a clean one.
 */
#include "bench/guest/bench_blk.h"
#include "bench/guest/bench_net.h"
#include "tests/guest/lib/guest_acpi.h"
#include "tests/guest/lib/guest_boot.h"
#include "tests/guest/lib/guest_power.h"
#include "tests/guest/lib/guest_print.h"
#include "tests/guest/lib/guest_string.h"

#define BENCH_NL		"\r\n"
#define BENCH_SLP_EN		0x20		/* hardware-reduced SLEEP_CONTROL */
#define BENCH_PM1_SLP_EN	(1U << 13)	/* PM1a_CNT */
#define BENCH_S5_DEFAULT	5

/* S5 through the FADT, as guest_poweroff() does, but silently. */
static void bench_poweroff(uint64_t rsdp)
{
	struct acpi_root root;
	struct acpi_fadt f;
	uint64_t t;
	int typ;

	if (!rsdp || !acpi_root_get(rsdp, &root))
		return;
	t = acpi_find_table(&root, "FACP");
	if (!t || !acpi_fadt_parse(t, &f))
		return;
	typ = acpi_dsdt_s5(f.dsdt);
	if (typ < 0)
		typ = BENCH_S5_DEFAULT;
	if (f.has_sleep_regs && f.sleep_ctl.addr) {
		acpi_gas_write(&f.sleep_ctl, ((typ & 7) << 2) | BENCH_SLP_EN);
	} else {
		struct acpi_gas pm1a = f.x_pm1a_cnt;

		if (!pm1a.addr) {
			pm1a.space = ACPI_GAS_IO;
			pm1a.addr = f.pm1a_cnt;
		}
		pm1a.bit_width = 16;
		acpi_gas_write(&pm1a, ((typ & 7) << 10) | BENCH_PM1_SLP_EN);
	}
}

static unsigned int bench_number(const char *s, size_t len, unsigned int def)
{
	unsigned int v = 0;
	size_t i;

	if (!s || !len)
		return def;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 100000000U)
			return def;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	return v;
}

/* bench.n= of the command line, default def. */
static unsigned int bench_count(const struct guest_boot *b, unsigned int def)
{
	const char *v = NULL;
	size_t len = 0;

	if (b->cmdline)
		v = guest_cmdline_value(b->cmdline, b->cmdline_len, "bench.n", &len);
	return bench_number(v, len, def);
}

/* Whether the command line has KEY=WORD. */
static bool bench_arg_is(const struct guest_boot *b, const char *key,
			 const char *word)
{
	const char *v = NULL;
	size_t len = 0;

	if (b->cmdline)
		v = guest_cmdline_value(b->cmdline, b->cmdline_len, key, &len);
	return v && guest_word_eq(v, len, word);
}

static void bench_blk(const struct guest_boot *b)
{
	struct bench_blk_pattern pat = {
		.write = bench_arg_is(b, "bench.op", "write"),
		.scattered = bench_arg_is(b, "bench.order", "scattered"),
	};
	struct bench_blk_result r;

	bench_blk_run(bench_count(b, 1000), &pat, &r);
	if (!r.base)
		guest_printf("BENCH blk no virtio-blk device" BENCH_NL);
	guest_printf("BENCH blk base=0x%llx capacity=%llu" BENCH_NL,
		     (unsigned long long)r.base, (unsigned long long)r.capacity);
	guest_printf("BENCH blk done=%u errors=%u tsc=%llu" BENCH_NL, r.done,
		     r.errors, (unsigned long long)r.tsc);
	guest_halt();
}

static void bench_net(const struct guest_boot *b)
{
	struct bench_net_result r;

	bench_net_run(bench_count(b, 1000), &r);
	if (r.why[0])
		guest_printf("BENCH net failed: %s" BENCH_NL, r.why);
	guest_printf("BENCH net base=0x%llx mac=%02x:%02x:%02x:%02x:%02x:%02x"
		     BENCH_NL, (unsigned long long)r.base, r.mac[0], r.mac[1],
		     r.mac[2], r.mac[3], r.mac[4], r.mac[5]);
	guest_printf("BENCH net done=%u errors=%u tsc=%llu" BENCH_NL, r.done,
		     r.errors, (unsigned long long)r.tsc);
	guest_halt();
}

void guest_main(const struct guest_boot *b)
{
	const char *a = NULL;
	size_t len = 0;
	const char *src;
	uint64_t rsdp;

	guest_printf("BENCH up" BENCH_NL);
	if (b->cmdline)
		a = guest_cmdline_value(b->cmdline, b->cmdline_len,
					"bench.action", &len);
	rsdp = acpi_find_rsdp(b->rsdp_hint, &src);
	if (!a || guest_word_eq(a, len, "poweroff")) {
		bench_poweroff(rsdp);
		guest_poweroff(rsdp);	/* still here: report and crash */
	}
	if (guest_word_eq(a, len, "halt")) {
		guest_printf("BENCH idle" BENCH_NL);
		guest_halt();
	}
	if (guest_word_eq(a, len, "blk"))
		bench_blk(b);
	if (guest_word_eq(a, len, "net"))
		bench_net(b);
	guest_printf("BENCH unknown bench.action" BENCH_NL);
	guest_triple_fault();
}
