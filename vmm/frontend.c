// SPDX-License-Identifier: MIT
/*
 * minivmm list | ctl | console (see frontend.h, docs/control.md).
 *
 * A running named VM is a socket NAME.qmp in the runtime directory; the
 * process behind it answers QMP.  A socket nobody listens on any more
 * (its VM was killed) is stale: whoever finds one removes it, with its
 * NAME.console, so list never shows a dead VM.
 *
 * Exit codes: 0 done; 1 the VM is not running, did not answer, or
 * refused the command; 2 a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/frontend.h"
#include "vmm/log.h"
#include "vmm/qmp_client.h"
#include "vmm/rundir.h"

#define FE_OK		0
#define FE_FAIL		1
#define FE_USAGE	2
#define FE_TIMEOUT_MS	3000	/* a VM that does not answer in this is "not answering" */
#define FE_STOP_WAIT_MS	10000	/* ctl stop: how long to wait for the exit */
/* ctl save: writing a large guest's RAM takes a while (about 1 s a GiB
 * on a plain disk); the VM answers once the file is synced. */
#define FE_SAVE_TIMEOUT_MS	(10 * 60 * 1000)

static int fe_usage(const char *why)
{
	log_error("%s", why);
	fprintf(stderr, "Try 'minivmm -help' for more information.\n");
	return FE_USAGE;
}

bool frontend_is_command(const char *word)
{
	return !strcmp(word, "list") || !strcmp(word, "ctl") ||
	       !strcmp(word, "console");
}

/* A name as -name accepts it: nothing that could leave the directory. */
static bool fe_valid_name(const char *name)
{
	struct config cfg;
	char err[ERR_LINE_MAX];
	char copy[CONFIG_NAME_MAX + 1];

	if (strlen(name) > CONFIG_NAME_MAX)
		return false;
	strcpy(copy, name);
	return config_parse_name(&cfg, copy, err, sizeof(err)) == 0;
}

static void fe_remove_stale(const char *name)
{
	char path[RUNDIR_PATH_MAX];

	if (!rundir_file(path, sizeof(path), name, "qmp"))
		unlink(path);
	if (!rundir_file(path, sizeof(path), name, "console"))
		unlink(path);
}

/* Connect to NAME's QMP socket; a stale entry is removed. */
static int fe_connect(const char *name, struct qmp_client *c, char *err,
		      size_t errlen)
{
	char path[RUNDIR_PATH_MAX];
	int rc;

	if (rundir_file(path, sizeof(path), name, "qmp")) {
		snprintf(err, errlen, "%s: name too long for the runtime directory",
			 name);
		return -ENAMETOOLONG;
	}
	rc = qmp_client_open(c, path, FE_TIMEOUT_MS, err, errlen);
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		if (rc == -ECONNREFUSED)
			fe_remove_stale(name);
		snprintf(err, errlen, "no running VM named '%s'", name);
	}
	return rc;
}

/* ---- list ---- */

struct fe_vm_info {
	const char *state;
	size_t vcpus;
	unsigned long long mem_mib;
	char state_buf[32];
};

static void fe_query_info(struct qmp_client *c, struct fe_vm_info *info)
{
	struct json_value v;
	const struct json_value *r, *x;
	char err[ERR_LINE_MAX];

	if (!qmp_client_call(c, "query-status", &v, err, sizeof(err))) {
		r = json_object_get(&v, "return");
		x = json_object_get(r, "status");
		if (x && x->type == JSON_STRING)
			snprintf(info->state_buf, sizeof(info->state_buf), "%s",
				 x->str.s);
		info->state = info->state_buf;
		json_free(&v);
	}
	if (!qmp_client_call(c, "query-cpus-fast", &v, err, sizeof(err))) {
		r = json_object_get(&v, "return");
		if (r && r->type == JSON_ARRAY)
			info->vcpus = r->arr.n;
		json_free(&v);
	}
	if (!qmp_client_call(c, "query-memory-size-summary", &v, err,
			     sizeof(err))) {
		r = json_object_get(&v, "return");
		x = json_object_get(r, "base-memory");
		if (x && x->type == JSON_NUMBER && x->num.is_int)
			info->mem_mib = (unsigned long long)x->num.i >> 20;
		json_free(&v);
	}
}

