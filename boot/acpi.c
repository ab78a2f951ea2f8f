// SPDX-License-Identifier: MIT
/*
 * ACPI tables of a minivmm guest (ACPI 6.3): RSDP -> XSDT -> {FADT, MADT},
 * FADT -> DSDT.  Hardware-reduced: no PM1/GPE blocks, no SCI; power-off
 * and reset go through the sleep control and reset registers in I/O space
 * (boot/layout.h).  Freestanding.
 */
#include "boot/acpi.h"
#include "boot/aml.h"
#include "boot/layout.h"

#define ACPI_HDR_LEN		36
#define ACPI_RSDP_LEN		36
#define ACPI_FADT_LEN		276	/* ACPI 6.0 - 6.5 */
#define ACPI_ALIGN		16
#define ACPI_OEM_ID		"MINVMM"
#define ACPI_CREATOR_ID		"MVMM"

/* table header */
#define HDR_LENGTH		4
#define HDR_REVISION		8
#define HDR_CHECKSUM		9

/* RSDP */
#define RSDP_CHECKSUM		8
#define RSDP_OEMID		9
#define RSDP_REVISION		15
#define RSDP_LENGTH		20
#define RSDP_XSDT		24
#define RSDP_EXT_CHECKSUM	32
#define RSDP_V1_LEN		20

/* FADT (ACPI 6.3 table 5-34) */
#define FADT_REVISION		6
#define FADT_MINOR		3
#define FADT_DSDT		40
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL_REG	244
#define FADT_SLEEP_STATUS_REG	256
#define FADT_HYPERVISOR_ID	268

#define IAPC_8042		(1u << 1)
#define IAPC_NO_VGA		(1u << 2)
#define IAPC_NO_MSI		(1u << 3)
#define IAPC_NO_ASPM		(1u << 4)
#define IAPC_NO_CMOS_RTC	(1u << 5)

#define FADT_F_PWR_BUTTON	(1u << 4)	/* no fixed power button */
#define FADT_F_SLP_BUTTON	(1u << 5)	/* no fixed sleep button */
#define FADT_F_RESET_REG_SUP	(1u << 10)
#define FADT_F_HW_REDUCED_ACPI	(1u << 20)

#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1

/* MADT (ACPI 6.3 5.2.12) */
#define MADT_REVISION		5
#define MADT_PCAT_COMPAT	1
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_X2APIC		9
#define MADT_X2APIC_NMI		10
#define MADT_ENABLED		1
#define MPS_INTI_EDGE_HIGH	0x0005	/* polarity 01 high, trigger 01 edge */
#define ACPI_ALL_PROCESSORS	0xff

#define DSDT_REVISION		2	/* 64-bit integers */
#define XSDT_REVISION		1

/* A cursor over the output buffer; every write is bounds-checked. */
struct acpi_out {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool full;
};

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Reserve n zeroed bytes at a 16-byte aligned offset; NULL when full. */
static uint8_t *acpi_alloc(struct acpi_out *o, size_t n)
{
	size_t at = (o->len + ACPI_ALIGN - 1) & ~(size_t)(ACPI_ALIGN - 1);

	if (o->full || at > o->size || n > o->size - at) {
		o->full = true;
		return NULL;
	}
	__builtin_memset(o->buf + o->len, 0, at + n - o->len);
	o->len = at + n;
	return o->buf + at;
}

static void acpi_copy(uint8_t *dst, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (uint8_t)s[i];
}

/* Standard header; the checksum is set by acpi_finish(). */
static void acpi_header(uint8_t *t, const char sig[4], uint32_t len,
			uint8_t rev)
{
	acpi_copy(t, sig, 4);
	put_le(t + HDR_LENGTH, len, 4);
	t[HDR_REVISION] = rev;
	acpi_copy(t + 10, ACPI_OEM_ID, 6);
	acpi_copy(t + 16, "MVMM", 4);		/* OEM table id: MVMM<sig> */
	acpi_copy(t + 20, sig, 4);
	put_le(t + 24, 1, 4);			/* OEM revision */
	acpi_copy(t + 28, ACPI_CREATOR_ID, 4);
	put_le(t + 32, 1, 4);			/* creator revision */
}

