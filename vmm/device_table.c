// SPDX-License-Identifier: MIT
/*
 * The device table: one entry per kind of device, each an adapter from the
 * configuration to the device's own create function, and the loops that
 * drive every instance through its life.  To add a device, write its file
 * in devices/, then one "entry" block below and one line in device_table[].
 */
#include "vmm/device_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/acpi_pm.h"
#include "devices/debug_port.h"
#include "devices/ged.h"
#include "devices/i8042.h"
#include "devices/pvpanic.h"
#include "devices/run_status.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_fs.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "vmm/log.h"
#include "vmm/snapshot.h"
#include "vmm/trace.h"
#include "vmm/vm.h"

/* ---- shared wiring ---- */

static void device_guest_event(void *vm, enum guest_event ev)
{
	vm_report_event(vm, ev);
}

static int device_add_pio(const struct device_env *env, const char *name,
			  uint64_t base, uint64_t len, bus_read_fn rd,
			  bus_write_fn wr, void *opaque, char *err, size_t errlen)
{
	struct bus_device dev = {
		.name = name, .base = base, .len = len,
		.read = rd, .write = wr, .opaque = opaque,
	};
	int ret = vm_register_pio(env->vm, &dev);

	if (ret)
		snprintf(err, errlen, "cannot register %s: %s", name, strerror(-ret));
	return ret;
}

/* A port-I/O device that lives in one calloc'ed block. */
static void *device_alloc(size_t size, char *err, size_t errlen)
{
	void *p = calloc(1, size);

	if (!p)
		snprintf(err, errlen, "out of memory");
	return p;
}

static void device_free(void *dev)
{
	free(dev);
}

/*
 * A port-I/O entry (ops->pio): one zeroed block, set up by init, its
 * ports registered with the block as their opaque; destroy frees it.
 */
static int device_pio_create(void **out, const struct device_pio *pio,
			     const char *name, const struct device_env *env,
			     char *err, size_t errlen)
{
	void *dev = device_alloc(pio->size, err, errlen);

	if (!dev)
		return -ENOMEM;
	*out = dev;
	pio->init(dev, env);
	return device_add_pio(env, name, pio->base, pio->nr_ports, pio->read,
			      pio->write, dev, err, errlen);
}

/* ---- entry: i8042 (reset line) ---- */

static void i8042_entry_init(void *dev, const struct device_env *env)
{
	i8042_init(dev, device_guest_event, env->vm);
}

static const struct vmm_device_ops i8042_entry = {
	.name = "i8042",
	.pio = &(const struct device_pio){
		.size = sizeof(struct i8042), .init = i8042_entry_init,
		.base = PORT_I8042_DATA, .nr_ports = I8042_NR_PORTS,
		.read = i8042_pio_read, .write = i8042_pio_write,
	},
	.stateless = true,		/* the reset line only */
	.destroy = device_free,
};

/* ---- entry: ACPI power management registers ---- */

static void acpi_pm_entry_init(void *dev, const struct device_env *env)
{
	acpi_pm_init(dev, device_guest_event, env->vm);
}

static const struct vmm_device_ops acpi_pm_entry = {
	.name = "acpi-pm",
	.pio = &(const struct device_pio){
		.size = sizeof(struct acpi_pm), .init = acpi_pm_entry_init,
		.base = PORT_ACPI_SLEEP_CTL, .nr_ports = ACPI_PM_NR_PORTS,
		.read = acpi_pm_pio_read, .write = acpi_pm_pio_write,
	},
	.save = acpi_pm_save,
	.load = acpi_pm_load,
	.destroy = device_free,
};

/* ---- entry: debug port (trace markers, firmware status) ---- */

static void debug_port_trace(void *vm, uint8_t marker)
{
	trace_guest_marker(vm, marker);
}

static int debug_port_entry_create(void **out, const struct device_env *env,
				   char *err, size_t errlen)
{
	struct debug_port *d = device_alloc(sizeof(*d), err, errlen);

	if (!d)
		return -ENOMEM;
	*out = d;
	debug_port_init(d, debug_port_trace, device_guest_event, env->vm,
			env->cfg->netboot);
	return device_add_pio(env, "debug-port", PORT_DEBUG_TRACE,
			      debug_port_nr_ports(d), debug_port_pio_read,
			      debug_port_pio_write, d, err, errlen);
}

