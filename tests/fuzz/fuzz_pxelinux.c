// SPDX-License-Identifier: MIT
/*
 * pxelinux.cfg parser and label choice on hostile configs.  The input is
 * split at NUL bytes: the first piece is the config, the later ones are
 * what INCLUDE fetches return (in turn), so include chains and loops are
 * explored too.  The chosen command line must be a terminated string.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/pxelinux.h"

struct fuzz_files {
	const char *text[8];
	size_t len[8];
	unsigned int nr, next;
};

static int fuzz_fetch(void *ctx, const char *path, unsigned int depth,
		      const char **text, size_t *len)
{
	struct fuzz_files *f = ctx;

	assert(strlen(path) < PXE_PATH_MAX);
	assert(depth < 64);
	if (f->next >= f->nr)
		return -1;
	*text = f->text[f->next];
	*len = f->len[f->next];
	f->next++;
	return 0;
}

static void fuzz_terminated(const char *s, size_t cap)
{
	assert(memchr(s, 0, cap));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_files files = { .nr = 0 };
	struct pxe_config *cfg = malloc(sizeof(*cfg));
	struct pxe_boot *boot = malloc(sizeof(*boot));
	struct pxe_netinfo ni = {
		.client_ip = 0x0a000002, .server_ip = 0x0a000001,
		.gateway = 0x0a000001, .netmask = 0xffffff00,
		.mac = { 0x52, 0x54, 0, 1, 2, 3 },
	};
	char *copy = malloc(size + 1), *p = copy, *end = copy + size;
	char item[PXE_PATH_MAX], joined[PXE_PATH_MAX];

	memcpy(copy, data, size);
	copy[size] = 0;
	while (p <= end && files.nr < 8) {
		char *z = memchr(p, 0, (size_t)(end - p) + 1);

		files.text[files.nr] = p;
		files.len[files.nr++] = (size_t)(z - p);
		p = z + 1;
	}
	/* Each piece is its own allocation: ASan catches a read past it. */
	for (unsigned int i = 0; i < files.nr; i++) {
		char *t = malloc(files.len[i] ? files.len[i] : 1);

		memcpy(t, files.text[i], files.len[i]);
		files.text[i] = t;
	}
	files.next = 1;
	pxe_cfg_init(cfg);
	pxe_cfg_parse(cfg, files.text[0], files.len[0], fuzz_fetch, &files);
	if (pxe_cfg_choose(cfg, &ni, "console=ttyS0", boot) == 0) {
		fuzz_terminated(boot->label, sizeof(boot->label));
		fuzz_terminated(boot->kernel, sizeof(boot->kernel));
		fuzz_terminated(boot->initrd, sizeof(boot->initrd));
		fuzz_terminated(boot->cmdline, sizeof(boot->cmdline));
		for (unsigned int i = 0; i < 4; i++)
			if (pxe_initrd_item(boot->initrd, i, item, sizeof(item)))
				fuzz_terminated(item, sizeof(item));
	}
	if (files.nr > 1 && files.len[1] < 512) {
		char name[600];

		memcpy(name, files.text[1], files.len[1]);
		name[files.len[1]] = 0;
		if (pxe_path_prefix(name, files.len[0] < 300 ? copy : "", item,
				    sizeof(item)))
			fuzz_terminated(item, sizeof(item));
		else
			item[0] = 0;
		if (pxe_join(item, name, joined, sizeof(joined)))
			fuzz_terminated(joined, sizeof(joined));

		struct pxe_lookup lk = { .prefix = item, .mac = { 1, 2, 3 },
					 .ip = 0xc0a80001 };

		for (unsigned int i = 0; i < 16; i++)
			if (pxe_config_path(&lk, i, joined, sizeof(joined)))
				fuzz_terminated(joined, sizeof(joined));
	}
	for (unsigned int i = 0; i < files.nr; i++)
		free((void *)files.text[i]);
	free(copy);
	free(boot);
	free(cfg);
	return 0;
}