static void fe_list_one(const char *name)
{
	struct fe_vm_info info = { .state = "not-answering" };
	struct qmp_client c;
	char err[ERR_LINE_MAX];
	int rc = fe_connect(name, &c, err, sizeof(err));

	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		qmp_client_close(&c);
		return;		/* gone, and cleaned */
	}
	if (!rc)
		fe_query_info(&c, &info);
	printf("%-24s %-8ld %-14s %-6zu %llu MiB\n", name, (long)c.peer_pid,
	       info.state, info.vcpus, info.mem_mib);
	qmp_client_close(&c);
}

static int fe_list(int argc, char **argv)
{
	char dir[RUNDIR_PATH_MAX];
	struct dirent *de;
	DIR *d;

	(void)argv;
	if (argc != 1)
		return fe_usage("list takes no arguments");
	if (rundir_path(dir, sizeof(dir))) {
		log_error("the runtime directory's path is too long");
		return FE_FAIL;
	}
	printf("%-24s %-8s %-14s %-6s %s\n", "NAME", "PID", "STATE", "VCPUS",
	       "MEMORY");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? FE_OK : (log_error("%s: %s", dir, strerror(errno)), FE_FAIL);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char name[CONFIG_NAME_MAX + 1];

		if (len <= 4 || len - 4 > CONFIG_NAME_MAX ||
		    strcmp(de->d_name + len - 4, ".qmp"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), de->d_name);
		if (fe_valid_name(name))
			fe_list_one(name);
	}
	closedir(d);
	return FE_OK;
}

/* ---- ctl ---- */

struct fe_action {
	const char *word;	/* what the user types (virsh's meaning) */
	const char *command;	/* the QMP command */
	const char *done;	/* printed after success ("" : see below) */
};

static const struct fe_action fe_actions[] = {
	{ "pause", "stop", "paused" },
	{ "resume", "cont", "running" },
	{ "powerdown", "system_powerdown", "power button pressed" },
	{ "reset", "system_reset", "reset" },
	{ "stop", "quit", "stopped" },
	{ "status", "query-status", NULL },
	{ "stats", "x-minivmm-query-stats", NULL },
	{ "save", "x-minivmm-save", "" },
};

/* ctl NAME save FILE [--quit]: what x-minivmm-save is given. */
struct fe_save_args {
	char file[PATH_MAX];
	bool quit;
};

static void fe_write_save_args(struct json_writer *w, void *opaque)
{
	const struct fe_save_args *sa = opaque;

	jw_kv_string(w, "file", sa->file);
	jw_kv_bool(w, "quit", sa->quit);
}

/*
 * The VM's process opens FILE, from its own working directory: a
 * relative FILE is made absolute here, as the user meant it.
 */
static int fe_save_path(struct fe_save_args *sa, const char *file)
{
	char cwd[PATH_MAX];
	int n;

	if (file[0] == '/') {
		n = snprintf(sa->file, sizeof(sa->file), "%s", file);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		n = snprintf(sa->file, sizeof(sa->file), "%s/%s", cwd, file);
	}
	return n < 0 || (size_t)n >= sizeof(sa->file) ? -ENAMETOOLONG : 0;
}

static const struct fe_action *fe_find_action(const char *word)
{
	for (size_t i = 0; i < sizeof(fe_actions) / sizeof(fe_actions[0]); i++)
		if (!strcmp(fe_actions[i].word, word))
			return &fe_actions[i];
	return NULL;
}

/* The readable form of a query's "return". */
static void fe_print_query(const char *name, const struct fe_action *a,
			   const struct json_value *ret)
{
	const struct json_value *x;

	if (!strcmp(a->word, "status")) {
		x = json_object_get(ret, "status");
		printf("%s: %s\n", name, x && x->type == JSON_STRING ?
		       x->str.s : "unknown");
		return;
	}
	/* stats: the text -stats prints at exit, as of now. */
	x = json_object_get(ret, "report");
	if (x && x->type == JSON_STRING)
		fputs(x->str.s, stdout);
}

