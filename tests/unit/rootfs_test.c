// SPDX-License-Identifier: MIT
/*
 * -rootfs: the generated initramfs against a temporary root with a fake
 * bzImage and lib/modules/RELEASE (modules in load order, the init, the
 * /minivmm/ files), a kernel without installed modules, a missing or
 * compressed module (one error line), the starting directory, and the
 * run-status port.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/cpio.h"
#include "boot/init/init_blob.h"
#include "devices/run_status.h"
#include "vmm/config.h"
#include "vmm/rootfs.h"
#include "tests/unit/unit_main.h"

#define REL "6.1.0-99-test"

static char root[64];

static void put_file(const char *rel, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert(mkdir(path, 0755) == 0);
}

/* A bzImage header that names its release, enough for rootfs.c. */
static void put_kernel(void)
{
	uint8_t img[8192] = { 0 };
	const char *banner = REL " (test@example) #1";

	img[0x1f1] = 4;
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;
	img[0x207] = 0x02;
	img[0x20e] = 0x00;			/* string at 0x200 + 0x400 */
	img[0x20f] = 0x04;
	memcpy(img + 0x600, banner, strlen(banner) + 1);
	put_file("vmlinuz", img, sizeof(img));
}

static void make_root(const char *dep)
{
	snprintf(root, sizeof(root), "/tmp/rootfs_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put_kernel();
	put_dir("lib");
	put_dir("lib/modules");
	put_dir("lib/modules/" REL);
	put_dir("lib/modules/" REL "/k");
	put_file("lib/modules/" REL "/modules.dep", dep, strlen(dep));
	put_file("lib/modules/" REL "/k/virtio.ko", "VIRTIO", 6);
	put_file("lib/modules/" REL "/k/virtio_mmio.ko", "MMIO", 4);
	put_file("lib/modules/" REL "/k/fuse.ko", "FUSE", 4);
	put_file("lib/modules/" REL "/k/virtiofs.ko", "VIRTIOFS", 8);
	put_file("lib/modules/" REL "/k/overlay.ko", "OVERLAY", 7);
}

static void remove_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static int build(struct rootfs_image *img, const char *run, char *err)
{
	char kernel[128];
	struct config cfg = { 0 };

	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", root);
	cfg.kernel = kernel;
	cfg.rootfs = root;
	cfg.run = run;
	cfg.name = "testvm";
	return rootfs_build(&cfg, img, err, 256);
}

/* The data of entry name in the archive, NULL if absent. */
static const uint8_t *find(const struct rootfs_image *img, const char *name,
			   unsigned int *size)
{
	size_t pos = 0;

	while (pos + CPIO_NEWC_HEADER_SIZE <= img->initrd_size) {
		const uint8_t *h = img->initrd + pos;
		char num[9] = { 0 };
		unsigned int namesize, filesize;
		const char *n = (const char *)h + CPIO_NEWC_HEADER_SIZE;

		memcpy(num, h + 54, 8);
		filesize = (unsigned int)strtoul(num, NULL, 16);
		memcpy(num, h + 94, 8);
		namesize = (unsigned int)strtoul(num, NULL, 16);
		pos += (CPIO_NEWC_HEADER_SIZE + namesize + 3) & ~3u;
		if (!strcmp(n, name)) {
			*size = filesize;
			return img->initrd + pos;
		}
		pos += (filesize + 3) & ~3u;
	}
	return NULL;
}

static void expect_text(const struct rootfs_image *img, const char *name,
			const char *text)
{
	unsigned int size = 0;
	const uint8_t *d = find(img, name, &size);

	ck_assert_msg(d != NULL, "%s missing", name);
	ck_assert_uint_eq(size, strlen(text));
	ck_assert_int_eq(memcmp(d, text, size), 0);
}

static const char good_dep[] =
	"k/fuse.ko:\n"
	"k/virtiofs.ko: k/virtio.ko k/fuse.ko\n"
	"k/overlay.ko:\n"
	"k/virtio.ko:\n"
	"k/virtio_mmio.ko: k/virtio.ko\n";

START_TEST(test_modules_in_order)
{
	struct rootfs_image img;
	char err[256];
	unsigned int size;
	const uint8_t *init;

	make_root(good_dep);
	ck_assert_msg(build(&img, "exit 42", err) == 0, "%s", err);
	expect_text(&img, "minivmm/modules/00-virtio.ko", "VIRTIO");
	expect_text(&img, "minivmm/modules/01-virtio_mmio.ko", "MMIO");
	expect_text(&img, "minivmm/modules/02-fuse.ko", "FUSE");
	expect_text(&img, "minivmm/modules/03-virtiofs.ko", "VIRTIOFS");
	expect_text(&img, "minivmm/modules/04-overlay.ko", "OVERLAY");
	ck_assert_ptr_null(find(&img, "minivmm/modules/05-pvpanic_mmio.ko", &size));
	expect_text(&img, "minivmm/cmd", "exit 42");
	expect_text(&img, "minivmm/tag", CONFIG_ROOTFS_TAG "\n");
	expect_text(&img, "minivmm/hostname", "testvm\n");
	init = find(&img, "init", &size);
	ck_assert_ptr_nonnull(init);
	ck_assert_uint_eq(size, (unsigned int)(minivmm_init_end - minivmm_init_start));
	ck_assert_int_eq(memcmp(init, "\177ELF", 4), 0);
	ck_assert_ptr_nonnull(find(&img, "dev/console", &size));
	ck_assert_str_eq(img.cmdline, ROOTFS_CMDLINE_PREFIX);
	rootfs_free(&img);
	remove_root();
}
END_TEST

START_TEST(test_no_modules_dir)
{
	struct rootfs_image img;
	char err[256], path[128];
	unsigned int size;

	make_root(good_dep);
	snprintf(path, sizeof(path), "%s/lib/modules/" REL, root);
	ck_assert_int_eq(rename(path, "/tmp/rootfs_test.gone") == 0 ? 0 : -1, 0);
	/* A kernel whose modules are not installed: it must have them
	 * built in; nothing to carry, no error. */
	ck_assert_msg(build(&img, NULL, err) == 0, "%s", err);
	ck_assert_ptr_null(find(&img, "minivmm/cmd", &size));
	ck_assert_ptr_null(find(&img, "minivmm/modules/00-virtio.ko", &size));
	rootfs_free(&img);
	ck_assert_int_eq(system("rm -rf /tmp/rootfs_test.gone"), 0);
	remove_root();
}
END_TEST

START_TEST(test_missing_and_compressed)
{
	static const char no_overlay[] =
		"k/fuse.ko:\nk/virtiofs.ko: k/fuse.ko\nk/virtio_mmio.ko:\n";
	static const char xz[] =
		"k/fuse.ko:\nk/virtiofs.ko.xz: k/fuse.ko\nk/virtio_mmio.ko:\nk/overlay.ko:\n";
	struct rootfs_image img;
	char err[256];

	make_root(no_overlay);
	ck_assert_int_eq(build(&img, NULL, err), -1);
	ck_assert_msg(strstr(err, "has no module overlay") != NULL, "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(img.initrd);
	/* built in after all: fine */
	put_file("lib/modules/" REL "/modules.builtin", "kernel/fs/overlayfs/overlay.ko\n", 31);
	ck_assert_msg(build(&img, NULL, err) == 0, "%s", err);
	rootfs_free(&img);
	put_file("lib/modules/" REL "/modules.dep", xz, strlen(xz));
	ck_assert_int_eq(build(&img, NULL, err), -1);
	ck_assert_msg(strstr(err, "compressed") != NULL, "%s", err);
	remove_root();
}
END_TEST

START_TEST(test_guest_cwd)
{
	char out[64];

	ck_assert_str_eq(rootfs_guest_cwd("/", "/home/me/linux", out, sizeof(out)),
			 "/home/me/linux");
	ck_assert_str_eq(rootfs_guest_cwd("/srv/root", "/srv/root/src", out, sizeof(out)),
			 "/src");
	ck_assert_str_eq(rootfs_guest_cwd("/srv/root/", "/srv/root", out, sizeof(out)), "/");
	ck_assert_ptr_null(rootfs_guest_cwd("/srv/root", "/srv/rootless", out, sizeof(out)));
	ck_assert_ptr_null(rootfs_guest_cwd("/srv/root", "/home", out, sizeof(out)));
	ck_assert_ptr_null(rootfs_guest_cwd("/", "/a/very/long/path/that/does/not/fit/in/the/buffer/at/all",
					    out, 16));
}
END_TEST

static int reported = -1;

static void report(void *opaque, uint8_t status)
{
	(void)opaque;
	reported = status;
}

START_TEST(test_run_status_port)
{
	struct run_status r;
	uint8_t b = 42;
	uint32_t v = 0;

	run_status_init(&r, report, NULL);
	run_status_pio_read(&r, 0, &v, 1);
	ck_assert_uint_eq(v, 0xff);
	run_status_pio_write(&r, 0, &v, 4);		/* not a byte: ignored */
	ck_assert_int_eq(reported, -1);
	run_status_pio_write(&r, 0, &b, 1);
	ck_assert_int_eq(reported, 42);
	b = 7;
	run_status_pio_write(&r, 0, &b, 1);		/* the first one counts */
	ck_assert_int_eq(reported, 42);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rootfs");
	TCase *tc = tcase_create("initramfs");

	tcase_add_test(tc, test_modules_in_order);
	tcase_add_test(tc, test_no_modules_dir);
	tcase_add_test(tc, test_missing_and_compressed);
	tcase_add_test(tc, test_guest_cwd);
	tcase_add_test(tc, test_run_status_port);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
