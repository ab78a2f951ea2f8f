/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng (entropy device, virtio 1.x section 5.4; device ID
 * VIRTIO_ID_RNG from <linux/virtio_ids.h>): one request queue whose
 * device-writable buffers are filled from the host's getrandom(), so a
 * guest never waits for entropy at boot.  Served on the notifying vCPU's
 * thread (struct virtio_device_ops' notify): no I/O thread, nothing to
 * start, pause or stop.  No feature bits, no config space.
 */
#ifndef MINIVMM_VIRTIO_RNG_H
#define MINIVMM_VIRTIO_RNG_H

#include <stddef.h>
#include <stdio.h>

#include "devices/virtio_mmio.h"

struct virtio_rng;

/* Bytes served per request at most (one notify serves at most a ring's worth). */
#define VIRTIO_RNG_MAX_REQUEST (64 * 1024)

/* Returns 0, or -errno with one line in err. */
int virtio_rng_create(struct virtio_rng **out,
		      const struct virtio_mmio_host *host,
		      const struct guest_mem *mem,
		      const struct virtio_mmio_window *win, char *err,
		      size_t errlen);
/* Snapshots: the transport and queue state (nothing else is kept). */
struct state_writer;
struct state_reader;
void virtio_rng_save(struct virtio_rng *rng, struct state_writer *w);
int virtio_rng_load(struct virtio_rng *rng, struct state_reader *r);
void virtio_rng_destroy(struct virtio_rng *rng);
void virtio_rng_print_stats(const struct virtio_rng *rng, FILE *f);

#endif
