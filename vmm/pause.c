// SPDX-License-Identifier: MIT
#include "vmm/pause.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <string.h>
#include <time.h>

#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* How often a pauser repeats the kicks while it waits (a vCPU in an
 * in-kernel HLT, or between its check and KVM_RUN, needs another one). */
#define PAUSE_KICK_INTERVAL_MS 1
/* A vCPU that does not park within this long is stuck in the kernel. */
#define PAUSE_TIMEOUT_MS 5000

int pause_init(struct vm_pause *p, unsigned int nr_slots,
	       void (*kick)(void *ctx, unsigned int slot), void *kick_ctx)
{
	memset(p, 0, sizeof(*p));
	p->slots = calloc(nr_slots ? nr_slots : 1, sizeof(*p->slots));
	if (!p->slots)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->transition, NULL);
	pthread_cond_init(&p->vcpu_cond, NULL);
	pthread_cond_init(&p->pauser_cond, NULL);
	atomic_init(&p->requested, false);
	atomic_init(&p->stopping, false);
	p->nr_slots = nr_slots;
	p->step_slot = -1;
	p->kick = kick;
	p->kick_ctx = kick_ctx;
	p->ready = true;
	return 0;
}

void pause_destroy(struct vm_pause *p)
{
	if (!p->ready)
		return;
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->transition);
	pthread_cond_destroy(&p->vcpu_cond);
	pthread_cond_destroy(&p->pauser_cond);
	free(p->slots);
	p->slots = NULL;
	p->ready = false;
}

/* Kick every slot that may be inside KVM_RUN. Called with the lock held. */
static void pause_kick_running(struct vm_pause *p)
{
	for (unsigned int i = 0; i < p->nr_slots; i++)
		if (p->slots[i].state == PAUSE_SLOT_RUNNING && p->kick)
			p->kick(p->kick_ctx, i);
}

void pause_request(struct vm_pause *p, enum pause_reason why)
{
	if (!p->ready)
		return;
	pthread_mutex_lock(&p->lock);
	if (!p->holders) {
		p->generation++;
		p->nr_parked = 0;
	}
	p->holders |= 1u << why;
	/* Any request ends a step: the stepping vCPU parks with the others. */
	p->step_slot = -1;
	/* Before the kicks: a vCPU that clears immediate_exit and then reads
	 * `requested` false is ahead of this store, so its kick comes after. */
	atomic_store(&p->requested, true);
	pause_kick_running(p);
	pthread_mutex_unlock(&p->lock);
}

static bool pause_all_parked(const struct vm_pause *p)
{
	return p->nr_parked >= p->nr_active && p->step_slot < 0;
}

static void timespec_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_nsec += (long)ms * 1000000L;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

