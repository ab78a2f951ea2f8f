// SPDX-License-Identifier: MIT
#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/kvm.h>

#include "boot/acpi.h"
#include "boot/layout.h"
#include "devices/ged.h"
#include "devices/serial.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "vmm/console.h"
#include "vmm/cpuid.h"
#include "vmm/device_table.h"
#include "vmm/emergency.h"
#include "vmm/exit_code.h"
#include "vmm/daemon.h"
#include "vmm/gdb_stub.h"
#include "vmm/loader.h"
#include "vmm/log.h"
#include "vmm/pause.h"
#include "vmm/pidfile.h"
#include "vmm/preflight.h"
#include "vmm/privdrop.h"
#include "vmm/qmp_server.h"
#include "vmm/rootfs.h"
#include "vmm/seccomp.h"
#include "vmm/snapshot.h"
#include "vmm/trace.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct machine {
	struct vm vm;
	struct cpu_topology topo;
	struct console console;
	struct serial serial;	/* the console's device: not in the table */
	int console_wake_fd;	/* the guest drained the UART's RX FIFO */
	uint32_t apic_ids[CONFIG_MAX_VCPUS];
	struct device_table devices;
	cpu_set_t host_cpus;	/* this process's CPUs before -io-affinity */
	struct qmp_server *qmp;	/* -qmp, or NULL */
	struct qmp_backend qmp_be;
	/* Why the host stopped the VM (QEMU's ShutdownCause), for SHUTDOWN. */
	_Atomic(const char *) stop_reason;
	struct gdb_stub *gdb;	/* -gdb / -s, or NULL */
	struct rootfs_image rootfs;	/* -rootfs: initramfs, command line */
	struct pidfile pidfile;	/* -pidfile */
	/* What the exits that cannot tear down in order put back (TAPs). */
	struct emergency emergency;
	/* -restore: the open snapshot (48 KiB of index: allocated only then,
	 * not zeroed page by page at every start). */
	struct snapshot_file *snap;
	struct loader_kernel kernel;	/* -kernel, from the checks to the load */
	pthread_mutex_t save_lock;	/* one save at a time */
	char err[ERR_LINE_MAX];
};

/* ---- device callbacks ---- */

static void machine_serial_irq(void *opaque, int level)
{
	struct machine *m = opaque;

	vm_set_irq_line(&m->vm, IRQ_COM1, level);
}

static void machine_first_output(void *opaque)
{
	trace_mark(opaque, "first serial byte");
}

static void machine_serial_rx_room(void *opaque)
{
	struct machine *m = opaque;
	uint64_t one = 1;

	if (write(m->console_wake_fd, &one, sizeof(one)) < 0)
		return; /* the counter is full: the main thread is awake anyway */
}

static void machine_panic_data(struct json_writer *w, void *arg)
{
	(void)arg;
	jw_object_begin(w);
	jw_kv_string(w, "action", "poweroff");
	jw_object_end(w);
}

/*
 * A guest event a device reported (vm_report_event), just before the VM
 * stops with its exit code: the control socket hears of a panic first.
 * QEMU's shape for its default -action panic=shutdown: GUEST_PANICKED,
 * then the VM powers off (exit 8) and SHUTDOWN guest-panic follows.
 */
static void machine_guest_event(void *opaque, enum guest_event ev)
{
	struct machine *m = opaque;

	if (ev == GUEST_EVENT_PANIC)
		qmp_server_event(m->qmp, "GUEST_PANICKED", machine_panic_data,
				 NULL);
}

/* ---- assembly ---- */

static void machine_topology(struct machine *m, const struct config *cfg)
{
	m->topo.sockets = cfg->sockets ? cfg->sockets : 1;
	m->topo.threads = cfg->threads ? cfg->threads : 1;
	m->topo.cores = cfg->cores ? cfg->cores :
			cfg->vcpus / (m->topo.sockets * m->topo.threads);
	for (unsigned int i = 0; i < cfg->vcpus; i++)
		m->apic_ids[i] = cpuid_apic_id(&m->topo, i);
}

static void machine_acpi_config(struct machine *m, const struct config *cfg,
				struct acpi_config *acpi)
{
	*acpi = (struct acpi_config){
		.nr_cpus = cfg->vcpus,
		.apic_ids = m->apic_ids,
		.ioapic_addr = LAYOUT_IOAPIC_ADDR,
		.ioapic_id = 0,
		.lapic_addr = LAYOUT_LAPIC_ADDR,
		.serial_port = PORT_COM1,
		.serial_irq = IRQ_COM1,
		.ged_addr = LAYOUT_GED_ADDR,
		.ged_gsi = IRQ_GED,
		.pvpanic_port = PORT_PVPANIC,
		.virtio = m->devices.virtio,
		.nr_virtio = m->devices.nr_virtio,
	};
}

static int machine_add_pio(struct machine *m, const char *name, uint64_t base,
			   uint64_t len, bus_read_fn rd, bus_write_fn wr, void *opaque)
{
	struct bus_device dev = {
		.name = name, .base = base, .len = len,
		.read = rd, .write = wr, .opaque = opaque,
	};
	int ret = vm_register_pio(&m->vm, &dev);

	if (ret)
		snprintf(m->err, sizeof(m->err), "cannot register %s: %s", name, strerror(-ret));
	return ret;
}

/* The console UART: the one device outside the table (the main thread feeds it). */
static int machine_add_serial(struct machine *m)
{
	struct vm *vm = &m->vm;

	serial_init(&m->serial, m->console.out_fd, machine_serial_irq, m);
	serial_set_output_hook(&m->serial, machine_first_output, vm);
	serial_set_rx_hook(&m->serial, machine_serial_rx_room, m);
	if (m->console.log_fd >= 0)
		serial_set_log(&m->serial, m->console.log_fd,
			       m->vm.cfg->console_log_limit);
	return machine_add_pio(m, "serial", PORT_COM1, SERIAL_NR_PORTS,
			       serial_pio_read, serial_pio_write, &m->serial);
}

