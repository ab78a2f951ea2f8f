/* SPDX-License-Identifier: MIT */
/*
 * Stop the world: every vCPU out of KVM_RUN and parked, for whoever needs
 * the guest frozen (QMP stop, the GDB stub, -S, later snapshots).
 *
 * The VM runs only while nobody holds it.  Holders are a set of reasons:
 * each reason holds at most once (a second vm_pause() with the same reason
 * is a no-op, one vm_resume() releases it: QEMU's stop/cont semantics), and
 * reasons overlap (QMP and gdb may both hold; the guest runs again only
 * when both let go).  A stop request (vm_request_stop: SIGTERM, power-off)
 * always wins: parked vCPUs wake and leave, pausers stop waiting.
 *
 * How a vCPU is parked: the pauser raises `requested`, sets the vCPU's
 * immediate_exit and sends it the kick signal; the vCPU thread checks the
 * flag before every KVM_RUN (pause_checkpoint) and parks on a condition
 * variable.  Each pause is a new generation: a vCPU counts itself parked
 * once per generation, so a late kick or a spurious wake-up cannot make
 * it count twice (or park in a pause that has already ended).
 *
 * Registers of a parked vCPU are read and written on the vCPU's own thread
 * (pause_run_on / vm_pause_run_on): KVM accepts vCPU ioctls from any
 * thread of the process, but it loads the vCPU on the calling thread's CPU
 * each time; running the callback where the vCPU lives keeps every vCPU
 * ioctl on one thread, as at run time, and serialises them with KVM_RUN
 * by construction.
 *
 * Stepping: while the VM is held, pause_step() lets exactly one vCPU run;
 * it runs until something requests a pause again (the GDB stub does, from
 * the vCPU's own KVM_EXIT_DEBUG) while the others stay parked.
 *
 * The core (struct vm_pause, pause_*) knows nothing of KVM: vCPUs are
 * slots and a kick is a callback, so the unit tests drive it with plain
 * threads.  vm_pause() and friends bind it to a struct vm.
 */
#ifndef MINIVMM_PAUSE_H
#define MINIVMM_PAUSE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum pause_reason {
	PAUSE_STARTUP,		/* -S: nothing runs until gdb or QMP says so */
	PAUSE_QMP,		/* QMP stop */
	PAUSE_GDB,		/* a debugger is looking at the guest */
	PAUSE_SNAPSHOT,		/* saving or loading state */
	PAUSE_TIMEOUT,		/* -timeout: read each vCPU's RIP before stopping */
	PAUSE_NR_REASONS
};

enum pause_slot_state {
	PAUSE_SLOT_IDLE,	/* thread not started (yet) */
	PAUSE_SLOT_RUNNING,
	PAUSE_SLOT_PARKED,
	PAUSE_SLOT_GONE,	/* thread has left its run loop */
};

typedef void (*pause_work_fn)(unsigned int slot, void *arg);

struct pause_slot {
	enum pause_slot_state state;
	uint64_t parked_gen;		/* generation this slot last parked in */
	pause_work_fn work;		/* to run on the slot's thread, or NULL */
	void *work_arg;
	int work_seq;			/* bumped when a work item is done */
};

struct vm_pause {
	bool ready;
	pthread_mutex_t lock;
	pthread_cond_t vcpu_cond;	/* parked vCPUs wait here */
	pthread_cond_t pauser_cond;	/* pausers wait here */
	/* Serialises vm_pause()/vm_resume() so device hooks run once. */
	pthread_mutex_t transition;

	atomic_bool requested;		/* read lock-free before every KVM_RUN */
	atomic_bool stopping;		/* stop wins: set once, never cleared */
	unsigned int holders;		/* bit set of enum pause_reason */
	uint64_t generation;
	int step_slot;			/* the one slot allowed to run, or -1 */

	unsigned int nr_slots;
	unsigned int nr_parked;		/* slots parked in this generation */
	unsigned int nr_active;		/* slots that are RUNNING or PARKED */
	struct pause_slot *slots;

