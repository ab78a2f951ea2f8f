/* SPDX-License-Identifier: MIT */
/*
 * PXELINUX compatibility: the config file names to try, the config
 * language (the subset that decides what to boot) and the unattended
 * choice of a label.  Freestanding; INCLUDEd files are fetched by the
 * caller through a callback, nesting bounded by PXE_INCLUDE_DEPTH.
 */
#ifndef MINIVMM_NET_PXELINUX_H
#define MINIVMM_NET_PXELINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PXE_NAME_MAX		64
#define PXE_PATH_MAX		256
#define PXE_APPEND_MAX		1024
#define PXE_CMDLINE_MAX		2048
#define PXE_MAX_LABELS		96
#define PXE_INCLUDE_DEPTH	8	/* nested INCLUDE levels */
/* INCLUDE fetches per config parse, found or not: depth alone lets N
 * INCLUDE lines per file cost N^8 fetches.  Debian's installer tree uses
 * 10; the rest are skipped. */
#define PXE_INCLUDE_FETCHES	64
#define PXE_LINE_MAX		4096	/* longer lines are cut here */

enum pxe_kernel_type {
	PXE_K_NONE = 0,		/* label without KERNEL */
	PXE_K_LINUX,		/* KERNEL/LINUX: a bzImage */
	PXE_K_LOCALBOOT,	/* LOCALBOOT */
	PXE_K_CONFIG,		/* CONFIG file: load another config */
	PXE_K_COM32,		/* *.c32 / COM32: not supported */
	PXE_K_OTHER,		/* BOOT, PXE, FDIMAGE, COMBOOT, *.0 ... */
};

struct pxe_label {
	char name[PXE_NAME_MAX];
	char kernel[PXE_PATH_MAX];
	char initrd[PXE_PATH_MAX];	/* INITRD directive */
	char append[PXE_APPEND_MAX];
	enum pxe_kernel_type type;
	int ipappend;			/* -1: not given (use global) */
	bool have_append;		/* APPEND given (APPEND - too) */
	bool hidden;			/* MENU HIDE */
	bool menu_default;		/* MENU DEFAULT (top menu only) */
	unsigned int menu_level;	/* MENU BEGIN nesting at LABEL */
};

struct pxe_config {
	struct pxe_label labels[PXE_MAX_LABELS];
	unsigned int nr_labels;
	unsigned int dropped_labels;	/* beyond PXE_MAX_LABELS */
	char default_cmd[PXE_APPEND_MAX];	/* DEFAULT */
	char ontimeout[PXE_APPEND_MAX];		/* ONTIMEOUT */
	char append[PXE_APPEND_MAX];		/* global APPEND */
	bool have_append;
	int ipappend;				/* global IPAPPEND, 0 */
	char ui[PXE_PATH_MAX];			/* UI module, "" for none */
	unsigned int timeout;			/* 1/10 s */
	unsigned int totaltimeout;
	bool prompt;
	char config_file[PXE_PATH_MAX];		/* global CONFIG: restart */
	bool restart;
	unsigned int includes_skipped;	/* too deep, not found or over budget */
	unsigned int include_fetches;	/* fetches asked for (<= PXE_INCLUDE_FETCHES) */
	unsigned int includes_over_budget;	/* skipped: budget spent */

	/* parser state */
	int cur;				/* label being filled, -1 */
	unsigned int menu_level;
	bool in_text;				/* TEXT HELP ... ENDTEXT */
};

/*
 * Fetch an INCLUDEd file for nesting level depth (1..PXE_INCLUDE_DEPTH):
 * return 0 with *text and *len valid until the nested parse returns (use one
 * buffer per depth), or negative if not found (the INCLUDE is skipped).
 */
typedef int (*pxe_fetch_fn)(void *ctx, const char *path, unsigned int depth,
			    const char **text, size_t *len);

void pxe_cfg_init(struct pxe_config *cfg);
/* Parse one config file (and its includes); fetch may be NULL.  Stops early
 * on a global CONFIG directive (cfg->restart set). */
void pxe_cfg_parse(struct pxe_config *cfg, const char *text, size_t len,
		   pxe_fetch_fn fetch, void *ctx);

/* Network facts for IPAPPEND 1 and 2. */
struct pxe_netinfo {
	uint32_t client_ip, server_ip, gateway, netmask;
	uint8_t mac[6];
};

/* The unattended decision. */
struct pxe_boot {
	enum pxe_kernel_type type;
	char label[PXE_NAME_MAX];	/* "" when DEFAULT named a kernel */
	char kernel[PXE_PATH_MAX];	/* or the CONFIG file */
	char initrd[PXE_APPEND_MAX];	/* comma-separated, "" for none */
	char cmdline[PXE_CMDLINE_MAX];
};

/*
 * Pick what to boot without a user: ONTIMEOUT if set, else the MENU
 * DEFAULT label, else DEFAULT (unless it names a *.c32 module), else the
 * first label.  Builds the kernel command line the way PXELINUX does:
 * "BOOT_IMAGE=<kernel> [initrd=<INITRD>] <append> [ip=...] [BOOTIF=...]"
 * plus extra (minivmm -append) at the end.  Returns 0, or -1 when the
 * config names nothing bootable or the command line is too long.
 */
int pxe_cfg_choose(const struct pxe_config *cfg, const struct pxe_netinfo *ni,
		   const char *extra, struct pxe_boot *out);

/*
 * Config file names PXELINUX tries, in order, for idx = 0, 1, ...:
 * [<uuid>,] 01-<mac>, <IP as 8 hex digits>, 7 digits, ... 1 digit,
 * default — each under prefix + "pxelinux.cfg/".  Writes the idx-th into
 * out and returns true; false past the end or if it does not fit.
 */
struct pxe_lookup {
	const char *prefix;		/* path prefix, "" for none */
	const uint8_t *uuid;		/* 16 bytes or NULL */
	uint8_t mac[6];
	uint32_t ip;
};
bool pxe_config_path(const struct pxe_lookup *lk, unsigned int idx,
		     char *out, size_t cap);

/* Path prefix: option 210 if given, else the boot file's directory
 * (with its trailing '/'), else "".  False if it does not fit. */
bool pxe_path_prefix(const char *bootfile, const char *opt210, char *out,
		     size_t cap);
/* A config-relative file name made absolute for TFTP: prefix + name, or
 * name alone when it starts with '/' or "::" (the "::" is dropped). */
bool pxe_join(const char *prefix, const char *name, char *out, size_t cap);

/* Split an INITRD list "a,b,c": copy the idx-th name into out. */
bool pxe_initrd_item(const char *list, unsigned int idx, char *out,
		     size_t cap);

#endif
