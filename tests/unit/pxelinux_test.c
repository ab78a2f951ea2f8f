// SPDX-License-Identifier: MIT
/*
 * PXELINUX: config names, the config language and the unattended choice,
 * including the real Debian 12 netboot installer configs
 * (tests/netboot/data/debian-installer-12, or the extracted package tree
 * given by MINIVMM_DI_NETBOOT_DIR).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/pxelinux.h"
#include "tests/unit/unit_main.h"

static struct pxe_config cfg;
static struct pxe_boot boot;

static void parse(const char *text)
{
	pxe_cfg_init(&cfg);
	pxe_cfg_parse(&cfg, text, strlen(text), NULL, NULL);
}

static int choose(void)
{
	return pxe_cfg_choose(&cfg, NULL, NULL, &boot);
}

/* The config text boots label (NULL: nothing, ldlinux would wait for a
 * user); a failure names the config. */
static void assert_chosen(const char *text, const char *label)
{
	int rc;

	parse(text);
	rc = choose();
	if (!label) {
		ck_assert_msg(rc == -1, "chose '%s' from:\n%s", boot.label, text);
		return;
	}
	ck_assert_msg(rc == 0, "chose nothing (not '%s') from:\n%s", label, text);
	ck_assert_msg(!strcmp(boot.label, label), "chose '%s', not '%s', from:\n%s",
		      boot.label, label, text);
}

START_TEST(test_lookup_names)
{
	static const uint8_t uuid[16] = { 0xb8, 0x94, 0x5b, 0x0f, 0x2c, 0x1d,
					  0x4a, 0x3e, 0x9f, 0x00, 0x12, 0x34,
					  0x56, 0x78, 0x9a, 0xbc };
	static const char *const expect[] = {
		"p/pxelinux.cfg/b8945b0f-2c1d-4a3e-9f00-123456789abc",
		"p/pxelinux.cfg/01-88-99-aa-bb-cc-dd",
		"p/pxelinux.cfg/C000025B", "p/pxelinux.cfg/C000025",
		"p/pxelinux.cfg/C00002", "p/pxelinux.cfg/C0000",
		"p/pxelinux.cfg/C000", "p/pxelinux.cfg/C00",
		"p/pxelinux.cfg/C0", "p/pxelinux.cfg/C",
		"p/pxelinux.cfg/default",
	};
	struct pxe_lookup lk = { .prefix = "p/", .uuid = uuid,
				 .mac = { 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd },
				 .ip = 0xc000025b };	/* 192.0.2.91 */
	char out[PXE_PATH_MAX];
	unsigned int i;

	for (i = 0; i < 11; i++) {
		ck_assert(pxe_config_path(&lk, i, out, sizeof(out)));
		ck_assert_str_eq(out, expect[i]);
	}
	ck_assert(!pxe_config_path(&lk, 11, out, sizeof(out)));
	lk.uuid = NULL;
	lk.prefix = "";
	ck_assert(pxe_config_path(&lk, 0, out, sizeof(out)));
	ck_assert_str_eq(out, "pxelinux.cfg/01-88-99-aa-bb-cc-dd");
	ck_assert(pxe_config_path(&lk, 9, out, sizeof(out)));
	ck_assert_str_eq(out, "pxelinux.cfg/default");
	ck_assert(!pxe_config_path(&lk, 10, out, sizeof(out)));
	ck_assert(!pxe_config_path(&lk, 0, out, 10));	/* does not fit */
}
END_TEST

START_TEST(test_prefix_and_join)
{
	char out[PXE_PATH_MAX];

	ck_assert(pxe_path_prefix("debian-installer/amd64/pxelinux.0", NULL,
				  out, sizeof(out)));
	ck_assert_str_eq(out, "debian-installer/amd64/");
	ck_assert(pxe_path_prefix("pxelinux.0", NULL, out, sizeof(out)));
	ck_assert_str_eq(out, "");
	ck_assert(pxe_path_prefix("a/pxelinux.0", "other/", out, sizeof(out)));
	ck_assert_str_eq(out, "other/");
	ck_assert(!pxe_path_prefix("aaaaaaaaaaaa/x", NULL, out, 5));
	ck_assert(pxe_join("pre/", "linux", out, sizeof(out)));
	ck_assert_str_eq(out, "pre/linux");
	ck_assert(pxe_join("pre/", "/abs/linux", out, sizeof(out)));
	ck_assert_str_eq(out, "/abs/linux");
	ck_assert(pxe_join("pre/", "::root/linux", out, sizeof(out)));
	ck_assert_str_eq(out, "root/linux");
	ck_assert(!pxe_join("pre/", "linux", out, 6));
}
END_TEST