static const struct vmm_device_ops debug_port_entry = {
	.name = "debug-port",
	.create = debug_port_entry_create,
	.stateless = true,		/* write-only markers */
	.destroy = device_free,
};

/* ---- entry: run-status port, with -rootfs only ---- */

static unsigned int run_status_entry_count(const struct config *cfg)
{
	return cfg->rootfs ? 1 : 0;
}

/* The init's status is the exit code, as documented for -run. */
static void run_status_report(void *vm, uint8_t status)
{
	vm_request_stop(vm, status);
}

static void run_status_entry_init(void *dev, const struct device_env *env)
{
	run_status_init(dev, run_status_report, env->vm);
}

static const struct vmm_device_ops run_status_entry = {
	.name = "run-status",
	.count = run_status_entry_count,
	.pio = &(const struct device_pio){
		.size = sizeof(struct run_status), .init = run_status_entry_init,
		.base = PORT_RUN_STATUS, .nr_ports = RUN_STATUS_NR_PORTS,
		.read = run_status_pio_read, .write = run_status_pio_write,
	},
	.destroy = device_free,
};

/* ---- entry: pvpanic (the guest kernel says it panicked) ---- */

static void pvpanic_entry_event(void *vm, uint8_t events)
{
	if (events & PVPANIC_PANICKED) {
		log_error("the guest kernel panicked (pvpanic)");
		vm_report_event(vm, GUEST_EVENT_PANIC);
	} else {
		log_info("the guest loaded a crash kernel (pvpanic)");
	}
}

static void pvpanic_entry_init(void *dev, const struct device_env *env)
{
	pvpanic_init(dev, pvpanic_entry_event, env->vm);
}

static const struct vmm_device_ops pvpanic_entry = {
	.name = "pvpanic",
	.pio = &(const struct device_pio){
		.size = sizeof(struct pvpanic), .init = pvpanic_entry_init,
		.base = PORT_PVPANIC, .nr_ports = PVPANIC_NR_PORTS,
		.read = pvpanic_pio_read, .write = pvpanic_pio_write,
	},
	.stateless = true,		/* events are reported as they come */
	.destroy = device_free,
};

/* ---- entry: the ACPI power button (Generic Event Device) ---- */

/* The ged comes first: device_table_device(t, "ged", 0) is a struct ged. */
struct ged_entry {
	struct ged ged;
	struct vm *vm;		/* IRQ_GED is pulsed on it */
};

static void ged_entry_irq(void *opaque)
{
	struct ged_entry *g = opaque;
	int ret = vm_pulse_irq(g->vm, IRQ_GED);

	if (ret)
		log_warn("cannot raise the power button interrupt: %s",
			 strerror(-ret));
}

static int ged_entry_create(void **out, const struct device_env *env,
			    char *err, size_t errlen)
{
	struct ged_entry *g = device_alloc(sizeof(*g), err, errlen);
	struct bus_device dev = {
		.name = "ged", .base = LAYOUT_GED_ADDR, .len = GED_MMIO_SIZE,
		.read = ged_mmio_read, .write = ged_mmio_write,
	};
	int ret;

	if (!g)
		return -ENOMEM;
	*out = g;
	ged_init(&g->ged, ged_entry_irq, g);
	g->vm = env->vm;
	dev.opaque = &g->ged;
	ret = vm_register_mmio(env->vm, &dev);
	if (ret)
		snprintf(err, errlen, "cannot register ged: %s", strerror(-ret));
	return ret;
}

static void ged_entry_save(void *dev, struct state_writer *w)
{
	ged_save(&((struct ged_entry *)dev)->ged, w);
}

static int ged_entry_load(void *dev, struct state_reader *r)
{
	return ged_load(&((struct ged_entry *)dev)->ged, r);
}

static const struct vmm_device_ops ged_entry = {
	.name = "ged",
	.create = ged_entry_create,
	.save = ged_entry_save,
	.load = ged_entry_load,
	.destroy = device_free,
};

/* ---- entry: virtio-blk, one per -drive ---- */

