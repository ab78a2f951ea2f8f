// SPDX-License-Identifier: MIT
/*
 * KVM's part of a snapshot: each vCPU's state and the VM's in-kernel
 * devices and clock, as sections "vcpu"/N and "kvm"/0.
 *
 * A "vcpu" section holds, in this order, length-prefixed blobs of the
 * kernel's own structures (<linux/kvm.h>, x86): the CPUID entries the
 * guest saw, kvm_regs, kvm_sregs, a u8 saying which of kvm_xsave (1) or
 * kvm_fpu (0) follows, a u8 for kvm_xcrs present, the MSRs (u32 count,
 * then kvm_msr_entry array) of KVM_GET_MSR_INDEX_LIST that this vCPU
 * reads, kvm_lapic_state, kvm_vcpu_events, kvm_mp_state and
 * kvm_debugregs.  "kvm" holds kvm_irqchip for the PIC master, the PIC
 * slave and the IOAPIC, kvm_pit_state2 and kvm_clock_data.
 */
#include "vmm/snapshot.h"

#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/log.h"
#include "vmm/pause.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"


/* ---- the MSR list ---- */

static struct kvm_msr_list *snapshot_msr_list(int kvm_fd, int *ret)
{
	struct kvm_msr_list probe = { .nmsrs = 0 };
	struct kvm_msr_list *l;

	/* With nmsrs 0 KVM answers E2BIG and says how many there are. */
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) == 0 || errno != E2BIG ||
	    probe.nmsrs > SNAP_MAX_MSRS) {
		*ret = -EIO;
		return NULL;
	}
	l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
	if (!l) {
		*ret = -ENOMEM;
		return NULL;
	}
	l->nmsrs = probe.nmsrs;
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		*ret = -errno;
		free(l);
		return NULL;
	}
	*ret = 0;
	return l;
}

static struct kvm_msrs *snapshot_msrs_alloc(unsigned int n)
{
	return calloc(1, sizeof(struct kvm_msrs) + n * sizeof(struct kvm_msr_entry));
}

/*
 * KVM_GET_MSRS/KVM_SET_MSRS stop at the first MSR they refuse (one the
 * guest's CPUID does not have): skip it and go on with the rest.  Keeps
 * the entries done in order at the front of m; returns how many.
 */
static unsigned int snapshot_msrs_io(int fd, unsigned long req,
				     struct kvm_msrs *m, unsigned int n,
				     unsigned int *refused)
{
	struct kvm_msrs *one = snapshot_msrs_alloc(n);
	unsigned int done = 0, i = 0;

	*refused = 0;
	if (!one)
		return 0;
	while (i < n) {
		int r;

		one->nmsrs = n - i;
		memcpy(one->entries, &m->entries[i], (n - i) * sizeof(m->entries[0]));
		r = ioctl(fd, req, one);
		if (r < 0)
			break;
		memmove(&m->entries[done], one->entries, (size_t)r * sizeof(m->entries[0]));
		done += (unsigned int)r;
		i += (unsigned int)r;
		if (i < n) {	/* entry i was refused */
			i++;
			(*refused)++;
		}
	}
	free(one);
	return done;
}

/* ---- saving a vCPU (on its own thread) ---- */

struct snapshot_vcpu_save {
	struct state_writer *w;
	const struct kvm_msr_list *msrs;
	bool xsave, xcrs;
	int ret;
	const char *what;
};

#define SNAP_GET(fd, req, obj, name) do {				\
		if (ioctl((fd), (req), (obj)) < 0) {			\
			s->ret = -errno;				\
			s->what = (name);				\
			return;						\
		}							\
	} while (0)