START_TEST(test_basic_label)
{
	parse("# comment\n"
	      "DeFaUlT  linux-net\n"
	      "timeout 50\r\n"
	      "TOTALTIMEOUT 600\n"
	      "prompt 1\n"
	      "say Booting...\n"
	      "label other\n"
	      "  kernel vmlinuz-other\n"
	      "LABEL linux-net\n"
	      "\tKERNEL  images/vmlinuz  \n"
	      "\tINITRD images/initrd.img\n"
	      "\tAPPEND console=ttyS0 quiet\n");
	ck_assert_uint_eq(cfg.nr_labels, 2);
	ck_assert_uint_eq(cfg.timeout, 50);
	ck_assert_uint_eq(cfg.totaltimeout, 600);
	ck_assert(cfg.prompt);
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_LINUX);
	ck_assert_str_eq(boot.label, "linux-net");
	ck_assert_str_eq(boot.kernel, "images/vmlinuz");
	ck_assert_str_eq(boot.initrd, "images/initrd.img");
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=images/vmlinuz "
			 "initrd=images/initrd.img console=ttyS0 quiet");
}
END_TEST

START_TEST(test_choice_order)
{
	/* No UI, PROMPT 0: DEFAULT at once; ONTIMEOUT and MENU DEFAULT do
	 * not apply (ldlinux boots default_cmd without waiting). */
	assert_chosen("prompt 0\ndefault b\nontimeout c extra=1\n"
		      "label a\nkernel ka\nlabel b\nkernel kb\n"
		      "label c\nkernel kc\nappend x=y\n"
		      "label d\nmenu default\nkernel kd\n", "b");
	/* No UI, PROMPT 1: the boot: prompt times out to ONTIMEOUT ... */
	assert_chosen("prompt 1\ndefault b\nontimeout c extra=1\n"
		      "label a\nkernel ka\nlabel b\nkernel kb\n"
		      "label c\nkernel kc\nappend x=y\n", "c");
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=kc x=y extra=1");
	/* ... else to DEFAULT */
	assert_chosen("prompt 1\ndefault b\nlabel a\nkernel ka\nlabel b\nkernel kb\n", "b");
	/* no DEFAULT and no UI, PROMPT 0: ldlinux goes to its prompt too */
	assert_chosen("ontimeout a\nlabel a\nkernel ka\nlabel b\nkernel kb\n", "a");
	/* ... and with neither ONTIMEOUT it waits for a user: nothing */
	assert_chosen("label a\nkernel ka\nlabel b\nmenu default\nkernel kb\n", NULL);
	/* UI menu.c32 + DEFAULT + MENU DEFAULT elsewhere: the global DEFAULT
	 * wins (it names a visible label) */
	assert_chosen("ui menu.c32\ndefault first\nlabel first\nkernel k1\n"
		      "label second\nmenu default\nkernel k2\n", "first");
	/* UI: DEFAULT naming a hidden label or no label: MENU DEFAULT (the
	 * last one), else the first visible label */
	assert_chosen("ui vesamenu.c32\ndefault h\nlabel h\nmenu hide\nkernel kh\n"
		      "label x\nmenu default\nkernel kx\n"
		      "label y\nmenu default\nkernel ky\nlabel z\nkernel kz\n", "y");
	assert_chosen("ui menu.c32\nlabel h\nmenu hide\nkernel kh\n"
		      "label x\nkernel kx\n", "x");
	/* UI: ONTIMEOUT wins over every default */
	assert_chosen("ui menu.c32\nprompt 0\ndefault x\nontimeout y q=1\n"
		      "label x\nkernel kx\nlabel y\nkernel ky\n", "y");
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=ky q=1");
	/* DEFAULT naming a menu module (no UI): the menu runs, as the
	 * Debian installer's configs do it */
	assert_chosen("prompt 0\ndefault boot-screens/vesamenu.c32\n"
		      "label a\nkernel ka\nlabel b\nmenu default\nkernel kb\n", "b");
	assert_chosen("default menu.c32\nlabel a\nkernel ka\nlabel b\nkernel kb\n", "a");
	/* another COM32 module as DEFAULT is refused by the caller */
	parse("default hdt.c32\nlabel a\nkernel ka\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_COM32);
	/* DEFAULT naming a kernel, not a label: global APPEND applies */
	assert_chosen("default vmlinuz root=/dev/nfs\nappend console=ttyS0\n", "");
	ck_assert_str_eq(boot.kernel, "vmlinuz");
	ck_assert_str_eq(boot.cmdline,
			 "BOOT_IMAGE=vmlinuz console=ttyS0 root=/dev/nfs");
	/* nothing at all */
	assert_chosen("timeout 10\n", NULL);
}
END_TEST

/* A LABEL without KERNEL boots the kernel named like the label. */
START_TEST(test_label_is_kernel)
{
	parse("default vmlinuz-6.1\nlabel vmlinuz-6.1\nappend x\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_LINUX);
	ck_assert_str_eq(boot.label, "vmlinuz-6.1");
	ck_assert_str_eq(boot.kernel, "vmlinuz-6.1");
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=vmlinuz-6.1 x");
	/* its type follows the name, like a KERNEL line's */
	parse("default menu.c32 x\nlabel menu.c32\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_COM32);
	/* LOCALBOOT still takes the kernel away */
	parse("default l\nlabel l\nlocalboot 0\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_LOCALBOOT);
}
END_TEST

START_TEST(test_append_initrd_ipappend)
{
	struct pxe_netinfo ni = { .client_ip = 0x0a000064,
				  .server_ip = 0x0a000001,
				  .gateway = 0x0a0000fe,
				  .netmask = 0xffffff00,
				  .mac = { 0x52, 0x54, 0, 0xab, 0xcd, 0xef } };

	/* APPEND -: no options, not even the global ones */
	parse("default a\nappend global=1\nlabel a\nkernel k\nappend -\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=k");
	/* label without APPEND inherits the global one */
	parse("default a\nappend global=1\nlabel a\nkernel k\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=k global=1");
	/* initrd= inside APPEND, comma list, the last one wins over INITRD */
	parse("default a\nlabel a\nkernel k\ninitrd first.img\n"
	      "append initrd=one.gz,two.gz quiet\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_str_eq(boot.initrd, "one.gz,two.gz");
	{
		char item[64];

		ck_assert(pxe_initrd_item(boot.initrd, 0, item, sizeof(item)));
		ck_assert_str_eq(item, "one.gz");
		ck_assert(pxe_initrd_item(boot.initrd, 1, item, sizeof(item)));
		ck_assert_str_eq(item, "two.gz");
		ck_assert(!pxe_initrd_item(boot.initrd, 2, item, sizeof(item)));
		ck_assert(!pxe_initrd_item("a,,b", 1, item, sizeof(item)));
		ck_assert(!pxe_initrd_item("abcdef", 0, item, 3));
	}
	/* IPAPPEND 1 and 2 (and 3 = both), label beats global */
	parse("default a\nipappend 2\nlabel a\nkernel k\nappend q\nipappend 3\n"
	      "label b\nkernel k\n");
	ck_assert_int_eq(pxe_cfg_choose(&cfg, &ni, "console=ttyS0", &boot), 0);
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=k q "
			 "ip=10.0.0.100:10.0.0.1:10.0.0.254:255.255.255.0 "
			 "BOOTIF=01-52-54-00-ab-cd-ef console=ttyS0");
	parse("default b\nipappend 2\nlabel b\nkernel k\n");
	ck_assert_int_eq(pxe_cfg_choose(&cfg, &ni, NULL, &boot), 0);
	ck_assert_str_eq(boot.cmdline, "BOOT_IMAGE=k BOOTIF=01-52-54-00-ab-cd-ef");
}
END_TEST

START_TEST(test_special_kinds)
{
	parse("default local\nlabel local\nlocalboot 0\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_LOCALBOOT);
	parse("default m\nlabel m\nkernel vesamenu.c32\nconfig other.cfg\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_CONFIG);
	ck_assert_str_eq(boot.kernel, "other.cfg");
	parse("default m\nlabel m\nkernel menu.c32\n");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_COM32);
	parse("default m\nlabel m\nLINUX memdisk.c32\n");	/* LINUX forces Linux */
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_LINUX);
	/* a global CONFIG stops the parse and asks for a restart */
	parse("label a\nkernel k\nconfig next.cfg\n");
	ck_assert(!cfg.restart);	/* inside a label: the label's type */
	parse("timeout 1\nconfig next.cfg\nlabel a\nkernel k\n");
	ck_assert(cfg.restart);
	ck_assert_str_eq(cfg.config_file, "next.cfg");
	ck_assert_uint_eq(cfg.nr_labels, 0);
}
END_TEST

START_TEST(test_menu_and_text)
{
	parse("UI menu.c32\nMENU TITLE x\nmenu color border * #0 #0 none\n"
	      "menu frobnicate 12\n"
	      "label a\n menu label ^A\n kernel ka\n menu hide\n"
	      " text help\n label evil\n kernel nope\n endtext\n"
	      "menu begin sub\n label s\n menu default\n kernel ks\n"
	      "menu end\n"
	      "label b\n kernel kb\n append z\n");
	ck_assert_uint_eq(cfg.nr_labels, 3);
	ck_assert(cfg.labels[0].hidden);
	ck_assert_str_eq(cfg.labels[1].name, "s");
	ck_assert_uint_eq(cfg.labels[1].menu_level, 1);
	ck_assert_int_eq(choose(), 0);
	/* a is hidden, s is in a submenu: the first visible top label */
	ck_assert_str_eq(boot.label, "b");
	/* unterminated TEXT HELP swallows the rest, nothing crashes */
	parse("label a\nkernel k\ntext help\nlabel b\nkernel kb\n");
	ck_assert_uint_eq(cfg.nr_labels, 1);
	ck_assert(!cfg.in_text);
}
END_TEST

/* ---- includes ---- */

struct files {
	const char *name[8];
	const char *text[8];
	unsigned int calls, max_depth;
};

static int fetch_mem(void *ctx, const char *path, unsigned int depth,
		     const char **text, size_t *len)
{
	struct files *f = ctx;

	f->calls++;
	if (depth > f->max_depth)
		f->max_depth = depth;
	for (int i = 0; i < 8 && f->name[i]; i++)
		if (!strcmp(f->name[i], path)) {
			*text = f->text[i];
			*len = strlen(f->text[i]);
			return 0;
		}
	return -1;
}

START_TEST(test_include_self_bounded)
{
	struct files f = { .name = { "loop.cfg" },
			   .text = { "label x\nkernel k\ninclude loop.cfg\n" } };
	const char *top = "include loop.cfg\nMENU INCLUDE missing.cfg\n";

	pxe_cfg_init(&cfg);
	pxe_cfg_parse(&cfg, top, strlen(top), fetch_mem, &f);
	ck_assert_uint_eq(f.max_depth, PXE_INCLUDE_DEPTH);
	ck_assert_uint_eq(cfg.nr_labels, PXE_INCLUDE_DEPTH);
	ck_assert_uint_eq(cfg.includes_skipped, 2);	/* too deep, missing */
	ck_assert_uint_eq(f.calls, PXE_INCLUDE_DEPTH + 1);
}
END_TEST

/* 40 INCLUDE lines per file, 8 levels: 40^8 fetches without a budget. */
START_TEST(test_include_fetch_budget)
{
	static char wide[40 * 17 + 1];
	struct files f = { .name = { "wide.cfg" }, .text = { wide } };
	const char *top = "default after\ninclude wide.cfg\n"
			  "label after\nkernel k-after\n";

	for (int i = 0; i < 40; i++)
		strcat(wide, "include wide.cfg\n");
	pxe_cfg_init(&cfg);
	pxe_cfg_parse(&cfg, top, strlen(top), fetch_mem, &f);
	ck_assert_uint_eq(f.calls, PXE_INCLUDE_FETCHES);
	ck_assert_uint_eq(cfg.include_fetches, PXE_INCLUDE_FETCHES);
	ck_assert_uint_gt(cfg.includes_over_budget, 0);
	/* The rest of the file is still read. */
	ck_assert_uint_eq(cfg.nr_labels, 1);
	ck_assert_str_eq(cfg.labels[0].kernel, "k-after");
}
END_TEST

START_TEST(test_include_mutual_and_menu_include)
{
	struct files f = {
		.name = { "a.cfg", "b.cfg", "c.cfg" },
		.text = { "include b.cfg\nlabel fromA\nkernel ka\n",
		  "include a.cfg\n",
		  "label fromC\nmenu default\nkernel kc\n" },
	};
	const char *top = "ui menu.c32\ninclude a.cfg\nmenu include c.cfg\n";

	pxe_cfg_init(&cfg);
	pxe_cfg_parse(&cfg, top, strlen(top), fetch_mem, &f);
	ck_assert_uint_eq(f.max_depth, PXE_INCLUDE_DEPTH);
	ck_assert_int_eq(choose(), 0);
	ck_assert_str_eq(boot.label, "fromC");
}
END_TEST

START_TEST(test_long_lines_and_many_labels)
{
	size_t n = 3 * PXE_LINE_MAX + 100000;
	char *text = malloc(n + 200);
	size_t pos = 0;

	ck_assert_ptr_nonnull(text);
	pos += (size_t)sprintf(text, "default a\nlabel a\nkernel k\nappend ");
	memset(text + pos, 'x', n);
	pos += n;
	pos += (size_t)sprintf(text + pos, "\nlabel b\n");
	text[pos] = 0;
	parse(text);
	ck_assert_uint_eq(cfg.nr_labels, 2);
	ck_assert_uint_eq(strlen(cfg.labels[0].append), PXE_APPEND_MAX - 1);
	ck_assert_int_eq(choose(), 0);	/* "BOOT_IMAGE=k " + 1023 x fits */
	/* many labels: the extras are counted, not written past the end */
	pos = 0;
	for (int i = 0; i < PXE_MAX_LABELS + 50; i++)
		pos += (size_t)sprintf(text + pos, "label l%d\nkernel k\n", i);
	parse(text);
	ck_assert_uint_eq(cfg.nr_labels, PXE_MAX_LABELS);
	ck_assert_uint_eq(cfg.dropped_labels, 50);
	/* a very long label name is cut */
	memset(text, 'n', 5000);
	memcpy(text, "label ", 6);
	text[5000] = 0;
	parse(text);
	ck_assert_uint_eq(strlen(cfg.labels[0].name), PXE_NAME_MAX - 1);
	/* binary junk */
	srand(7);
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)rand() % 4000;

		for (size_t i = 0; i < len; i++)
			text[i] = (char)(rand() % 3 ? "label kernel append \n"
					 "initrd menu default ipappend 3"[rand() % 51] :
					 rand());
		pxe_cfg_init(&cfg);
		pxe_cfg_parse(&cfg, text, len, NULL, NULL);
		(void)choose();
	}
	free(text);
}
END_TEST

/* ---- the Debian installer tree ---- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

struct tree {
	const char *root;
	char *buf[PXE_INCLUDE_DEPTH + 1];
	unsigned int fetched;
};

static int fetch_tree(void *ctx, const char *path, unsigned int depth,
		      const char **text, size_t *len)
{
	struct tree *t = ctx;
	char full[1024];

	snprintf(full, sizeof(full), "%s/%s", t->root, path);
	free(t->buf[depth]);
	t->buf[depth] = read_file(full, len);
	if (!t->buf[depth])
		return -1;
	t->fetched++;
	*text = t->buf[depth];
	return 0;
}

static void check_debian_tree(const char *root)
{
	struct pxe_lookup lk = { .prefix = "", .mac = { 0x52, 0x54, 0, 1, 2, 3 },
				 .ip = 0x0a000064 };
	struct tree t = { .root = root };
	char name[PXE_PATH_MAX], full[1024];
	char *text = NULL;
	size_t len = 0;

	/* walk the lookup list like the firmware: the first that exists */
	for (unsigned int i = 0; pxe_config_path(&lk, i, name, sizeof(name));
	     i++) {
		snprintf(full, sizeof(full), "%s/%s", root, name);
		text = read_file(full, &len);
		if (text)
			break;
	}
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(name, "pxelinux.cfg/default");
	pxe_cfg_init(&cfg);
	pxe_cfg_parse(&cfg, text, len, fetch_tree, &t);
	ck_assert_uint_ge(t.fetched, 5);
	ck_assert_uint_ge(cfg.nr_labels, 5);
	ck_assert_str_eq(cfg.default_cmd,
			 "debian-installer/amd64/boot-screens/vesamenu.c32");
	ck_assert_int_eq(choose(), 0);
	ck_assert_int_eq(boot.type, PXE_K_LINUX);
	ck_assert_str_eq(boot.kernel, "debian-installer/amd64/linux");
	ck_assert_str_eq(boot.initrd, "debian-installer/amd64/initrd.gz");
	if (cfg.ontimeout[0]) {
		ck_assert_str_eq(boot.label, "");
		ck_assert_str_eq(boot.cmdline,
				 "BOOT_IMAGE=debian-installer/amd64/linux vga=788 "
				 "initrd=debian-installer/amd64/initrd.gz "
				 "speakup.synth=soft --- quiet");
	} else {
		ck_assert_str_eq(boot.label, "install");
		ck_assert_str_eq(boot.cmdline,
				 "BOOT_IMAGE=debian-installer/amd64/linux vga=788 "
				 "initrd=debian-installer/amd64/initrd.gz --- quiet");
	}
	free(text);
	for (int i = 0; i <= PXE_INCLUDE_DEPTH; i++)
		free(t.buf[i]);
}

START_TEST(test_debian_installer_copy)
{
	const char *src = getenv("MINIVMM_SOURCE_DIR");
	char root[1024];

	snprintf(root, sizeof(root), "%s/tests/netboot/data/debian-installer-12",
		 src ? src : ".");
	check_debian_tree(root);
	ck_assert_str_eq(boot.label, "install");
}
END_TEST

START_TEST(test_debian_installer_package)
{
	const char *dir = getenv("MINIVMM_DI_NETBOOT_DIR");
	char root[1024];

	/* .../usr/lib/debian-installer/images/12/amd64 of the package
	 * debian-installer-12-netboot-amd64 (scripts/install-deps.sh) */
	if (!dir || !dir[0])
		dir = "/usr/lib/debian-installer/images/12/amd64";
	snprintf(root, sizeof(root), "%s/text/pxelinux.cfg/default", dir);
	ck_assert_msg(access(root, R_OK) == 0,
		      "%s missing: install debian-installer-12-netboot-amd64",
		      root);
	snprintf(root, sizeof(root), "%s/text", dir);
	check_debian_tree(root);
	/* The gtk variant's speech menu sets TIMEOUT 300 + ONTIMEOUT with a
	 * kernel command: unattended, that is what PXELINUX boots. */
	snprintf(root, sizeof(root), "%s/gtk", dir);
	check_debian_tree(root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pxelinux");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lookup_names);
	tcase_add_test(tc, test_prefix_and_join);
	tcase_add_test(tc, test_basic_label);
	tcase_add_test(tc, test_choice_order);
	tcase_add_test(tc, test_label_is_kernel);
	tcase_add_test(tc, test_append_initrd_ipappend);
	tcase_add_test(tc, test_special_kinds);
	tcase_add_test(tc, test_menu_and_text);
	tcase_add_test(tc, test_include_self_bounded);
	tcase_add_test(tc, test_include_fetch_budget);
	tcase_add_test(tc, test_include_mutual_and_menu_include);
	tcase_add_test(tc, test_long_lines_and_many_labels);
	tcase_add_test(tc, test_debian_installer_copy);
	tcase_add_test(tc, test_debian_installer_package);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