int pause_wait(struct vm_pause *p, unsigned int timeout_ms)
{
	unsigned int waited = 0;
	int ret = 0;

	if (!p->ready)
		return -ESHUTDOWN;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (atomic_load(&p->stopping)) {
			ret = -ESHUTDOWN;
			break;
		}
		if (!p->holders) {
			ret = -EAGAIN;
			break;
		}
		if (pause_all_parked(p))
			break;
		if (waited >= timeout_ms) {
			ret = -ETIMEDOUT;
			break;
		}
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		timespec_add_ms(&until, PAUSE_KICK_INTERVAL_MS);
		if (pthread_cond_timedwait(&p->pauser_cond, &p->lock, &until) == ETIMEDOUT) {
			waited += PAUSE_KICK_INTERVAL_MS;
			if (p->step_slot < 0)
				pause_kick_running(p);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

bool pause_release(struct vm_pause *p, enum pause_reason why)
{
	bool released = false;

	if (!p->ready)
		return false;
	pthread_mutex_lock(&p->lock);
	if (p->holders & (1u << why)) {
		p->holders &= ~(1u << why);
		if (!p->holders) {
			atomic_store(&p->requested, false);
			p->step_slot = -1;
			released = true;
			pthread_cond_broadcast(&p->vcpu_cond);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return released;
}

bool pause_is_held(struct vm_pause *p)
{
	return p->ready && atomic_load(&p->requested);
}

bool pause_held_by(struct vm_pause *p, enum pause_reason why)
{
	bool held;

	if (!p->ready)
		return false;
	pthread_mutex_lock(&p->lock);
	held = p->holders & (1u << why);
	pthread_mutex_unlock(&p->lock);
	return held;
}

void pause_stop(struct vm_pause *p)
{
	if (!p->ready)
		return;
	atomic_store(&p->stopping, true);
	pthread_mutex_lock(&p->lock);
	pthread_cond_broadcast(&p->vcpu_cond);
	pthread_cond_broadcast(&p->pauser_cond);
	pthread_mutex_unlock(&p->lock);
}

int pause_run_on(struct vm_pause *p, unsigned int slot, pause_work_fn fn, void *arg)
{
	struct pause_slot *s;
	int ret = 0;

	if (!p->ready || slot >= p->nr_slots)
		return -EINVAL;
	s = &p->slots[slot];
	pthread_mutex_lock(&p->lock);
	if (s->state == PAUSE_SLOT_RUNNING) {
		ret = -EBUSY;
	} else if (s->state != PAUSE_SLOT_PARKED) {
		/* No thread runs this vCPU: the caller may touch it. */
		fn(slot, arg);
	} else {
		int seq = s->work_seq;

		while (s->work)	/* another pauser's item first */
			pthread_cond_wait(&p->pauser_cond, &p->lock);
		s->work = fn;
		s->work_arg = arg;
		pthread_cond_broadcast(&p->vcpu_cond);
		/* A parked thread runs its item even when a stop wakes it. */
		while (s->work_seq == seq && s->state == PAUSE_SLOT_PARKED)
			pthread_cond_wait(&p->pauser_cond, &p->lock);
		if (s->work_seq == seq) {
			/* Left the park without it (cannot happen, but be exact). */
			s->work = NULL;
			ret = -ESHUTDOWN;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int pause_step(struct vm_pause *p, unsigned int slot)
{
	int ret = 0;

	if (!p->ready || slot >= p->nr_slots)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (!p->holders)
		ret = -EAGAIN;
	else if (p->slots[slot].state != PAUSE_SLOT_PARKED)
		ret = -ESRCH;
	else if (p->step_slot >= 0)
		ret = -EBUSY;
	if (!ret) {
		/* It leaves the park (uncounting itself) and parks again in
		 * the same generation when the step ends. */
		p->step_slot = (int)slot;
		pthread_cond_broadcast(&p->vcpu_cond);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

void pause_slot_start(struct vm_pause *p, unsigned int slot)
{
	if (!p->ready || slot >= p->nr_slots)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->slots[slot].state == PAUSE_SLOT_IDLE) {
		p->slots[slot].state = PAUSE_SLOT_RUNNING;
		p->nr_active++;
	}
	pthread_mutex_unlock(&p->lock);
}

static bool pause_slot_must_park(const struct vm_pause *p, unsigned int slot)
{
	return atomic_load(&p->requested) && !atomic_load(&p->stopping) &&
	       p->step_slot != (int)slot;
}

static void pause_run_work(struct vm_pause *p, struct pause_slot *s, unsigned int slot)
{
	pause_work_fn fn = s->work;
	void *arg = s->work_arg;

	/* Run without the lock: the item may take its time (ioctls), and
	 * this slot stays PARKED meanwhile, so nobody else touches it. */
	pthread_mutex_unlock(&p->lock);
	fn(slot, arg);
	pthread_mutex_lock(&p->lock);
	s->work = NULL;
	s->work_seq++;
	pthread_cond_broadcast(&p->pauser_cond);
}

bool pause_checkpoint(struct vm_pause *p, unsigned int slot)
{
	struct pause_slot *s;

	if (!p->ready)
		return true;
	if (!atomic_load(&p->requested))
		return !atomic_load(&p->stopping);
	s = &p->slots[slot];
	pthread_mutex_lock(&p->lock);
	while (pause_slot_must_park(p, slot) || s->work) {
		if (s->work) {
			pause_run_work(p, s, slot);
			continue;
		}
		/* Once per generation, however often this thread is woken. */
		if (s->parked_gen != p->generation || s->state != PAUSE_SLOT_PARKED) {
			s->parked_gen = p->generation;
			s->state = PAUSE_SLOT_PARKED;
			p->nr_parked++;
			pthread_cond_broadcast(&p->pauser_cond);
		}
		pthread_cond_wait(&p->vcpu_cond, &p->lock);
	}
	if (s->state == PAUSE_SLOT_PARKED && s->parked_gen == p->generation &&
	    p->nr_parked)
		p->nr_parked--;
	s->state = PAUSE_SLOT_RUNNING;
	pthread_mutex_unlock(&p->lock);
	return !atomic_load(&p->stopping);
}

void pause_slot_exit(struct vm_pause *p, unsigned int slot)
{
	struct pause_slot *s;

	if (!p->ready || slot >= p->nr_slots)
		return;
	s = &p->slots[slot];
	pthread_mutex_lock(&p->lock);
	if (s->state == PAUSE_SLOT_RUNNING || s->state == PAUSE_SLOT_PARKED) {
		if (s->state == PAUSE_SLOT_PARKED && s->parked_gen == p->generation &&
		    p->nr_parked)
			p->nr_parked--;
		p->nr_active--;
	}
	s->state = PAUSE_SLOT_GONE;
	if (p->step_slot == (int)slot)
		p->step_slot = -1;
	pthread_cond_broadcast(&p->pauser_cond);
	pthread_mutex_unlock(&p->lock);
}

/* ---- bound to the VM ---- */

/*
 * The guest's kvmclock stands still while the VM is paused, as QEMU does
 * it: read at the pause (every vCPU parked), written back at resume
 * (before any vCPU runs), then each vCPU told it was stopped
 * (KVM_KVMCLOCK_CTRL: the guest's soft-lockup watchdog does not fire).
 * Without this the guest's clock would jump by the paused time.
 */
static void vm_freeze_clock(struct vm *vm)
{
	struct kvm_clock_data data = { .flags = 0 };

	if (vm->vm_fd < 0 || vm->clock_frozen)
		return;
	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &data) < 0)
		return;		/* no kvmclock: nothing to keep */
	vm->paused_clock_ns = data.clock;
	vm->clock_frozen = true;
}

static void vm_clock_ctrl(struct vcpu *vcpu, void *arg)
{
	(void)arg;
	/* EINVAL: the guest has not enabled kvmclock on this vCPU. */
	ioctl(vcpu->fd, KVM_KVMCLOCK_CTRL, 0);
}

static void vm_thaw_clock(struct vm *vm)
{
	struct kvm_clock_data data = { .flags = 0 };

	if (!vm->clock_frozen)
		return;
	vm->clock_frozen = false;
	data.clock = vm->paused_clock_ns;
	if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &data) < 0)
		log_warn("KVM_SET_CLOCK: %s (the guest's clock jumps)", strerror(errno));
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm_pause_run_on(vm, i, vm_clock_ctrl, NULL);
}

static void vm_pause_devices_quiesce(struct vm *vm)
{
	if (!vm->devices_quiesced) {
		vm_freeze_clock(vm);
		if (vm->pause_devices.quiesce)
			vm->pause_devices.quiesce(vm->pause_devices.ctx);
	}
	vm->devices_quiesced = true;
}

static void vm_pause_devices_resume(struct vm *vm)
{
	if (vm->devices_quiesced) {
		if (vm->pause_devices.resume)
			vm->pause_devices.resume(vm->pause_devices.ctx);
		vm_thaw_clock(vm);
	}
	vm->devices_quiesced = false;
}

int vm_pause(struct vm *vm, enum pause_reason why)
{
	int ret;

	if (!vm->pause.ready)
		return -ESHUTDOWN;
	pthread_mutex_lock(&vm->pause.transition);
	pause_request(&vm->pause, why);
	ret = pause_wait(&vm->pause, PAUSE_TIMEOUT_MS);
	if (!ret)
		vm_pause_devices_quiesce(vm);
	pthread_mutex_unlock(&vm->pause.transition);
	return ret;
}

void vm_resume(struct vm *vm, enum pause_reason why)
{
	struct vm_pause *p = &vm->pause;
	bool last;

	if (!p->ready)
		return;
	pthread_mutex_lock(&p->transition);
	pthread_mutex_lock(&p->lock);
	last = p->holders == (1u << why);
	pthread_mutex_unlock(&p->lock);
	/* Devices run again before the vCPUs that will use them. */
	if (last)
		vm_pause_devices_resume(vm);
	pause_release(p, why);
	pthread_mutex_unlock(&p->transition);
}

bool vm_is_paused(const struct vm *vm)
{
	return pause_is_held((struct vm_pause *)&vm->pause);
}

void vm_pause_request(struct vm *vm, enum pause_reason why)
{
	pause_request(&vm->pause, why);
}

struct vm_run_on_ctx {
	struct vm *vm;
	void (*fn)(struct vcpu *vcpu, void *arg);
	void *arg;
};

static void vm_run_on_slot(unsigned int slot, void *arg)
{
	struct vm_run_on_ctx *c = arg;

	c->fn(&c->vm->vcpus[slot], c->arg);
}

int vm_pause_run_on(struct vm *vm, unsigned int vcpu,
		    void (*fn)(struct vcpu *vcpu, void *arg), void *arg)
{
	struct vm_run_on_ctx c = { vm, fn, arg };

	if (vcpu >= vm->nr_vcpus)
		return -EINVAL;
	return pause_run_on(&vm->pause, vcpu, vm_run_on_slot, &c);
}

int vm_pause_step(struct vm *vm, unsigned int vcpu)
{
	return pause_step(&vm->pause, vcpu);
}

int vm_pause_wait(struct vm *vm)
{
	return pause_wait(&vm->pause, PAUSE_TIMEOUT_MS);
}