static unsigned int virtio_blk_entry_count(const struct config *cfg)
{
	return cfg->nr_drives;
}

static int virtio_blk_entry_create(void **out, const struct device_env *env,
				   char *err, size_t errlen)
{
	return virtio_blk_create((struct virtio_blk **)out, env->mmio_host,
				 env->mem, &env->window,
				 &env->cfg->drive[env->index], err, errlen);
}

static int virtio_blk_entry_start(void *dev, const struct io_thread_hook *hook)
{
	return virtio_blk_start(dev, hook);
}

static void virtio_blk_entry_stats(void *dev, FILE *f)
{
	virtio_blk_print_stats(dev, f);
}

static void virtio_blk_entry_quiesce(void *dev)
{
	virtio_blk_quiesce(dev);
}

static void virtio_blk_entry_resume(void *dev)
{
	virtio_blk_resume(dev);
}

static void virtio_blk_entry_save(void *dev, struct state_writer *w)
{
	virtio_blk_save(dev, w);
}

static int virtio_blk_entry_load(void *dev, struct state_reader *r)
{
	return virtio_blk_load(dev, r);
}

static void virtio_blk_entry_stop(void *dev)
{
	virtio_blk_stop(dev);
}

static void virtio_blk_entry_destroy(void *dev)
{
	virtio_blk_destroy(dev);
}

static const struct vmm_device_ops virtio_blk_entry = {
	.name = "virtio-blk",
	.virtio_mmio = true,
	.count = virtio_blk_entry_count,
	.create = virtio_blk_entry_create,
	.start = virtio_blk_entry_start,
	.io_class = SECCOMP_THREAD_IO,
	.stats = virtio_blk_entry_stats,
	.quiesce = virtio_blk_entry_quiesce,
	.resume = virtio_blk_entry_resume,
	.save = virtio_blk_entry_save,
	.load = virtio_blk_entry_load,
	.stop = virtio_blk_entry_stop,
	.destroy = virtio_blk_entry_destroy,
};

/* ---- entry: virtio-net, one per -tap ---- */

static unsigned int virtio_net_entry_count(const struct config *cfg)
{
	return cfg->nr_nics;
}

static int virtio_net_entry_create(void **out, const struct device_env *env,
				   char *err, size_t errlen)
{
	return virtio_net_create((struct virtio_net **)out, env->mmio_host,
				 env->mem, &env->window,
				 &env->cfg->nic[env->index], err, errlen);
}

static int virtio_net_entry_start(void *dev, const struct io_thread_hook *hook)
{
	return virtio_net_start(dev, hook);
}

static void virtio_net_entry_stats(void *dev, FILE *f)
{
	virtio_net_print_stats(dev, f);
}

static void virtio_net_entry_quiesce(void *dev)
{
	virtio_net_quiesce(dev);
}

static void virtio_net_entry_resume(void *dev)
{
	virtio_net_resume(dev);
}

static void virtio_net_entry_save(void *dev, struct state_writer *w)
{
	virtio_net_save(dev, w);
}

static int virtio_net_entry_load(void *dev, struct state_reader *r)
{
	return virtio_net_load(dev, r);
}

static void virtio_net_entry_stop(void *dev)
{
	virtio_net_stop(dev);
}

static void virtio_net_entry_destroy(void *dev)
{
	virtio_net_destroy(dev);
}

static const struct vmm_device_ops virtio_net_entry = {
	.name = "virtio-net",
	.virtio_mmio = true,
	.count = virtio_net_entry_count,
	.create = virtio_net_entry_create,
	.start = virtio_net_entry_start,
	.io_class = SECCOMP_THREAD_IO,
	.stats = virtio_net_entry_stats,
	.quiesce = virtio_net_entry_quiesce,
	.resume = virtio_net_entry_resume,
	.save = virtio_net_entry_save,
	.load = virtio_net_entry_load,
	.stop = virtio_net_entry_stop,
	.destroy = virtio_net_entry_destroy,
};

/* ---- entry: virtio-fs, one per -share ---- */

static unsigned int virtio_fs_entry_count(const struct config *cfg)
{
	return cfg->nr_shares;
}

