// SPDX-License-Identifier: MIT
#include "vmm/emergency.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "net/tap.h"
#include "vmm/console.h"

/* The armed record: see emergency.h for why this one pointer is global. */
static struct emergency *_Atomic emergency_armed;

void emergency_arm(struct emergency *e, int wake_fd)
{
	e->wake_fd = wake_fd;
	atomic_store(&e->requested, false);
	atomic_store(&emergency_armed, e);
}

void emergency_disarm(void)
{
	atomic_store(&emergency_armed, NULL);
}

void emergency_add_tap(struct emergency *e, struct tap *tap)
{
	if (e->nr_taps < EMERGENCY_MAX_TAPS && tap_needs_restore(tap))
		e->taps[e->nr_taps++] = tap;
}

bool emergency_has_taps(const struct emergency *e)
{
	return e->nr_taps > 0;
}

void emergency_exit(int code)
{
	struct emergency *e = atomic_load(&emergency_armed);

	if (e)
		for (unsigned int i = 0; i < e->nr_taps; i++)
			tap_restore(e->taps[i]);
	console_restore_terminal();
	_exit(code);
}

void emergency_request(int code)
{
	struct emergency *e = atomic_load(&emergency_armed);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	uint64_t one = 1;

	if (e && e->wake_fd >= 0) {
		atomic_store(&e->requested, true);
		if (write(e->wake_fd, &one, sizeof(one)) < 0)
			one = 0;	/* nobody to wake: fall through */
		for (unsigned int t = 0; one && t < EMERGENCY_WAIT_MS / 10; t++)
			nanosleep(&tick, NULL);
	}
	console_restore_terminal();
	_exit(code);
}

bool emergency_requested(void)
{
	struct emergency *e = atomic_load(&emergency_armed);

	return e && atomic_load(&e->requested);
}
