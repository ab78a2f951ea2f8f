// SPDX-License-Identifier: MIT
/*
 * minivmm's built-in init for -rootfs (docs/kernel-dev.md).  PID 1 of the
 * initramfs minivmm generates in memory (vmm/rootfs.c).  It loads the
 * modules minivmm put in /minivmm/modules, mounts the shared root
 * read-only with a tmpfs overlay on top, switches into it, mounts /proc,
 * /sys, /dev, /dev/pts, /dev/shm and /run, brings up lo, sets the
 * hostname, then runs /bin/sh -c CMD (or an interactive shell) on the
 * console as its controlling terminal, in the directory minivmm asked for.
 * The shell's status goes to minivmm through PORT_RUN_STATUS; an init
 * that cannot get that far reports INIT_STATUS_FAILED (125).
 *
 * A static host program (glibc), built by CMake and embedded in minivmm
 * (init_blob.S).  What minivmm tells it lives in /minivmm/ (files, so the
 * command needs no quoting): tag, cmd, cwd, winsize, term, hostname.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include "boot/layout.h"

#define INIT_STATUS_FAILED	125	/* the VM could not run the command */
#define INIT_STATUS_NOEXEC	126	/* /bin/sh found but cannot be run */
#define INIT_STATUS_NOTFOUND	127	/* no /bin/sh */

#define CONF_DIR	"/minivmm"
#define MODULE_DIR	CONF_DIR "/modules"
#define LOWER		"/mnt/lower"
#define RW		"/mnt/rw"
#define NEWROOT		"/newroot"
#define CONF_MAX	65536

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("minivmm-init: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The serial driver sends in the background: let the last lines out. */
static void drain_console(void)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0) {
		tcdrain(fd);
		close(fd);
	}
}