static void snapshot_save_cpuid(struct vcpu *vcpu, struct snapshot_vcpu_save *s)
{
	int nent = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

		if (!c) {
			s->ret = -ENOMEM;
			s->what = "CPUID";
			return;
		}
		c->nent = nent;
		if (ioctl(vcpu->fd, KVM_GET_CPUID2, c) == 0) {
			state_put_blob(s->w, c->entries, c->nent * sizeof(c->entries[0]));
			free(c);
			return;
		}
		s->ret = -errno;
		free(c);
		if (s->ret != -E2BIG || nent >= SNAP_MAX_CPUID) {
			s->what = "CPUID";
			return;
		}
		s->ret = 0;
		nent *= 2;
	}
}

static void snapshot_save_msrs(struct vcpu *vcpu, struct snapshot_vcpu_save *s)
{
	unsigned int n = s->msrs->nmsrs, refused, got;
	struct kvm_msrs *m = snapshot_msrs_alloc(n);

	if (!m) {
		s->ret = -ENOMEM;
		s->what = "MSRs";
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		m->entries[i].index = s->msrs->indices[i];
	got = snapshot_msrs_io(vcpu->fd, KVM_GET_MSRS, m, n, &refused);
	state_put_u32(s->w, got);
	state_put_blob(s->w, m->entries, got * sizeof(m->entries[0]));
	free(m);
}

/*
 * An exit the run loop handled is complete only once the vCPU enters
 * KVM_RUN again (the KVM API: an OUT's RIP advance, the data of an IN or
 * an MMIO read); until then the registers show the instruction not yet
 * done, and a restored guest would execute it a second time (a byte
 * printed twice).  Entering with immediate_exit finishes it and returns
 * at once with EINTR, no guest instruction run.  Only on the vCPU's own
 * thread (a thread that never started or has left has nothing pending).
 */
static int snapshot_complete_io(struct vcpu *vcpu)
{
	if (!atomic_load(&vcpu->kickable) ||
	    !pthread_equal(pthread_self(), vcpu->self))
		return 0;
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (ioctl(vcpu->fd, KVM_RUN, 0) == 0 || errno != EINTR)
		return -EIO;
	return 0;
}

static void snapshot_save_vcpu_fn(struct vcpu *vcpu, void *arg)
{
	struct snapshot_vcpu_save *s = arg;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events ev;
	struct kvm_mp_state mp;
	struct kvm_debugregs dbg;
	int fd = vcpu->fd;

	s->ret = snapshot_complete_io(vcpu);
	if (s->ret) {
		s->what = "pending I/O";
		return;
	}
	snapshot_save_cpuid(vcpu, s);
	if (s->ret)
		return;
	SNAP_GET(fd, KVM_GET_REGS, &regs, "registers");
	SNAP_GET(fd, KVM_GET_SREGS, &sregs, "special registers");
	state_put_blob(s->w, &regs, sizeof(regs));
	state_put_blob(s->w, &sregs, sizeof(sregs));
	state_put_u8(s->w, s->xsave);
	if (s->xsave) {
		struct kvm_xsave *x = calloc(1, sizeof(*x));

		if (!x || ioctl(fd, KVM_GET_XSAVE, x) < 0) {
			s->ret = x ? -errno : -ENOMEM;
			s->what = "XSAVE state";
			free(x);
			return;
		}
		state_put_blob(s->w, x, sizeof(*x));
		free(x);
	} else {
		struct kvm_fpu fpu;

		SNAP_GET(fd, KVM_GET_FPU, &fpu, "FPU");
		state_put_blob(s->w, &fpu, sizeof(fpu));
	}
	state_put_u8(s->w, s->xcrs);
	if (s->xcrs) {
		struct kvm_xcrs xcrs;

		SNAP_GET(fd, KVM_GET_XCRS, &xcrs, "XCRs");
		state_put_blob(s->w, &xcrs, sizeof(xcrs));
	}
	snapshot_save_msrs(vcpu, s);
	if (s->ret)
		return;
	SNAP_GET(fd, KVM_GET_LAPIC, &lapic, "LAPIC");
	SNAP_GET(fd, KVM_GET_VCPU_EVENTS, &ev, "pending events");
	SNAP_GET(fd, KVM_GET_MP_STATE, &mp, "MP state");
	SNAP_GET(fd, KVM_GET_DEBUGREGS, &dbg, "debug registers");
	state_put_blob(s->w, &lapic, sizeof(lapic));
	state_put_blob(s->w, &ev, sizeof(ev));
	state_put_blob(s->w, &mp, sizeof(mp));
	state_put_blob(s->w, &dbg, sizeof(dbg));
}

static bool snapshot_has_cap(const struct vm *vm, int cap)
{
	return ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

static int snapshot_save_vm_devices(struct state_writer *w, struct vm *vm,
				    char *err, size_t errlen)
{
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;

	for (unsigned int chip = 0; chip < 3; chip++) {
		struct kvm_irqchip ic = { .chip_id = chip };

		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &ic) < 0)
			goto fail;
		state_put_blob(w, &ic, sizeof(ic));
	}
	memset(&pit, 0, sizeof(pit));
	memset(&clock, 0, sizeof(clock));
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &pit) < 0 ||
	    ioctl(vm->vm_fd, KVM_GET_CLOCK, &clock) < 0)
		goto fail;
	state_put_blob(w, &pit, sizeof(pit));
	state_put_blob(w, &clock, sizeof(clock));
	return 0;