static bool machine_seccomp(struct machine *m)
{
	return !m->vm.cfg->no_seccomp && seccomp_supported(NULL, 0);
}

static void machine_print_stats(struct machine *m)
{
	vcpus_print_stats(&m->vm, stderr);
	serial_print_stats(&m->serial, stderr);
	device_table_print_stats(&m->devices, stderr);
}

/* -netboot: the firmware drives the first NIC (config checks there is one). */
static int machine_load_firmware(struct machine *m, uint64_t rsdp,
				 struct boot_entry *entry)
{
	const struct config *cfg = m->vm.cfg;
	struct virtio_mmio_window win;
	struct loader_netboot_nic nic;

	if (!device_table_window(&m->devices, "virtio-net", 0, &win)) {
		snprintf(m->err, sizeof(m->err), "-netboot needs a network card (-tap)");
		return -EINVAL;
	}
	nic = (struct loader_netboot_nic){ .mmio_base = win.base, .gsi = win.gsi };
	memcpy(nic.mac, cfg->nic[0].mac, 6);
	return loader_load_firmware(&m->vm, rsdp, &nic, entry, m->err, sizeof(m->err));
}

static int machine_boot(struct machine *m)
{
	struct acpi_config acpi;
	struct boot_entry entry = { .pvh = false };
	uint64_t rsdp;
	int ret;

	machine_acpi_config(m, m->vm.cfg, &acpi);
	rsdp = loader_write_acpi(&m->vm, &acpi, m->err, sizeof(m->err));
	if (!rsdp)
		return -1;
	if (m->vm.cfg->netboot)
		ret = machine_load_firmware(m, rsdp, &entry);
	else
		ret = loader_load_linux(&m->vm, &m->kernel, rsdp, &entry, m->err,
					sizeof(m->err));
	if (ret)
		return ret;
	trace_mark(&m->vm, "images loaded");
	if (entry.pvh)
		return vcpu_setup_pvh(&m->vm.vcpus[0], (uint32_t)entry.rip,
				      (uint32_t)entry.rbx, m->err, sizeof(m->err));
	return vcpu_setup_long_mode(&m->vm.vcpus[0], entry.rip, entry.rsi,
				    entry.rsp, m->err, sizeof(m->err));
}

/* ---- QMP (docs/control.md) ---- */

/* A stop from the host side; the first reason is kept, like the code. */
static void machine_host_stop(struct machine *m, const char *reason, int code)
{
	const char *none = NULL;

	if (!vm_stopping(&m->vm))
		atomic_compare_exchange_strong(&m->stop_reason, &none, reason);
	vm_request_stop(&m->vm, code);
}

/* ---- snapshots (docs/snapshots.md) ---- */

/* The console UART (machine-owned, not in the table), then the table. */
static int machine_save_devices(struct machine *m, struct snapshot_out *o,
				char *err, size_t errlen)
{
	struct state_writer *serial = snapshot_out_section(o, "dev:serial", 0);

	if (!serial) {
		snprintf(err, errlen, "too many snapshot sections");
		return -ENOSPC;
	}
	serial_save(&m->serial, serial);
	return device_table_save(&m->devices, o, err, errlen);
}

/* With the VM paused for PAUSE_SNAPSHOT: every piece, then the file. */
static int machine_save_paused(struct machine *m, const char *path, char *err,
			       size_t errlen)
{
	struct snapshot_out *o = snapshot_out_new();
	int ret;

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = snapshot_save_machine(o, m->vm.cfg, &m->topo, err, errlen);
	if (!ret)
		ret = machine_save_devices(m, o, err, errlen);
	if (!ret)
		ret = snapshot_save_kvm(o, &m->vm, err, errlen);
	if (!ret)
		ret = snapshot_write(o, path, &m->vm, err, errlen);
	snapshot_out_free(o);
	return ret;
}

/*
 * Save the running VM to path: pause it (vCPUs parked, devices quiesced:
 * requests in flight complete first), write, then let it run again or,
 * with quit, stop it (exit code 7).
 */
static int machine_save(struct machine *m, const char *path, bool quit,
			char *err, size_t errlen)
{
	uint64_t t0 = vm_now_ns();
	int ret;

	if (vm_stopping(&m->vm)) {
		snprintf(err, errlen, "the VM is shutting down");
		return -ESHUTDOWN;
	}
	pthread_mutex_lock(&m->save_lock);
	ret = vm_pause(&m->vm, PAUSE_SNAPSHOT);
	if (ret)
		snprintf(err, errlen, "the vCPUs did not stop: %s", strerror(-ret));
	else
		ret = machine_save_paused(m, path, err, errlen);
	if (!ret)
		log_info("saved the VM to %s in %llu ms", path,
			 (unsigned long long)((vm_now_ns() - t0) / 1000000));
	if (!ret && quit)
		machine_host_stop(m, "host-qmp-quit", EXIT_STOPPED);
	else
		vm_resume(&m->vm, PAUSE_SNAPSHOT);
	pthread_mutex_unlock(&m->save_lock);
	return ret;
}