static void acpi_finish(uint8_t *t)
{
	uint32_t len = (uint32_t)get_le(t + HDR_LENGTH, 4);

	t[HDR_CHECKSUM] = 0;
	t[HDR_CHECKSUM] = (uint8_t)-acpi_sum(t, len);
}

static uint64_t acpi_gpa(const struct acpi_out *o, const uint8_t *t,
			 uint64_t gpa)
{
	return gpa + (uint64_t)(t - o->buf);
}

static void acpi_gas_io8(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8;			/* bit width */
	g[2] = 0;			/* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	put_le(g + 4, port, 8);
}

static uint8_t *acpi_build_fadt(struct acpi_out *o, uint64_t dsdt_gpa)
{
	uint8_t *t = acpi_alloc(o, ACPI_FADT_LEN);

	if (!t)
		return NULL;
	acpi_header(t, "FACP", ACPI_FADT_LEN, FADT_REVISION);
	/*
	 * No keyboard controller is announced: Linux then skips the i8042
	 * probe (a millisecond of port I/O at boot), and its last-resort
	 * reboot still writes 0xFE to port 0x64, which we emulate.  There is
	 * no VGA, no PCI (so no MSI/ASPM) and no CMOS RTC.
	 */
	put_le(t + FADT_IAPC_BOOT_ARCH, IAPC_NO_VGA | IAPC_NO_MSI |
	       IAPC_NO_ASPM | IAPC_NO_CMOS_RTC, 2);
	put_le(t + FADT_FLAGS, FADT_F_HW_REDUCED_ACPI | FADT_F_RESET_REG_SUP |
	       FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON, 4);
	acpi_gas_io8(t + FADT_RESET_REG, PORT_ACPI_RESET);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	/* Only the 64-bit pointer: OSPM must ignore DSDT when X_DSDT is set. */
	put_le(t + FADT_X_DSDT, dsdt_gpa, 8);
	acpi_gas_io8(t + FADT_SLEEP_CONTROL_REG, PORT_ACPI_SLEEP_CTL);
	acpi_gas_io8(t + FADT_SLEEP_STATUS_REG, PORT_ACPI_SLEEP_STS);
	acpi_copy(t + FADT_HYPERVISOR_ID, "MINIVMM\0", 8);
	acpi_finish(t);
	return t;
}

static void acpi_dsdt_serial(struct aml *a, const struct acpi_config *cfg)
{
	aml_device_begin(a, "COM1");
	aml_name_eisaid(a, "_HID", "PNP0501");
	aml_name_integer(a, "_UID", 1);
	aml_name(a, "_CRS");
	aml_resource_template_begin(a);
	aml_res_io(a, cfg->serial_port, cfg->serial_port, 0, 8);
	if (cfg->serial_irq < 16)
		aml_res_irq_noflags(a, cfg->serial_irq);
	else
		aml_res_interrupt(a, true, true, false, cfg->serial_irq);
	aml_end(a);
	aml_end(a);
}

static void acpi_dsdt_virtio(struct aml *a, const struct acpi_virtio_mmio *v,
			     unsigned int n)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[5] = { 'V', 'R', hex[(n >> 4) & 0xf], hex[n & 0xf], 0 };

	aml_device_begin(a, name);
	aml_name_string(a, "_HID", "LNRO0005");
	aml_name_integer(a, "_UID", n);
	aml_name(a, "_CRS");
	aml_resource_template_begin(a);
	aml_res_memory32_fixed(a, true, (uint32_t)v->base, v->size);
	aml_res_interrupt(a, true, true, false, v->gsi);
	aml_end(a);
	aml_end(a);
}

/*
 * The power button of a hardware-reduced guest: a Generic Event Device
 * whose _EVT reads (and so clears) the event selector and notifies the
 * PNP0C0C button; Linux's button driver then starts an orderly power-off.
 */
