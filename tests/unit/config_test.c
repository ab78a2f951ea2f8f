// SPDX-License-Identifier: MIT
/*
 * Command-line parser: every option, defaults, cross-option rules and
 * hostile input (overflows, control bytes, odd separators).
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/layout.h"
#include "vmm/config.h"
#include "vmm/log.h"
#include "vmm/rundir.h"
#include "tests/unit/unit_main.h"

#define MAX_ARGS 64

static struct config cfg;
static char err[ERR_LINE_MAX];
static char *argv_store[MAX_ARGS];
static int argc_store;

static void free_args(void)
{
	int i;

	for (i = 0; i < argc_store; i++)
		free(argv_store[i]);
	argc_store = 0;
}

/* parse("-kernel", "k", NULL): argv is writable, like the real one */
static int parse(const char *first, ...)
{
	const char *a;
	va_list ap;

	free_args();
	argv_store[argc_store++] = strdup("minivmm");
	va_start(ap, first);
	for (a = first; a; a = va_arg(ap, const char *))
		argv_store[argc_store++] = strdup(a);
	va_end(ap);
	argv_store[argc_store] = NULL;
	memset(err, 'X', sizeof(err));
	return config_parse(&cfg, argc_store, argv_store, err, sizeof(err));
}

/* The error is one line that mentions what it is about. */
static void assert_err(const char *needle)
{
	ck_assert_msg(strstr(err, needle), "error '%s' lacks '%s'", err,
		      needle);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_uint_lt(strlen(err), ERR_LINE_MAX);
}

/* -kernel k OPT VALUE is refused, with one error line that says why. */
static void assert_refused(const char *opt, const char *value, const char *why)
{
	ck_assert_msg(parse("-kernel", "k", opt, value, NULL) == -1,
		      "%s '%s' was accepted", opt, value);
	assert_err(why);
}

static void teardown(void)
{
	free_args();
}

