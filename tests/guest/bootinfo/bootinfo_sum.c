// SPDX-License-Identifier: MIT
/*
 * Host side of the boot-info initrd check: prints the same Fletcher-64
 * word sum the guest prints as "initrd.sum=" for the given file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/guest/lib/guest_checksum.h"

int main(int argc, char **argv)
{
	struct fletcher64 f = { 0, 0 };
	static unsigned char buf[1 << 16];	/* a multiple of 8 */
	size_t n;
	FILE *fp;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	fp = fopen(argv[1], "rb");
	if (!fp) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* Only the last chunk may end inside a word: fill each one. */
	do {
		size_t got;

		n = 0;
		do {
			got = fread(buf + n, 1, sizeof(buf) - n, fp);
			n += got;
		} while (got && n < sizeof(buf));
		fletcher64_words(&f, buf, n);
	} while (n == sizeof(buf));
	if (ferror(fp)) {
		fprintf(stderr, "%s: read error\n", argv[1]);
		fclose(fp);
		return 1;
	}
	fclose(fp);
	printf("%016llx%016llx\n", (unsigned long long)f.a,
	       (unsigned long long)f.b);
	return 0;
}