fail:
	snprintf(err, errlen, "cannot read the in-kernel irqchip, PIT or clock: %s",
		 strerror(errno));
	return -errno;
}

int snapshot_save_kvm(struct snapshot_out *o, struct vm *vm, char *err,
		      size_t errlen)
{
	struct snapshot_vcpu_save s = {
		.xsave = snapshot_has_cap(vm, KVM_CAP_XSAVE),
		.xcrs = snapshot_has_cap(vm, KVM_CAP_XCRS),
	};
	struct kvm_msr_list *msrs = snapshot_msr_list(vm->kvm_fd, &s.ret);
	struct state_writer *w;
	int ret;

	if (!msrs) {
		snprintf(err, errlen, "cannot read KVM's MSR list: %s", strerror(-s.ret));
		return s.ret;
	}
	s.msrs = msrs;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		s.w = snapshot_out_section(o, "vcpu", i);
		s.ret = s.w ? 0 : -ENOSPC;
		s.what = "its section";
		if (s.w) {
			ret = vm_pause_run_on(vm, i, snapshot_save_vcpu_fn, &s);
			if (ret) {
				s.ret = ret;
				s.what = "a parked thread";
			}
		}
		if (s.ret) {
			snprintf(err, errlen, "cannot save vCPU %u's %s: %s", i, s.what,
				 strerror(-s.ret));
			free(msrs);
			return s.ret;
		}
	}
	free(msrs);
	w = snapshot_out_section(o, "kvm", 0);
	if (!w) {
		snprintf(err, errlen, "too many snapshot sections");
		return -ENOSPC;
	}
	return snapshot_save_vm_devices(w, vm, err, errlen);
}

/* ---- restoring ---- */

/* This host's CPUID for vCPU index, as a fresh start would set it. */
static int snapshot_check_cpuid(const struct vm *vm, const struct cpu_topology *topo,
				unsigned int index, const struct kvm_cpuid_entry2 *saved,
				unsigned int nsaved, char *err, size_t errlen)
{
	char what[96];
	int ret;
	struct kvm_cpuid2 *host = vcpu_supported_cpuid(vm, &ret);

	if (!host) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(-ret));
		return ret;
	}
	cpuid_fixup(host->entries, host->nent, topo, index);
	if (cpuid_missing_features(saved, nsaved, host->entries, host->nent,
				   what, sizeof(what))) {
		snprintf(err, errlen, "-restore: this host's CPU lacks features the guest saw (%s)",
			 what);
		ret = -ENOTSUP;
	}
	free(host);
	return ret;
}