/* -serial pty|unix, -pidfile, and where a named VM's sockets go. */
START_TEST(test_console_and_pidfile_options)
{
	struct rundir_paths paths;

	ck_assert_int_eq(parse("-kernel", "k", "-serial", "pty", NULL), 0);
	ck_assert_int_eq(cfg.serial, SERIAL_PTY);
	ck_assert_int_eq(parse("-kernel", "k", "-serial",
			       "unix:/tmp/c.sock,server=on,wait=off", NULL), 0);
	ck_assert_int_eq(cfg.serial, SERIAL_UNIX);
	ck_assert_str_eq(cfg.serial_path, "/tmp/c.sock");
	ck_assert_int_eq(parse("-kernel", "k", "-serial",
			       "unix:/tmp/c.sock,server,nowait", NULL), 0);
	ck_assert_str_eq(cfg.serial_path, "/tmp/c.sock");
	assert_refused("-serial", "unix:/tmp/c", "only a listening socket");
	assert_refused("-serial", "unix:,server,nowait", "unix: needs a socket path");
	assert_refused("-serial", "unix", "-serial unix without a path needs -name");
	assert_refused("-serial", "tcp:1", "is not stdio, file:PATH, pty, unix");
	ck_assert_int_eq(parse("-kernel", "k", "-daemonize", "-serial", "pty",
			       NULL), 0);
	ck_assert_int_eq(parse("-kernel", "k", "-pidfile", "/run/x.pid", NULL), 0);
	ck_assert_str_eq(cfg.pidfile, "/run/x.pid");
	assert_refused("-pidfile", "", "-pidfile: needs a file name");

	/* Named, no -qmp: both sockets in the runtime directory. */
	setenv("MINIVMM_RUNTIME_DIR", "/tmp/mvt-rundir-unit", 1);
	ck_assert_int_eq(parse("-kernel", "k", "-name", "vm1", "-serial", "unix",
			       NULL), 0);
	ck_assert_int_eq(rundir_apply(&cfg, &paths, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.qmp_path, "/tmp/mvt-rundir-unit/vm1.qmp");
	ck_assert_str_eq(cfg.serial_path, "/tmp/mvt-rundir-unit/vm1.console");
	/* -qmp given: it stays; nothing named: nothing changes. */
	ck_assert_int_eq(parse("-kernel", "k", "-name", "vm1", "-qmp",
			       "unix:/tmp/q,server=on,wait=off", NULL), 0);
	ck_assert_int_eq(rundir_apply(&cfg, &paths, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.qmp_path, "/tmp/q");
	ck_assert_int_eq(parse("-kernel", "k", NULL), 0);
	ck_assert_int_eq(rundir_apply(&cfg, &paths, err, sizeof(err)), 0);
	ck_assert_ptr_null(cfg.qmp_path);
	rmdir("/tmp/mvt-rundir-unit");
	unsetenv("MINIVMM_RUNTIME_DIR");
}
END_TEST

START_TEST(test_defaults)
{
	ck_assert_int_eq(parse("-kernel", "bzImage", NULL), 0);
	ck_assert_str_eq(cfg.kernel, "bzImage");
	ck_assert_ptr_null(cfg.initrd);
	ck_assert_ptr_null(cfg.append);
	ck_assert_uint_eq(cfg.mem_bytes, 256ULL << 20);
	ck_assert_uint_eq(cfg.vcpus, 1);
	ck_assert_uint_eq(cfg.sockets, 1);
	ck_assert_uint_eq(cfg.cores, 1);
	ck_assert_uint_eq(cfg.threads, 1);
	ck_assert_int_eq(cfg.serial, SERIAL_STDIO);
	ck_assert_uint_eq(cfg.nr_drives, 0);
	ck_assert_uint_eq(cfg.nr_nics, 0);
	ck_assert(!cfg.netboot && !cfg.trace_boot && !cfg.stats);
	ck_assert(!cfg.no_seccomp && !cfg.reboot_restart);
	ck_assert(!cfg.help && !cfg.version);
}
END_TEST

START_TEST(test_full_command_line)
{
	ck_assert_int_eq(parse("-kernel", "k", "-initrd", "i", "-append",
			       "console=ttyS0 quiet", "-m", "1G", "-smp",
			       "4,sockets=2,cores=2,threads=1", "-drive",
			       "file=a.img,readonly=on,cache=none,serial=SN1",
			       "-drive", "file=b.img", "-tap",
			       "tap0,mac=02:00:00:00:00:01,bridge=br0",
			       "-serial", "file:/tmp/console.log",
			       "-trace-boot", "-stats", "-no-seccomp",
			       "-reboot", "exit", "-user", "nobody",
			       "-chroot", "/var/empty", NULL), 0);
	ck_assert_str_eq(cfg.initrd, "i");
	ck_assert_str_eq(cfg.append, "console=ttyS0 quiet");
	ck_assert_uint_eq(cfg.mem_bytes, 1ULL << 30);
	ck_assert_uint_eq(cfg.vcpus, 4);
	ck_assert_uint_eq(cfg.sockets, 2);
	ck_assert_uint_eq(cfg.cores, 2);
	ck_assert_uint_eq(cfg.nr_drives, 2);
	ck_assert_str_eq(cfg.drive[0].path, "a.img");
	ck_assert(cfg.drive[0].readonly);
	ck_assert_int_eq(cfg.drive[0].cache, DRIVE_CACHE_NONE);
	ck_assert_str_eq(cfg.drive[0].serial, "SN1");
	ck_assert_str_eq(cfg.drive[1].path, "b.img");
	ck_assert(!cfg.drive[1].readonly);
	ck_assert_int_eq(cfg.drive[1].cache, DRIVE_CACHE_WRITEBACK);
	ck_assert_ptr_null(cfg.drive[1].serial);
	ck_assert_uint_eq(cfg.nr_nics, 1);
	ck_assert_str_eq(cfg.nic[0].tap, "tap0");
	ck_assert_str_eq(cfg.nic[0].bridge, "br0");
	ck_assert(cfg.nic[0].mac_set);
	ck_assert_uint_eq(cfg.nic[0].mac[5], 1);
	ck_assert_int_eq(cfg.serial, SERIAL_FILE);
	ck_assert_str_eq(cfg.serial_path, "/tmp/console.log");
	ck_assert(cfg.trace_boot && cfg.stats && cfg.no_seccomp);
	ck_assert(!cfg.reboot_restart);
	ck_assert_str_eq(cfg.user, "nobody");
	ck_assert_str_eq(cfg.chroot_dir, "/var/empty");
}
END_TEST

START_TEST(test_double_dash_forms)
{
	ck_assert_int_eq(parse("--kernel", "k", "--m=512", "--smp=2",
			       "--append=a=b c", "--stats", NULL), 0);
	ck_assert_uint_eq(cfg.mem_bytes, 512ULL << 20);
	ck_assert_uint_eq(cfg.vcpus, 2);
	ck_assert_str_eq(cfg.append, "a=b c");
	ck_assert(cfg.stats);
	ck_assert_int_eq(parse("--kernel", "k", "--stats=1", NULL), -1);
	assert_err("unknown option '--stats=1'");
}
END_TEST

START_TEST(test_help_version)
{
	ck_assert_int_eq(parse("-h", NULL), 0);
	ck_assert(cfg.help);
	ck_assert_int_eq(parse("-help", NULL), 0);
	ck_assert(cfg.help);
	ck_assert_int_eq(parse("--help", "-whatever", NULL), 0);
	ck_assert(cfg.help);
	ck_assert_int_eq(parse("-version", NULL), 0);
	ck_assert(cfg.version);
	ck_assert_int_eq(parse("--version", NULL), 0);
	ck_assert(cfg.version);
}
END_TEST

START_TEST(test_unknown_and_stray)
{
	ck_assert_int_eq(parse("-foo", NULL), -1);
	ck_assert_str_eq(err, "unknown option '-foo'");
	ck_assert_int_eq(parse("-kernel", "k", "-", NULL), -1);
	assert_err("'-'");
	ck_assert_int_eq(parse("-kernel", "k", "bzImage", NULL), -1);
	assert_err("unexpected argument 'bzImage'");
	ck_assert_int_eq(parse("---kernel", "k", NULL), -1);
	assert_err("unknown option");
	ck_assert_int_eq(parse("-Kernel", "k", NULL), -1);
	assert_err("unknown option '-Kernel'");
	/* control bytes never reach the terminal */
	ck_assert_int_eq(parse("-\x1b[2Jevil\nline", NULL), -1);
	ck_assert_ptr_null(strchr(err, '\x1b'));
	assert_err("unknown option");
}
END_TEST

START_TEST(test_missing_argument)
{
	ck_assert_int_eq(parse("-kernel", NULL), -1);
	assert_err("-kernel: needs an argument");
	ck_assert_int_eq(parse("-kernel", "k", "-m", NULL), -1);
	assert_err("-m: needs an argument");
	ck_assert_int_eq(parse("-kernel", "", NULL), -1);
	assert_err("-kernel");
	assert_refused("-initrd", "", "-initrd");
}
END_TEST

START_TEST(test_given_twice)
{
	ck_assert_int_eq(parse("-kernel", "a", "-kernel", "b", NULL), -1);
	assert_err("-kernel: given twice");
	ck_assert_int_eq(parse("-kernel", "a", "-m", "64", "--m=64", NULL),
			 -1);
	assert_err("-m: given twice");
	ck_assert_int_eq(parse("-kernel", "a", "-serial", "stdio", "-serial",
			       "none", NULL), -1);
	assert_err("-serial: given twice");
	/* flags may repeat */
	ck_assert_int_eq(parse("-kernel", "a", "-stats", "-stats", NULL), 0);
}
END_TEST

START_TEST(test_cross_option_rules)
{
	ck_assert_int_eq(parse(NULL), -1);
	assert_err("-kernel");
	ck_assert_int_eq(parse("-m", "64", NULL), -1);
	assert_err("-netboot");
	ck_assert_int_eq(parse("-kernel", "k", "-netboot", "-tap", "t0",
			       NULL), -1);
	assert_err("-netboot");
	ck_assert_int_eq(parse("-initrd", "i", "-netboot", "-tap", "t0",
			       NULL), -1);
	assert_err("-initrd needs -kernel");
	ck_assert_int_eq(parse("-netboot", NULL), -1);
	assert_err("-netboot needs a -tap");
	ck_assert_int_eq(parse("-boot", "n", NULL), -1);
	assert_err("-netboot needs a -tap");
	ck_assert_int_eq(parse("-append", "x", "-netboot", "-tap", "t0",
			       NULL), 0);
	ck_assert_str_eq(cfg.append, "x");
	ck_assert_int_eq(parse("-append", "x", NULL), -1);
	assert_err("-append needs -kernel or -netboot");
	ck_assert_int_eq(parse("-kernel", "k", "-reboot", "restart", "-user",
			       "nobody", NULL), -1);
	assert_err("-reboot restart");
	ck_assert_int_eq(parse("-netboot", "-tap", "t0", NULL), 0);
	ck_assert(cfg.netboot);
	ck_assert_int_eq(parse("-boot", "n", "-tap", "t0", NULL), 0);
	ck_assert(cfg.netboot);
	ck_assert_int_eq(parse("-boot", "c", "-tap", "t0", NULL), -1);
	assert_err("-boot");
	/* -dump-acpi needs neither */
	ck_assert_int_eq(parse("-dump-acpi", "/tmp/x", "-smp", "2", NULL), 0);
	ck_assert_str_eq(cfg.dump_acpi_dir, "/tmp/x");
	ck_assert_uint_eq(cfg.vcpus, 2);
}
END_TEST

START_TEST(test_size_parser)
{
	uint64_t b;

	ck_assert_int_eq(config_parse_size("256", &b), 0);
	ck_assert_uint_eq(b, 256ULL << 20);
	ck_assert_int_eq(config_parse_size("16384K", &b), 0);
	ck_assert_uint_eq(b, 16ULL << 20);
	ck_assert_int_eq(config_parse_size("2g", &b), 0);
	ck_assert_uint_eq(b, 2ULL << 30);
	ck_assert_int_eq(config_parse_size("512M", &b), 0);
	ck_assert_uint_eq(b, 512ULL << 20);
	ck_assert_int_eq(config_parse_size("1T", &b), 0);
	ck_assert_uint_eq(b, 1ULL << 40);
	ck_assert_int_eq(config_parse_size("0", &b), 0);
	ck_assert_uint_eq(b, 0);
	ck_assert_int_ne(config_parse_size("", &b), 0);
	ck_assert_int_ne(config_parse_size("M", &b), 0);
	ck_assert_int_ne(config_parse_size("-1", &b), 0);
	ck_assert_int_ne(config_parse_size("+1", &b), 0);
	ck_assert_int_ne(config_parse_size(" 1", &b), 0);
	ck_assert_int_ne(config_parse_size("1 ", &b), 0);
	ck_assert_int_ne(config_parse_size("0x10", &b), 0);
	ck_assert_int_ne(config_parse_size("1.5G", &b), 0);
	ck_assert_int_ne(config_parse_size("1MB", &b), 0);
	ck_assert_int_ne(config_parse_size("1KK", &b), 0);
	/* 2^44 - 1 MiB fits in 64 bits, 2^44 MiB does not */
	ck_assert_int_eq(config_parse_size("17592186044415", &b), 0);
	ck_assert_uint_eq(b, 17592186044415ULL << 20);
	ck_assert_int_eq(config_parse_size("17592186044416", &b), -ERANGE);
	ck_assert_int_eq(config_parse_size("17179869184G", &b), -ERANGE);
	ck_assert_int_eq(config_parse_size("18446744073709551616K", &b),
			 -ERANGE);
	ck_assert_int_eq(config_parse_size("99999999999999999999999999", &b),
			 -ERANGE);
}
END_TEST

START_TEST(test_mem_option)
{
	ck_assert_int_eq(parse("-kernel", "k", "-m", "16", NULL), 0);
	ck_assert_uint_eq(cfg.mem_bytes, 16ULL << 20);
	ck_assert_int_eq(parse("-kernel", "k", "-m", "1024G", NULL), 0);
	ck_assert_uint_eq(cfg.mem_bytes, 1ULL << 40);
	assert_refused("-m", "0", "-m");
	assert_refused("-m", "15", "16 MiB");
	assert_refused("-m", "1025G", "1 TiB");
	ck_assert_int_eq(parse("-kernel", "k", "-m", "17592186044417", NULL),
			 -1);
	assert_err("1 TiB");
	assert_refused("-m", "lots", "-m: invalid size 'lots'");
	assert_refused("-m", "16385K", "4 KiB");
	assert_refused("-m", "-256", "-m");
}
END_TEST

START_TEST(test_smp_option)
{
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "8", NULL), 0);
	ck_assert_uint_eq(cfg.vcpus, 8);
	ck_assert_uint_eq(cfg.sockets, 1);
	ck_assert_uint_eq(cfg.cores, 8);
	ck_assert_uint_eq(cfg.threads, 1);
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "8,sockets=2", NULL),
			 0);
	ck_assert_uint_eq(cfg.cores, 4);
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "8,threads=2", NULL),
			 0);
	ck_assert_uint_eq(cfg.sockets, 1);
	ck_assert_uint_eq(cfg.cores, 4);
	ck_assert_uint_eq(cfg.threads, 2);
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "8,cores=2", NULL), 0);
	ck_assert_uint_eq(cfg.sockets, 4);
	ck_assert_int_eq(parse("-kernel", "k", "-smp",
			       "sockets=2,cores=3,threads=2", NULL), 0);
	ck_assert_uint_eq(cfg.vcpus, 12);
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "cpus=3", NULL), 0);
	ck_assert_uint_eq(cfg.vcpus, 3);
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "255", NULL), 0);
	ck_assert_uint_eq(cfg.vcpus, CONFIG_MAX_VCPUS);

	assert_refused("-smp", "0", "-smp");
	assert_refused("-smp", "256", "255");
	assert_refused("-smp", "100000", "-smp");
	assert_refused("-smp", "99999999999999999999999", "-smp");
	assert_refused("-smp", "4,cores=3", "must equal 4");
	assert_refused("-smp", "4,sockets=2,cores=2,threads=2", "must equal 4");
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "4,sockets=0", NULL),
			 -1);
	assert_err("sockets");
	assert_refused("-smp", "4,dies=2", "unknown key 'dies'");
	assert_refused("-smp", "4,4", "-smp");
	assert_refused("-smp", "", "-smp");
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "2,", NULL), 0);
	assert_refused("-smp", "sockets=16,cores=16,threads=2", "255");
	assert_refused("-smp", "-1", "-smp");
	assert_refused("-smp", "2,cores=", "cores");
}
END_TEST