static int virtio_fs_entry_create(void **out, const struct device_env *env,
				  char *err, size_t errlen)
{
	const struct share_config *sc = &env->cfg->share[env->index];
	struct virtio_fs_share share = {
		.path = sc->path, .tag = sc->tag, .readonly = sc->readonly,
	};

	return virtio_fs_create((struct virtio_fs **)out, env->mmio_host,
				env->mem, &env->window, &share, err, errlen);
}

static int virtio_fs_entry_start(void *dev, const struct io_thread_hook *hook)
{
	return virtio_fs_start(dev, hook);
}

static void virtio_fs_entry_stats(void *dev, FILE *f)
{
	virtio_fs_print_stats(dev, f);
}

static void virtio_fs_entry_quiesce(void *dev)
{
	virtio_fs_quiesce(dev);
}

static void virtio_fs_entry_resume(void *dev)
{
	virtio_fs_resume(dev);
}

static void virtio_fs_entry_stop(void *dev)
{
	virtio_fs_stop(dev);
}

static void virtio_fs_entry_destroy(void *dev)
{
	virtio_fs_destroy(dev);
}

/* No quiesce/resume: its thread is its own poll loop, not an event_loop,
 * so it cannot be parked yet; a pause must not rely on it being quiet. */
static const struct vmm_device_ops virtio_fs_entry = {
	.name = "virtio-fs",
	.virtio_mmio = true,
	.count = virtio_fs_entry_count,
	.create = virtio_fs_entry_create,
	.start = virtio_fs_entry_start,
	.io_class = SECCOMP_THREAD_FS,
	.stats = virtio_fs_entry_stats,
	.quiesce = virtio_fs_entry_quiesce,
	.resume = virtio_fs_entry_resume,
	.stop = virtio_fs_entry_stop,
	.destroy = virtio_fs_entry_destroy,
};

/* ---- entry: virtio-rng, one unless -rng off ---- */

static unsigned int virtio_rng_entry_count(const struct config *cfg)
{
	return cfg->rng_off ? 0 : 1;
}

static int virtio_rng_entry_create(void **out, const struct device_env *env,
				   char *err, size_t errlen)
{
	return virtio_rng_create((struct virtio_rng **)out, env->mmio_host,
				 env->mem, &env->window, err, errlen);
}

static void virtio_rng_entry_stats(void *dev, FILE *f)
{
	virtio_rng_print_stats(dev, f);
}

static void virtio_rng_entry_save(void *dev, struct state_writer *w)
{
	virtio_rng_save(dev, w);
}

static int virtio_rng_entry_load(void *dev, struct state_reader *r)
{
	return virtio_rng_load(dev, r);
}

static void virtio_rng_entry_destroy(void *dev)
{
	virtio_rng_destroy(dev);
}

static const struct vmm_device_ops virtio_rng_entry = {
	.name = "virtio-rng",
	.virtio_mmio = true,
	.count = virtio_rng_entry_count,
	.create = virtio_rng_entry_create,
	/* No thread: served on the notifying vCPU (devices/virtio_rng.h). */
	.stats = virtio_rng_entry_stats,
	.save = virtio_rng_entry_save,
	.load = virtio_rng_entry_load,
	.destroy = virtio_rng_entry_destroy,
};

/*
 * The table.  Order matters to the guest: virtio-mmio slots are handed out
 * in this order, so disks (vda, vdb, ...) come before NICs (eth0, ...),
 * then shares, then the rng;
 * -netboot's firmware finds the first NIC through device_table_window().
 */
static const struct vmm_device_ops *const device_table[] = {
	&i8042_entry,
	&acpi_pm_entry,
	&debug_port_entry,
	&run_status_entry,
	&pvpanic_entry,
	&ged_entry,
	&virtio_blk_entry,
	&virtio_net_entry,
	&virtio_fs_entry,
	&virtio_rng_entry,	/* last: disks, NICs and shares keep their slots */
};

#define DEVICE_TABLE_ENTRIES (sizeof(device_table) / sizeof(device_table[0]))

/* ---- KVM-backed virtio-mmio host ops ---- */

static int device_vm_register_mmio(void *vm, const struct bus_device *dev)
{
	return vm_register_mmio(vm, dev);
}

static int device_vm_add_ioeventfd(void *vm, uint64_t addr, uint32_t datamatch)
{
	return vm_add_mmio_ioeventfd(vm, addr, datamatch);
}