/* One byte to PORT_RUN_STATUS: ioperm, or /dev/port if that is refused. */
static bool write_status_port(unsigned char status)
{
	int fd;
	bool ok;

	if (ioperm(PORT_RUN_STATUS, 1, 1) == 0) {
		outb(status, PORT_RUN_STATUS);
		return true;
	}
	fd = open("/dev/port", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = pwrite(fd, &status, 1, PORT_RUN_STATUS) == 1;
	close(fd);
	return ok;
}

/* Tell minivmm the status, then power off in case nobody listened. */
static __attribute__((noreturn)) void report(int status)
{
	sync();
	drain_console();
	if (!write_status_port((unsigned char)status))
		say("cannot report the status %d on port 0x%x: %s", status,
		    PORT_RUN_STATUS, strerror(errno));
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static __attribute__((noreturn)) void fail(const char *what)
{
	say("%s: %s", what, strerror(errno));
	report(INIT_STATUS_FAILED);
}

/* /minivmm/NAME into a malloc'd NUL-terminated string; NULL if absent. */
static char *conf_read(const char *name)
{
	char path[64];
	char *buf;
	ssize_t n, len = 0;
	int fd;

	snprintf(path, sizeof(path), CONF_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(CONF_MAX + 1);
	if (!buf)
		fail("out of memory");
	while (len < CONF_MAX && (n = read(fd, buf + len, CONF_MAX - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return buf;
}

static void mkdir_p(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		fail(path);
}

static void do_mount(const char *src, const char *dst, const char *type,
		     unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0) {
		int e = errno;

		say("cannot mount %s on %s: %s%s", type, dst, strerror(e),
		    e == ENODEV ? " (the kernel lacks this file system: build it in or install its module)" : "");
		report(INIT_STATUS_FAILED);
	}
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The modules minivmm picked, named NN-name.ko in load order. */
static void load_modules(void)
{
	struct dirent **ent;
	int n = scandir(MODULE_DIR, &ent, NULL, name_cmp);

	for (int i = 0; i < n; i++) {
		char path[512];
		int fd;

		if (ent[i]->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MODULE_DIR "/%s", ent[i]->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(path);
		if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST) {
			say("cannot load module %s: %s", ent[i]->d_name,
			    strerror(errno));
			report(INIT_STATUS_FAILED);
		}
		close(fd);
	}
}

/*
 * The upper layer hides the shared root's /proc, /sys, /dev and /run
 * (opaque directories): the guest mounts its own there, and the host's
 * pseudo file systems under them are not served anyway.
 */
static void make_opaque(const char *dir)
{
	mkdir_p(dir, 0755);
	if (setxattr(dir, "trusted.overlay.opaque", "y", 1, 0) < 0)
		fail("setxattr trusted.overlay.opaque");
}

static void mount_root(const char *tag)
{
	static const char *const hidden[] = { "proc", "sys", "dev", "run" };
	char path[64];

	mkdir_p("/mnt", 0755);
	mkdir_p(LOWER, 0755);
	mkdir_p(RW, 0755);
	mkdir_p(NEWROOT, 0755);
	do_mount(tag, LOWER, "virtiofs", MS_RDONLY, NULL);
	do_mount("tmpfs", RW, "tmpfs", 0, "mode=0755");
	mkdir_p(RW "/upper", 0755);
	mkdir_p(RW "/work", 0755);
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		snprintf(path, sizeof(path), RW "/upper/%s", hidden[i]);
		make_opaque(path);
	}
	do_mount("overlay", NEWROOT, "overlay", 0,
		 "lowerdir=" LOWER ",upperdir=" RW "/upper,workdir=" RW "/work");
	/* As switch_root does: the new root moves over the initramfs. */
	if (chdir(NEWROOT) < 0)
		fail(NEWROOT);
	do_mount(".", "/", NULL, MS_MOVE, NULL);
	if (chroot(".") < 0 || chdir("/") < 0)
		fail("chroot");
}

static void mount_system(void)
{
	do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mkdir_p("/dev/pts", 0755);
	mkdir_p("/dev/shm", 01777);
	do_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "gid=5,mode=0620,ptmxmode=0666");
	do_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	do_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	/* Links udev would make. */
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	symlink("/proc/self/fd/1", "/dev/stdout");
	symlink("/proc/self/fd/2", "/dev/stderr");
	if (mkdir("/tmp", 01777) == 0 || errno == EEXIST)
		chmod("/tmp", 01777);
}

static void loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			say("cannot bring up lo: %s", strerror(errno));
	}
	close(s);
}

static void strip_newline(char *s)
{
	if (s)
		s[strcspn(s, "\n")] = 0;
}

/* The console's real tty (/dev/ttyS0): /dev/console cannot be a
 * controlling terminal, and a shell without one has no job control. */
static int open_console_tty(void)
{
	char name[64] = "", path[80];
	FILE *f = fopen("/sys/class/tty/console/active", "re");
	int fd = -1;

	if (f) {
		/* The last console listed is the one /dev/console writes to. */
		while (fscanf(f, "%63s", name) == 1)
			;
		fclose(f);
	}
	if (name[0]) {
		snprintf(path, sizeof(path), "/dev/%s", name);
		fd = open(path, O_RDWR | O_NOCTTY);
	}
	return fd >= 0 ? fd : open("/dev/console", O_RDWR | O_NOCTTY);
}

static void child_console(const char *winsize)
{
	struct winsize ws = { 0 };
	int fd = open_console_tty();

	if (fd < 0)
		return;
	if (ioctl(fd, TIOCSCTTY, 1) < 0)
		say("no controlling terminal: %s", strerror(errno));
	if (winsize && sscanf(winsize, "%hu %hu", &ws.ws_row, &ws.ws_col) == 2)
		ioctl(fd, TIOCSWINSZ, &ws);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static __attribute__((noreturn)) void child_exec(const char *cmd,
						 const char *cwd,
						 const char *winsize,
						 const char *term)
{
	char term_env[128];
	char *env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh",
		term_env, NULL,
	};
	char *run[] = { "sh", "-c", (char *)cmd, NULL };
	char *shell[] = { "sh", NULL };

	setsid();
	child_console(winsize);
	snprintf(term_env, sizeof(term_env), "TERM=%s",
		 term && *term ? term : "linux");
	if (!cwd || chdir(cwd) < 0) {
		if (cwd)
			say("cannot enter %s: %s; starting in /", cwd,
			    strerror(errno));
		if (chdir("/") < 0)
			_exit(INIT_STATUS_FAILED);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execve("/bin/sh", cmd ? run : shell, env);
	say("cannot run /bin/sh: %s", strerror(errno));
	_exit(errno == ENOENT ? INIT_STATUS_NOTFOUND : INIT_STATUS_NOEXEC);
}

/* Reap every orphan until the shell itself ends; its status. */
static int wait_for(pid_t shell)
{
	int st;

	for (;;) {
		pid_t p = waitpid(-1, &st, 0);

		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return INIT_STATUS_FAILED;
		if (p != shell)
			continue;
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		return 128 + WTERMSIG(st);
	}
}

int main(void)
{
	char *tag, *cmd, *cwd, *winsize, *term, *host;
	pid_t pid;

	if (getpid() != 1) {
		say("must run as PID 1 (it is minivmm's -rootfs init)");
		return INIT_STATUS_FAILED;
	}
	tag = conf_read("tag");
	cmd = conf_read("cmd");
	cwd = conf_read("cwd");
	winsize = conf_read("winsize");
	term = conf_read("term");
	host = conf_read("hostname");
	strip_newline(tag);
	strip_newline(cwd);
	strip_newline(term);
	strip_newline(host);
	if (!tag || !*tag) {
		errno = EINVAL;
		fail(CONF_DIR "/tag");
	}
	load_modules();
	mount_root(tag);
	mount_system();
	loopback_up();
	if (host && *host && sethostname(host, strlen(host)) < 0)
		say("cannot set the hostname: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0)
		child_exec(cmd, cwd, winsize, term);
	report(wait_for(pid));
}