/* config_parse_drive() on a copy of spec (it cuts the copy up, and the
 * config points into it: good until the next call). */
static int parse_drive(struct drive_config *d, const char *spec)
{
	static char copy[128];

	ck_assert_uint_lt(strlen(spec), sizeof(copy));
	strcpy(copy, spec);
	return config_parse_drive(d, copy, err, sizeof(err));
}

START_TEST(test_drive_parser)
{
	struct drive_config d;

	ck_assert_int_eq(parse_drive(&d, "file=/a,,b.img,cache=unsafe"), 0);
	ck_assert_str_eq(d.path, "/a,b.img");
	ck_assert_int_eq(d.cache, DRIVE_CACHE_UNSAFE);
	ck_assert_int_eq(parse_drive(&d, "file=x=y,readonly=off"), 0);
	ck_assert_str_eq(d.path, "x=y");
	ck_assert(!d.readonly);
	ck_assert_int_eq(parse_drive(&d, "file=x,readonly"), 0);
	ck_assert(d.readonly);
	ck_assert_int_eq(parse_drive(&d, "file=x,serial=12345678901234567890"), 0);
	ck_assert_uint_eq(strlen(d.serial), 20);
	ck_assert_int_eq(parse_drive(&d, "file=a,cache=directsync"), 0);
	ck_assert_int_eq(d.cache, DRIVE_CACHE_DIRECTSYNC);
	ck_assert_int_eq(parse_drive(&d, "file=a,cache=writethrough,discard=ignore,snapshot=on"), 0);
	ck_assert_int_eq(d.cache, DRIVE_CACHE_WRITETHROUGH);
	ck_assert_int_eq(d.discard, DRIVE_DISCARD_IGNORE);
	ck_assert(d.snapshot);
	ck_assert_int_eq(parse_drive(&d, "file=a"), 0);
	ck_assert_int_eq(d.discard, DRIVE_DISCARD_UNMAP);
	ck_assert(!d.snapshot);
	ck_assert_int_eq(parse_drive(&d, "file=a,format=raw"), 0);
	ck_assert_int_eq(d.format, DRIVE_FORMAT_RAW);
	ck_assert_int_eq(parse_drive(&d, "file=a,format=qcow2"), 0);
	ck_assert_int_eq(d.format, DRIVE_FORMAT_QCOW2);
	ck_assert_int_eq(parse_drive(&d, "file=a"), 0);
	ck_assert_int_eq(d.format, DRIVE_FORMAT_PROBE);
	ck_assert_int_eq(parse_drive(&d, "file=a,,"), 0);
	ck_assert_str_eq(d.path, "a,");
}
END_TEST