static int device_vm_remove_ioeventfd(void *vm, int fd, uint64_t addr,
				      uint32_t datamatch)
{
	return vm_remove_mmio_ioeventfd(vm, fd, addr, datamatch);
}

static int device_vm_pulse_irq(void *vm, uint32_t gsi)
{
	return vm_pulse_irq(vm, gsi);
}

/* ---- the loops ---- */

/* The one slot rule: where virtio-mmio slot n sits and which GSI it raises. */
static struct acpi_virtio_mmio device_slot_window(unsigned int slot)
{
	return (struct acpi_virtio_mmio){
		.base = LAYOUT_VIRTIO_MMIO_BASE + (uint64_t)slot * LAYOUT_VIRTIO_MMIO_SIZE,
		.size = LAYOUT_VIRTIO_MMIO_SIZE,
		.gsi = IRQ_VIRTIO_MMIO_BASE + slot,
	};
}

static int device_table_add(struct device_table *t,
			    const struct vmm_device_ops *ops,
			    unsigned int index, char *err, size_t errlen)
{
	struct device_instance *in = &t->inst[t->nr];

	if (t->nr == DEVICE_TABLE_MAX_INSTANCES ||
	    (ops->virtio_mmio && t->nr_virtio == LAYOUT_VIRTIO_MMIO_MAX)) {
		snprintf(err, errlen, "too many devices (%s %u)", ops->name, index);
		return -ENOSPC;
	}
	*in = (struct device_instance){ .ops = ops, .index = index, .slot = -1 };
	if (ops->virtio_mmio) {
		in->slot = (int)t->nr_virtio;
		t->virtio[t->nr_virtio++] = device_slot_window((unsigned int)in->slot);
	}
	t->nr++;
	return 0;
}

