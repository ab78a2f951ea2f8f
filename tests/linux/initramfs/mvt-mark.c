// SPDX-License-Identifier: MIT
/*
 * mvt-mark BYTE: write BYTE to minivmm's debug port 0x510, a phase mark
 * that -trace-boot prints with its time (docs/usage.md).  The test init
 * marks "userspace reached" with it.  A program rather than dd to
 * /dev/port: Debian's cloud kernel has no /dev/port (CONFIG_DEVPORT off).
 * Built statically into the layer-3 initramfs by build-initramfs.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define MVT_MARK_PORT 0x510	/* PORT_DEBUG_TRACE, boot/layout.h */

int main(int argc, char **argv)
{
	unsigned long v;
	char *end;

	if (argc != 2) {
		fprintf(stderr, "usage: mvt-mark BYTE\n");
		return 2;
	}
	v = strtoul(argv[1], &end, 0);
	if (*argv[1] == 0 || *end || v > 255) {
		fprintf(stderr, "mvt-mark: not a byte: %s\n", argv[1]);
		return 2;
	}
	if (ioperm(MVT_MARK_PORT, 1, 1)) {
		perror("mvt-mark: ioperm");
		return 1;
	}
	outb((unsigned char)v, MVT_MARK_PORT);
	return 0;
}