/* Each is refused; with the error line saying what (why: NULL, any). */
START_TEST(test_drive_refusals)
{
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "file=x,serial=123456789012345678901", "serial" },
		{ "file=x,serial=a b", "serial" },
		{ "file=x,serial=", NULL },
		{ "readonly=on", "-drive: file= is required" },
		{ "file=", "-drive" },
		{ "", NULL },
		{ "disk.img", "unknown key 'disk.img'" },
		{ "file=a,file=b", "twice" },
		{ "file=a,readonly=yes", "readonly" },
		{ "file=a,cache=directio", "cache= takes writeback, writethrough, none, directsync or unsafe, not 'directio'" },
		{ "file=a,discard=maybe", "discard= takes unmap or ignore" },
		{ "file=a,snapshot=yes", "snapshot= takes on or off" },
		{ "file=a,cache", "cache" },
		{ "file=a,format=vmdk", "format= takes raw or qcow2" },
		{ "file=a,format=raw,format=raw", "twice" },
		{ "file=a,bogus=1", "unknown key 'bogus'" },
	};
	struct drive_config d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_drive(&d, bad[i].spec) == -1,
			      "-drive '%s' was accepted", bad[i].spec);
		if (bad[i].why)
			assert_err(bad[i].why);
	}
}
END_TEST

START_TEST(test_too_many_drives_and_nics)
{
	ck_assert_int_eq(parse("-kernel", "k", "-drive", "file=1", "-drive",
			       "file=2", "-drive", "file=3", "-drive", "file=4",
			       "-drive", "file=5", "-drive", "file=6", "-drive",
			       "file=7", "-drive", "file=8", NULL), 0);
	ck_assert_uint_eq(cfg.nr_drives, 8);
	ck_assert(!cfg.drive[7].snapshot);
	/* -snapshot: every drive, wherever it stands. */
	ck_assert_int_eq(parse("-kernel", "k", "-drive", "file=1", "-snapshot",
			       "-drive", "file=2", NULL), 0);
	ck_assert(cfg.drive[0].snapshot && cfg.drive[1].snapshot);
	ck_assert_int_eq(parse("-kernel", "k", "-drive", "file=1", "-drive",
			       "file=2", "-drive", "file=3", "-drive", "file=4",
			       "-drive", "file=5", "-drive", "file=6", "-drive",
			       "file=7", "-drive", "file=8", "-drive", "file=9",
			       NULL), -1);
	assert_err("-drive: at most 8");
	ck_assert_int_eq(parse("-kernel", "k", "-tap", "a", "-tap", "b",
			       "-tap", "c", "-tap", "d", NULL), 0);
	ck_assert_uint_eq(cfg.nr_nics, 4);
	ck_assert_int_eq(parse("-kernel", "k", "-tap", "a", "-tap", "b",
			       "-tap", "c", "-tap", "d", "-tap", "e", NULL), -1);
	assert_err("-tap: at most 4");
	ck_assert_int_eq(parse("-kernel", "k", "-tap", "a", "-tap", "a",
			       NULL), -1);
	assert_err("twice");
	ck_assert_int_eq(parse("-kernel", "k", "-tap",
			       "a,mac=02:00:00:00:00:01", "-tap",
			       "b,mac=02:00:00:00:00:01", NULL), -1);
	assert_err("same MAC");
}
END_TEST

START_TEST(test_share_option)
{
	char spec[64];
	struct share_config sh;

	ck_assert_int_eq(parse("-kernel", "k", "-share", "/srv,tag=data",
			       "-share", "/tmp,tag=scratch,readonly=off", NULL), 0);
	ck_assert_uint_eq(cfg.nr_shares, 2);
	ck_assert_str_eq(cfg.share[0].path, "/srv");
	ck_assert_str_eq(cfg.share[0].tag, "data");
	ck_assert(cfg.share[0].readonly);	/* the default */
	ck_assert(!cfg.share[1].readonly);

	assert_refused("-share", "/srv", "-share: tag= is required");
	assert_refused("-share", "tag=x", "-share: the first item must be the directory");
	ck_assert_int_eq(parse("-kernel", "k", "-share", "/a,tag=x", "-share",
			       "/b,tag=x", NULL), -1);
	assert_err("tag 'x' given twice");
	assert_refused("-share", "/a,tag=x,readonly=maybe", "readonly= takes on or off");
	assert_refused("-share", "/a,tag=x,color=red", "unknown key");
	assert_refused("-share", "/a,tag=0123456789012345678901234567890123456",
		       "tag= needs 1 to 36");
	assert_refused("-share", "/a,tag=a b", "printable");
	strcpy(spec, "/x,tag=t,tag=u");
	ck_assert_int_eq(config_parse_share(&sh, spec, err, sizeof(err)), -1);
	assert_err("tag= given twice");

	/* At most 8 shares, and 16 virtio devices in all. */
	ck_assert_int_eq(parse("-kernel", "k", "-share", "/a,tag=1", "-share",
			       "/a,tag=2", "-share", "/a,tag=3", "-share", "/a,tag=4",
			       "-share", "/a,tag=5", "-share", "/a,tag=6", "-share",
			       "/a,tag=7", "-share", "/a,tag=8", "-share", "/a,tag=9",
			       NULL), -1);
	assert_err("-share: at most 8 shares");
	ck_assert_int_eq(parse("-kernel", "k", "-drive", "file=1", "-drive",
			       "file=2", "-drive", "file=3", "-drive", "file=4",
			       "-drive", "file=5", "-drive", "file=6", "-drive",
			       "file=7", "-drive", "file=8", "-tap", "a", "-tap", "b",
			       "-tap", "c", "-tap", "d", "-share", "/a,tag=1", "-share",
			       "/a,tag=2", "-share", "/a,tag=3", "-share", "/a,tag=4",
			       "-share", "/a,tag=5", NULL), -1);
	assert_err("too many virtio devices");
}
END_TEST

