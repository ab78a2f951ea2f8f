// SPDX-License-Identifier: MIT
/*
 * modules.dep resolution (load order, shared dependencies once, '-' and
 * '_', compressed names, built-in modules) and hostile files (cycles,
 * missing lines, no final newline, too many modules).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "boot/linux_modules.h"
#include "tests/unit/unit_main.h"

/* An excerpt of Debian 12's cloud kernel modules.dep. */
static const char dep[] =
	"kernel/fs/fuse/fuse.ko:\n"
	"kernel/fs/fuse/cuse.ko: kernel/fs/fuse/fuse.ko\n"
	"kernel/fs/fuse/virtiofs.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko kernel/fs/fuse/fuse.ko\n"
	"kernel/fs/overlayfs/overlay.ko:\n"
	"kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/misc/pvpanic/pvpanic.ko:\n"
	"kernel/drivers/misc/pvpanic/pvpanic-mmio.ko: kernel/drivers/misc/pvpanic/pvpanic.ko\n";

static const char *name_of(const struct linux_modules *m, unsigned int i)
{
	static char buf[64];

	ck_assert(linux_module_name(m->mod[i].path, m->mod[i].len, buf,
				    sizeof(buf)));
	return buf;
}

START_TEST(test_load_order)
{
	struct linux_modules m = { .nr = 0 };
	char why[256] = "";

	ck_assert_int_eq(linux_modules_resolve(dep, strlen(dep), "virtiofs", &m, why, sizeof(why)), 1);
	ck_assert_uint_eq(m.nr, 4);
	ck_assert_str_eq(name_of(&m, 0), "virtio_ring");
	ck_assert_str_eq(name_of(&m, 1), "virtio");
	ck_assert_str_eq(name_of(&m, 2), "fuse");
	ck_assert_str_eq(name_of(&m, 3), "virtiofs");
	/* virtio_mmio shares two of them: they stay listed once. */
	ck_assert_int_eq(linux_modules_resolve(dep, strlen(dep), "virtio-mmio", &m, why, sizeof(why)), 1);
	ck_assert_uint_eq(m.nr, 5);
	ck_assert_str_eq(name_of(&m, 4), "virtio_mmio");
	ck_assert_int_eq(linux_modules_resolve(dep, strlen(dep), "pvpanic_mmio", &m, why, sizeof(why)), 1);
	ck_assert_uint_eq(m.nr, 7);
	ck_assert_str_eq(name_of(&m, 5), "pvpanic");
	ck_assert_str_eq(name_of(&m, 6), "pvpanic_mmio");
	ck_assert_int_eq(strncmp(m.mod[6].path,
		"kernel/drivers/misc/pvpanic/pvpanic-mmio.ko", m.mod[6].len), 0);
	ck_assert_int_eq(linux_modules_resolve(dep, strlen(dep), "virtiofs", &m, why, sizeof(why)), 1);
	ck_assert_uint_eq(m.nr, 7);
	ck_assert_int_eq(linux_modules_resolve(dep, strlen(dep), "nosuch", &m, why, sizeof(why)), 0);
	ck_assert_int_eq(linux_modules_resolve(dep, strlen(dep), "virtio_f", &m, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_names_and_builtin)
{
	static const char builtin[] = "kernel/fs/fuse/fuse.ko\nkernel/fs/overlayfs/overlay.ko";
	char n[16];

	ck_assert_uint_eq(linux_module_name("kernel/fs/fuse/virtiofs.ko.xz", 29, n, sizeof(n)), 8);
	ck_assert_str_eq(n, "virtiofs");
	ck_assert_uint_eq(linux_module_name("a/pvpanic-mmio.ko", 17, n, sizeof(n)), 12);
	ck_assert_str_eq(n, "pvpanic_mmio");
	ck_assert_uint_eq(linux_module_name("a/b.kobj", 8, n, sizeof(n)), 0);
	ck_assert_uint_eq(linux_module_name("a/.ko", 5, n, sizeof(n)), 0);
	ck_assert_uint_eq(linux_module_name("a/averyveryverylongname.ko", 26, n, sizeof(n)), 0);
	ck_assert(linux_modules_builtin(builtin, strlen(builtin), "overlay"));
	ck_assert(linux_modules_builtin(builtin, strlen(builtin), "fuse"));
	ck_assert(!linux_modules_builtin(builtin, strlen(builtin), "virtiofs"));
	ck_assert(!linux_modules_builtin(NULL, 0, "fuse"));
}
END_TEST

START_TEST(test_hostile)
{
	static const char cycle[] = "a.ko: b.ko\nb.ko: a.ko\n";
	static const char self[] = "a.ko: a.ko a.ko a.ko a.ko a.ko a.ko a.ko a.ko\n";
	static const char missing[] = "a.ko: b.ko\n";
	static const char no_nl[] = "x/a.ko:";
	struct linux_modules m = { .nr = 0 };
	char why[256] = "";
	char big[2048];
	size_t len = 0;

	ck_assert_int_eq(linux_modules_resolve(cycle, strlen(cycle), "a", &m, why, sizeof(why)), -1);
	ck_assert(why[0]);
	m.nr = 0;
	/* a module needing itself is there once (or refused), never a hang */
	ck_assert_int_ge(linux_modules_resolve(self, strlen(self), "a", &m, why, sizeof(why)), -1);
	ck_assert_uint_le(m.nr, 1);
	m.nr = 0;
	ck_assert_int_eq(linux_modules_resolve(missing, strlen(missing), "a", &m, why, sizeof(why)), -1);
	m.nr = 0;
	ck_assert_int_eq(linux_modules_resolve(no_nl, strlen(no_nl), "a", &m, why, sizeof(why)), 1);
	ck_assert_uint_eq(m.nr, 1);
	ck_assert_uint_eq(m.mod[0].len, 6);
	/* m0 needs m1 ... m40: more than an initramfs takes */
	for (int i = 0; i <= LINUX_MODULES_MAX + 8; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, i < LINUX_MODULES_MAX + 8 ?
					"m%d.ko: m%d.ko\n" : "m%d.ko:\n", i, i + 1);
	m.nr = 0;
	ck_assert_int_eq(linux_modules_resolve(big, len, "m0", &m, why, sizeof(why)), -1);
	ck_assert_uint_le(m.nr, LINUX_MODULES_MAX);
	/* a ':' alone, empty lines, a module name that is only a suffix */
	ck_assert_int_eq(linux_modules_resolve(":\n\n.ko:\n", 8, "a", &m, why, sizeof(why)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("linux_modules");
	TCase *tc = tcase_create("modules.dep");

	tcase_add_test(tc, test_load_order);
	tcase_add_test(tc, test_names_and_builtin);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
