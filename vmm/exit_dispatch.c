// SPDX-License-Identifier: MIT
#include "vmm/exit_dispatch.h"

#include <stdint.h>

bool exit_dispatch_io(const struct bus *pio, struct kvm_run *run,
		      size_t run_size)
{
	/* Read once: the data area must not be able to change them. */
	const uint32_t size = run->io.size, count = run->io.count;
	const uint64_t off = run->io.data_offset;
	const uint16_t port = run->io.port;
	const bool out = run->io.direction == KVM_EXIT_IO_OUT;
	uint64_t bytes = (uint64_t)count * size;
	uint8_t *data;

	if ((size != 1 && size != 2 && size != 4) || off < sizeof(*run) ||
	    off > run_size || bytes > run_size - off)
		return false;
	data = (uint8_t *)run + off;
	for (uint32_t i = 0; i < count; i++, data += size) {
		if (out)
			bus_write(pio, port, data, size);
		else
			bus_read(pio, port, data, size);
	}
	return true;
}

void exit_dispatch_mmio(const struct bus *mmio, struct kvm_run *run)
{
	uint32_t len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (run->mmio.is_write)
		bus_write(mmio, run->mmio.phys_addr, run->mmio.data, len);
	else
		bus_read(mmio, run->mmio.phys_addr, run->mmio.data, len);
}
