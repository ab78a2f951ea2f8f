/* SPDX-License-Identifier: MIT */
/*
 * The validated configuration of one run, built from argv before anything
 * touches KVM (so a bad option never leaves a half-made VM behind).
 */
#ifndef MINIVMM_CONFIG_H
#define MINIVMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/disk.h"	/* struct drive_config: beside its back-end */
#include "net/tap.h"		/* struct nic_config */
#include "vmm/affinity.h"

/* -netboot-timeout's default: a 100 MiB initrd at a slow 0.5 MB/s fits. */
#define CONFIG_NETBOOT_TIMEOUT	600
#define CONFIG_MAX_DRIVES 8
#define CONFIG_MAX_NICS 4
#define CONFIG_MAX_SHARES 8
#define CONFIG_SHARE_TAG_MAX 36	/* virtio_fs_config.tag */
#define CONFIG_MAX_VCPUS 255	/* one xAPIC-addressable LAPIC each */
/* The share -rootfs adds; the built-in init mounts this tag. */
#define CONFIG_ROOTFS_TAG "minivmm-root"
#define CONFIG_RUN_MAX 16384	/* -run: bytes of the command */
#define CONFIG_CONSOLE_LOG_LIMIT (64ULL << 20)

/* -share PATH,tag=TAG[,readonly=on|off]: a virtio-fs device. */
struct share_config {
	const char *path;		/* host directory */
	const char *tag;		/* what the guest mounts */
	bool readonly;			/* default on */
};

enum serial_mode {
	SERIAL_STDIO = 0,
	SERIAL_FILE,
	SERIAL_NONE,
	SERIAL_PTY,			/* -serial pty: a new pseudo-terminal */
	SERIAL_UNIX,			/* -serial unix:PATH,server=on,wait=off */
};

enum gdb_listen {
	GDB_LISTEN_NONE = 0,
	GDB_LISTEN_TCP,			/* -gdb tcp:[HOST]:PORT, -s */
	GDB_LISTEN_UNIX,		/* -gdb unix:PATH,server=on */
};

struct gdb_config {
	enum gdb_listen kind;
	const char *host;		/* NULL: localhost */
	uint16_t port;
	const char *path;
};

struct config {
	const char *kernel;
	const char *initrd;
	const char *append;
	const char *rootfs;		/* -rootfs DIR: boot into DIR with our init */
	const char *run;		/* -run CMD: /bin/sh -c CMD, its status */
	uint64_t mem_bytes;		/* -m, default 256 MiB */
	const char *mem_path;		/* -mem-path DIR: hugetlbfs mount */
	bool mem_prealloc;		/* -mem-prealloc: fault all RAM in */
	bool mem_merge;			/* -mem-merge on: KSM (MADV_MERGEABLE) */
	bool mem_thp_off;		/* -mem-thp off: MADV_NOHUGEPAGE */
	unsigned int vcpus;		/* -smp N */
	unsigned int sockets, cores, threads; /* topology, product == vcpus */
	struct drive_config drive[CONFIG_MAX_DRIVES];
	unsigned int nr_drives;
	struct nic_config nic[CONFIG_MAX_NICS];
	unsigned int nr_nics;
	struct share_config share[CONFIG_MAX_SHARES];
	unsigned int nr_shares;
	enum serial_mode serial;
	const char *serial_path;	/* file:, unix: (NULL: the runtime dir) */
	const char *console_log;	/* -console-log FILE: copy of the output */
	uint64_t console_log_limit;	/* bytes; default CONFIG_CONSOLE_LOG_LIMIT */
	bool netboot;			/* -netboot / -boot n */
	/* -netboot-timeout: the firmware gives up after this long (exit 9),
	 * 0 = never; CONFIG_NETBOOT_TIMEOUT unless given. */
	unsigned int netboot_timeout_sec;
	bool netboot_timeout_given;
	bool trace_boot;		/* -trace-boot */
	bool stats;			/* -stats: device counters on exit */
	unsigned int timeout_sec;	/* -timeout: stop after this long, 0 = never */
	bool rng_off;			/* -rng off: no virtio-rng */
	bool no_seccomp;		/* -no-seccomp */
	bool snapshot;			/* -snapshot: every drive snapshot=on */
	bool reboot_restart;		/* -reboot restart|exit (default exit) */
	const char *qmp_path;		/* -qmp unix:PATH,server=on,wait=off */
	const char *name;		/* -name NAME, or NULL */
	bool daemonize;			/* -daemonize */
	const char *pidfile;		/* -pidfile FILE */
	bool have_uuid;			/* -uuid given */
	uint8_t uuid[16];		/* -uuid, RFC 4122 byte order */
	const char *dump_acpi_dir;	/* -dump-acpi DIR: write tables, exit */
	const char *user;		/* -user NAME: drop privileges */
	const char *chroot_dir;		/* -chroot DIR */
	/* -vcpu-affinity / -io-affinity: host CPU sets for the threads
	 * (the per-vCPU table is the last member). */
	struct cpu_affinity vcpu_affinity_all;	/* one set for every vCPU */
	int vcpu_affinity_highest;		/* largest vCPU named, or -1 */
	struct cpu_affinity io_affinity;	/* every other thread */
	struct gdb_config gdb;		/* -gdb, -s: the GDB stub */
	bool start_paused;		/* -S: no vCPU runs until told (gdb, QMP) */
	const char *restore;		/* -restore FILE: continue a saved VM */
	bool help, version;
	/*
	 * -vcpu-affinity's vCPU@[CPUS] pairs; entries 0..vcpu_affinity_highest
	 * only are valid.  Last, and left alone by config_parse() unless the
	 * option is given: 35 KiB that every start would otherwise zero,
	 * page by page (docs/benchmarks.md, exec -> exit).
	 */
	struct cpu_affinity vcpu_affinity[CONFIG_MAX_VCPUS];
};

/*
 * Parse argv into cfg.  Returns 0, or -1 with a one-line message (no
 * trailing newline) in err.  Pointers in cfg point into argv.
 */
int config_parse(struct config *cfg, int argc, char **argv,
		 char *err, size_t errlen);
/* Sub-parsers, exposed for tests and fuzzing. */
int config_parse_drive(struct drive_config *d, char *spec,
		       char *err, size_t errlen);
int config_parse_nic(struct nic_config *n, char *spec,
		     char *err, size_t errlen);
int config_parse_share(struct share_config *sh, char *spec,
		       char *err, size_t errlen);
int config_parse_console_log(struct config *cfg, char *spec,
			     char *err, size_t errlen);
int config_parse_qmp(struct config *cfg, char *spec, char *err, size_t errlen);
int config_parse_serial(struct config *cfg, char *spec, char *err, size_t errlen);
#define CONFIG_NAME_MAX 63
int config_parse_name(struct config *cfg, char *arg, char *err, size_t errlen);
int config_parse_gdb(struct gdb_config *g, char *spec, char *err, size_t errlen);
int config_parse_size(const char *s, uint64_t *bytes);
int config_parse_mac(const char *s, uint8_t mac[6]);
void config_default_mac(const char *tap, uint8_t mac[6]);
void config_usage(const char *prog);

#endif