	/* Get a slot's thread out of whatever blocks it (signal + immediate_exit). */
	void (*kick)(void *ctx, unsigned int slot);
	void *kick_ctx;
};

/* ---- the core ---- */
int pause_init(struct vm_pause *p, unsigned int nr_slots,
	       void (*kick)(void *ctx, unsigned int slot), void *kick_ctx);
void pause_destroy(struct vm_pause *p);

/* Non-blocking: add a holder and ask every vCPU to park (any thread, vCPUs too). */
void pause_request(struct vm_pause *p, enum pause_reason why);
/*
 * Wait until every vCPU thread is parked (or gone) and no step is running.
 * 0, -ESHUTDOWN when a stop request won, -EAGAIN when nobody holds the VM
 * any more, -ETIMEDOUT when a vCPU did not park within timeout_ms.
 */
int pause_wait(struct vm_pause *p, unsigned int timeout_ms);
/* Drop a holder; true if that released the VM (no holder left). */
bool pause_release(struct vm_pause *p, enum pause_reason why);
bool pause_is_held(struct vm_pause *p);
bool pause_held_by(struct vm_pause *p, enum pause_reason why);
/* Stop wins: wake everybody for good (called by vm_request_stop). */
void pause_stop(struct vm_pause *p);

/*
 * Run fn(slot, arg) on the slot's own thread while it is parked, and wait
 * for it; a slot whose thread is not started or has gone runs fn on the
 * caller (nothing else touches it then).  -EBUSY if the slot is running.
 */
int pause_run_on(struct vm_pause *p, unsigned int slot, pause_work_fn fn, void *arg);
/*
 * While held and parked: let only `slot` run until the next pause_request()
 * (from any thread; typically the slot's own debug exit).  Returns at once;
 * pause_wait() then waits for the slot to park again.
 */
int pause_step(struct vm_pause *p, unsigned int slot);

/* ---- the vCPU thread's side ---- */
void pause_slot_start(struct vm_pause *p, unsigned int slot);
/*
 * Before every KVM_RUN: parks while the VM is held (running work items
 * meanwhile); returns at once when not.  Returns false if the thread must
 * leave its loop (stop requested).
 */
bool pause_checkpoint(struct vm_pause *p, unsigned int slot);
void pause_slot_exit(struct vm_pause *p, unsigned int slot);

/* ---- bound to the VM ---- */
struct vm;
struct vcpu;

/*
 * Hold the VM for `why` and wait until every vCPU is parked and devices
 * are quiesced.  Callable from any thread except a vCPU's.  0 or a
 * negative errno as pause_wait (on -ETIMEDOUT the hold stays: resume it).
 */
int vm_pause(struct vm *vm, enum pause_reason why);
/* Drop the hold for `why`; the guest runs again when no holder is left. */
void vm_resume(struct vm *vm, enum pause_reason why);
bool vm_is_paused(const struct vm *vm);
/* Non-blocking request, safe on a vCPU thread (the debug-exit path). */
void vm_pause_request(struct vm *vm, enum pause_reason why);
/* Run fn on a parked vCPU's thread (registers, guest debug settings). */
int vm_pause_run_on(struct vm *vm, unsigned int vcpu,
		    void (*fn)(struct vcpu *vcpu, void *arg), void *arg);
/* Let one vCPU run alone until the next vm_pause_request(); see pause_step. */
int vm_pause_step(struct vm *vm, unsigned int vcpu);
/* Wait for the world to be parked again after a step or a request. */
int vm_pause_wait(struct vm *vm);

/*
 * Device quiescing: the device table's quiesce/resume ops, called once
 * when the first holder arrives (after the vCPUs are parked) and once
 * when the last one leaves (before they run).  Filled by the machine.
 */
struct vm_pause_devices {
	void (*quiesce)(void *ctx);
	void (*resume)(void *ctx);
	void *ctx;
};

#endif
