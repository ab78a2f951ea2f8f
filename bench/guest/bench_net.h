/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net side of the benchmark guest: sends n small frames through
 * the firmware's polled virtio-net driver (boot/firmware/vnet.c) and waits
 * until the device has taken them all, so the host's per-frame cost can be
 * measured (scripts/bench.sh, "device cost").
 */
#ifndef BENCH_NET_H
#define BENCH_NET_H

#include <stdint.h>

struct bench_net_result {
	uint64_t base;		/* virtio-mmio window used; 0: none found */
	char why[96];		/* why the device could not be used, or "" */
	uint8_t mac[6];		/* the device's (source of our frames) */
	unsigned int done;	/* frames the device gave back */
	unsigned int errors;	/* frames never given back; no device: n or 1 */
	uint64_t tsc;		/* TSC ticks from the first send to the last reclaim */
};

/* Sends n frames of 64 payload bytes to the broadcast address. */
void bench_net_run(unsigned int n, struct bench_net_result *r);

#endif