START_TEST(test_timeout_option)
{
	ck_assert_int_eq(parse("-kernel", "k", "-timeout", "5", NULL), 0);
	ck_assert_uint_eq(cfg.timeout_sec, 5);
	ck_assert_int_eq(parse("-kernel", "k", NULL), 0);
	ck_assert_uint_eq(cfg.timeout_sec, 0);
	assert_refused("-timeout", "0", "-timeout: '0' is not a number of seconds");
	assert_refused("-timeout", "1.5", "-timeout");
	assert_refused("-timeout", "86401", "from 1 to 86400");
	ck_assert_int_eq(parse("-kernel", "k", "-timeout", "1", "-timeout", "2",
			       NULL), -1);
	assert_err("twice");
}
END_TEST

START_TEST(test_netboot_timeout_option)
{
	ck_assert_int_eq(parse("-netboot", "-tap", "t", NULL), 0);
	ck_assert(!cfg.netboot_timeout_given);
	ck_assert_int_eq(parse("-netboot", "-tap", "t", "-netboot-timeout", "30",
			       NULL), 0);
	ck_assert(cfg.netboot_timeout_given);
	ck_assert_uint_eq(cfg.netboot_timeout_sec, 30);
	ck_assert_int_eq(parse("-netboot", "-tap", "t", "-netboot-timeout", "0",
			       NULL), 0);
	ck_assert_uint_eq(cfg.netboot_timeout_sec, 0);	/* never */
	ck_assert_int_eq(parse("-netboot", "-tap", "t", "-netboot-timeout",
			       "86401", NULL), -1);
	assert_err("from 0 to 86400");
	ck_assert_int_eq(parse("-netboot", "-tap", "t", "-netboot-timeout", "5s",
			       NULL), -1);
	assert_err("-netboot-timeout: '5s' is not a number of seconds");
	assert_refused("-netboot-timeout", "5", "-netboot-timeout needs -netboot");
}
END_TEST