static int fe_ctl(int argc, char **argv)
{
	const struct fe_action *a;
	struct qmp_client c;
	struct json_value v;
	const struct json_value *e, *desc;
	struct fe_save_args sa = { .quit = false };
	bool json = false, save;
	char err[ERR_LINE_MAX];
	int rc, i = 3;

	if (argc < 3)
		return fe_usage("ctl takes a VM name and a command");
	if (!fe_valid_name(argv[1]))
		return fe_usage("ctl: not a VM name (letters, digits and ._-+)");
	a = fe_find_action(argv[2]);
	if (!a)
		return fe_usage("ctl: unknown command");
	save = !strcmp(a->word, "save");
	if (save) {
		if (argc < 4 || !argv[3][0] || argv[3][0] == '-')
			return fe_usage("ctl save takes a file name");
		if (fe_save_path(&sa, argv[3]))
			return fe_usage("ctl save: the file name is too long");
		i = 4;
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (save && !strcmp(argv[i], "--quit"))
			sa.quit = true;
		else
			return fe_usage(save ? "ctl save: only --quit and --json may follow the file" :
					"ctl: only --json may follow the command");
	}
	rc = fe_connect(argv[1], &c, err, sizeof(err));
	if (!rc && save) {
		c.timeout_ms = FE_SAVE_TIMEOUT_MS;
		rc = qmp_client_call_args(&c, a->command, fe_write_save_args,
					  &sa, &v, err, sizeof(err));
	} else if (!rc) {
		rc = qmp_client_call(&c, a->command, &v, err, sizeof(err));
	}
	if (rc) {
		log_error("ctl %s: %s", argv[1], err);
		qmp_client_close(&c);
		return FE_FAIL;
	}
	e = json_object_get(&v, "error");
	if (json)
		printf("%s\n", c.line);
	if (e) {
		desc = json_object_get(e, "desc");
		log_error("ctl %s %s: %s", argv[1], a->word,
			  desc && desc->type == JSON_STRING ? desc->str.s : "error");
		rc = FE_FAIL;
	} else if (!json) {
		if (save)
			printf("%s: saved to %s%s\n", argv[1], sa.file,
			       sa.quit ? ", stopped" : "");
		else if (a->done)
			printf("%s: %s\n", argv[1], a->done);
		else
			fe_print_query(argv[1], a, json_object_get(&v, "return"));
	}
	json_free(&v);
	/* stop, save --quit: return once the process is gone (its socket closes). */
	if (!e && (!strcmp(a->word, "stop") || sa.quit) &&
	    qmp_client_wait_close(&c, FE_STOP_WAIT_MS)) {
		log_error("ctl %s %s: the VM has not exited after %d s",
			  argv[1], a->word, FE_STOP_WAIT_MS / 1000);
		rc = FE_FAIL;
	}
	qmp_client_close(&c);
	fflush(stdout);
	return rc ? FE_FAIL : FE_OK;
}

/* ---- console ---- */

static int fe_console_connect(const char *name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (rundir_file(addr.sun_path, sizeof(addr.sun_path), name, "console"))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static bool fe_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/* Relay between the terminal and the VM's console until Ctrl-A x or EOF. */
static int fe_console_relay(struct console *con, int sock)
{
	uint8_t buf[4096];

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = con->in_fd, .events = POLLIN },
		};
		bool quit = false;
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return FE_FAIL;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				return FE_OK;	/* the VM went away */
			if (!fe_write_all(STDOUT_FILENO, buf, n))
				return FE_FAIL;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = console_read_input(con, buf, sizeof(buf), &quit);
			if (n > 0 && !fe_write_all(sock, buf, n))
				return FE_OK;
			if (quit)
				return FE_OK;
			if (n < 0)
				con->in_fd = -1;	/* stdin ended: output only */
		}
	}
}

static int fe_console(int argc, char **argv)
{
	struct console con;
	char err[ERR_LINE_MAX];
	int sock, rc;

	if (argc != 2)
		return fe_usage("console takes a VM name");
	if (!fe_valid_name(argv[1]))
		return fe_usage("console: not a VM name (letters, digits and ._-+)");
	sock = fe_console_connect(argv[1]);
	if (sock < 0) {
		if (sock == -ECONNREFUSED)
			fe_remove_stale(argv[1]);
		log_error("console %s: %s", argv[1],
			  sock == -ENOENT || sock == -ECONNREFUSED ?
			  "no console socket (is the VM running with -serial unix?)" :
			  strerror(-sock));
		return FE_FAIL;
	}
	if (console_open(&con, SERIAL_STDIO, NULL, err, sizeof(err))) {
		log_error("console: %s", err);
		close(sock);
		return FE_FAIL;
	}
	con.detach_keys = true;
	if (con.raw)
		fprintf(stderr, "Connected to %s's console; Ctrl-A x detaches, Ctrl-A h helps.\r\n",
			argv[1]);
	rc = fe_console_relay(&con, sock);
	console_close(&con);
	close(sock);
	return rc;
}

int frontend_main(int argc, char **argv)
{
	if (!strcmp(argv[0], "list"))
		return fe_list(argc, argv);
	if (!strcmp(argv[0], "ctl"))
		return fe_ctl(argc, argv);
	return fe_console(argc, argv);
}