bool snapshot_parse_vcpu(struct state_reader *r, struct snapshot_vcpu_state *st)
{
	const size_t cpuid_size = sizeof(struct kvm_cpuid_entry2);
	const size_t msr_size = sizeof(struct kvm_msr_entry);
	uint32_t len, n;

	st->cpuid = state_get_blob_ref(r, SNAP_MAX_CPUID * cpuid_size, &len);
	st->ncpuid = len / cpuid_size;
	if (len % cpuid_size || !st->ncpuid)
		state_reader_fail(r);
	state_get_blob(r, &st->regs, sizeof(st->regs));
	state_get_blob(r, &st->sregs, sizeof(st->sregs));
	st->has_xsave = state_get_u8(r);
	if (st->has_xsave)
		state_get_blob(r, &st->xsave, sizeof(st->xsave));
	else
		state_get_blob(r, &st->fpu, sizeof(st->fpu));
	st->has_xcrs = state_get_u8(r);
	if (st->has_xcrs)
		state_get_blob(r, &st->xcrs, sizeof(st->xcrs));
	n = state_get_u32(r);
	st->msrs = state_get_blob_ref(r, SNAP_MAX_MSRS * msr_size, &len);
	st->nmsrs = n;
	if (n > SNAP_MAX_MSRS || len != n * msr_size)
		state_reader_fail(r);
	state_get_blob(r, &st->lapic, sizeof(st->lapic));
	state_get_blob(r, &st->ev, sizeof(st->ev));
	state_get_blob(r, &st->mp, sizeof(st->mp));
	state_get_blob(r, &st->dbg, sizeof(st->dbg));
	return state_reader_done(r);
}

/* The saved CPUID, aligned (NULL: out of memory). */
static struct kvm_cpuid2 *snapshot_cpuid_copy(const struct snapshot_vcpu_state *st)
{
	size_t len = st->ncpuid * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + len);

	if (c) {
		c->nent = st->ncpuid;
		memcpy(c->entries, st->cpuid, len);
	}
	return c;
}

static int snapshot_set_msrs(struct vcpu *vcpu, const struct snapshot_vcpu_state *st)
{
	struct kvm_msrs *m = snapshot_msrs_alloc(st->nmsrs);
	unsigned int refused;

	if (!m)
		return -ENOMEM;
	memcpy(m->entries, st->msrs, st->nmsrs * sizeof(m->entries[0]));
	snapshot_msrs_io(vcpu->fd, KVM_SET_MSRS, m, st->nmsrs, &refused);
	free(m);
	if (refused)
		log_warn("-restore: vCPU %u: KVM refused %u of %u saved MSRs",
			 vcpu->index, refused, st->nmsrs);
	return 0;
}

#define SNAP_SET(fd, req, obj, name) do {				\
		if (ioctl((fd), (req), (obj)) < 0) {			\
			*what = (name);					\
			return -errno;					\
		}							\
	} while (0)

/*
 * The order KVM needs: CPUID first (it decides which MSRs and XSAVE
 * components exist), modes (sregs, with the APIC base) before the
 * registers and the LAPIC, the LAPIC before the MSRs of its timer
 * (TSC deadline), events and MP state last.
 */
static int snapshot_set_vcpu(struct vcpu *vcpu, const struct snapshot_vcpu_state *st,
			     const struct kvm_cpuid2 *cpuid, const char **what)
{
	int fd = vcpu->fd, ret;

	SNAP_SET(fd, KVM_SET_CPUID2, cpuid, "CPUID");
	SNAP_SET(fd, KVM_SET_SREGS, &st->sregs, "special registers");
	SNAP_SET(fd, KVM_SET_REGS, &st->regs, "registers");
	if (st->has_xsave)
		SNAP_SET(fd, KVM_SET_XSAVE, &st->xsave, "XSAVE state");
	else
		SNAP_SET(fd, KVM_SET_FPU, &st->fpu, "FPU");
	if (st->has_xcrs)
		SNAP_SET(fd, KVM_SET_XCRS, &st->xcrs, "XCRs");
	SNAP_SET(fd, KVM_SET_LAPIC, &st->lapic, "LAPIC");
	*what = "MSRs";
	ret = snapshot_set_msrs(vcpu, st);
	if (ret)
		return ret;
	SNAP_SET(fd, KVM_SET_VCPU_EVENTS, &st->ev, "pending events");
	SNAP_SET(fd, KVM_SET_MP_STATE, &st->mp, "MP state");
	SNAP_SET(fd, KVM_SET_DEBUGREGS, &st->dbg, "debug registers");
	return 0;
}