START_TEST(test_nic_parser)
{
	struct nic_config n;
	uint8_t def[6];
	char spec[128];

	strcpy(spec, "tap0");
	ck_assert_int_eq(config_parse_nic(&n, spec, err, sizeof(err)), 0);
	ck_assert_str_eq(n.tap, "tap0");
	ck_assert(!n.mac_set);
	ck_assert_ptr_null(n.bridge);
	config_default_mac("tap0", def);
	ck_assert_int_eq(memcmp(n.mac, def, 6), 0);
	strcpy(spec, "A-b_c.9012345678");	/* 16 chars */
	ck_assert_int_eq(config_parse_nic(&n, spec, err, sizeof(err)), -1);
	assert_err("-tap");
	strcpy(spec, "A-b_c.901234567");	/* 15 chars */
	ck_assert_int_eq(config_parse_nic(&n, spec, err, sizeof(err)), 0);
	strcpy(spec, "tap0,bridge=br-lan,mac=aa:BB:cc:dd:ee:f0");
	ck_assert_int_eq(config_parse_nic(&n, spec, err, sizeof(err)), 0);
	ck_assert_str_eq(n.bridge, "br-lan");
	ck_assert(n.mac_set);
	ck_assert_uint_eq(n.mac[1], 0xbb);
	ck_assert_uint_eq(n.mac[5], 0xf0);

	const char *bad[] = {
		"", "tap 0", "tap/0", "tap:0", ".", "..", "tap0,mac=",
		"tap0,mac=01:00:5e:00:00:01", "tap0,mac=ff:ff:ff:ff:ff:ff",
		"tap0,mac=00:00:00:00:00:00", "tap0,mac=02:00:00:00:00",
		"tap0,mac=02:00:00:00:00:01:02", "tap0,mac=2:0:0:0:0:1",
		"tap0,mac=02-00-00-00-00-01", "tap0,mac=02:00:00:00:00:0g",
		"tap0,bridge=", "tap0,bridge=br0,bridge=br1", "tap0,vhost=on",
		"name=tap0", ",tap0", "tap0,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02",
		"tap\xff", "tap0,bridge=this-is-too-long0",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(spec, bad[i]);
		ck_assert_msg(config_parse_nic(&n, spec, err, sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
		assert_err("-tap");
	}
}
END_TEST

START_TEST(test_mac_parser)
{
	uint8_t m[6] = { 9, 9, 9, 9, 9, 9 };

	ck_assert_int_eq(config_parse_mac("52:54:00:12:34:56", m), 0);
	ck_assert_uint_eq(m[0], 0x52);
	ck_assert_uint_eq(m[5], 0x56);
	ck_assert_int_ne(config_parse_mac("", m), 0);
	ck_assert_int_ne(config_parse_mac("52:54:00:12:34:5", m), 0);
	ck_assert_int_ne(config_parse_mac("52:54:00:12:34:567", m), 0);
	ck_assert_int_ne(config_parse_mac("03:00:00:00:00:00", m), 0);
	ck_assert_int_ne(config_parse_mac("52:54:00:12:34:56\n", m), 0);
	ck_assert_uint_eq(m[5], 0x56);	/* untouched on failure */
}
END_TEST

/* FNV-1a is documented in docs/usage.md: keep these values stable. */
START_TEST(test_default_mac_stable)
{
	uint8_t a[6], b[6];

	config_default_mac("tap0", a);
	ck_assert_uint_eq(a[0], 0x52);
	ck_assert_uint_eq(a[1], 0x54);
	ck_assert_uint_eq(a[2], 0x00);
	/* FNV-1a-32("tap0") = 0xb54a63d6 */
	ck_assert_uint_eq(a[3], 0x4a);
	ck_assert_uint_eq(a[4], 0x63);
	ck_assert_uint_eq(a[5], 0xd6);
	config_default_mac("tap1", b);
	ck_assert_int_ne(memcmp(a, b, 6), 0);
	config_default_mac("", b);	/* FNV offset basis 0x811c9dc5 */
	ck_assert_uint_eq(b[3], 0x1c);
	ck_assert_uint_eq(b[4], 0x9d);
	ck_assert_uint_eq(b[5], 0xc5);
}
END_TEST

START_TEST(test_serial_and_reboot)
{
	ck_assert_int_eq(parse("-kernel", "k", "-serial", "none", NULL), 0);
	ck_assert_int_eq(cfg.serial, SERIAL_NONE);
	ck_assert_int_eq(parse("-kernel", "k", "-serial", "stdio", NULL), 0);
	ck_assert_int_eq(cfg.serial, SERIAL_STDIO);
	ck_assert_int_eq(parse("-kernel", "k", "-serial", "file:a:b", NULL),
			 0);
	ck_assert_str_eq(cfg.serial_path, "a:b");
	assert_refused("-serial", "file:", "-serial");
	ck_assert_int_eq(parse("-kernel", "k", "-serial", "tcp:1234", NULL),
			 -1);
	assert_err("-serial: 'tcp:1234'");
	ck_assert_int_eq(parse("-kernel", "k", "-reboot", "exit", NULL), 0);
	ck_assert(!cfg.reboot_restart);
	assert_refused("-reboot", "again", "-reboot");
	assert_refused("-user", "", "-user");
	assert_refused("-chroot", "", "-chroot");
	ck_assert_int_eq(parse("-dump-acpi", "", NULL), -1);
	assert_err("-dump-acpi");
}
END_TEST

START_TEST(test_qmp_option)
{
	ck_assert_int_eq(parse("-kernel", "k", "-qmp",
			       "unix:/run/a.sock,server=on,wait=off", NULL), 0);
	ck_assert_str_eq(cfg.qmp_path, "/run/a.sock");
	ck_assert_int_eq(parse("-kernel", "k", "-qmp",
			       "unix:b.sock,server,nowait", NULL), 0);
	ck_assert_str_eq(cfg.qmp_path, "b.sock");
	ck_assert_int_eq(parse("-kernel", "k", NULL), 0);
	ck_assert_ptr_null(cfg.qmp_path);
	assert_refused("-qmp", "tcp:1:2,server=on,wait=off", "-qmp: takes unix:PATH");
	assert_refused("-qmp", "unix:,server,nowait", "-qmp: empty socket path");
	ck_assert_int_eq(parse("-kernel", "k", "-qmp", "unix:a,server=on", NULL),
			 -1);
	assert_err("-qmp: only a listening socket");
	assert_refused("-qmp", "unix:a,server,wait=on", "-qmp: unknown flag 'wait=on'");
}
END_TEST

START_TEST(test_uuid_option)
{
	static const uint8_t want[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
		0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

	ck_assert_int_eq(parse("-kernel", "k", NULL), 0);
	ck_assert(!cfg.have_uuid);
	ck_assert_int_eq(parse("-kernel", "k", "-uuid",
			       "12345678-9ABC-def0-0123-456789abcdef", NULL), 0);
	ck_assert(cfg.have_uuid);
	ck_assert_mem_eq(cfg.uuid, want, 16);
	assert_refused("-uuid", "12345678-9abc-def0-0123-456789abcde",
		       "-uuid: '12345678-9abc-def0-0123-456789abcde' is not a UUID");
	ck_assert_int_eq(parse("-kernel", "k", "-uuid",
			       "12345678-9abc-def0-0123-456789abcdef0", NULL), -1);
	ck_assert_int_eq(parse("-kernel", "k", "-uuid",
			       "123456789abc-def0-0123-456789abcdef", NULL), -1);
	ck_assert_int_eq(parse("-kernel", "k", "-uuid",
			       "1234567g-9abc-def0-0123-456789abcdef", NULL), -1);
	ck_assert_int_eq(parse("-kernel", "k", "-uuid", "", NULL), -1);
}
END_TEST

START_TEST(test_name_option)
{
	ck_assert_int_eq(parse("-kernel", "k", "-name", "web-1.prod", NULL), 0);
	ck_assert_str_eq(cfg.name, "web-1.prod");
	ck_assert_int_eq(parse("-kernel", "k", "-name", "guest=db+2", NULL), 0);
	ck_assert_str_eq(cfg.name, "db+2");
	ck_assert_int_eq(parse("-kernel", "k", NULL), 0);
	ck_assert_ptr_null(cfg.name);
	assert_refused("-name", "", "-name: 1 to 63");
	assert_refused("-name", "a/b", "-name: only letters");
	assert_refused("-name", "a\"b", "-name: only letters");
	assert_refused("-name", "..", "-name: must not start");
	assert_refused("-name", "0123456789012345678901234567890123456789012345678901234567890123",
		       "-name: 1 to 63");
}
END_TEST

START_TEST(test_daemonize_rules)
{
	ck_assert_int_eq(parse("-kernel", "k", "-daemonize", "-serial", "none",
			       NULL), 0);
	ck_assert(cfg.daemonize);
	ck_assert_int_eq(parse("-kernel", "k", "-daemonize", NULL), -1);
	assert_err("-daemonize needs -serial none");
	ck_assert_int_eq(parse("-kernel", "k", "-daemonize", "-serial", "none",
			       "-reboot", "restart", NULL), -1);
	assert_err("-daemonize cannot be combined with -reboot restart");
}
END_TEST

START_TEST(test_append_limits)
{
	char *big = malloc(LAYOUT_CMDLINE_MAX + 1);

	memset(big, 'a', LAYOUT_CMDLINE_MAX);
	big[LAYOUT_CMDLINE_MAX] = '\0';
	ck_assert_int_eq(parse("-kernel", "k", "-append", big, NULL), -1);
	assert_err("-append");
	big[LAYOUT_CMDLINE_MAX - 1] = '\0';
	ck_assert_int_eq(parse("-kernel", "k", "-append", big, NULL), 0);
	ck_assert_int_eq(parse("-kernel", "k", "-append", "", NULL), 0);
	ck_assert_str_eq(cfg.append, "");
	free(big);
}
END_TEST

/* Long hostile values: the message stays one bounded line. */
START_TEST(test_long_hostile_values)
{
	char *big = malloc(5000);

	memset(big, '\n', 4999);
	big[4999] = '\0';
	ck_assert_int_eq(parse("-kernel", "k", "-m", big, NULL), -1);
	assert_err("-m");
	ck_assert_int_eq(parse("-kernel", "k", "-serial", big, NULL), -1);
	assert_err("-serial");
	ck_assert_int_eq(parse("-kernel", "k", "-tap", big, NULL), -1);
	assert_err("-tap");
	ck_assert_int_eq(parse("-kernel", "k", "-drive", big, NULL), -1);
	assert_err("-drive");
	ck_assert_int_eq(parse(big, NULL), -1);
	assert_err("unexpected argument");
	memset(big, ',', 4999);
	ck_assert_int_eq(parse("-kernel", "k", "-smp", big, NULL), -1);
	assert_err("-smp");
	ck_assert_int_eq(parse("-kernel", "k", "-drive", big, NULL), -1);
	assert_err("-drive");
	free(big);
}
END_TEST

/*
 * Random command lines from option names, plausible and hostile values:
 * the parser either accepts (and then the config is consistent) or says
 * why in one line.  Deterministic seed, so a failure reproduces.
 */
START_TEST(test_random_command_lines)
{
	static const char *const words[] = {
		"-kernel", "-initrd", "-append", "-m", "-smp", "-drive", "-tap",
		"-serial", "-netboot", "-boot", "-trace-boot", "-stats",
		"-no-seccomp", "-reboot", "-dump-acpi", "-user", "-chroot",
		"--m=64", "--smp=2,threads=2", "k", "", "0", "16", "256M", "1T",
		"2,sockets=2", "4,cores=3", "file=a", "file=a,,b,readonly",
		"file=,cache=none", "tap0", "tap0,mac=52:54:00:00:00:01",
		"tap1,bridge=br0", "stdio", "none", "file:", "file:x", "n",
		"exit", "restart", ",", ",,", "=", "-", "--", "---", "-h",
		"\xff\x01", "sockets=0", "cpus=1", "x=y=z",
	};
	const size_t nw = sizeof(words) / sizeof(words[0]);
	unsigned int seed = 12345, round;

	for (round = 0; round < 20000; round++) {
		int n = (int)(rand_r(&seed) % 9), i;

		free_args();
		argv_store[argc_store++] = strdup("minivmm");
		for (i = 0; i < n; i++)
			argv_store[argc_store++] =
				strdup(words[rand_r(&seed) % nw]);
		argv_store[argc_store] = NULL;
		if (config_parse(&cfg, argc_store, argv_store, err, sizeof(err)) == 0) {
			if (cfg.help || cfg.version)
				continue;
			ck_assert(cfg.kernel || cfg.netboot || cfg.dump_acpi_dir);
			ck_assert(!(cfg.kernel && cfg.netboot));
			ck_assert(!cfg.netboot || cfg.nr_nics);
			ck_assert_uint_ge(cfg.mem_bytes, 16ULL << 20);
			ck_assert_uint_le(cfg.mem_bytes, 1ULL << 40);
			ck_assert_uint_ge(cfg.vcpus, 1);
			ck_assert_uint_le(cfg.vcpus, CONFIG_MAX_VCPUS);
			ck_assert_uint_eq(cfg.sockets * cfg.cores * cfg.threads,
					  cfg.vcpus);
			ck_assert_uint_le(cfg.nr_drives, CONFIG_MAX_DRIVES);
			ck_assert_uint_le(cfg.nr_nics, CONFIG_MAX_NICS);
		} else {
			ck_assert_uint_gt(strlen(err), 0);
			ck_assert_ptr_null(strchr(err, '\n'));
		}
	}
}
END_TEST

START_TEST(test_console_log)
{
	ck_assert_int_eq(parse("-kernel", "k", "-console-log", "boot.log", NULL), 0);
	ck_assert_str_eq(cfg.console_log, "boot.log");
	ck_assert_uint_eq(cfg.console_log_limit, CONFIG_CONSOLE_LOG_LIMIT);
	ck_assert_int_eq(parse("-kernel", "k", "-console-log", "a,,b.log,limit=1K",
			       NULL), 0);
	ck_assert_str_eq(cfg.console_log, "a,b.log");
	ck_assert_uint_eq(cfg.console_log_limit, 1024);
	ck_assert_int_eq(parse("-kernel", "k", "-console-log", "x,limit=none", NULL), 0);
	ck_assert_uint_eq(cfg.console_log_limit, UINT64_MAX);
	assert_refused("-console-log", "x,limit=0", "limit=");
	assert_refused("-console-log", "x,limit=1K,limit=2K", "repeated key 'limit'");
	assert_refused("-console-log", "limit=1K", "needs a file name first");
	assert_refused("-console-log", "x,size=1", "unknown or repeated key 'size'");
	assert_refused("-console-log", "", "-console-log");
	ck_assert_int_eq(parse("-kernel", "k", "-console-log", "a", "-console-log",
			       "b", NULL), -1);
	assert_err("given twice");
}
END_TEST

START_TEST(test_affinity)
{
	ck_assert_int_eq(parse("-kernel", "k", "-smp", "2", "-vcpu-affinity",
			       "[0@[0],1@0]", "-io-affinity", "0", NULL), 0);
	ck_assert(cfg.vcpu_affinity[0].given && cfg.vcpu_affinity[1].given);
	ck_assert(CPU_ISSET(0, &cfg.vcpu_affinity[1].cpus));
	ck_assert_int_eq(CPU_COUNT(&cfg.vcpu_affinity[0].cpus), 1);
	ck_assert_int_eq(cfg.vcpu_affinity_highest, 1);
	ck_assert(cfg.io_affinity.given && !cfg.vcpu_affinity_all.given);
	ck_assert_int_eq(parse("-kernel", "k", "-vcpu-affinity", "0", NULL), 0);
	ck_assert(cfg.vcpu_affinity_all.given);
	ck_assert_int_eq(cfg.vcpu_affinity_highest, -1);
	/* Not run by anybody: CPU 1023 is outside any real cpuset here. */
	assert_refused("-vcpu-affinity", "1023",
		       "host CPU 1023 is not among the CPUs minivmm may use");
	assert_refused("-io-affinity", "0,1020-1023", "-io-affinity: host CPU 1020");
	assert_refused("-vcpu-affinity", "[1@[0]]", "vCPU 1 does not exist (-smp 1)");
	assert_refused("-io-affinity", "1024", "too large");
	assert_refused("-vcpu-affinity", "99999999999999999999", "too large");
}
END_TEST

static void assert_cpulist(const char *s, int ret, const char *formatted)
{
	cpu_set_t set;
	char buf[64];

	ck_assert_int_eq(affinity_parse_cpulist(s, strlen(s), &set), ret);
	if (ret)
		return;
	affinity_format(&set, buf, sizeof(buf));
	ck_assert_str_eq(buf, formatted);
}

START_TEST(test_affinity_parsers)
{
	struct cpu_affinity v[4], all;
	char msg[128];
	int hi;

	assert_cpulist("0", 0, "0");
	assert_cpulist("0-3,6,8-9", 0, "0-3,6,8-9");
	assert_cpulist("3,1,2", 0, "1-3");
	assert_cpulist("", -EINVAL, NULL);
	assert_cpulist("1-", -EINVAL, NULL);
	assert_cpulist("3-1", -EINVAL, NULL);
	assert_cpulist("1,,2", -EINVAL, NULL);
	assert_cpulist("-1", -EINVAL, NULL);
	assert_cpulist("1 ", -EINVAL, NULL);
	assert_cpulist("0-1024", -ERANGE, NULL);

	memset(v, 0, sizeof(v));
	memset(&all, 0, sizeof(all));
	ck_assert_int_eq(affinity_parse_vcpus("[0@[0-1],2@[3]]", v, 4, &all, &hi,
					      msg, sizeof(msg)), 0);
	ck_assert_int_eq(hi, 2);
	ck_assert(v[0].given && !v[1].given && v[2].given && !all.given);
	ck_assert_int_eq(CPU_COUNT(&v[0].cpus), 2);
	memset(v, 0, sizeof(v));
	ck_assert_int_eq(affinity_parse_vcpus("0@[0],0@[1]", v, 4, &all, &hi,
					      msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "named twice"));
	memset(v, 0, sizeof(v));
	ck_assert_int_eq(affinity_parse_vcpus("4@[0]", v, 4, &all, &hi, msg,
					      sizeof(msg)), -1);
	memset(v, 0, sizeof(v));
	ck_assert_int_eq(affinity_parse_vcpus("0@[0]1@[1]", v, 4, &all, &hi, msg,
					      sizeof(msg)), -1);
	memset(v, 0, sizeof(v));
	ck_assert_int_eq(affinity_parse_vcpus("0@", v, 4, &all, &hi, msg,
					      sizeof(msg)), -1);
	memset(v, 0, sizeof(v));
	ck_assert_int_eq(affinity_parse_vcpus("[", v, 4, &all, &hi, msg,
					      sizeof(msg)), -1);
	ck_assert_int_eq(affinity_parse_vcpus("@", v, 4, &all, &hi, msg,
					      sizeof(msg)), -1);
}
END_TEST

START_TEST(test_gdb_options)
{
	struct gdb_config g;
	char spec[64];

	strcpy(spec, "tcp::1234");
	ck_assert_int_eq(config_parse_gdb(&g, spec, err, sizeof(err)), 0);
	ck_assert_int_eq(g.kind, GDB_LISTEN_TCP);
	ck_assert_ptr_null(g.host);
	ck_assert_uint_eq(g.port, 1234);
	strcpy(spec, "tcp:0.0.0.0:9");
	ck_assert_int_eq(config_parse_gdb(&g, spec, err, sizeof(err)), 0);
	ck_assert_str_eq(g.host, "0.0.0.0");
	strcpy(spec, "tcp:[::1]:77");
	ck_assert_int_eq(config_parse_gdb(&g, spec, err, sizeof(err)), 0);
	ck_assert_str_eq(g.host, "::1");
	ck_assert_uint_eq(g.port, 77);
	strcpy(spec, "unix:/tmp/x.sock,server=on");
	ck_assert_int_eq(config_parse_gdb(&g, spec, err, sizeof(err)), 0);
	ck_assert_int_eq(g.kind, GDB_LISTEN_UNIX);
	ck_assert_str_eq(g.path, "/tmp/x.sock");
	static const char *const bad[] = { "tcp:1234", "tcp::0", "tcp::65536", "tcp::12x",
					   "tcp::", "unix:", "unix:/x,wait=off", "udp::1", "" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(spec, bad[i]);
		ck_assert_msg(config_parse_gdb(&g, spec, err, sizeof(err)) < 0, "%s accepted", bad[i]);
	}
	/* a control byte in the spec stays out of the one-line message */
	strcpy(spec, "un\nix:&");
	ck_assert_int_eq(config_parse_gdb(&g, spec, err, sizeof(err)), -1);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_rng_option)
{
	ck_assert_int_eq(parse("-kernel", "k", NULL), 0);
	ck_assert(!cfg.rng_off);
	ck_assert_int_eq(parse("-kernel", "k", "-rng", "off", NULL), 0);
	ck_assert(cfg.rng_off);
	ck_assert_int_eq(parse("-kernel", "k", "-rng", "on", NULL), 0);
	ck_assert(!cfg.rng_off);
	assert_refused("-rng", "yes", "-rng: takes on or off");
	/* 16 windows: 8 disks, 4 NICs and 4 shares fit only without the rng. */
	ck_assert_int_eq(parse("-kernel", "k", "-drive", "file=1", "-drive",
			       "file=2", "-drive", "file=3", "-drive", "file=4",
			       "-drive", "file=5", "-drive", "file=6", "-drive",
			       "file=7", "-drive", "file=8", "-tap", "a", "-tap", "b",
			       "-tap", "c", "-tap", "d", "-share", "/a,tag=1", "-share",
			       "/a,tag=2", "-share", "/a,tag=3", "-share", "/a,tag=4",
			       NULL), -1);
	assert_err("the rng (-rng off frees its slot)");
	ck_assert_int_eq(parse("-kernel", "k", "-rng", "off", "-drive", "file=1", "-drive",
			       "file=2", "-drive", "file=3", "-drive", "file=4",
			       "-drive", "file=5", "-drive", "file=6", "-drive",
			       "file=7", "-drive", "file=8", "-tap", "a", "-tap", "b",
			       "-tap", "c", "-tap", "d", "-share", "/a,tag=1", "-share",
			       "/a,tag=2", "-share", "/a,tag=3", "-share", "/a,tag=4",
			       NULL), 0);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full_command_line);
	tcase_add_test(tc, test_double_dash_forms);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_unknown_and_stray);
	tcase_add_test(tc, test_missing_argument);
	tcase_add_test(tc, test_given_twice);
	tcase_add_test(tc, test_cross_option_rules);
	tcase_add_test(tc, test_size_parser);
	tcase_add_test(tc, test_mem_option);
	tcase_add_test(tc, test_smp_option);
	tcase_add_test(tc, test_drive_parser);
	tcase_add_test(tc, test_drive_refusals);
	tcase_add_test(tc, test_too_many_drives_and_nics);
	tcase_add_test(tc, test_nic_parser);
	tcase_add_test(tc, test_mac_parser);
	tcase_add_test(tc, test_default_mac_stable);
	tcase_add_test(tc, test_serial_and_reboot);
	tcase_add_test(tc, test_qmp_option);
	tcase_add_test(tc, test_name_option);
	tcase_add_test(tc, test_daemonize_rules);
	tcase_add_test(tc, test_uuid_option);
	tcase_add_test(tc, test_append_limits);
	tcase_add_test(tc, test_long_hostile_values);
	tcase_add_test(tc, test_random_command_lines);
	tcase_add_test(tc, test_console_log);
	tcase_add_test(tc, test_affinity);
	tcase_add_test(tc, test_affinity_parsers);
	tcase_add_test(tc, test_rng_option);
	tcase_add_test(tc, test_share_option);
	tcase_add_test(tc, test_gdb_options);
	tcase_add_test(tc, test_timeout_option);
	tcase_add_test(tc, test_netboot_timeout_option);
	tcase_add_test(tc, test_console_and_pidfile_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(config_suite());
}