static void acpi_dsdt_ged(struct aml *a, const struct acpi_config *cfg)
{
	aml_device_begin(a, "GED");
	aml_name_string(a, "_HID", "ACPI0013");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_resource_template_begin(a);
	aml_res_interrupt(a, true, true, false, cfg->ged_gsi);
	aml_end(a);
	aml_operation_region(a, "EREG", AML_SPACE_SYSTEM_MEMORY, cfg->ged_addr, 4);
	aml_field_begin(a, "EREG", AML_FIELD_DWORD_ACC | AML_FIELD_WRITE_AS_ZEROS);
	aml_field_unit(a, "ESEL", 32);
	aml_end(a);
	aml_method_begin(a, "_EVT", 1, true);
	aml_store(a);			/* Store(ESEL, Local0) */
	aml_namestring(a, "ESEL");
	aml_local(a, 0);
	aml_if_begin(a);		/* If(And(Local0, PWR_DOWN)) */
	aml_and(a);
	aml_local(a, 0);
	aml_integer(a, ACPI_GED_EVT_PWR_DOWN);
	aml_integer(a, 0);		/* no target */
	aml_notify(a);			/* Notify(\_SB.PWRB, 0x80) */
	aml_namestring(a, "\\_SB.PWRB");
	aml_integer(a, 0x80);
	aml_end(a);
	aml_end(a);
	aml_end(a);

	aml_device_begin(a, "PWRB");
	aml_name_eisaid(a, "_HID", "PNP0C0C");
	aml_name_integer(a, "_UID", 0);
	aml_end(a);
}

/* pvpanic: QEMU's _HID, so Linux's pvpanic-mmio driver binds (IO resource). */
static void acpi_dsdt_pvpanic(struct aml *a, uint16_t port)
{
	aml_device_begin(a, "PEVT");
	aml_name_string(a, "_HID", "QEMU0001");
	aml_name(a, "_CRS");
	aml_resource_template_begin(a);
	aml_res_io(a, port, port, 1, 1);
	aml_end(a);
	aml_end(a);
}

static uint8_t *acpi_build_dsdt(struct acpi_out *o,
				const struct acpi_config *cfg)
{
	uint8_t *t = acpi_alloc(o, ACPI_HDR_LEN);
	struct aml a;
	unsigned int i;

	if (!t)
		return NULL;
	aml_init(&a, o->buf + o->len, o->size - o->len);

	aml_scope_begin(&a, "\\_SB");
	if (cfg->serial_port)
		acpi_dsdt_serial(&a, cfg);
	for (i = 0; i < cfg->nr_virtio; i++)
		acpi_dsdt_virtio(&a, &cfg->virtio[i], i);
	if (cfg->ged_addr)
		acpi_dsdt_ged(&a, cfg);
	if (cfg->pvpanic_port)
		acpi_dsdt_pvpanic(&a, cfg->pvpanic_port);
	aml_end(&a);

	/* \_S5: SLP_TYPa, SLP_TYPb, reserved, reserved */
	aml_name(&a, "\\_S5");
	aml_package_begin(&a, 4);
	aml_integer(&a, ACPI_S5_SLP_TYP);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);

	if (aml_error(&a) || aml_len(&a) > UINT32_MAX - ACPI_HDR_LEN) {
		o->full = true;
		return NULL;
	}
	o->len += aml_len(&a);
	acpi_header(t, "DSDT", (uint32_t)(ACPI_HDR_LEN + aml_len(&a)),
		    DSDT_REVISION);
	acpi_finish(t);
	return t;
}

static size_t acpi_madt_len(const struct acpi_config *cfg, bool *x2apic)
{
	size_t len = ACPI_HDR_LEN + 8 + 12 + 10 + 6;
	unsigned int i;

	*x2apic = false;
	for (i = 0; i < cfg->nr_cpus; i++) {
		/* xAPIC entries hold 8-bit ids and UIDs; 0xff is broadcast. */
		if (cfg->apic_ids[i] > 254 || i > 254) {
			len += 16;
			*x2apic = true;
		} else {
			len += 8;
		}
	}
	if (*x2apic)
		len += 12;
	return len;
}

