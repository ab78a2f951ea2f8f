// SPDX-License-Identifier: MIT
/*
 * Step 3: decide what to boot.  A boot file named like PXELINUX (*.0, or
 * option 209 given) means: fetch the PXELINUX config the way PXELINUX
 * looks for it, parse it (INCLUDEs fetched on demand), take the
 * unattended choice.  Any other boot file is booted as a Linux kernel.
 */
#include "boot/error_line.h"
#include "boot/firmware/console.h"
#include "boot/firmware/fw.h"

#define FW_CONFIG_RESTARTS	4

static size_t fw_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void fw_strcpy(char *dst, const char *src, size_t cap)
{
	size_t i;

	for (i = 0; src[i] && i < cap - 1; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static void fw_strcat(char *dst, const char *src, size_t cap)
{
	size_t n = fw_strlen(dst);

	if (n < cap)
		fw_strcpy(dst + n, src, cap - n);
}

/*
 * With -trace-boot: where a transfer's time went, per block: TSC cycles
 * the firmware spent handling frames, from the poll that found one to the
 * refill after it (its instructions and the VM exits they take: refill
 * notify, ACK send, the two rdtsc of the profile itself), and its share
 * of the transfer; the rest is waiting for the server and the device.
 */
static void fw_show_profile(const struct fw_file *f)
{
	uint64_t blocks = f->blksize ? f->size / f->blksize + 1 : 0;

	if (!f->tsc || !blocks)
		return;
	fw_printf(", busy %lu cycles/block (%lu%% of %lu cycles/block)",
		  (unsigned long)(f->busy_tsc / blocks),
		  (unsigned long)(f->busy_tsc * 100 / f->tsc),
		  (unsigned long)(f->tsc / blocks));
}

int fw_fetch(struct fw *fw, const char *name, struct fw_file *f,
	     char *err, size_t errlen)
{
	char path[PXE_PATH_MAX], reason[128];
	int rc;

	if (!pxe_join(fw->prefix, name, path, sizeof(path)))
		return error_line(err, errlen, "file name too long");
	f->name = path;
	rc = tftp_get(&fw->net, fw->tftp_server, f, reason, sizeof(reason));
	if (rc == 0) {
		uint64_t kib_s = f->ms ? f->size / f->ms * 1000 / 1024 : 0;

		fw_trace(fw, FW_MARK_FILE);

		fw_printf("TFTP: %s: %lu bytes in %lu ms (%lu KiB/s, blksize %u "
			  "window %u, %lu blocks copied)", path,
			  (unsigned long)f->size, (unsigned long)f->ms,
			  (unsigned long)kib_s, f->blksize, f->window,
			  (unsigned long)f->copied);
		fw_show_profile(f);
		fw_printf("\n");
	} else {
		fw_printf("TFTP: %s: %s\n", path, reason);
		/* The final error line names the file: "<file>: <reason>". */
		if (err && errlen) {
			fw_strcpy(err, path, errlen);
			fw_strcat(err, ": ", errlen);
			fw_strcat(err, reason, errlen);
		}
	}
	f->name = 0;
	return rc;
}

/* Fetch a config file into buffer depth; its length, or -1. */
static long fw_fetch_config(struct fw *fw, const char *name,
			    unsigned int depth, bool *not_found,
			    char *err, size_t errlen)
{
	struct fw_file f = { .base = (uint8_t *)fw->work->cfgbuf[depth],
			     .cap = FW_CFG_MAX };

	if (fw_fetch(fw, name, &f, err, errlen) < 0) {
		*not_found = f.not_found;
		return -1;
	}
	return (long)f.size;
}

static int fw_pxe_include(void *ctx, const char *path, unsigned int depth,
			  const char **text, size_t *len)
{
	struct fw *fw = ctx;
	bool nf;
	long n;

	if (depth > PXE_INCLUDE_DEPTH)
		return -1;
	n = fw_fetch_config(fw, path, depth, &nf, NULL, 0);
	if (n < 0)
		return -1;		/* PXELINUX skips a missing INCLUDE */
	*text = fw->work->cfgbuf[depth];
	*len = (size_t)n;
	return 0;
}

/* The first config of the PXELINUX search list that exists. */
static long fw_pxe_find_config(struct fw *fw, char *err, size_t errlen)
{
	struct pxe_lookup lk = { .prefix = "", .uuid = fw->h->uuid,
				 .ip = fw->net.ip };
	char name[PXE_PATH_MAX];
	bool nf = false;
	long n;

	for (int i = 0; i < 6; i++)
		lk.mac[i] = fw->vnet.mac[i];
	if (fw->lease->have & DHCP_HAVE_PXE_CONFIG)
		return fw_fetch_config(fw, fw->lease->pxe_config, 0, &nf, err, errlen);
	for (unsigned int i = 0; pxe_config_path(&lk, i, name, sizeof(name));
	     i++) {
		n = fw_fetch_config(fw, name, 0, &nf, err, errlen);
		if (n >= 0 || !nf)
			return n;
	}
	return error_line(err, errlen, "no PXELINUX config file found");
}

static bool fw_is_pxelinux(const char *bootfile, const struct dhcp_lease *l)
{
	size_t n = fw_strlen(bootfile);

	if (l->have & DHCP_HAVE_PXE_CONFIG)
		return true;
	return n >= 2 && bootfile[n - 2] == '.' && bootfile[n - 1] == '0';
}

static void fw_pxe_show(const struct pxe_boot *b)
{
	fw_printf("PXE: %s '%s': kernel %s, initrd %s\n",
		  b->label[0] ? "label" : "command", b->label, b->kernel,
		  b->initrd[0] ? b->initrd : "(none)");
	fw_printf("PXE: command line: %s\n", b->cmdline);
}

int fw_pxe(struct fw *fw, char *err, size_t errlen)
{
	const char *bootfile = dhcp_lease_bootfile(fw->lease);
	const char *extra = fw->h->cmdline_len ? fw->h->cmdline : 0;
	struct pxe_netinfo ni = { .client_ip = fw->net.ip,
				  .server_ip = fw->tftp_server,
				  .gateway = fw->net.gateway,
				  .netmask = fw->net.netmask };
	long len;

	for (int i = 0; i < 6; i++)
		ni.mac[i] = fw->vnet.mac[i];
	if (!pxe_path_prefix(bootfile, fw->lease->path_prefix, fw->prefix,
			     sizeof(fw->prefix)))
		return error_line(err, errlen, "path prefix too long");
	if (!fw_is_pxelinux(bootfile, fw->lease)) {
		if (!bootfile[0])
			return error_line(err, errlen, "the DHCP server named no boot file");
		/* A kernel named directly by DHCP. */
		fw->prefix[0] = 0;
		fw->boot.type = PXE_K_LINUX;
		fw_strcpy(fw->boot.kernel, bootfile, sizeof(fw->boot.kernel));
		fw->boot.initrd[0] = 0;
		fw_strcpy(fw->boot.cmdline, extra ? extra : "",
			  sizeof(fw->boot.cmdline));
		fw_printf("PXE: booting %s as a Linux kernel\n", bootfile);
		return 0;
	}
	fw_printf("PXE: %s: PXELINUX config, path prefix '%s'\n", bootfile,
		  fw->prefix);
	len = fw_pxe_find_config(fw, err, errlen);
	for (int restarts = 0; ; restarts++) {
		if (len < 0)
			return -1;
		pxe_cfg_init(&fw->work->cfg);
		pxe_cfg_parse(&fw->work->cfg, fw->work->cfgbuf[0], (size_t)len,
			      fw_pxe_include, fw);
		if (fw->work->cfg.includes_over_budget)
			fw_printf("PXE: INCLUDE budget (%u fetches) spent: %u "
				  "INCLUDEs skipped\n", PXE_INCLUDE_FETCHES,
				  fw->work->cfg.includes_over_budget);
		if (fw->work->cfg.restart) {
			fw_strcpy(fw->boot.kernel, fw->work->cfg.config_file,
				  sizeof(fw->boot.kernel));
		} else {
			if (pxe_cfg_choose(&fw->work->cfg, &ni, extra, &fw->boot) < 0)
				return error_line(err, errlen,
							  "the PXELINUX config names nothing to boot");
			if (fw->boot.type != PXE_K_CONFIG)
				break;
		}
		if (restarts >= FW_CONFIG_RESTARTS)
			return error_line(err, errlen, "too many CONFIG restarts");
		fw_printf("PXE: CONFIG %s\n", fw->boot.kernel);
		{
			bool nf;
			char next[PXE_PATH_MAX];

			fw_strcpy(next, fw->boot.kernel, sizeof(next));
			len = fw_fetch_config(fw, next, 0, &nf, err, errlen);
		}
	}
	switch (fw->boot.type) {
	case PXE_K_LINUX:
		fw_pxe_show(&fw->boot);
		return 0;
	case PXE_K_LOCALBOOT:
		fw_printf("PXE: label %s: LOCALBOOT\n", fw->boot.label);
		return 0;
	case PXE_K_COM32:
		return error_line(err, errlen,
					  "the chosen entry is a COM32 module (*.c32): not supported");
	default:
		return error_line(err, errlen, "the chosen entry is not a Linux kernel");
	}
}
