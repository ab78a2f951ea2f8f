// SPDX-License-Identifier: MIT
/*
 * -rootfs: generate the initramfs (vmm/rootfs.h).  Everything is read
 * before KVM is touched, bounded in size, and any missing piece is one
 * error line.
 */
#include "vmm/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "boot/cpio.h"
#include "boot/init/init_blob.h"
#include "boot/linux_boot.h"
#include "boot/linux_modules.h"
#include "vmm/config.h"
#include "vmm/log.h"

#define ROOTFS_KERNEL_HEAD (64u << 10)	/* enough for the setup sectors */

/* What the init needs, in this order; optional ones may be absent. */
static const struct {
	const char *name;
	bool required;
} rootfs_wanted[] = {
	{ "virtio_mmio", true },	/* the transport, described in the DSDT */
	{ "virtiofs", true },
	{ "overlay", true },
	{ "pvpanic_mmio", false },	/* a panic ends the run at once */
};

struct rootfs_module {
	char name[64];
	uint8_t *data;
	size_t size;
};

struct rootfs_build {
	const struct config *cfg;
	struct rootfs_env env;
	char cwd[PATH_MAX];
	char winsize[32];
	struct rootfs_module mod[LINUX_MODULES_MAX];
	unsigned int nr_mod;
	char *err;
	size_t errlen;
};