/* -restore, before vm_create: RAM will be mapped from the snapshot. */
static int machine_restore_open(struct machine *m, const struct config *cfg)
{
	int ret;

	m->snap = calloc(1, sizeof(*m->snap));
	if (!m->snap) {
		snprintf(m->err, sizeof(m->err), "-restore: out of memory");
		return -ENOMEM;
	}
	m->snap->fd = -1;
	ret = snapshot_open(m->snap, cfg->restore, m->err, sizeof(m->err));

	if (ret)
		return ret;
	if (m->snap->idx.hdr.mem_size != cfg->mem_bytes) {
		snprintf(m->err, sizeof(m->err), "-restore: %s changed while minivmm started",
			 cfg->restore);
		return -EINVAL;
	}
	m->vm.ram_from_file = true;
	m->vm.ram_fd = m->snap->fd;
	m->vm.ram_offset = m->snap->idx.hdr.mem_offset;
	return 0;
}

/* -restore, once RAM is in place: vCPUs, irqchip, clock and devices. */
static int machine_restore_state(struct machine *m)
{
	struct state_reader r;
	int ret = snapshot_load_kvm(m->snap, &m->vm, &m->topo, m->err,
				    sizeof(m->err));

	if (ret)
		return ret;
	if (!snapshot_section(m->snap, "dev:serial", 0, &r) ||
	    serial_load(&m->serial, &r)) {
		snprintf(m->err, sizeof(m->err), "-restore: the serial port's state is missing or malformed");
		return -EINVAL;
	}
	ret = device_table_load(&m->devices, m->snap, m->err, sizeof(m->err));
	if (!ret)
		trace_mark(&m->vm, "state restored");
	return ret;
}

static enum qmp_run_state machine_qmp_state(void *ctx)
{
	struct machine *m = ctx;

	if (vm_stopping(&m->vm))
		return QMP_STATE_SHUTDOWN;
	if (pause_held_by(&m->vm.pause, PAUSE_STARTUP))
		return QMP_STATE_PRELAUNCH;
	return vm_is_paused(&m->vm) ? QMP_STATE_PAUSED : QMP_STATE_RUNNING;
}

/* stop: every vCPU parked (vmm/pause.h); STOP when it was running. */
static int machine_qmp_stop(void *ctx, char *err, size_t errlen)
{
	struct machine *m = ctx;
	bool was_paused = vm_is_paused(&m->vm);
	int ret = vm_pause(&m->vm, PAUSE_QMP);

	if (ret == -ESHUTDOWN) {
		snprintf(err, errlen, "the VM is shutting down");
		return ret;
	}
	if (ret) {
		vm_resume(&m->vm, PAUSE_QMP);
		snprintf(err, errlen, "the vCPUs did not stop: %s", strerror(-ret));
		return ret;
	}
	if (!was_paused)
		qmp_server_event(m->qmp, "STOP", NULL, NULL);
	return 0;
}

/* cont: drops QMP's hold and -S's; RESUME once the guest runs again. */
static int machine_qmp_cont(void *ctx, char *err, size_t errlen)
{
	struct machine *m = ctx;
	bool was_paused = vm_is_paused(&m->vm);

	if (vm_stopping(&m->vm)) {
		snprintf(err, errlen, "the VM is shutting down");
		return -ESHUTDOWN;
	}
	vm_resume(&m->vm, PAUSE_STARTUP);
	vm_resume(&m->vm, PAUSE_QMP);
	if (was_paused && !vm_is_paused(&m->vm))
		qmp_server_event(m->qmp, "RESUME", NULL, NULL);
	return 0;
}

static int machine_qmp_quit(void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	machine_host_stop(ctx, "host-qmp-quit", EXIT_STOPPED);
	return 0;
}

/* The ACPI power button (GED): the guest decides what to do with it. */
static int machine_qmp_powerdown(void *ctx, char *err, size_t errlen)
{
	struct machine *m = ctx;

	(void)err;
	(void)errlen;
	qmp_server_event(m->qmp, "POWERDOWN", NULL, NULL);
	/* The "ged" entry's device starts with its struct ged. */
	ged_press_power_button(device_table_device(&m->devices, "ged", 0));
	return 0;
}

/* A reset is a reboot: exit 3, or a fresh start with -reboot restart. */
static int machine_qmp_reset(void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	machine_host_stop(ctx, "host-qmp-system-reset", EXIT_GUEST_REBOOT);
	return 0;
}

