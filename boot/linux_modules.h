/* SPDX-License-Identifier: MIT */
/*
 * Kernel modules a generated initramfs must carry: find a module and what
 * it needs in a kernel's modules.dep (as depmod writes it: one line per
 * module, "PATH: DEP-PATH DEP-PATH ...", paths relative to
 * /lib/modules/VERSION), and tell whether modules.builtin lists it.
 * The text is untrusted and need not be NUL-terminated.  Freestanding.
 */
#ifndef MINIVMM_LINUX_MODULES_H
#define MINIVMM_LINUX_MODULES_H

#include <stdbool.h>
#include <stddef.h>

#define LINUX_MODULES_MAX	32	/* modules in one initramfs */
#define LINUX_MODULES_DEPTH	16	/* longest dependency chain */

/* A module's path: a slice of the modules.dep text. */
struct linux_module_ref {
	const char *path;
	size_t len;
};

/* Modules in load order: every module after the ones it needs. */
struct linux_modules {
	struct linux_module_ref mod[LINUX_MODULES_MAX];
	unsigned int nr;
};

/*
 * Add module name ("virtiofs"; '-' and '_' are the same) and what it
 * needs to out, each once.  Returns 1 when added (or already there), 0
 * when modules.dep has no such module, -1 with one line in err
 * when the text is inconsistent (a dependency without its own line, a
 * chain deeper than LINUX_MODULES_DEPTH or a cycle) or out is full.
 */
int linux_modules_resolve(const char *dep, size_t len, const char *name,
			  struct linux_modules *out, char *err, size_t errlen);
/* modules.builtin (one path per line) lists module name. */
bool linux_modules_builtin(const char *builtin, size_t len, const char *name);
/* The module name of a path ("kernel/fs/fuse/virtiofs.ko.xz" -> "virtiofs",
 * at most cap - 1 bytes, NUL-terminated); its length, 0 if it has none. */
size_t linux_module_name(const char *path, size_t len, char *out, size_t cap);

#endif