static int rootfs_fail(struct rootfs_build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int rootfs_fail(struct rootfs_build *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(b->err, b->errlen, "-rootfs: ");
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The whole of a regular file of at most max bytes; -errno. */
static int read_bounded(const char *path, size_t max, uint8_t **data,
			size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t done = 0;
	uint8_t *buf;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max) {
		int e = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;

		close(fd);
		return e;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = done;
	return 0;
}

const char *rootfs_guest_cwd(const char *root, const char *cwd, char *out,
			     size_t cap)
{
	size_t rlen = strlen(root);
	const char *rest;

	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	if (rlen == 1 && root[0] == '/')
		rest = cwd;			/* everything is below / */
	else if (!strncmp(cwd, root, rlen) &&
		 (cwd[rlen] == '/' || cwd[rlen] == 0))
		rest = cwd + rlen;
	else
		return NULL;
	if (snprintf(out, cap, "%s", *rest ? rest : "/") >= (int)cap)
		return NULL;
	return out;
}

static void rootfs_gather_env(struct rootfs_build *b)
{
	char root[PATH_MAX], cwd[PATH_MAX];
	struct winsize ws;

	b->env.cwd = "/";
	if (realpath(b->cfg->rootfs, root) && getcwd(cwd, sizeof(cwd)) &&
	    rootfs_guest_cwd(root, cwd, b->cwd, sizeof(b->cwd)))
		b->env.cwd = b->cwd;
	for (int fd = 0; fd <= 2; fd++) {
		if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			b->env.rows = ws.ws_row;
			b->env.cols = ws.ws_col;
			snprintf(b->winsize, sizeof(b->winsize), "%u %u\n",
				 b->env.rows, b->env.cols);
			break;
		}
	}
	b->env.term = getenv("TERM");
	b->env.hostname = b->cfg->name ? b->cfg->name : "minivmm";
}

/* The kernel's release, from its bzImage header; false if it has none. */
static bool rootfs_release(struct rootfs_build *b, char *rel, size_t cap)
{
	uint8_t *head = malloc(ROOTFS_KERNEL_HEAD);
	int fd = open(b->cfg->kernel, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (head && fd >= 0)
		n = pread(fd, head, ROOTFS_KERNEL_HEAD, 0);
	if (fd >= 0)
		close(fd);
	rel[0] = 0;
	if (n > 0)
		linux_kernel_release(head, (size_t)n, rel, cap);
	free(head);
	return rel[0] != 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

static int rootfs_read_module(struct rootfs_build *b, const char *moddir,
			      const struct linux_module_ref *ref,
			      size_t *total)
{
	struct rootfs_module *m = &b->mod[b->nr_mod];
	char path[PATH_MAX];
	int ret;

	if (!linux_module_name(ref->path, ref->len, m->name, sizeof(m->name)))
		return rootfs_fail(b, "%s/modules.dep names a module without a .ko file name",
				   moddir);
	if (!ends_with(ref->path, ref->len, ".ko"))
		return rootfs_fail(b, "module %s is compressed (%.*s); minivmm loads plain .ko modules only",
				   m->name, (int)ref->len, ref->path);
	if (snprintf(path, sizeof(path), "%s/%.*s", moddir, (int)ref->len,
		     ref->path) >= (int)sizeof(path))
		return rootfs_fail(b, "module path too long in %s", moddir);
	ret = read_bounded(path, ROOTFS_MODULE_MAX_BYTES, &m->data, &m->size);
	if (ret)
		return rootfs_fail(b, "cannot read module %s: %s", path,
				   strerror(-ret));
	b->nr_mod++;
	*total += m->size;
	if (*total > ROOTFS_MODULES_MAX_BYTES)
		return rootfs_fail(b, "the modules need more than %u MiB",
				   ROOTFS_MODULES_MAX_BYTES >> 20);
	return 0;
}

/* Resolve every wanted module against modules.dep (and .builtin). */
static int rootfs_resolve(struct rootfs_build *b, const char *release,
			  const char *moddir, const uint8_t *dep, size_t dep_len,
			  const uint8_t *builtin, size_t builtin_len,
			  struct linux_modules *mods)
{
	for (size_t i = 0; i < sizeof(rootfs_wanted) / sizeof(rootfs_wanted[0]); i++) {
		char why[ERR_LINE_MAX] = "";
		int r = linux_modules_resolve((const char *)dep, dep_len,
					      rootfs_wanted[i].name, mods, why, sizeof(why));

		if (r < 0)
			return rootfs_fail(b, "%s: %s", moddir, why);
		if (r == 0 && rootfs_wanted[i].required &&
		    !linux_modules_builtin((const char *)builtin, builtin_len,
					   rootfs_wanted[i].name))
			return rootfs_fail(b, "kernel %s has no module %s: not in %s/modules.dep nor built in",
					   release, rootfs_wanted[i].name, moddir);
	}
	return 0;
}

/*
 * The modules of DIR/lib/modules/RELEASE.  A kernel whose modules are
 * not installed there (a freshly built bzImage) gets none: it must have
 * what it needs built in, or the init says which mount failed.
 */
static int rootfs_modules(struct rootfs_build *b)
{
	char release[LINUX_RELEASE_MAX], moddir[PATH_MAX], path[PATH_MAX];
	uint8_t *dep = NULL, *builtin = NULL;
	size_t dep_len = 0, builtin_len = 0, total = 0;
	struct linux_modules mods = { .nr = 0 };
	struct stat st;
	int ret;

	if (!rootfs_release(b, release, sizeof(release)))
		return 0;
	if (snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s",
		     b->cfg->rootfs, release) >= (int)sizeof(moddir))
		return rootfs_fail(b, "path too long");
	if (stat(moddir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (snprintf(path, sizeof(path), "%s/modules.dep", moddir) >= (int)sizeof(path))
		return rootfs_fail(b, "path too long");
	ret = read_bounded(path, ROOTFS_LIST_MAX_BYTES, &dep, &dep_len);
	if (ret)
		return rootfs_fail(b, "cannot read %s: %s (run depmod %s)", path,
				   strerror(-ret), release);
	if (snprintf(path, sizeof(path), "%s/modules.builtin", moddir) >= (int)sizeof(path) ||
	    read_bounded(path, ROOTFS_LIST_MAX_BYTES, &builtin, &builtin_len))
		builtin_len = 0;
	ret = rootfs_resolve(b, release, moddir, dep, dep_len, builtin,
			     builtin_len, &mods);
	for (unsigned int i = 0; !ret && i < mods.nr; i++)
		ret = rootfs_read_module(b, moddir, &mods.mod[i], &total);
	free(dep);
	free(builtin);
	return ret;
}

static void cpio_add_text(struct cpio_writer *w, const char *name,
			  const char *text)
{
	if (text)
		cpio_add_file(w, name, 0644, text, strlen(text));
}

static void rootfs_archive(const struct rootfs_build *b, struct cpio_writer *w)
{
	size_t init_size = (size_t)(minivmm_init_end - minivmm_init_start);
	char name[128], host[CONFIG_NAME_MAX + 2];

	cpio_add_dir(w, "dev", 0755);
	cpio_add_chardev(w, "dev/console", 0600, 5, 1);
	cpio_add_dir(w, "proc", 0755);
	cpio_add_dir(w, "sys", 0755);
	cpio_add_dir(w, "mnt", 0755);
	cpio_add_dir(w, "newroot", 0755);
	cpio_add_file(w, "init", 0755, minivmm_init_start, init_size);
	cpio_add_dir(w, "minivmm", 0755);
	cpio_add_text(w, "minivmm/tag", CONFIG_ROOTFS_TAG "\n");
	cpio_add_text(w, "minivmm/cmd", b->cfg->run);
	cpio_add_text(w, "minivmm/cwd", b->env.cwd);
	cpio_add_text(w, "minivmm/winsize", b->env.rows ? b->winsize : NULL);
	cpio_add_text(w, "minivmm/term", b->env.term);
	snprintf(host, sizeof(host), "%s\n", b->env.hostname);
	cpio_add_text(w, "minivmm/hostname", host);
	cpio_add_dir(w, "minivmm/modules", 0755);
	for (unsigned int i = 0; i < b->nr_mod; i++) {
		snprintf(name, sizeof(name), "minivmm/modules/%02u-%s.ko", i,
			 b->mod[i].name);
		cpio_add_file(w, name, 0644, b->mod[i].data, b->mod[i].size);
	}
	cpio_finish(w);
}

static int rootfs_cmdline(const struct config *cfg, struct rootfs_image *img)
{
	const char *append = cfg->append ? cfg->append : "";
	size_t len = strlen(ROOTFS_CMDLINE_PREFIX) + 1 + strlen(append) + 1;

	img->cmdline = malloc(len);
	if (!img->cmdline)
		return -1;
	snprintf(img->cmdline, len, "%s%s%s", ROOTFS_CMDLINE_PREFIX,
		 *append ? " " : "", append);
	return 0;
}

int rootfs_build(const struct config *cfg, struct rootfs_image *img,
		 char *err, size_t errlen)
{
	struct rootfs_build *b = calloc(1, sizeof(*b));
	struct cpio_writer w = CPIO_WRITER_INIT(NULL, 0);
	int ret = -1;

	memset(img, 0, sizeof(*img));
	if (!b) {
		snprintf(err, errlen, "-rootfs: out of memory");
		return -1;
	}
	b->cfg = cfg;
	b->err = err;
	b->errlen = errlen;
	rootfs_gather_env(b);
	if (rootfs_modules(b))
		goto out;
	rootfs_archive(b, &w);	/* count */
	img->initrd = malloc(w.len);
	if (!img->initrd || rootfs_cmdline(cfg, img)) {
		rootfs_fail(b, "out of memory");
		goto out;
	}
	w = CPIO_WRITER_INIT(img->initrd, w.len);
	rootfs_archive(b, &w);
	if (!cpio_ok(&w)) {
		rootfs_fail(b, "cannot build the initramfs");
		goto out;
	}
	img->initrd_size = w.len;
	ret = 0;
out:
	for (unsigned int i = 0; i < b->nr_mod; i++)
		free(b->mod[i].data);
	free(b);
	if (ret)
		rootfs_free(img);
	return ret;
}

void rootfs_free(struct rootfs_image *img)
{
	free(img->initrd);
	free(img->cmdline);
	memset(img, 0, sizeof(*img));
}
