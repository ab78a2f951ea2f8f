// SPDX-License-Identifier: MIT
/*
 * The snapshot file parser (vmm/snapshot_format.c) on a fuzzed file: the
 * input is the whole file (state part and RAM), as -restore would read
 * it.  A file that parses has its RAM range inside the input (what
 * -restore maps); then every section goes to the loader -restore would
 * give it (a vCPU's parser, the serial port, the GED, the ACPI PM
 * registers, a virtio-blk device on a scratch image or a virtio-net device
 * on a socketpair, whose restored queues are then kicked with the RAM the
 * input's tail fills), and any other
 * section is walked as a stream of blobs.
 * Oracles: ASan/UBSan, and the RAM range check below (a parsed file can
 * never make -restore map beyond its end).
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/acpi_pm.h"
#include "devices/ged.h"
#include "devices/serial.h"
#include "devices/state_stream.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "tests/fuzz/fuzz_virtio_driver.h"
#include "vmm/snapshot.h"
#include "vmm/snapshot_format.h"

static struct snap_index idx;
static struct snapshot_vcpu_state vcpu_state;

static void fuzz_irq(void *opaque, int level)
{
	(void)opaque;
	(void)level;
}

static void fuzz_ged_irq(void *opaque)
{
	(void)opaque;
}

static struct fake_virtio_host fuzz_h;
static struct virtio_blk *fuzz_blk;

static void fuzz_blk_setup(void)
{
	static char path[] = "/tmp/minivmm-fuzz-snap-XXXXXX";
	struct drive_config dc = { .cache = DRIVE_CACHE_UNSAFE };
	char err[256];
	int fd;

	fake_virtio_host_init(&fuzz_h, FUZZ_RAM_SIZE, FUZZ_SLOT);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 65536) < 0)
		abort();
	close(fd);
	dc.path = path;
	if (virtio_blk_create(&fuzz_blk, &fuzz_h.ops, &fuzz_h.mem, FAKE_WINDOW(FUZZ_SLOT),
			      &dc, err, sizeof(err)) ||
	    virtio_blk_start(fuzz_blk, NULL)) {
		fprintf(stderr, "fuzz_snapshot: %s\n", err);
		abort();
	}
	unlink(path);
}

/* A restored disk serves what its restored queues say, then resets. */
static void fuzz_load_blk(struct state_reader *r, const uint8_t *ram,
			  size_t ram_len)
{
	if (!fuzz_blk)
		fuzz_blk_setup();
	memset(fuzz_h.ram, 0, FUZZ_RAM_FILL);
	memcpy(fuzz_h.ram, ram, ram_len < FUZZ_RAM_FILL ? ram_len : FUZZ_RAM_FILL);
	if (virtio_blk_load(fuzz_blk, r) == 0)
		fuzz_kick_and_reset(&fuzz_h, 1);
	assert(fake_virtio_rd(&fuzz_h, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC);
}

/* The NIC sits in the next slot, on the disk's RAM. */
static struct fake_virtio_host fuzz_net_h;
static struct virtio_net *fuzz_net;
static int fuzz_net_peer = -1;

static void fuzz_net_setup(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	char err[256];
	int sv[2];

	fake_virtio_host_init(&fuzz_net_h, 0, FUZZ_SLOT + 1);
	fuzz_net_h.mem = fuzz_h.mem;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv))
		abort();
	fuzz_net_peer = sv[1];
	if (virtio_net_create_on_fd(&fuzz_net, &fuzz_net_h.ops, &fuzz_net_h.mem,
				    FAKE_WINDOW(FUZZ_SLOT + 1), sv[0], mac, err,
				    sizeof(err)) ||
	    virtio_net_start(fuzz_net, NULL)) {
		fprintf(stderr, "fuzz_snapshot: %s\n", err);
		abort();
	}
}

/* A restored NIC sends what its restored TX queue holds, then resets. */
static void fuzz_load_net(struct state_reader *r, const uint8_t *ram,
			  size_t ram_len)
{
	uint8_t frame[2048];

	if (!fuzz_blk)
		fuzz_blk_setup();
	if (!fuzz_net)
		fuzz_net_setup();
	memset(fuzz_h.ram, 0, FUZZ_RAM_FILL);
	memcpy(fuzz_h.ram, ram, ram_len < FUZZ_RAM_FILL ? ram_len : FUZZ_RAM_FILL);
	virtio_net_quiesce(fuzz_net);
	/* A load happens before the I/O thread runs: it is parked here. */
	if (virtio_net_load(fuzz_net, r) == 0) {
		virtio_net_resume(fuzz_net);
		fuzz_kick_and_reset(&fuzz_net_h, 2);
	} else {
		virtio_net_resume(fuzz_net);
		fake_virtio_wr(&fuzz_net_h, VIRTIO_MMIO_STATUS, 0);
	}
	while (read(fuzz_net_peer, frame, sizeof(frame)) > 0)
		;
	assert(fake_virtio_rd(&fuzz_net_h, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC);
}

/* The loader -restore runs on this section; false if none (walk it). */
static bool fuzz_load_section(const char *name, const uint8_t *p, uint64_t n,
			      const uint8_t *ram, size_t ram_len)
{
	struct state_reader r;

	state_reader_init(&r, p, n);
	if (!strcmp(name, "vcpu")) {
		snapshot_parse_vcpu(&r, &vcpu_state);
	} else if (!strcmp(name, "dev:serial")) {
		struct serial s;

		serial_init(&s, -1, fuzz_irq, NULL);
		if (!serial_load(&s, &r))
			assert(s.rx_count <= SERIAL_RX_FIFO_SIZE);
		serial_destroy(&s);
	} else if (!strcmp(name, "dev:ged")) {
		struct ged g;

		ged_init(&g, fuzz_ged_irq, NULL);
		ged_load(&g, &r);
	} else if (!strcmp(name, "dev:virtio-blk")) {
		fuzz_load_blk(&r, ram, ram_len);
	} else if (!strcmp(name, "dev:virtio-net")) {
		fuzz_load_net(&r, ram, ram_len);
	} else if (!strcmp(name, "dev:acpi-pm")) {
		struct acpi_pm pm;

		acpi_pm_init(&pm, NULL, NULL);
		acpi_pm_load(&pm, &r);
	} else {
		return false;
	}
	return true;
}

static void fuzz_walk_section(const uint8_t *p, uint64_t size)
{
	struct state_reader r;
	uint32_t n;

	state_reader_init(&r, p, size);
	while (!r.bad && r.off < r.len)
		state_get_blob_ref(&r, STATE_STREAM_MAX, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	uint64_t meta = snap_meta_size(data, size);
	/* -restore reads meta bytes (if the header asks for sane ones) */
	size_t len = meta && meta <= size ? meta : size;

	if (snap_parse(&idx, data, len, size, err, sizeof(err)))
		return 0;
	assert(idx.hdr.mem_offset % SNAP_PAGE_SIZE == 0);
	assert(idx.hdr.mem_offset + idx.hdr.mem_size <= size);
	assert(idx.hdr.mem_offset >= idx.hdr.meta_size);
	for (unsigned int i = 0; i < idx.nr; i++) {
		uint64_t n;
		const uint8_t *p = snap_find(&idx, idx.sec[i].name,
					     idx.sec[i].instance, &n);

		assert(p && p >= data && p + n <= data + len);
		if (!fuzz_load_section(idx.sec[i].name, p, n,
				       data + idx.hdr.mem_offset, idx.hdr.mem_size))
			fuzz_walk_section(p, n);
	}
	return 0;
}