static uint8_t *acpi_build_madt(struct acpi_out *o,
				const struct acpi_config *cfg)
{
	bool x2apic;
	size_t len = acpi_madt_len(cfg, &x2apic);
	uint8_t *t = acpi_alloc(o, len), *e;
	unsigned int i;

	if (!t)
		return NULL;
	acpi_header(t, "APIC", (uint32_t)len, MADT_REVISION);
	put_le(t + 36, cfg->lapic_addr, 4);
	put_le(t + 40, MADT_PCAT_COMPAT, 4);
	e = t + 44;
	for (i = 0; i < cfg->nr_cpus; i++) {
		uint32_t id = cfg->apic_ids[i];

		if (id > 254 || i > 254) {
			e[0] = MADT_X2APIC;
			e[1] = 16;
			put_le(e + 4, id, 4);
			put_le(e + 8, MADT_ENABLED, 4);
			put_le(e + 12, i, 4);
			e += 16;
		} else {
			e[0] = MADT_LAPIC;
			e[1] = 8;
			e[2] = (uint8_t)i;		/* ACPI processor UID */
			e[3] = (uint8_t)id;
			put_le(e + 4, MADT_ENABLED, 4);
			e += 8;
		}
	}
	e[0] = MADT_IOAPIC;
	e[1] = 12;
	e[2] = cfg->ioapic_id;
	put_le(e + 4, cfg->ioapic_addr, 4);
	put_le(e + 8, 0, 4);			/* GSI base */
	e += 12;
	/*
	 * The PIT's ISA IRQ 0 is wired to IOAPIC pin 2, as on a PC.  No
	 * override for IRQ 9: a hardware-reduced machine has no SCI, and
	 * GSI 9 may belong to a virtio-mmio device (edge, high).
	 */
	e[0] = MADT_ISO;
	e[1] = 10;
	e[2] = 0;				/* bus: ISA */
	e[3] = 0;				/* source IRQ */
	put_le(e + 4, 2, 4);			/* GSI */
	put_le(e + 8, MPS_INTI_EDGE_HIGH, 2);
	e += 10;
	/* NMI arrives on LINT1 of every local APIC. */
	e[0] = MADT_LAPIC_NMI;
	e[1] = 6;
	e[2] = ACPI_ALL_PROCESSORS;
	put_le(e + 3, 0, 2);			/* flags: conforming */
	e[5] = 1;				/* LINT1 */
	e += 6;
	if (x2apic) {
		e[0] = MADT_X2APIC_NMI;
		e[1] = 12;
		put_le(e + 4, 0xffffffff, 4);	/* all processors */
		e[8] = 1;			/* LINT1 */
		e += 12;
	}
	acpi_finish(t);
	return t;
}

static bool acpi_config_ok(const struct acpi_config *cfg)
{
	unsigned int i;

	if (!cfg || cfg->nr_cpus == 0 || !cfg->apic_ids ||
	    cfg->nr_cpus > 4096 || cfg->ioapic_addr > UINT32_MAX ||
	    cfg->nr_virtio > 256 || (cfg->nr_virtio && !cfg->virtio) ||
	    cfg->ged_addr > UINT32_MAX - 3)
		return false;
	for (i = 0; i < cfg->nr_virtio; i++) {
		/* Memory32Fixed: the window must lie below 4 GiB. */
		if (cfg->virtio[i].base > UINT32_MAX ||
		    cfg->virtio[i].size > UINT32_MAX - cfg->virtio[i].base + 1)
			return false;
	}
	return true;
}

