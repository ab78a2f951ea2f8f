// SPDX-License-Identifier: MIT
/*
 * modules.dep and modules.builtin as -rootfs reads them: a hostile text
 * (cycles, self-references, missing lines, no newline at the end) never
 * reads outside its buffer, never loops without end, and what it resolves
 * are slices of the text, each listed once.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/linux_modules.h"

static const char *const names[] = {
	"virtio_mmio", "virtiofs", "overlay", "pvpanic-mmio", "fuse", "a",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_modules mods = { .nr = 0 };
	char *text = malloc(size ? size : 1);	/* exact size, no NUL */
	char name[64];

	memcpy(text, data, size);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char why[256] = "";
		int r = linux_modules_resolve(text, size, names[i], &mods, why, sizeof(why));

		assert(r >= -1 && r <= 1);
		assert(r >= 0 || why[0]);
		(void)linux_modules_builtin(text, size, names[i]);
	}
	assert(mods.nr <= LINUX_MODULES_MAX);
	for (unsigned int i = 0; i < mods.nr; i++) {
		assert(mods.mod[i].path >= text &&
		       mods.mod[i].path + mods.mod[i].len <= text + size);
		for (unsigned int j = 0; j < i; j++)
			assert(mods.mod[j].path != mods.mod[i].path);
		(void)linux_module_name(mods.mod[i].path, mods.mod[i].len, name,
					sizeof(name));
	}
	free(text);
	return 0;
}
