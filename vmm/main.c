// SPDX-License-Identifier: MIT
/*
 * minivmm: a small, fast KVM virtual machine monitor.
 * main() turns the command line into a validated configuration and hands
 * it to the machine; every failure becomes one line and an exit code.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/exit_code.h"
#include "vmm/config.h"
#include "vmm/daemon.h"
#include "vmm/frontend.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/rundir.h"
#include "vmm/snapshot.h"
#include "vmm/vm.h"

/* MINIVMM_VERSION: CMake's project() version (CMakeLists.txt). */

/*
 * A copy of the command line as given.  The parser cuts option values up
 * in place (at commas and '='), so -reboot restart must exec this copy:
 * the cut one would lose everything after the first comma
 * ("-qmp unix:PATH,server=on,wait=off" would come back as "unix:PATH").
 */
static char **argv_copy(int argc, char **argv)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));

	if (!copy)
		return NULL;
	for (int i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		if (!copy[i]) {
			while (i--)
				free(copy[i]);
			free(copy);
			return NULL;
		}
	}
	return copy;
}

static void argv_free(char **copy)
{
	for (char **p = copy; *p; p++)
		free(*p);
	free(copy);
}

/* Parse, set up and run one VM; given is the command line as typed. */
static int run_vm(int argc, char **argv, char **given, uint64_t start_ns)
{
	struct config cfg;
	struct rundir_paths rundir;
	char err[ERR_LINE_MAX];
	int code, ready_fd = -1;

	if (config_parse(&cfg, argc, argv, err, sizeof(err)) < 0) {
		log_error("%s", err);
		fprintf(stderr, "Try 'minivmm -help' for more information.\n");
		return EXIT_USAGE;
	}
	if (cfg.help) {
		config_usage(argv[0]);
		return 0;
	}
	if (cfg.version) {
		printf("minivmm %s\n", MINIVMM_VERSION);
		return 0;
	}
	if (cfg.dump_acpi_dir)
		return machine_dump_acpi(&cfg, cfg.dump_acpi_dir);
	/* The machine's shape comes from the snapshot; refusals are one line. */
	if (cfg.restore && snapshot_apply_config(&cfg, err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_VMM_ERROR;
	}

	/* A named VM's sockets default to the runtime directory. */
	if (rundir_apply(&cfg, &rundir, err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_VMM_ERROR;
	}
	if (cfg.daemonize) {
		ready_fd = daemon_start(err, sizeof(err));
		if (ready_fd < 0) {
			log_error("%s", err);
			return EXIT_VMM_ERROR;
		}
	}
	code = machine_run(&cfg, start_ns, ready_fd);
	if (code == EXIT_GUEST_REBOOT && cfg.reboot_restart) {
		/* A fresh process is the most faithful reset of every device. */
		fflush(NULL);
		execv("/proc/self/exe", given);
		log_error("cannot restart after the guest's reboot: %s", strerror(errno));
	}
	return code;
}

/*
 * Every thread started after this gets a 1 MiB stack, not glibc's 8 MiB
 * (RLIMIT_STACK).  The deepest frames are a few dozen KiB
 * (-fstack-usage), and a mapping smaller than 2 MiB can never hold a
 * transparent huge page: with THP "always" (Debian's default) the first
 * touch of an 8 MiB stack's top may cost a 2 MiB clear per thread.
 */
#define THREAD_STACK_SIZE	(1u << 20)

static void threads_use_small_stacks(void)
{
	pthread_attr_t attr;

	if (pthread_attr_init(&attr))
		return;
	if (!pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE))
		pthread_setattr_default_np(&attr);	/* failing costs memory only */
	pthread_attr_destroy(&attr);
}

int main(int argc, char **argv)
{
	uint64_t start_ns = vm_now_ns();
	char **given;
	int code;

	/* minivmm list|ctl|console: the front end to running VMs. */
	if (argc > 1 && frontend_is_command(argv[1]))
		return frontend_main(argc - 1, argv + 1);
	threads_use_small_stacks();
	given = argv_copy(argc, argv);
	if (!given) {
		log_error("out of memory");
		return EXIT_VMM_ERROR;
	}
	code = run_vm(argc, argv, given, start_ns);
	argv_free(given);
	return code;
}
