// SPDX-License-Identifier: MIT
#include "vmm/exit_code.h"

int exit_code_for_event(enum guest_event ev)
{
	switch (ev) {
	case GUEST_EVENT_POWEROFF:
		return EXIT_GUEST_POWEROFF;
	case GUEST_EVENT_RESET:
		return EXIT_GUEST_REBOOT;
	case GUEST_EVENT_CRASH:
		return EXIT_GUEST_CRASH;
	case GUEST_EVENT_PANIC:
		return EXIT_GUEST_PANIC;
	case GUEST_EVENT_NETBOOT_FAILED:
		return EXIT_NETBOOT_FAILED;
	case GUEST_EVENT_LOCALBOOT:
		return EXIT_LOCALBOOT;
	case GUEST_EVENT_NETBOOT_DEADLINE:
		return EXIT_NETBOOT_DEADLINE;
	}
	return EXIT_VMM_ERROR;	/* not reached: every event is named above */
}
