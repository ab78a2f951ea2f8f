/* SPDX-License-Identifier: MIT */
/*
 * The run-status port (PORT_RUN_STATUS, 0x518): minivmm's -rootfs init
 * writes one byte, the exit status of the command it ran (or 125 when it
 * could not run it), just before it powers off.  The device hands the
 * byte to its callback; the machine ends the run with it as the exit code
 * (docs/usage.md).  Only the first write counts; reads return 0xff (no
 * such register), wider accesses are ignored.  The port exists only with
 * -rootfs.
 */
#ifndef MINIVMM_RUN_STATUS_H
#define MINIVMM_RUN_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#define RUN_STATUS_NR_PORTS	1

struct run_status {
	/* private */
	void (*report)(void *opaque, uint8_t status);
	void *opaque;
	bool reported;
};

void run_status_init(struct run_status *r,
		     void (*report)(void *opaque, uint8_t status), void *opaque);
/* bus_read_fn / bus_write_fn for the one port. */
void run_status_pio_read(void *opaque, uint64_t offset, void *data,
			 uint32_t size);
void run_status_pio_write(void *opaque, uint64_t offset, const void *data,
			  uint32_t size);

#endif