static int snapshot_load_vcpu(const struct snapshot_file *f, struct vm *vm,
			      const struct cpu_topology *topo, unsigned int i,
			      char *err, size_t errlen)
{
	struct snapshot_vcpu_state *st = calloc(1, sizeof(*st));
	struct kvm_cpuid2 *cpuid;
	struct state_reader r;
	const char *what = "state";
	int ret;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!snapshot_section(f, "vcpu", i, &r) || !snapshot_parse_vcpu(&r, st)) {
		snprintf(err, errlen, "-restore: vCPU %u's state is missing or malformed", i);
		free(st);
		return -EINVAL;
	}
	cpuid = snapshot_cpuid_copy(st);
	ret = cpuid ? snapshot_check_cpuid(vm, topo, i, cpuid->entries, cpuid->nent,
					   err, errlen) : -ENOMEM;
	if (!ret) {
		ret = snapshot_set_vcpu(&vm->vcpus[i], st, cpuid, &what);
		if (ret)
			snprintf(err, errlen, "-restore: vCPU %u: cannot set its %s: %s",
				 i, what, strerror(-ret));
	} else if (!cpuid) {
		snprintf(err, errlen, "out of memory");
	}
	free(cpuid);
	free(st);
	return ret;
}

static int snapshot_load_vm_devices(const struct snapshot_file *f, struct vm *vm,
				    char *err, size_t errlen)
{
	struct kvm_irqchip ic[3];
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
	struct state_reader r;

	if (!snapshot_section(f, "kvm", 0, &r)) {
		snprintf(err, errlen, "-restore: the irqchip and clock state is missing");
		return -EINVAL;
	}
	for (unsigned int chip = 0; chip < 3; chip++)
		state_get_blob(&r, &ic[chip], sizeof(ic[chip]));
	state_get_blob(&r, &pit, sizeof(pit));
	state_get_blob(&r, &clock, sizeof(clock));
	for (unsigned int chip = 0; chip < 3; chip++)
		if (ic[chip].chip_id != chip)
			state_reader_fail(&r);
	if (!state_reader_done(&r)) {
		snprintf(err, errlen, "-restore: the irqchip and clock state is malformed");
		return -EINVAL;
	}
	for (unsigned int chip = 0; chip < 3; chip++)
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &ic[chip]) < 0)
			goto fail;
	if (ioctl(vm->vm_fd, KVM_SET_PIT2, &pit) < 0)
		goto fail;
	/*
	 * The guest's clock goes on from where it stopped; with a realtime
	 * stamp (Linux 5.16+), KVM adds the time the snapshot was on disk,
	 * so the guest's wall clock stays right.
	 */
	clock.flags &= KVM_CLOCK_REALTIME;
	if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0) {
		clock.flags = 0;
		if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "-restore: cannot set the in-kernel irqchip, PIT or clock: %s",
		 strerror(errno));
	return -errno;
}

int snapshot_load_kvm(const struct snapshot_file *f, struct vm *vm,
		      const struct cpu_topology *topo, char *err,
		      size_t errlen)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		int ret = snapshot_load_vcpu(f, vm, topo, i, err, errlen);

		if (ret)
			return ret;
	}
	return snapshot_load_vm_devices(f, vm, err, errlen);
}