static void machine_qmp_cpus(void *ctx, struct json_writer *w)
{
	struct machine *m = ctx;
	unsigned int threads = m->topo.threads, cores = m->topo.cores;
	char path[64];

	jw_array_begin(w);
	for (unsigned int i = 0; i < m->vm.nr_vcpus; i++) {
		jw_object_begin(w);
		jw_kv_int(w, "thread-id", atomic_load(&m->vm.vcpus[i].tid));
		jw_key(w, "props");
		jw_object_begin(w);
		jw_kv_uint(w, "core-id", (i / threads) % cores);
		jw_kv_uint(w, "thread-id", i % threads);
		jw_kv_uint(w, "socket-id", i / (threads * cores));
		jw_object_end(w);
		snprintf(path, sizeof(path), "/machine/unattached/device[%u]", i);
		jw_kv_string(w, "qom-path", path);
		jw_kv_uint(w, "cpu-index", i);
		jw_kv_string(w, "target", "x86_64");
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void machine_qmp_block(void *ctx, struct json_writer *w)
{
	struct machine *m = ctx;
	const struct config *cfg = m->vm.cfg;
	char dev[8];

	jw_array_begin(w);
	for (unsigned int i = 0; i < cfg->nr_drives; i++) {
		const struct drive_config *d = &cfg->drive[i];

		snprintf(dev, sizeof(dev), "vd%c", 'a' + i);
		jw_object_begin(w);
		jw_kv_string(w, "device", dev);
		jw_kv_bool(w, "locked", false);
		jw_kv_bool(w, "removable", false);
		jw_kv_string(w, "type", "unknown");
		jw_key(w, "inserted");
		jw_object_begin(w);
		jw_kv_string(w, "file", d->path);
		jw_kv_bool(w, "ro", d->readonly);
		if (d->format != DRIVE_FORMAT_PROBE)
			jw_kv_string(w, "drv", d->format == DRIVE_FORMAT_QCOW2 ?
				     "qcow2" : "raw");
		jw_object_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void machine_qmp_nic(struct json_writer *w, const char *name,
			    const struct virtio_net_stats *st)
{
	jw_object_begin(w);
	jw_kv_string(w, "name", name);
	jw_kv_uint(w, "rx-bytes", st->rx_bytes);
	jw_kv_uint(w, "rx-packets", st->rx_packets);
	jw_kv_uint(w, "rx-errors", st->rx_errors);
	jw_kv_uint(w, "rx-drops", st->rx_drops);
	jw_kv_uint(w, "tx-bytes", st->tx_bytes);
	jw_kv_uint(w, "tx-packets", st->tx_packets);
	jw_kv_uint(w, "tx-errors", st->tx_errors);
	jw_kv_uint(w, "tx-drops", st->tx_drops);
	jw_object_end(w);
}

/* Counters of a running I/O thread: each one is read whole, not all at once. */
static void machine_qmp_netstats(void *ctx, struct json_writer *w)
{
	struct machine *m = ctx;
	struct virtio_net_stats st;

	jw_array_begin(w);
	for (unsigned int i = 0; i < m->vm.cfg->nr_nics; i++) {
		const struct virtio_net *net =
			device_table_device(&m->devices, "virtio-net", i);

		if (!net)
			continue;
		virtio_net_get_stats(net, &st);
		machine_qmp_nic(w, m->vm.cfg->nic[i].tap, &st);
	}
	jw_array_end(w);
}

/*
 * QEMU's BlockStats for each drive: the counters virtio-blk keeps, with
 * the time spent in the counted requests (QEMU's *_total_time_ns) and
 * the idle time since the last one (absent before any, as in QEMU).
 * Discards are QEMU's unmap operations.  Failed and invalid requests
 * count in neither the times nor the idle time (account_failed and
 * account_invalid false).  Requests are never merged, and a drive is not
 * a node of a block graph, so QEMU's merge members, node-name and parent
 * are absent rather than invented.  timed_stats is empty: minivmm has no
 * stats-intervals, and QEMU's list without them is empty too.
 */
static void machine_qmp_blockstats(void *ctx, struct json_writer *w)
{
	struct machine *m = ctx;
	struct virtio_blk_stats st;
	uint64_t now;
	char dev[8];

	jw_array_begin(w);
	for (unsigned int i = 0; i < m->vm.cfg->nr_drives; i++) {
		const struct virtio_blk *blk =
			device_table_device(&m->devices, "virtio-blk", i);

		if (!blk)
			continue;
		virtio_blk_get_stats(blk, &st);
		now = virtio_blk_clock_ns();
		snprintf(dev, sizeof(dev), "vd%c", 'a' + i);
		jw_object_begin(w);
		jw_kv_string(w, "device", dev);
		jw_key(w, "stats");
		jw_object_begin(w);
		jw_kv_uint(w, "rd_bytes", st.read_bytes);
		jw_kv_uint(w, "wr_bytes", st.write_bytes);
		jw_kv_uint(w, "rd_operations", st.reads);
		jw_kv_uint(w, "wr_operations", st.writes);
		jw_kv_uint(w, "flush_operations", st.flushes);
		jw_kv_uint(w, "unmap_operations", st.discards);
		jw_kv_uint(w, "unmap_bytes", st.discard_bytes);
		jw_kv_uint(w, "rd_total_time_ns", st.read_ns);
		jw_kv_uint(w, "wr_total_time_ns", st.write_ns);
		jw_kv_uint(w, "flush_total_time_ns", st.flush_ns);
		jw_kv_uint(w, "unmap_total_time_ns", st.discard_ns);
		if (st.last_done_ns && now >= st.last_done_ns)
			jw_kv_uint(w, "idle_time_ns", now - st.last_done_ns);
		jw_kv_uint(w, "wr_highest_offset", st.wr_highest_offset);
		jw_kv_uint(w, "failed_rd_operations", st.failed_reads);
		jw_kv_uint(w, "failed_wr_operations", st.failed_writes);
		jw_kv_uint(w, "failed_flush_operations", st.failed_flushes);
		jw_kv_uint(w, "failed_unmap_operations", st.failed_discards);
		jw_kv_uint(w, "invalid_rd_operations", st.invalid_reads);
		jw_kv_uint(w, "invalid_wr_operations", st.invalid_writes);
		jw_kv_uint(w, "invalid_flush_operations", 0);
		jw_kv_uint(w, "invalid_unmap_operations", st.invalid_discards);
		jw_kv_bool(w, "account_invalid", false);
		jw_kv_bool(w, "account_failed", false);
		jw_key(w, "timed_stats");
		jw_array_begin(w);
		jw_array_end(w);
		jw_kv_uint(w, "x-write-zeroes-operations", st.write_zeroes);
		jw_kv_uint(w, "x-failed-operations", st.ioerr);
		jw_kv_uint(w, "x-unsupported-operations", st.unsupp);
		jw_object_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* QEMU's MemoryInfo: the guest's RAM (nothing is hot-plugged). */
static void machine_qmp_memory(void *ctx, struct json_writer *w)
{
	struct machine *m = ctx;

	jw_object_begin(w);
	jw_kv_uint(w, "base-memory", m->vm.cfg->mem_bytes);
	jw_object_end(w);
}

/* The text -stats prints at exit, as of now (NULL if out of memory). */
static char *machine_stats_report(struct machine *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	vcpus_print_stats(&m->vm, f);
	device_table_print_stats(&m->devices, f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* What -stats prints at exit, now: vCPU exits, NIC and disk counters,
 * and the whole -stats text as "report". */
static void machine_qmp_stats(void *ctx, struct json_writer *w)
{
	struct machine *m = ctx;
	char *report;

	jw_object_begin(w);
	jw_key(w, "vcpus");
	jw_array_begin(w);
	for (unsigned int i = 0; i < m->vm.nr_vcpus; i++) {
		const struct vcpu_stats *st = &m->vm.vcpus[i].st;

		jw_object_begin(w);
		jw_kv_uint(w, "cpu-index", i);
		jw_kv_uint(w, "exits", st->exits);
		jw_kv_uint(w, "io", st->io);
		jw_kv_uint(w, "mmio", st->mmio);
		jw_kv_uint(w, "intr", st->intr);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "nics");
	machine_qmp_netstats(ctx, w);
	jw_key(w, "disks");
	machine_qmp_blockstats(ctx, w);
	jw_kv_uint(w, "uptime-ms", vm_elapsed_ns(&m->vm) / 1000000);
	report = machine_stats_report(m);
	jw_kv_string(w, "report", report ? report : "");
	free(report);
	jw_object_end(w);
}

static int machine_qmp_save(void *ctx, const char *file, bool quit, char *err,
			    size_t errlen)
{
	return machine_save(ctx, file, quit, err, errlen);
}

static int machine_qmp_create(struct machine *m, const struct config *cfg)
{
	m->qmp_be = (struct qmp_backend){
		.ctx = m,
		.name = cfg->name,
		.run_state = machine_qmp_state,
		.stop = machine_qmp_stop,
		.cont = machine_qmp_cont,
		.powerdown = machine_qmp_powerdown,
		.quit = machine_qmp_quit,
		.reset = machine_qmp_reset,
		.write_cpus = machine_qmp_cpus,
		.write_block = machine_qmp_block,
		.write_blockstats = machine_qmp_blockstats,
		.write_memory = machine_qmp_memory,
		.write_netstats = machine_qmp_netstats,
		.write_stats = machine_qmp_stats,
		.save = machine_qmp_save,
	};
	if (!cfg->qmp_path)
		return 0;
	return qmp_server_create(&m->qmp, cfg->qmp_path, &m->qmp_be, m->err,
				 sizeof(m->err));
}

struct machine_shutdown {
	bool guest;
	const char *reason;
};

static void machine_shutdown_data(struct json_writer *w, void *arg)
{
	const struct machine_shutdown *sd = arg;

	jw_object_begin(w);
	jw_kv_bool(w, "guest", sd->guest);
	jw_kv_string(w, "reason", sd->reason);
	jw_object_end(w);
}

/* The event QEMU sends when the VM ends (or resets) for this exit code. */
static void machine_qmp_final_event(struct machine *m, int code)
{
	struct machine_shutdown sd = { .reason = atomic_load(&m->stop_reason) };

	if (!m->qmp)
		return;
	if (!sd.reason) {
		sd.guest = code != EXIT_VMM_ERROR;
		sd.reason = code == EXIT_VMM_ERROR ? "host-error" :
			    code == EXIT_GUEST_REBOOT ||
			    code == EXIT_GUEST_CRASH ? "guest-reset" :
			    code == EXIT_GUEST_PANIC ? "guest-panic" :
			    "guest-shutdown";
	}
	qmp_server_event(m->qmp, code == EXIT_GUEST_REBOOT &&
			 m->vm.cfg->reboot_restart ? "RESET" : "SHUTDOWN",
			 machine_shutdown_data, &sd);
}

/* ---- the main thread: signals, console input, stop ---- */

struct machine_input {
	uint8_t buf[256];
	size_t len, off;
};

/* Push pending console bytes into the UART as far as its FIFO allows. */
static void machine_feed_serial(struct machine *m, struct machine_input *in)
{
	while (in->off < in->len) {
		size_t n = serial_receive(&m->serial, in->buf + in->off, in->len - in->off);

		if (n == 0)
			return;
		in->off += n;
	}
	in->off = in->len = 0;
}

static void machine_read_console(struct machine *m, struct machine_input *in)
{
	bool quit = false;
	ssize_t n = console_read_input(&m->console, in->buf, sizeof(in->buf), &quit);

	if (n > 0) {
		in->len = n;
		in->off = 0;
		machine_feed_serial(m, in);
	}
	if (quit)
		machine_host_stop(m, "host-ui", EXIT_STOPPED);
}

static void machine_handle_signal(struct machine *m, int sigfd)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info("stopping on signal %s", strsignal(si.ssi_signo));
	machine_host_stop(m, "host-signal", EXIT_STOPPED);
}

static uint64_t machine_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* On the parked vCPU's own thread: where it stands. */
static void machine_read_rip(struct vcpu *vcpu, void *arg)
{
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) == 0)
		*(uint64_t *)arg = r.rip;
}

/*
 * -timeout expired: leave evidence of the hang (each vCPU's RIP, read
 * with the world parked, and the -stats counters), then stop with 124.
 */
static void machine_timeout(struct machine *m)
{
	struct vm *vm = &m->vm;
	int ret;

	log_error("-timeout: the VM is still running after %u s, stopping it",
		  vm->cfg->timeout_sec);
	ret = vm_pause(vm, PAUSE_TIMEOUT);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		uint64_t rip = 0;

		if (!ret && !vm_pause_run_on(vm, i, machine_read_rip, &rip))
			log_info("-timeout: vcpu%u rip=0x%016llx", i,
				 (unsigned long long)rip);
		else
			log_info("-timeout: vcpu%u rip=unknown (it did not stop)", i);
	}
	if (!vm->cfg->stats)		/* -stats prints them at exit anyway */
		machine_print_stats(m);
	vm_request_stop(vm, EXIT_TIMEOUT);
}

/* Milliseconds poll() may wait before -timeout is due; -1: no timeout. */
static int machine_poll_timeout(struct machine *m, uint64_t deadline_ms)
{
	uint64_t now;

	if (!m->vm.cfg->timeout_sec)
		return -1;
	now = machine_now_ms();
	if (now >= deadline_ms) {
		machine_timeout(m);
		return -1;
	}
	return deadline_ms - now > 60000 ? 60000 : (int)(deadline_ms - now);
}

static void machine_wait(struct machine *m, int sigfd)
{
	struct machine_input in = { .len = 0 };
	uint64_t deadline = machine_now_ms() + m->vm.cfg->timeout_sec * 1000ull;

	while (!vm_stopping(&m->vm)) {
		if (emergency_requested())	/* another thread was trapped */
			emergency_exit(EXIT_VMM_ERROR);
		bool want_input = m->console.in_fd >= 0 && !m->console.in_eof &&
				  in.off == in.len;
		struct pollfd pfd[5] = {
			{ .fd = m->vm.stop_fd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = m->console_wake_fd, .events = POLLIN },
			{ .fd = want_input ? m->console.in_fd : -1, .events = POLLIN },
			/* -serial unix: a client may attach (one at a time) */
			{ .fd = console_listen_fd(&m->console), .events = POLLIN },
		};
		uint64_t count;

		int wait_ms = machine_poll_timeout(m, deadline);

		if (vm_stopping(&m->vm))
			break;
		if (poll(pfd, 5, wait_ms) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			machine_handle_signal(m, sigfd);
		if (pfd[2].revents & POLLIN) {
			if (read(m->console_wake_fd, &count, sizeof(count)) < 0)
				count = 0;
			machine_feed_serial(m, &in);
		}
		if (pfd[3].revents & (POLLIN | POLLHUP | POLLERR))
			machine_read_console(m, &in);
		if (pfd[4].revents & POLLIN)
			console_accept(&m->console);
	}
}

static int machine_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	/* Blocked before any thread starts, so only the signalfd sees them. */
	pthread_sigmask(SIG_BLOCK, set, NULL);
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * -io-affinity pins the main thread first, so every thread it creates
 * later (memory registration, device I/O threads) inherits the set; the
 * vCPU threads get theirs at creation (-vcpu-affinity, or the CPUs the
 * process had before).
 */
static int machine_pin_threads(struct machine *m, const struct config *cfg)
{
	for (unsigned int i = 0; i < cfg->vcpus; i++) {
		/* Entries past the highest vCPU named are not set at all. */
		const struct cpu_affinity *a = (int)i <= cfg->vcpu_affinity_highest ?
			&cfg->vcpu_affinity[i] : &cfg->vcpu_affinity_all;

		if (!a->given)
			a = &cfg->vcpu_affinity_all;
		m->vm.vcpus[i].affinity = a->given ? &a->cpus :
			cfg->io_affinity.given ? &m->host_cpus : NULL;
	}
	return 0;
}

static int machine_pin_io(struct machine *m, const struct config *cfg)
{
	if (!cfg->io_affinity.given)
		return 0;
	if (sched_getaffinity(0, sizeof(m->host_cpus), &m->host_cpus) ||
	    sched_setaffinity(0, sizeof(cfg->io_affinity.cpus),
			      &cfg->io_affinity.cpus)) {
		snprintf(m->err, sizeof(m->err), "-io-affinity: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void machine_quiesce_devices(void *devices)
{
	device_table_quiesce(devices);
}

static void machine_resume_devices(void *devices)
{
	device_table_resume(devices);
}

/* Every existing TAP is put back even by the exits of vmm/emergency.h. */
static void machine_arm_emergency(struct machine *m)
{
	for (unsigned int i = 0; i < m->vm.cfg->nr_nics; i++) {
		struct virtio_net *net = device_table_device(&m->devices,
							     "virtio-net", i);

		if (net && virtio_net_tap(net))
			emergency_add_tap(&m->emergency, virtio_net_tap(net));
	}
	emergency_arm(&m->emergency, m->vm.stop_fd);
}

/* The capabilities a virtio-fs share's FUSE server uses (as root). */
#define MACHINE_CAPS_SHARE \
	((1ull << CAP_CHOWN) | (1ull << CAP_DAC_OVERRIDE) | \
	 (1ull << CAP_DAC_READ_SEARCH) | (1ull << CAP_FOWNER) | \
	 (1ull << CAP_FSETID) | (1ull << CAP_MKNOD))

/*
 * After set-up minivmm keeps no capability it does not need, with or
 * without -user: CAP_NET_ADMIN only to put an existing TAP back at exit,
 * the file capabilities only for a -share.  -reboot restart keeps them:
 * its execve sets the VM up again.
 */
static int machine_drop_capabilities(struct machine *m)
{
	uint64_t keep = 0;

	if (m->vm.cfg->reboot_restart)
		return 0;
	if (emergency_has_taps(&m->emergency))
		keep |= 1ull << CAP_NET_ADMIN;
	if (m->vm.cfg->nr_shares)
		keep |= MACHINE_CAPS_SHARE;
	return privdrop_capabilities(keep, m->err, sizeof(m->err));
}

/*
 * What every thread's filter needs besides the filter itself, once, on
 * the main thread before it creates the I/O and vCPU threads: they
 * inherit it and each installs its filter alone (a short run counts every
 * system call: docs/benchmarks.md, exec -> exit).  -reboot restart keeps
 * the main thread free of PR_SET_NO_NEW_PRIVS (its execve starts the VM
 * again with the privileges it had): there each thread does it all.
 */
static int machine_prepare_seccomp(struct machine *m)
{
	int ret;

	m->vm.seccomp = (struct seccomp_opts){ .tgid = getpid() };
	if (m->vm.cfg->reboot_restart)
		return 0;
	ret = seccomp_prepare_process(m->err, sizeof(m->err));
	if (!ret)
		m->vm.seccomp.prepared = true;
	return ret;
}

static int machine_setup(struct machine *m, const struct config *cfg)
{
	int ret;

	/* First: a second minivmm on the same pidfile starts nothing. */
	if (cfg->pidfile) {
		ret = pidfile_create(&m->pidfile, cfg->pidfile, m->err,
				     sizeof(m->err));
		if (ret)
			return ret;
	}
	ret = preflight_check_files(cfg, &m->kernel, m->err, sizeof(m->err));
	if (ret)
		return ret;
	/* Modules and all, before KVM: a missing one is a plain error. */
	if (cfg->rootfs && rootfs_build(cfg, &m->rootfs, m->err, sizeof(m->err)))
		return -1;
	ret = console_open(&m->console, cfg->serial, cfg->serial_path, m->err,
			   sizeof(m->err));
	if (ret)
		return ret;
	if (cfg->console_log) {
		ret = console_open_log(&m->console, cfg->console_log, m->err,
				       sizeof(m->err));
		if (ret)
			return ret;
	}
	ret = machine_qmp_create(m, cfg);
	if (ret)
		return ret;
	ret = machine_pin_io(m, cfg);
	if (ret)
		return ret;
	if (cfg->restore) {
		ret = machine_restore_open(m, cfg);
		if (ret)
			return ret;
	}
	ret = vm_create(&m->vm, cfg, m->err, sizeof(m->err));
	if (ret)
		return ret;
	m->vm.gen_initrd = m->rootfs.initrd;
	m->vm.gen_initrd_size = m->rootfs.initrd_size;
	m->vm.gen_cmdline = m->rootfs.cmdline;
	trace_mark(&m->vm, "KVM ready");
	machine_topology(m, cfg);
	ret = vcpus_create(&m->vm, &m->topo, m->err, sizeof(m->err));
	if (ret)
		return ret;
	/* -S: held before any vCPU thread exists; gdb or QMP releases it. */
	if (cfg->start_paused)
		vm_pause_request(&m->vm, PAUSE_STARTUP);
	/* Listening before privileges are dropped (a low port, a path). */
	if (cfg->gdb.kind != GDB_LISTEN_NONE) {
		ret = gdb_stub_create(&m->gdb, &m->vm, m->err, sizeof(m->err));
		if (ret)
			return ret;
	}
	machine_pin_threads(m, cfg);
	ret = machine_add_serial(m);
	if (ret)
		return ret;
	ret = device_table_create(&m->devices, &m->vm, m->err, sizeof(m->err));
	if (ret)
		return ret;
	/* Every pause (QMP stop, gdb, -timeout, snapshots) quiesces them. */
	m->vm.pause_devices = (struct vm_pause_devices){
		.quiesce = machine_quiesce_devices,
		.resume = machine_resume_devices,
		.ctx = &m->devices,
	};
	/* A restored guest is past its boot: its RAM and CPUs say where. */
	ret = cfg->restore ? 0 : machine_boot(m);
	if (ret)
		return ret;
	/* The kernel and the initramfs are in guest memory now. */
	loader_close_kernel(&m->kernel);
	m->vm.gen_initrd = NULL;
	m->vm.gen_cmdline = NULL;
	rootfs_free(&m->rootfs);
	if (cfg->restore) {
		ret = machine_restore_state(m);
		if (ret)
			return ret;
	}
	/* Everything privileged is open; no thread exists yet. */
	ret = privdrop_apply(cfg->user, cfg->chroot_dir, m->err, sizeof(m->err));
	if (ret)
		return ret;
	machine_arm_emergency(m);
	/* PR_SET_NO_NEW_PRIVS first: it makes the bounding set moot. */
	if (machine_seccomp(m)) {
		ret = machine_prepare_seccomp(m);
		if (ret)
			return ret;
	}
	ret = machine_drop_capabilities(m);
	if (ret)
		return ret;
	ret = device_table_start(&m->devices,
				 machine_seccomp(m) ? &m->vm.seccomp : NULL,
				 m->err, sizeof(m->err));
	if (!ret && m->gdb) {
		ret = gdb_stub_start(m->gdb, machine_seccomp(m));
		if (ret)
			snprintf(m->err, sizeof(m->err), "cannot start the gdb stub: %s",
				 strerror(-ret));
	}
	if (ret || !m->qmp)
		return ret;
	ret = qmp_server_start(m->qmp, machine_seccomp(m));
	if (ret)
		snprintf(m->err, sizeof(m->err), "cannot start the QMP thread: %s",
			 strerror(-ret));
	return ret;
}

static void machine_teardown(struct machine *m)
{
	gdb_stub_stop(m->gdb, atomic_load(&m->vm.exit_code));
	/* Before the devices: a client may be reading their counters. */
	qmp_server_destroy(m->qmp);
	m->qmp = NULL;
	if (!vcpus_stop(&m->vm))
		emergency_exit(EXIT_VMM_ERROR);	/* as machine_run's stop */
	vcpus_destroy(&m->vm);
	gdb_stub_destroy(m->gdb);
	/* No vCPU runs any more: the devices' doorbells go with the VM. */
	m->vm.destroying = true;
	/* Devices after the vCPUs: no guest access can race their teardown.
	 * The orderly tap_close() takes over from the emergency record. */
	emergency_disarm();
	device_table_destroy(&m->devices);
	if (m->serial.log_dropped) {
		log_warn("-console-log: limit of %llu bytes reached, %llu bytes not logged",
			 (unsigned long long)m->vm.cfg->console_log_limit,
			 (unsigned long long)m->serial.log_dropped);
		console_log_note_cut(&m->console, m->vm.cfg->console_log_limit,
				     m->serial.log_dropped);
	}
	serial_destroy(&m->serial);
	vm_destroy(&m->vm);
	console_close(&m->console);
	if (m->console_wake_fd >= 0)
		close(m->console_wake_fd);
	rootfs_free(&m->rootfs);
	loader_close_kernel(&m->kernel);
	/* After the RAM mapping is gone (vm_destroy), which kept it open. */
	if (m->snap) {
		snapshot_close(m->snap);
		free(m->snap);
	}
	pthread_mutex_destroy(&m->save_lock);
	/* Last: while the file exists, the process still holds resources. */
	pidfile_remove(&m->pidfile);
}

int machine_run(const struct config *cfg, uint64_t start_ns, int ready_fd)
{
	struct machine *m = calloc(1, sizeof(*m));
	sigset_t sigs;
	int code, sigfd;

	if (!m) {
		log_error("out of memory");
		return EXIT_VMM_ERROR;
	}
	m->vm.start_ns = start_ns;
	m->vm.cfg = cfg;
	m->vm.kvm_fd = m->vm.vm_fd = m->vm.stop_fd = m->vm.pagemap_fd = -1;
	m->console.in_fd = m->console.out_fd = m->console.log_fd = -1;
	m->pidfile.fd = m->pidfile.dir_fd = -1;
	m->vm.event_hook = machine_guest_event;
	m->vm.event_ctx = m;
	pthread_mutex_init(&m->save_lock, NULL);
	m->console_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	/* ps/top show the VM's name (the kernel keeps 15 bytes of it). */
	if (cfg->name)
		prctl(PR_SET_NAME, cfg->name, 0, 0, 0);
	sigfd = machine_block_signals(&sigs);
	if (m->console_wake_fd < 0 || sigfd < 0) {
		log_error("cannot create event descriptors: %s", strerror(errno));
		free(m);
		return EXIT_VMM_ERROR;
	}
	if (machine_setup(m, cfg) || vcpus_start(&m->vm, m->err, sizeof(m->err))) {
		vm_request_stop(&m->vm, EXIT_VMM_ERROR);
		machine_teardown(m);
		log_error("%s", m->err);
		free(m);
		close(sigfd);
		return EXIT_VMM_ERROR;
	}
	/* Set-up is over: a daemon lets go of the terminal now (opens /dev/null). */
	if (ready_fd >= 0)
		daemon_ready(ready_fd);
	/* Filters survive execve: -reboot restart keeps main unfiltered. */
	if (machine_seccomp(m) && !cfg->reboot_restart) {
		struct seccomp_opts o = m->vm.seccomp;

		o.tap_teardown = emergency_has_taps(&m->emergency);

		if (seccomp_install_opts(SECCOMP_THREAD_MAIN, &o, m->err,
					 sizeof(m->err))) {
			vm_request_stop(&m->vm, EXIT_VMM_ERROR);
			log_error("%s", m->err);
		}
		seccomp_selftest();
	}
	machine_wait(m, sigfd);
	code = atomic_load(&m->vm.exit_code);
	machine_qmp_final_event(m, code);
	trace_mark(&m->vm, code == EXIT_GUEST_POWEROFF ? "guest power-off" : "stop");
	/* The debugger hears the exit before the vCPUs go away under it. */
	gdb_stub_stop(m->gdb, code);
	if (emergency_requested() || !vcpus_stop(&m->vm)) {
		/* Tearing down under a running vCPU would be worse: leave now,
		 * TAPs put back; written data is in the page cache, the
		 * kernel keeps it. */
		emergency_exit(EXIT_VMM_ERROR);
	}
	trace_summary(&m->vm);
	if (cfg->stats)
		machine_print_stats(m);
	machine_teardown(m);
	close(sigfd);
	free(m);
	return code;
}

/* ---- -dump-acpi ---- */

struct dump_ctx {
	const char *dir;
	int ret;
};

static int machine_dump_table(void *opaque, const char sig[4], const void *table,
			      size_t len)
{
	struct dump_ctx *d = opaque;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%.4s.dat", d->dir, sig);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, table, len) != (ssize_t)len) {
		log_error("cannot write %s: %s", path, strerror(errno));
		d->ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return d->ret;
}

int machine_dump_acpi(const struct config *cfg, const char *dir)
{
	struct machine *m = calloc(1, sizeof(*m));
	struct acpi_config acpi;
	struct dump_ctx d = { .dir = dir };
	size_t size = LAYOUT_ACPI_SIZE;
	uint8_t *buf = calloc(1, size);

	if (!m || !buf) {
		log_error("out of memory");
		free(m);
		free(buf);
		return EXIT_VMM_ERROR;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_error("cannot create %s: %s", dir, strerror(errno));
		d.ret = -1;
	}
	m->vm.cfg = cfg;
	machine_topology(m, cfg);
	if (device_table_plan(&m->devices, cfg, m->err, sizeof(m->err))) {
		log_error("%s", m->err);
		d.ret = -1;
	}
	machine_acpi_config(m, cfg, &acpi);
	if (!d.ret && (!acpi_build_tables(buf, size, LAYOUT_ACPI_ADDR, &acpi) ||
		       acpi_for_each_table(buf, size, LAYOUT_ACPI_ADDR,
					   machine_dump_table, &d) < 0)) {
		if (!d.ret)
			log_error("cannot build the ACPI tables");
		d.ret = -1;
	}
	free(buf);
	free(m);
	return d.ret ? EXIT_VMM_ERROR : EXIT_GUEST_POWEROFF;
}