int device_table_plan(struct device_table *t, const struct config *cfg,
		      char *err, size_t errlen)
{
	int ret;

	memset(t, 0, sizeof(*t));
	for (size_t e = 0; e < DEVICE_TABLE_ENTRIES; e++) {
		const struct vmm_device_ops *ops = device_table[e];
		unsigned int n = ops->count ? ops->count(cfg) : 1;

		for (unsigned int i = 0; i < n; i++) {
			ret = device_table_add(t, ops, i, err, errlen);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static void device_window_of(const struct device_table *t,
			     const struct device_instance *in,
			     struct virtio_mmio_window *win)
{
	const struct acpi_virtio_mmio *w = &t->virtio[in->slot];

	*win = (struct virtio_mmio_window){
		.index = (unsigned int)in->slot, .base = w->base, .gsi = w->gsi,
	};
}

int device_table_create(struct device_table *t, struct vm *vm, char *err,
			size_t errlen)
{
	const struct virtio_mmio_host host = {
		.opaque = vm,
		.register_mmio = device_vm_register_mmio,
		.add_ioeventfd = device_vm_add_ioeventfd,
		.remove_ioeventfd = device_vm_remove_ioeventfd,
		.pulse_irq = device_vm_pulse_irq,
	};
	int ret;

	if (t->nr == 0) {
		ret = device_table_plan(t, vm->cfg, err, errlen);
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < t->nr; i++) {
		struct device_instance *in = &t->inst[i];
		struct device_env env = {
			.vm = vm, .cfg = vm->cfg, .index = in->index,
			.mmio_host = &host, .mem = &vm->mem,
		};

		if (in->slot >= 0)
			device_window_of(t, in, &env.window);
		if (in->ops->pio)
			ret = device_pio_create(&in->dev, in->ops->pio,
						in->ops->name, &env, err, errlen);
		else
			ret = in->ops->create(&in->dev, &env, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static int device_install_seccomp(void *opaque, char *err, size_t errlen)
{
	const struct device_instance *in = opaque;

	return seccomp_install_opts(in->ops->io_class, in->seccomp, err, errlen);
}

/* After the start: a trap here is one at run time (vmm/emergency.h). */
static void device_seccomp_selftest(void *opaque)
{
	const struct device_instance *in = opaque;

	seccomp_selftest_in(in->ops->io_class);
}

int device_table_start(struct device_table *t,
		       const struct seccomp_opts *seccomp, char *err,
		       size_t errlen)
{
	for (unsigned int i = 0; i < t->nr; i++) {
		struct device_instance *in = &t->inst[i];
		struct io_thread_hook hook = {
			.fn = device_install_seccomp,
			.opaque = in,
			.ready = device_seccomp_selftest,
		};
		int ret;

		if (!in->ops->start)
			continue;
		in->seccomp = seccomp;
		ret = in->ops->start(in->dev, seccomp ? &hook : NULL);
		if (ret) {
			snprintf(err, errlen, "cannot start an I/O thread: %s",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void device_table_print_stats(const struct device_table *t, FILE *f)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (t->inst[i].dev && t->inst[i].ops->stats)
			t->inst[i].ops->stats(t->inst[i].dev, f);
}

void device_table_quiesce(struct device_table *t)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (t->inst[i].dev && t->inst[i].ops->quiesce)
			t->inst[i].ops->quiesce(t->inst[i].dev);
}

void device_table_resume(struct device_table *t)
{
	for (unsigned int i = t->nr; i-- > 0;)
		if (t->inst[i].dev && t->inst[i].ops->resume)
			t->inst[i].ops->resume(t->inst[i].dev);
}

void device_table_destroy(struct device_table *t)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (t->inst[i].dev && t->inst[i].ops->stop)
			t->inst[i].ops->stop(t->inst[i].dev);
	for (unsigned int i = 0; i < t->nr; i++) {
		if (t->inst[i].ops->destroy)
			t->inst[i].ops->destroy(t->inst[i].dev);
		t->inst[i].dev = NULL;
	}
	t->nr = 0;
}

static const struct device_instance *
device_table_find(const struct device_table *t, const char *name,
		  unsigned int index)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (t->inst[i].index == index && !strcmp(t->inst[i].ops->name, name))
			return &t->inst[i];
	return NULL;
}

void *device_table_device(const struct device_table *t, const char *name,
			  unsigned int index)
{
	const struct device_instance *in = device_table_find(t, name, index);

	return in ? in->dev : NULL;
}

bool device_table_window(const struct device_table *t, const char *name,
			 unsigned int index, struct virtio_mmio_window *win)
{
	const struct device_instance *in = device_table_find(t, name, index);

	if (!in || in->slot < 0)
		return false;
	device_window_of(t, in, win);
	return true;
}

/* ---- snapshots ---- */

static void device_section_name(const struct device_instance *in, char *name,
				size_t len)
{
	snprintf(name, len, "dev:%s", in->ops->name);
}

int device_table_save(const struct device_table *t, struct snapshot_out *o,
		      char *err, size_t errlen)
{
	char name[SNAP_NAME_MAX];

	for (unsigned int i = 0; i < t->nr; i++) {
		const struct device_instance *in = &t->inst[i];
		struct state_writer *w;

		if (in->ops->stateless)
			continue;
		if (!in->ops->save) {
			snprintf(err, errlen, "snapshots of %s devices are not supported yet",
				 in->ops->name);
			return -ENOTSUP;
		}
		device_section_name(in, name, sizeof(name));
		w = snapshot_out_section(o, name, in->index);
		if (!w) {
			snprintf(err, errlen, "too many snapshot sections");
			return -ENOSPC;
		}
		in->ops->save(in->dev, w);
	}
	return 0;
}

int device_table_load(const struct device_table *t,
		      const struct snapshot_file *f, char *err, size_t errlen)
{
	char name[SNAP_NAME_MAX];

	for (unsigned int i = 0; i < t->nr; i++) {
		const struct device_instance *in = &t->inst[i];
		struct state_reader r;

		if (in->ops->stateless)
			continue;
		device_section_name(in, name, sizeof(name));
		if (!in->ops->load || !snapshot_section(f, name, in->index, &r)) {
			snprintf(err, errlen, "-restore: the snapshot has no state for %s %u",
				 in->ops->name, in->index);
			return -EINVAL;
		}
		if (in->ops->load(in->dev, &r)) {
			snprintf(err, errlen, "-restore: the state of %s %u is malformed",
				 in->ops->name, in->index);
			return -EINVAL;
		}
	}
	return 0;
}