size_t acpi_build_tables(void *buf, size_t size, uint64_t gpa,
			 const struct acpi_config *cfg)
{
	struct acpi_out o = { .buf = buf, .size = buf ? size : 0 };
	uint8_t *rsdp, *xsdt, *fadt, *dsdt, *madt;

	if (!acpi_config_ok(cfg))
		return 0;
	rsdp = acpi_alloc(&o, ACPI_RSDP_LEN);
	xsdt = acpi_alloc(&o, ACPI_HDR_LEN + 2 * 8);
	dsdt = acpi_build_dsdt(&o, cfg);
	fadt = dsdt ? acpi_build_fadt(&o, acpi_gpa(&o, dsdt, gpa)) : NULL;
	madt = acpi_build_madt(&o, cfg);
	if (o.full || !rsdp || !xsdt || !dsdt || !fadt || !madt)
		return 0;

	acpi_header(xsdt, "XSDT", ACPI_HDR_LEN + 2 * 8, XSDT_REVISION);
	put_le(xsdt + ACPI_HDR_LEN, acpi_gpa(&o, fadt, gpa), 8);
	put_le(xsdt + ACPI_HDR_LEN + 8, acpi_gpa(&o, madt, gpa), 8);
	acpi_finish(xsdt);

	acpi_copy(rsdp, "RSD PTR ", 8);
	acpi_copy(rsdp + RSDP_OEMID, ACPI_OEM_ID, 6);
	rsdp[RSDP_REVISION] = 2;
	put_le(rsdp + RSDP_LENGTH, ACPI_RSDP_LEN, 4);
	put_le(rsdp + RSDP_XSDT, acpi_gpa(&o, xsdt, gpa), 8);
	rsdp[RSDP_CHECKSUM] = (uint8_t)-acpi_sum(rsdp, RSDP_V1_LEN);
	rsdp[RSDP_EXT_CHECKSUM] = (uint8_t)-acpi_sum(rsdp, ACPI_RSDP_LEN);
	return o.len;
}

/* The table at guest address addr, if it lies whole in the image and sums to 0. */
static const uint8_t *acpi_table_at(const uint8_t *buf, size_t size,
				    uint64_t gpa, uint64_t addr, size_t *len)
{
	uint64_t off = addr - gpa;
	uint32_t l;

	if (addr < gpa || off >= size || size - off < ACPI_HDR_LEN)
		return NULL;
	l = (uint32_t)get_le(buf + off + HDR_LENGTH, 4);
	if (l < ACPI_HDR_LEN || l > size - off || acpi_sum(buf + off, l))
		return NULL;
	*len = l;
	return buf + off;
}

static bool acpi_sig_is(const uint8_t *t, const char *sig)
{
	return t[0] == sig[0] && t[1] == sig[1] && t[2] == sig[2] &&
	       t[3] == sig[3];
}

int acpi_for_each_table(const void *buf, size_t size, uint64_t gpa,
			acpi_table_fn fn, void *opaque)
{
	const uint8_t *b = buf, *xsdt, *t, *dsdt;
	size_t xlen, len, dlen, i;
	uint64_t addr;

	if (!b || !fn || size < ACPI_RSDP_LEN)
		return -1;
	if (!acpi_sig_is(b, "RSD ") || !acpi_sig_is(b + 4, "PTR ") ||
	    acpi_sum(b, RSDP_V1_LEN) || b[RSDP_REVISION] < 2 ||
	    get_le(b + RSDP_LENGTH, 4) < ACPI_RSDP_LEN ||
	    get_le(b + RSDP_LENGTH, 4) > size ||
	    acpi_sum(b, (size_t)get_le(b + RSDP_LENGTH, 4)))
		return -1;
	xsdt = acpi_table_at(b, size, gpa, get_le(b + RSDP_XSDT, 8), &xlen);
	if (!xsdt || !acpi_sig_is(xsdt, "XSDT") || (xlen - ACPI_HDR_LEN) % 8)
		return -1;
	if (fn(opaque, "XSDT", xsdt, xlen))
		return 0;
	for (i = ACPI_HDR_LEN; i < xlen; i += 8) {
		t = acpi_table_at(b, size, gpa, get_le(xsdt + i, 8), &len);
		if (!t)
			return -1;
		if (fn(opaque, (const char *)t, t, len))
			return 0;
		if (!acpi_sig_is(t, "FACP"))
			continue;
		addr = len >= FADT_X_DSDT + 8 ? get_le(t + FADT_X_DSDT, 8) : 0;
		if (!addr)
			addr = get_le(t + FADT_DSDT, 4);
		dsdt = acpi_table_at(b, size, gpa, addr, &dlen);
		if (!dsdt || !acpi_sig_is(dsdt, "DSDT"))
			return -1;
		if (fn(opaque, "DSDT", dsdt, dlen))
			return 0;
	}
	return 0;
}
