/* SPDX-License-Identifier: MIT */
/*
 * -rootfs DIR: the initramfs minivmm generates in memory (newc cpio) and
 * the kernel command line that goes with it.  The initramfs holds the
 * built-in init (boot/init), the kernel modules it needs from
 * DIR/lib/modules/RELEASE (virtio_mmio, virtiofs, overlay and what
 * modules.dep says they need; pvpanic_mmio when there is one) and, under
 * /minivmm/, what the init must know: the share's tag, the -run command,
 * the starting directory, the host terminal's size and TERM, the hostname.
 * docs/kernel-dev.md describes the whole.
 */
#ifndef MINIVMM_ROOTFS_H
#define MINIVMM_ROOTFS_H

#include <stddef.h>
#include <stdint.h>

struct config;

struct rootfs_image {
	uint8_t *initrd;
	size_t initrd_size;
	char *cmdline;
};

/* What the guest learns from the host, gathered before the archive. */
struct rootfs_env {
	const char *cwd;	/* directory inside DIR, "/" when outside */
	unsigned int rows, cols;/* 0: unknown (not a terminal) */
	const char *term;	/* TERM, or NULL */
	const char *hostname;
};

#define ROOTFS_MODULE_MAX_BYTES (64u << 20)	/* one .ko */
#define ROOTFS_MODULES_MAX_BYTES (256u << 20)	/* all of them */
#define ROOTFS_LIST_MAX_BYTES (16u << 20)	/* modules.dep, modules.builtin */
#define ROOTFS_CMDLINE_PREFIX "console=ttyS0 quiet panic=-1"

/* Build img for cfg (cfg->rootfs set).  0, or -1 with one line in err. */
int rootfs_build(const struct config *cfg, struct rootfs_image *img,
		 char *err, size_t errlen);
void rootfs_free(struct rootfs_image *img);

/*
 * The guest's starting directory for host directory cwd when the shared
 * root is root (both absolute, canonical): cwd below root, as seen from
 * the guest ("/" for root itself), or NULL when cwd is outside root.
 * Written to out (cap bytes).
 */
const char *rootfs_guest_cwd(const char *root, const char *cwd, char *out,
			     size_t cap);

#endif
