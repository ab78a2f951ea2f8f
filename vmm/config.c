// SPDX-License-Identifier: MIT
/*
 * Command-line parser: argv -> struct config, fully validated before
 * anything touches KVM.  QEMU-style single-dash options; "--opt" and
 * "--opt=value" work too.  Every error is one line naming the option.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/layout.h"
#include "vmm/config.h"
#include "vmm/log.h"

#define CONFIG_MIN_MEM		(16ULL << 20)
#define CONFIG_MAX_MEM		(1ULL << 40)
#define CONFIG_DEFAULT_MEM	(256ULL << 20)
#define CONFIG_PAGE_SIZE	4096ULL
#define CONFIG_SERIAL_MAX	20	/* virtio-blk GET_ID is 20 bytes */
#define CONFIG_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define CONFIG_QUOTE_MAX	48	/* user text echoed in a message */
#define CONFIG_NR_OPTIONS	43	/* entries in config_options[] */

#define FNV1A_OFFSET		2166136261u
#define FNV1A_PRIME		16777619u

struct config_option {
	const char *name;	/* without the leading dash */
	bool has_arg;
	bool repeat;		/* may be given more than once */
	int (*parse)(struct config *cfg, const char *opt, char *arg,
		     char *err, size_t errlen);
};

static int config_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* One line whatever the user typed: control bytes become '?'. */
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

/*
 * Make user text safe to echo inside a one-line message: control bytes
 * become '?', and long text is cut.
 */
static const char *config_quote(const char *s, char out[CONFIG_QUOTE_MAX + 4])
{
	size_t i;

	for (i = 0; s[i] && i < CONFIG_QUOTE_MAX; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i]) {
		memcpy(out + i, "...", 4);
		return out;
	}
	out[i] = '\0';
	return out;
}

/* Strict unsigned decimal: digits only, no sign, no blanks, <= max. */
static int config_parse_uint(const char *s, unsigned long long max,
			     unsigned long long *val)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (unsigned int)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned int)(*s - '0');
	}
	*val = v;
	return 0;
}

int config_parse_size(const char *s, uint64_t *bytes)
{
	char digits[24];
	size_t len = strlen(s);
	unsigned int shift = 20;	/* MiB without a suffix */
	unsigned long long v;
	int ret;

	if (len == 0)
		return -EINVAL;
	switch (s[len - 1]) {
	case 'k': case 'K': shift = 10; len--; break;
	case 'm': case 'M': shift = 20; len--; break;
	case 'g': case 'G': shift = 30; len--; break;
	case 't': case 'T': shift = 40; len--; break;
	default: break;
	}
	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(digits))
		return -ERANGE;
	memcpy(digits, s, len);
	digits[len] = '\0';
	ret = config_parse_uint(digits, UINT64_MAX >> shift, &v);
	if (ret)
		return ret;
	*bytes = (uint64_t)v << shift;
	return 0;
}

int config_parse_mac(const char *s, uint8_t mac[6])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t out[6];
	unsigned int i, j;
	const char *p;

	for (i = 0; i < 6; i++) {
		unsigned int byte = 0;

		for (j = 0; j < 2; j++) {
			char c = s[i * 3 + j];

			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			p = c ? strchr(hex, c) : NULL;
			if (!p)
				return -EINVAL;
			byte = byte * 16 + (unsigned int)(p - hex);
		}
		out[i] = (uint8_t)byte;
		if (s[i * 3 + 2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
	}
	if (out[0] & 1)
		return -EINVAL;		/* multicast (and broadcast) */
	if (!(out[0] | out[1] | out[2] | out[3] | out[4] | out[5]))
		return -EINVAL;
	memcpy(mac, out, 6);
	return 0;
}

/*
 * 52:54:00 (locally administered, the prefix QEMU users know) followed by
 * the low three bytes of the 32-bit FNV-1a hash of the TAP name: stable
 * across runs and hosts, different per TAP.
 */
void config_default_mac(const char *tap, uint8_t mac[6])
{
	uint32_t h = FNV1A_OFFSET;

	for (; *tap; tap++) {
		h ^= (uint8_t)*tap;
		h *= FNV1A_PRIME;
	}
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/*
 * Split "a=b,c=d" in place.  ",," stands for a literal comma inside a
 * value (QEMU's escape), so paths with commas work.  Returns the next
 * item, sets *key and *val (val NULL when there is no '='), or NULL at
 * the end.
 */
static char *config_next_item(char *p, char **key, char **val)
{
	char *w = p, *r = p;

	if (!p || !*p)
		return NULL;
	*key = p;
	*val = NULL;
	for (;;) {
		if (*r == ',' && r[1] == ',') {
			*w++ = ',';
			r += 2;
			continue;
		}
		if (*r == ',' || *r == '\0')
			break;
		if (*r == '=' && !*val) {
			*w++ = '\0';
			r++;
			*val = w;
			continue;
		}
		*w++ = *r++;
	}
	if (*r == ',') {
		*w = '\0';
		return r + 1;
	}
	*w = '\0';
	return r;
}

static bool config_valid_ifname(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0 || len > CONFIG_IFNAME_MAX)
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

static int config_on_off(const char *v, bool *out)
{
	if (!v || !strcmp(v, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

static int config_drive_cache(const char *v, enum drive_cache *out)
{
	static const struct {
		const char *name;
		enum drive_cache mode;
	} modes[] = {
		{ "writeback", DRIVE_CACHE_WRITEBACK },
		{ "writethrough", DRIVE_CACHE_WRITETHROUGH },
		{ "none", DRIVE_CACHE_NONE },
		{ "directsync", DRIVE_CACHE_DIRECTSYNC },
		{ "unsafe", DRIVE_CACHE_UNSAFE },
	};

	for (size_t i = 0; v && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(v, modes[i].name)) {
			*out = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

int config_parse_drive(struct drive_config *d, char *spec,
		       char *err, size_t errlen)
{
	bool seen_ro = false, seen_cache = false, seen_format = false;
	bool seen_discard = false, seen_snapshot = false;
	char *p = spec, *key, *val, q[CONFIG_QUOTE_MAX + 4];
	size_t i;

	memset(d, 0, sizeof(*d));
	while ((p = config_next_item(p, &key, &val))) {
		if (!strcmp(key, "file")) {
			if (d->path)
				return config_error(err, errlen, "-drive: file= given twice");
			if (!val || !*val)
				return config_error(err, errlen, "-drive: file= needs a path");
			d->path = val;
		} else if (!strcmp(key, "format")) {
			if (seen_format)
				return config_error(err, errlen, "-drive: format= given twice");
			if (val && !strcmp(val, "raw"))
				d->format = DRIVE_FORMAT_RAW;
			else if (val && !strcmp(val, "qcow2"))
				d->format = DRIVE_FORMAT_QCOW2;
			else
				return config_error(err, errlen,
					"-drive: format= takes raw or qcow2");
			seen_format = true;
		} else if (!strcmp(key, "readonly")) {
			if (seen_ro || config_on_off(val, &d->readonly))
				return config_error(err, errlen,
					"-drive: readonly= takes on or off");
			seen_ro = true;
		} else if (!strcmp(key, "cache")) {
			if (seen_cache || config_drive_cache(val, &d->cache))
				return config_error(err, errlen,
					"-drive: cache= takes writeback, writethrough, none, directsync or unsafe%s%s%s",
					val ? ", not '" : "",
					val ? config_quote(val, q) : "",
					val ? "'" : "");
			seen_cache = true;
		} else if (!strcmp(key, "discard")) {
			if (seen_discard || !val)
				return config_error(err, errlen,
					"-drive: discard= takes unmap or ignore");
			if (!strcmp(val, "unmap") || !strcmp(val, "on"))
				d->discard = DRIVE_DISCARD_UNMAP;
			else if (!strcmp(val, "ignore") || !strcmp(val, "off"))
				d->discard = DRIVE_DISCARD_IGNORE;
			else
				return config_error(err, errlen,
					"-drive: discard= takes unmap or ignore");
			seen_discard = true;
		} else if (!strcmp(key, "snapshot")) {
			if (seen_snapshot || config_on_off(val, &d->snapshot))
				return config_error(err, errlen,
					"-drive: snapshot= takes on or off");
			seen_snapshot = true;
		} else if (!strcmp(key, "serial")) {
			if (d->serial)
				return config_error(err, errlen, "-drive: serial= given twice");
			if (!val || !*val || strlen(val) > CONFIG_SERIAL_MAX)
				return config_error(err, errlen,
					"-drive: serial= needs 1 to %d characters",
					CONFIG_SERIAL_MAX);
			for (i = 0; val[i]; i++)
				if (val[i] <= 0x20 || val[i] >= 0x7f)
					return config_error(err, errlen,
						"-drive: serial= must be printable ASCII without spaces");
			d->serial = val;
		} else {
			return config_error(err, errlen, "-drive: unknown key '%s'",
					    config_quote(key, q));
		}
	}
	if (!d->path)
		return config_error(err, errlen, "-drive: file= is required");
	return 0;
}

int config_parse_share(struct share_config *sh, char *spec,
		       char *err, size_t errlen)
{
	char *p = spec, *key, *val, q[CONFIG_QUOTE_MAX + 4];
	bool first = true, seen_ro = false;

	memset(sh, 0, sizeof(*sh));
	sh->readonly = true;
	while ((p = config_next_item(p, &key, &val))) {
		if (first) {
			first = false;
			if (val || !*key)
				return config_error(err, errlen,
					"-share: the first item must be the directory, not '%s'",
					config_quote(val ? spec : key, q));
			sh->path = key;
		} else if (!strcmp(key, "tag")) {
			if (sh->tag)
				return config_error(err, errlen, "-share: tag= given twice");
			if (!val || !*val || strlen(val) > CONFIG_SHARE_TAG_MAX)
				return config_error(err, errlen,
					"-share: tag= needs 1 to %d characters",
					CONFIG_SHARE_TAG_MAX);
			for (size_t i = 0; val[i]; i++)
				if (val[i] <= 0x20 || val[i] >= 0x7f)
					return config_error(err, errlen,
						"-share: tag= must be printable ASCII without spaces");
			sh->tag = val;
		} else if (!strcmp(key, "readonly")) {
			if (seen_ro || config_on_off(val, &sh->readonly))
				return config_error(err, errlen,
					"-share: readonly= takes on or off");
			seen_ro = true;
		} else {
			return config_error(err, errlen, "-share: unknown key '%s'",
					    config_quote(key, q));
		}
	}
	if (!sh->path)
		return config_error(err, errlen, "-share: a directory is required");
	if (!sh->tag)
		return config_error(err, errlen, "-share: tag= is required");
	return 0;
}

int config_parse_nic(struct nic_config *n, char *spec,
		     char *err, size_t errlen)
{
	char *p = spec, *key, *val, q[CONFIG_QUOTE_MAX + 4];
	bool first = true;

	memset(n, 0, sizeof(*n));
	while ((p = config_next_item(p, &key, &val))) {
		if (first) {
			first = false;
			if (val || !config_valid_ifname(key))
				return config_error(err, errlen,
					"-tap: invalid interface name '%s' (1-%d of A-Z a-z 0-9 _ . -)",
					config_quote(val ? spec : key, q),
					CONFIG_IFNAME_MAX);
			n->tap = key;
		} else if (!strcmp(key, "mac")) {
			if (n->mac_set)
				return config_error(err, errlen, "-tap: mac= given twice");
			if (!val || config_parse_mac(val, n->mac))
				return config_error(err, errlen,
					"-tap: invalid MAC '%s' (XX:XX:XX:XX:XX:XX, unicast, not zero)",
					config_quote(val ? val : "", q));
			n->mac_set = true;
		} else if (!strcmp(key, "bridge")) {
			if (n->bridge)
				return config_error(err, errlen, "-tap: bridge= given twice");
			if (!val || !config_valid_ifname(val))
				return config_error(err, errlen,
					"-tap: invalid bridge name '%s'",
					config_quote(val ? val : "", q));
			n->bridge = val;
		} else {
			return config_error(err, errlen, "-tap: unknown key '%s'",
					    config_quote(key, q));
		}
	}
	if (!n->tap)
		return config_error(err, errlen, "-tap: needs an interface name");
	if (!n->mac_set)
		config_default_mac(n->tap, n->mac);
	return 0;
}

/* ---- one handler per option ---- */

static int config_set_string(const char **slot, const char *opt, char *arg,
			     bool may_be_empty, char *err, size_t errlen)
{
	if (*slot)
		return config_error(err, errlen, "%s: given twice", opt);
	if (!may_be_empty && !*arg)
		return config_error(err, errlen, "%s: needs a non-empty value", opt);
	*slot = arg;
	return 0;
}

static int config_opt_kernel(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	return config_set_string(&cfg->kernel, opt, arg, false, err, errlen);
}

static int config_opt_initrd(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	return config_set_string(&cfg->initrd, opt, arg, false, err, errlen);
}

static int config_opt_rootfs(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	return config_set_string(&cfg->rootfs, opt, arg, false, err, errlen);
}

static int config_opt_run(struct config *cfg, const char *opt, char *arg,
			  char *err, size_t errlen)
{
	if (strlen(arg) >= CONFIG_RUN_MAX)
		return config_error(err, errlen, "%s: command longer than %d bytes", opt,
				    CONFIG_RUN_MAX - 1);
	return config_set_string(&cfg->run, opt, arg, false, err, errlen);
}

static int config_opt_append(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	if (strlen(arg) >= LAYOUT_CMDLINE_MAX)
		return config_error(err, errlen, "%s: command line longer than %llu bytes",
				    opt, LAYOUT_CMDLINE_MAX - 1);
	return config_set_string(&cfg->append, opt, arg, true, err, errlen);
}

static int config_opt_mem(struct config *cfg, const char *opt, char *arg,
			  char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4];
	uint64_t bytes;
	int ret;

	if (cfg->mem_bytes)
		return config_error(err, errlen, "%s: given twice", opt);
	ret = config_parse_size(arg, &bytes);
	if (ret == -ERANGE || (!ret && bytes > CONFIG_MAX_MEM))
		return config_error(err, errlen, "%s: '%s' is more than 1 TiB", opt,
				    config_quote(arg, q));
	if (ret)
		return config_error(err, errlen,
			"%s: invalid size '%s' (a number of MiB, or with K, M, G suffix)",
			opt, config_quote(arg, q));
	if (bytes < CONFIG_MIN_MEM)
		return config_error(err, errlen, "%s: '%s' is less than the minimum of 16 MiB",
				    opt, config_quote(arg, q));
	if (bytes % CONFIG_PAGE_SIZE)
		return config_error(err, errlen, "%s: '%s' is not a multiple of 4 KiB",
				    opt, config_quote(arg, q));
	cfg->mem_bytes = bytes;
	return 0;
}

static int config_opt_mem_path(struct config *cfg, const char *opt,
			       char *arg, char *err, size_t errlen)
{
	return config_set_string(&cfg->mem_path, opt, arg, false, err, errlen);
}

static int config_opt_mem_prealloc(struct config *cfg, const char *opt,
				   char *arg, char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->mem_prealloc = true;
	return 0;
}

static int config_opt_mem_merge(struct config *cfg, const char *opt,
				char *arg, char *err, size_t errlen)
{
	if (config_on_off(arg, &cfg->mem_merge))
		return config_error(err, errlen, "%s: takes on or off", opt);
	return 0;
}

static int config_opt_mem_thp(struct config *cfg, const char *opt, char *arg,
			      char *err, size_t errlen)
{
	bool on;

	if (config_on_off(arg, &on))
		return config_error(err, errlen, "%s: takes on or off", opt);
	cfg->mem_thp_off = !on;
	return 0;
}

static int config_smp_number(const char *opt, const char *key, const char *v,
			     unsigned int *out, char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4];
	unsigned long long n;
	int ret;

	if (*out)
		return config_error(err, errlen, "%s: %s given twice", opt, key);
	ret = v ? config_parse_uint(v, ~0ULL, &n) : -EINVAL;
	if (ret == -ERANGE || (!ret && n > CONFIG_MAX_VCPUS))
		return config_error(err, errlen, "%s: %s '%s' is more than %d", opt, key,
				    config_quote(v, q), CONFIG_MAX_VCPUS);
	if (ret || n == 0)
		return config_error(err, errlen, "%s: %s must be a number from 1 to %d, not '%s'",
				    opt, key, CONFIG_MAX_VCPUS,
				    config_quote(v ? v : "", q));
	*out = (unsigned int)n;
	return 0;
}

/* -smp [N][,cpus=N][,sockets=S][,cores=C][,threads=T] */
static int config_opt_smp(struct config *cfg, const char *opt, char *arg,
			  char *err, size_t errlen)
{
	unsigned int n = 0, s = 0, c = 0, t = 0;
	char *p = arg, *key, *val, q[CONFIG_QUOTE_MAX + 4];
	bool first = true;
	int ret;

	if (cfg->vcpus)
		return config_error(err, errlen, "%s: given twice", opt);
	while ((p = config_next_item(p, &key, &val))) {
		if (first && !val)
			ret = config_smp_number(opt, "vCPU count", key, &n, err, errlen);
		else if (!strcmp(key, "cpus"))
			ret = config_smp_number(opt, key, val, &n, err, errlen);
		else if (!strcmp(key, "sockets"))
			ret = config_smp_number(opt, key, val, &s, err, errlen);
		else if (!strcmp(key, "cores"))
			ret = config_smp_number(opt, key, val, &c, err, errlen);
		else if (!strcmp(key, "threads"))
			ret = config_smp_number(opt, key, val, &t, err, errlen);
		else
			ret = config_error(err, errlen, "%s: unknown key '%s'", opt,
					   config_quote(key, q));
		if (ret)
			return ret;
		first = false;
	}
	if (!n && !s && !c && !t)
		return config_error(err, errlen, "%s: needs a vCPU count", opt);
	/* Fill in what was left out, the way QEMU does: sockets first. */
	if (!t)
		t = 1;
	if (!n) {
		unsigned long long prod = (unsigned long long)(s ? s : 1) *
					  (c ? c : 1) * t;
		if (prod > CONFIG_MAX_VCPUS)
			return config_error(err, errlen, "%s: more than %d vCPUs", opt,
					    CONFIG_MAX_VCPUS);
		n = (unsigned int)prod;
	}
	if (!s && !c)
		s = 1;
	if (!c)
		c = (n % ((unsigned long long)s * t)) ? 0 : n / (s * t);
	else if (!s)
		s = (n % ((unsigned long long)c * t)) ? 0 : n / (c * t);
	if (!s || !c || (unsigned long long)s * c * t != n)
		return config_error(err, errlen,
			"%s: sockets (%u) * cores (%u) * threads (%u) must equal %u",
			opt, s, c, t, n);
	cfg->vcpus = n;
	cfg->sockets = s;
	cfg->cores = c;
	cfg->threads = t;
	return 0;
}

static int config_opt_drive(struct config *cfg, const char *opt, char *arg,
			    char *err, size_t errlen)
{
	if (cfg->nr_drives >= CONFIG_MAX_DRIVES)
		return config_error(err, errlen, "%s: at most %d drives", opt,
				    CONFIG_MAX_DRIVES);
	if (config_parse_drive(&cfg->drive[cfg->nr_drives], arg, err, errlen))
		return -1;
	cfg->nr_drives++;
	return 0;
}

static int config_opt_share(struct config *cfg, const char *opt, char *arg,
			    char *err, size_t errlen)
{
	struct share_config *sh = &cfg->share[cfg->nr_shares];

	if (cfg->nr_shares >= CONFIG_MAX_SHARES)
		return config_error(err, errlen, "%s: at most %d shares", opt,
				    CONFIG_MAX_SHARES);
	if (config_parse_share(sh, arg, err, errlen))
		return -1;
	for (unsigned int i = 0; i < cfg->nr_shares; i++)
		if (!strcmp(cfg->share[i].tag, sh->tag))
			return config_error(err, errlen, "%s: tag '%s' given twice", opt,
					    sh->tag);
	cfg->nr_shares++;
	return 0;
}

static int config_opt_tap(struct config *cfg, const char *opt, char *arg,
			  char *err, size_t errlen)
{
	struct nic_config *n = &cfg->nic[cfg->nr_nics];
	unsigned int i;

	if (cfg->nr_nics >= CONFIG_MAX_NICS)
		return config_error(err, errlen, "%s: at most %d network interfaces",
				    opt, CONFIG_MAX_NICS);
	if (config_parse_nic(n, arg, err, errlen))
		return -1;
	for (i = 0; i < cfg->nr_nics; i++) {
		if (!strcmp(cfg->nic[i].tap, n->tap))
			return config_error(err, errlen, "%s: interface '%s' given twice",
					    opt, n->tap);
		if (!memcmp(cfg->nic[i].mac, n->mac, 6))
			return config_error(err, errlen,
				"%s: '%s' has the same MAC as '%s'", opt,
				n->tap, cfg->nic[i].tap);
	}
	cfg->nr_nics++;
	return 0;
}

/*
 * The flags QEMU's listening sockets take after the path: only a server
 * that does not wait for its client is offered, so both must be given
 * (server=on,wait=off, or the older server,nowait).
 */
static int config_parse_listen_flags(const char *opt, char *flags, char *err, size_t errlen)
{
	bool server = false, nowait = false;
	char *tok, *save = NULL;

	for (tok = flags ? strtok_r(flags, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "server") || !strcmp(tok, "server=on"))
			server = true;
		else if (!strcmp(tok, "nowait") || !strcmp(tok, "wait=off"))
			nowait = true;
		else
			return config_error(err, errlen, "%s: unknown flag '%s' (only server=on,wait=off)",
					    opt, tok);
	}
	if (!server || !nowait)
		return config_error(err, errlen, "%s: only a listening socket is supported: add server=on,wait=off",
				    opt);
	return 0;
}

/* -serial stdio|none|file:PATH|pty|unix[:PATH,server=on,wait=off] */
int config_parse_serial(struct config *cfg, char *arg, char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4], *flags;

	if (!strcmp(arg, "stdio")) {
		cfg->serial = SERIAL_STDIO;
	} else if (!strcmp(arg, "none")) {
		cfg->serial = SERIAL_NONE;
	} else if (!strcmp(arg, "pty")) {
		cfg->serial = SERIAL_PTY;
	} else if (!strcmp(arg, "unix")) {
		/* The runtime directory's NAME.console (needs -name). */
		cfg->serial = SERIAL_UNIX;
		cfg->serial_path = NULL;
	} else if (!strncmp(arg, "unix:", 5)) {
		flags = strchr(arg + 5, ',');
		if (flags)
			*flags++ = '\0';
		if (!arg[5])
			return config_error(err, errlen, "-serial: unix: needs a socket path");
		if (config_parse_listen_flags("-serial", flags, err, errlen))
			return -1;
		cfg->serial = SERIAL_UNIX;
		cfg->serial_path = arg + 5;
	} else if (!strncmp(arg, "file:", 5)) {
		if (!arg[5])
			return config_error(err, errlen, "-serial: file: needs a path");
		cfg->serial = SERIAL_FILE;
		cfg->serial_path = arg + 5;
	} else {
		return config_error(err, errlen,
			"-serial: '%s' is not stdio, file:PATH, pty, unix:PATH,server=on,wait=off or none",
			config_quote(arg, q));
	}
	return 0;
}

static int config_opt_serial(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	(void)opt;
	return config_parse_serial(cfg, arg, err, errlen);
}

static int config_opt_pidfile(struct config *cfg, const char *opt, char *arg,
			      char *err, size_t errlen)
{
	if (!*arg)
		return config_error(err, errlen, "%s: needs a file name", opt);
	cfg->pidfile = arg;
	return 0;
}

/* -console-log FILE[,limit=SIZE|none] */
int config_parse_console_log(struct config *cfg, char *spec,
			     char *err, size_t errlen)
{
	char *p = spec, *key, *val, q[CONFIG_QUOTE_MAX + 4];
	bool first = true, seen_limit = false;
	uint64_t limit = CONFIG_CONSOLE_LOG_LIMIT;

	while ((p = config_next_item(p, &key, &val))) {
		if (first) {
			first = false;
			if (val || !*key)
				return config_error(err, errlen,
					"-console-log: needs a file name first, not '%s'",
					config_quote(spec, q));
			cfg->console_log = key;
		} else if (!strcmp(key, "limit") && !seen_limit) {
			seen_limit = true;
			if (val && !strcmp(val, "none"))
				limit = UINT64_MAX;
			else if (!val || config_parse_size(val, &limit) || !limit)
				return config_error(err, errlen,
					"-console-log: limit= takes a size (K, M, G suffix) or none, not '%s'",
					config_quote(val ? val : "", q));
		} else {
			return config_error(err, errlen, "-console-log: unknown or repeated key '%s'",
					    config_quote(key, q));
		}
	}
	if (!cfg->console_log)
		return config_error(err, errlen, "-console-log: needs a file name");
	cfg->console_log_limit = limit;
	return 0;
}

static int config_opt_console_log(struct config *cfg, const char *opt,
				  char *arg, char *err, size_t errlen)
{
	(void)opt;
	return config_parse_console_log(cfg, arg, err, errlen);
}

/*
 * -qmp unix:PATH,server=on,wait=off (QEMU's spelling; the older
 * unix:PATH,server,nowait too).  Only a listening socket that does not
 * wait for a client is offered, so both flags must be given.
 */
int config_parse_qmp(struct config *cfg, char *spec, char *err, size_t errlen)
{
	char *flags;

	if (strncmp(spec, "unix:", 5))
		return config_error(err, errlen, "-qmp: takes unix:PATH,server=on,wait=off");
	flags = strchr(spec + 5, ',');
	if (flags)
		*flags++ = '\0';
	if (!spec[5])
		return config_error(err, errlen, "-qmp: empty socket path");
	cfg->qmp_path = spec + 5;
	return config_parse_listen_flags("-qmp", flags, err, errlen);
}

/*
 * -name NAME or QEMU's -name guest=NAME: 1-63 characters, letters, digits
 * and "._-+" only, so it is safe in a file name, a thread name and JSON.
 */
int config_parse_name(struct config *cfg, char *arg, char *err, size_t errlen)
{
	const char *name = strncmp(arg, "guest=", 6) ? arg : arg + 6;
	size_t len = strlen(name);

	if (len == 0 || len > CONFIG_NAME_MAX)
		return config_error(err, errlen, "-name: 1 to %d characters", CONFIG_NAME_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._-+", c)))
			return config_error(err, errlen, "-name: only letters, digits and ._-+ are allowed");
	}
	if (name[0] == '.' || name[0] == '-')
		return config_error(err, errlen, "-name: must not start with '.' or '-'");
	cfg->name = name;
	return 0;
}

static int config_opt_name(struct config *cfg, const char *opt, char *arg,
			   char *err, size_t errlen)
{
	(void)opt;
	return config_parse_name(cfg, arg, err, errlen);
}

static int config_opt_daemonize(struct config *cfg, const char *opt,
				char *arg, char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->daemonize = true;
	return 0;
}

static int config_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* -uuid as QEMU spells it: 8-4-4-4-12 hex digits.  The machine UUID the
 * netboot firmware sends (DHCP option 97, pxelinux.cfg/<uuid>). */
static int config_opt_uuid(struct config *cfg, const char *opt, char *arg,
			   char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4];
	size_t n = 0;

	(void)opt;
	for (size_t i = 0; arg[i]; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (arg[i] != '-')
				break;
			continue;
		}
		hi = config_hex_digit(arg[i]);
		lo = arg[i + 1] ? config_hex_digit(arg[i + 1]) : -1;
		if (hi < 0 || lo < 0 || n == 16)
			break;
		cfg->uuid[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (n != 16 || strlen(arg) != 36)
		return config_error(err, errlen, "-uuid: '%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				    config_quote(arg, q));
	cfg->have_uuid = true;
	return 0;
}

static int config_opt_qmp(struct config *cfg, const char *opt, char *arg,
			  char *err, size_t errlen)
{
	(void)opt;
	return config_parse_qmp(cfg, arg, err, errlen);
}

static bool config_affinity_seen(const struct config *cfg)
{
	return cfg->vcpu_affinity_all.given || cfg->vcpu_affinity_highest >= 0;
}

static int config_opt_vcpu_affinity(struct config *cfg, const char *opt,
				    char *arg, char *err, size_t errlen)
{
	char msg[ERR_LINE_MAX / 2];

	if (config_affinity_seen(cfg))
		return config_error(err, errlen, "%s: given twice", opt);
	if (affinity_parse_vcpus(arg, cfg->vcpu_affinity, CONFIG_MAX_VCPUS,
				 &cfg->vcpu_affinity_all,
				 &cfg->vcpu_affinity_highest, msg, sizeof(msg)))
		return config_error(err, errlen, "%s: %s", opt, msg);
	return 0;
}

static int config_opt_io_affinity(struct config *cfg, const char *opt,
				  char *arg, char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4];
	int ret = affinity_parse_cpulist(arg, strlen(arg), &cfg->io_affinity.cpus);

	if (ret == -ERANGE)
		return config_error(err, errlen, "%s: a host CPU number in '%s' is too large",
				    opt, config_quote(arg, q));
	if (ret)
		return config_error(err, errlen, "%s: '%s' is not a CPU list like 0-3,6",
				    opt, config_quote(arg, q));
	cfg->io_affinity.given = true;
	return 0;
}

static int config_opt_rng(struct config *cfg, const char *opt, char *arg,
			  char *err, size_t errlen)
{
	bool on;

	if (config_on_off(arg, &on))
		return config_error(err, errlen, "%s: takes on or off", opt);
	cfg->rng_off = !on;
	return 0;
}

static int config_opt_boot(struct config *cfg, const char *opt, char *arg,
			   char *err, size_t errlen)
{
	if (strcmp(arg, "n"))
		return config_error(err, errlen, "%s: only 'n' (network boot) is supported",
				    opt);
	cfg->netboot = true;
	return 0;
}

static int config_opt_netboot(struct config *cfg, const char *opt, char *arg,
			      char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->netboot = true;
	return 0;
}

static int config_opt_trace_boot(struct config *cfg, const char *opt,
				 char *arg, char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->trace_boot = true;
	return 0;
}

/* One day is plenty for a test run; more is surely a typo. */
#define CONFIG_MAX_TIMEOUT	86400

static int config_opt_timeout(struct config *cfg, const char *opt, char *arg,
			      char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4];
	unsigned long long v;

	if (config_parse_uint(arg, CONFIG_MAX_TIMEOUT, &v) || v == 0)
		return config_error(err, errlen, "%s: '%s' is not a number of seconds from 1 to %d",
				    opt, config_quote(arg, q), CONFIG_MAX_TIMEOUT);
	cfg->timeout_sec = (unsigned int)v;
	return 0;
}

/* -netboot-timeout SECONDS: 0 (never) up to a day. */
static int config_opt_netboot_timeout(struct config *cfg, const char *opt,
				      char *arg, char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4];
	unsigned long long v;

	if (config_parse_uint(arg, CONFIG_MAX_TIMEOUT, &v))
		return config_error(err, errlen, "%s: '%s' is not a number of seconds from 0 to %d",
				    opt, config_quote(arg, q), CONFIG_MAX_TIMEOUT);
	cfg->netboot_timeout_sec = (unsigned int)v;
	cfg->netboot_timeout_given = true;
	return 0;
}

static int config_opt_stats(struct config *cfg, const char *opt, char *arg,
			    char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->stats = true;
	return 0;
}

static int config_opt_no_seccomp(struct config *cfg, const char *opt,
				 char *arg, char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->no_seccomp = true;
	return 0;
}

static int config_opt_snapshot(struct config *cfg, const char *opt,
			       char *arg, char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->snapshot = true;
	return 0;
}

static int config_opt_reboot(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	if (!strcmp(arg, "exit"))
		cfg->reboot_restart = false;
	else if (!strcmp(arg, "restart"))
		cfg->reboot_restart = true;
	else
		return config_error(err, errlen, "%s: takes exit or restart", opt);
	return 0;
}

static int config_opt_dump_acpi(struct config *cfg, const char *opt,
				char *arg, char *err, size_t errlen)
{
	return config_set_string(&cfg->dump_acpi_dir, opt, arg, false, err, errlen);
}

static int config_opt_user(struct config *cfg, const char *opt, char *arg,
			   char *err, size_t errlen)
{
	return config_set_string(&cfg->user, opt, arg, false, err, errlen);
}

static int config_opt_chroot(struct config *cfg, const char *opt, char *arg,
			     char *err, size_t errlen)
{
	return config_set_string(&cfg->chroot_dir, opt, arg, false, err, errlen);
}

/* tcp:[HOST]:PORT or unix:PATH[,server=on] (QEMU's -gdb chardev forms). */
int config_parse_gdb(struct gdb_config *g, char *spec, char *err, size_t errlen)
{
	if (!strncmp(spec, "tcp:", 4)) {
		char *host = spec + 4;
		char *colon = strrchr(host, ':');
		unsigned long port;
		char *end;

		if (!colon)
			return config_error(err, errlen, "-gdb %s: want tcp:[HOST]:PORT", spec);
		*colon = 0;
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || port == 0 || port > 65535)
			return config_error(err, errlen, "-gdb: bad port '%s'", colon + 1);
		/* [::1]:1234 form for IPv6 literals */
		if (*host == '[' && colon > host + 1 && colon[-1] == ']') {
			colon[-1] = 0;
			host++;
		}
		*g = (struct gdb_config){ GDB_LISTEN_TCP, *host ? host : NULL,
					  (uint16_t)port, NULL };
		return 0;
	}
	if (!strncmp(spec, "unix:", 5)) {
		char *path = spec + 5;
		char *opt = strchr(path, ',');

		if (opt) {
			*opt++ = 0;
			if (strcmp(opt, "server=on") && strcmp(opt, "server"))
				return config_error(err, errlen, "-gdb unix: unknown option '%s' (server=on only)",
						    opt);
		}
		if (!*path)
			return config_error(err, errlen, "-gdb unix: needs a path");
		*g = (struct gdb_config){ GDB_LISTEN_UNIX, NULL, 0, path };
		return 0;
	}
	return config_error(err, errlen, "-gdb %s: want tcp:[HOST]:PORT or unix:PATH,server=on", spec);
}

static int config_opt_gdb(struct config *cfg, const char *opt, char *arg, char *err, size_t errlen)
{
	(void)opt;
	return config_parse_gdb(&cfg->gdb, arg, err, errlen);
}

/* -s: QEMU's shorthand for -gdb tcp::1234. */
static int config_opt_gdb_default(struct config *cfg, const char *opt, char *arg,
				  char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->gdb = (struct gdb_config){ GDB_LISTEN_TCP, NULL, 1234, NULL };
	return 0;
}

static int config_opt_start_paused(struct config *cfg, const char *opt, char *arg,
				   char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->start_paused = true;
	return 0;
}

static int config_opt_restore(struct config *cfg, const char *opt, char *arg,
			      char *err, size_t errlen)
{
	(void)opt;
	(void)err;
	(void)errlen;
	cfg->restore = arg;
	return 0;
}

static int config_opt_help(struct config *cfg, const char *opt, char *arg,
			   char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->help = true;
	return 0;
}

static int config_opt_version(struct config *cfg, const char *opt, char *arg,
			      char *err, size_t errlen)
{
	(void)opt; (void)arg; (void)err; (void)errlen;
	cfg->version = true;
	return 0;
}

static const struct config_option config_options[] = {
	{ "kernel",	true,	false,	config_opt_kernel },
	{ "initrd",	true,	false,	config_opt_initrd },
	{ "append",	true,	false,	config_opt_append },
	{ "rootfs",	true,	false,	config_opt_rootfs },
	{ "run",	true,	false,	config_opt_run },
	{ "m",		true,	false,	config_opt_mem },
	{ "mem-path",	true,	false,	config_opt_mem_path },
	{ "mem-prealloc", false, true,	config_opt_mem_prealloc },
	{ "mem-merge",	true,	false,	config_opt_mem_merge },
	{ "mem-thp",	true,	false,	config_opt_mem_thp },
	{ "smp",	true,	false,	config_opt_smp },
	{ "drive",	true,	true,	config_opt_drive },
	{ "tap",	true,	true,	config_opt_tap },
	{ "share",	true,	true,	config_opt_share },
	{ "serial",	true,	false,	config_opt_serial },
	{ "console-log", true,	false,	config_opt_console_log },
	{ "qmp",	true,	false,	config_opt_qmp },
	{ "name",	true,	false,	config_opt_name },
	{ "daemonize",	false,	true,	config_opt_daemonize },
	{ "pidfile",	true,	false,	config_opt_pidfile },

	{ "uuid",	true,	false,	config_opt_uuid },
	{ "vcpu-affinity", true, false,	config_opt_vcpu_affinity },
	{ "io-affinity", true,	false,	config_opt_io_affinity },
	{ "rng",	true,	false,	config_opt_rng },
	{ "netboot",	false,	true,	config_opt_netboot },
	{ "boot",	true,	false,	config_opt_boot },
	{ "netboot-timeout", true, false, config_opt_netboot_timeout },
	{ "trace-boot",	false,	true,	config_opt_trace_boot },
	{ "stats",	false,	true,	config_opt_stats },
	{ "timeout",	true,	false,	config_opt_timeout },
	{ "no-seccomp",	false,	true,	config_opt_no_seccomp },
	{ "snapshot",	false,	true,	config_opt_snapshot },
	{ "reboot",	true,	false,	config_opt_reboot },
	{ "dump-acpi",	true,	false,	config_opt_dump_acpi },
	{ "user",	true,	false,	config_opt_user },
	{ "chroot",	true,	false,	config_opt_chroot },
	{ "gdb",	true,	false,	config_opt_gdb },
	{ "s",		false,	true,	config_opt_gdb_default },
	{ "S",		false,	true,	config_opt_start_paused },
	{ "restore",	true,	false,	config_opt_restore },
	{ "h",		false,	true,	config_opt_help },
	{ "help",	false,	true,	config_opt_help },
	{ "version",	false,	true,	config_opt_version },
};

static const struct config_option *config_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(config_options) / sizeof(config_options[0]);
	     i++) {
		if (strlen(config_options[i].name) == len &&
		    !strncmp(config_options[i].name, name, len))
			return &config_options[i];
	}
	return NULL;
}

/* One pinning set against the CPUs this process may use (cpuset, taskset). */
static int config_check_cpus(const char *opt, const cpu_set_t *set,
			     const cpu_set_t *allowed, char *err, size_t errlen)
{
	char list[96];
	int bad = affinity_first_outside(set, allowed);

	if (bad < 0)
		return 0;
	affinity_format(allowed, list, sizeof(list));
	return config_error(err, errlen, "%s: host CPU %d is not among the CPUs minivmm may use (%s)",
			    opt, bad, list);
}

static int config_validate_affinity(struct config *cfg, char *err, size_t errlen)
{
	cpu_set_t allowed;

	/* (-restore: the snapshot's vCPU count is checked once it is read.) */
	if (!cfg->restore && cfg->vcpu_affinity_highest >= (int)cfg->vcpus)
		return config_error(err, errlen, "-vcpu-affinity: vCPU %d does not exist (-smp %u)",
				    cfg->vcpu_affinity_highest, cfg->vcpus);
	if (!config_affinity_seen(cfg) && !cfg->io_affinity.given)
		return 0;
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return config_error(err, errlen, "cannot read this process's CPU affinity: %s",
				    strerror(errno));
	if (cfg->io_affinity.given &&
	    config_check_cpus("-io-affinity", &cfg->io_affinity.cpus, &allowed, err, errlen))
		return -1;
	if (cfg->vcpu_affinity_all.given &&
	    config_check_cpus("-vcpu-affinity", &cfg->vcpu_affinity_all.cpus,
			      &allowed, err, errlen))
		return -1;
	for (int i = 0; i <= cfg->vcpu_affinity_highest; i++)
		if (cfg->vcpu_affinity[i].given &&
		    config_check_cpus("-vcpu-affinity", &cfg->vcpu_affinity[i].cpus,
				      &allowed, err, errlen))
			return -1;
	return 0;
}

/*
 * -restore: the guest, its RAM, vCPUs and devices come from the snapshot
 * (snapshot_apply_config() fills them in); what may differ is the host
 * side (console, QMP, affinity, -S, -gdb, ...).
 */
static int config_validate_restore(const struct config *cfg, char *err,
				   size_t errlen)
{
	if (cfg->kernel || cfg->initrd || cfg->append || cfg->netboot ||
	    cfg->rootfs || cfg->run)
		return config_error(err, errlen, "-restore: the guest comes from the snapshot; -kernel, -initrd, -append, -netboot, -rootfs and -run do not apply");
	if (cfg->mem_bytes || cfg->vcpus || cfg->mem_path || cfg->mem_prealloc)
		return config_error(err, errlen, "-restore: RAM and vCPUs come from the snapshot; -m, -smp, -mem-path and -mem-prealloc do not apply");
	if (cfg->nr_shares)
		return config_error(err, errlen, "-restore: -share does not apply (a VM with virtio-fs shares cannot be saved)");
	if (cfg->rng_off)
		return config_error(err, errlen, "-restore: the virtio-rng device comes from the snapshot; -rng does not apply");
	if (cfg->reboot_restart)
		return config_error(err, errlen, "-restore cannot be combined with -reboot restart (the restart would restore the snapshot again)");
	if (cfg->dump_acpi_dir)
		return config_error(err, errlen, "-restore cannot be combined with -dump-acpi");
	return 0;
}

/* Rules that involve more than one option. */
/* -rootfs DIR: DIR becomes one more share, read-only, under our tag. */
static int config_validate_rootfs(struct config *cfg, char *err, size_t errlen)
{
	if (cfg->run && !cfg->rootfs)
		return config_error(err, errlen, "-run needs -rootfs");
	if (!cfg->rootfs)
		return 0;
	if (!cfg->kernel)
		return config_error(err, errlen, "-rootfs needs -kernel");
	if (cfg->initrd)
		return config_error(err, errlen, "-rootfs and -initrd exclude each other (minivmm makes the initramfs)");
	if (cfg->nr_shares >= CONFIG_MAX_SHARES)
		return config_error(err, errlen, "-rootfs: at most %d shares, -rootfs included",
				    CONFIG_MAX_SHARES);
	for (unsigned int i = 0; i < cfg->nr_shares; i++)
		if (!strcmp(cfg->share[i].tag, CONFIG_ROOTFS_TAG))
			return config_error(err, errlen, "-share: tag '%s' is taken by -rootfs",
					    CONFIG_ROOTFS_TAG);
	cfg->share[cfg->nr_shares++] = (struct share_config){
		.path = cfg->rootfs, .tag = CONFIG_ROOTFS_TAG, .readonly = true,
	};
	return 0;
}

static int config_validate(struct config *cfg, char *err, size_t errlen)
{
	if (cfg->help || cfg->version)
		return 0;
	if (cfg->restore && config_validate_restore(cfg, err, errlen))
		return -1;
	for (unsigned int i = 0; cfg->snapshot && i < cfg->nr_drives; i++)
		cfg->drive[i].snapshot = true;
	if (!cfg->mem_bytes)
		cfg->mem_bytes = CONFIG_DEFAULT_MEM;
	if (!cfg->vcpus) {
		cfg->vcpus = 1;
		cfg->sockets = 1;
		cfg->cores = 1;
		cfg->threads = 1;
	}
	if (cfg->kernel && cfg->netboot)
		return config_error(err, errlen, "-kernel and -netboot exclude each other");
	/* KSM and THP work on anonymous memory, not on hugetlbfs pages. */
	if (cfg->mem_path && cfg->mem_merge)
		return config_error(err, errlen, "-mem-merge on cannot be combined with -mem-path (KSM does not merge huge pages)");
	if (cfg->initrd && !cfg->kernel)
		return config_error(err, errlen, "-initrd needs -kernel");
	if (config_validate_rootfs(cfg, err, errlen))
		return -1;
	/* With -netboot, -append adds words to the command line PXE chose. */
	if (cfg->append && !cfg->kernel && !cfg->netboot && !cfg->dump_acpi_dir)
		return config_error(err, errlen, "-append needs -kernel or -netboot");
	if (cfg->netboot && !cfg->nr_nics)
		return config_error(err, errlen, "-netboot needs a -tap");
	if (cfg->netboot_timeout_given && !cfg->netboot)
		return config_error(err, errlen, "-netboot-timeout needs -netboot");
	/* Detached, stdio is /dev/null: the console must go elsewhere. */
	if (cfg->daemonize && cfg->serial == SERIAL_STDIO)
		return config_error(err, errlen, "-daemonize needs -serial none, file:PATH, pty or unix");
	if (cfg->serial == SERIAL_UNIX && !cfg->serial_path && !cfg->name)
		return config_error(err, errlen, "-serial unix without a path needs -name (the socket goes in the runtime directory)");
	if (cfg->daemonize && cfg->reboot_restart)
		return config_error(err, errlen, "-daemonize cannot be combined with -reboot restart");
	if (cfg->nr_drives + cfg->nr_nics + cfg->nr_shares + !cfg->rng_off >
	    LAYOUT_VIRTIO_MMIO_MAX)
		return config_error(err, errlen,
			"too many virtio devices: %u drives + %u taps + %u shares%s, at most %d",
			cfg->nr_drives, cfg->nr_nics, cfg->nr_shares,
			cfg->rng_off ? "" : " + the rng (-rng off frees its slot)",
			LAYOUT_VIRTIO_MMIO_MAX);
	/* The restarted process must open /dev/kvm again: it needs root. */
	if (cfg->reboot_restart && (cfg->user || cfg->chroot_dir))
		return config_error(err, errlen, "-reboot restart cannot be combined with -user or -chroot");
	if (!cfg->kernel && !cfg->netboot && !cfg->dump_acpi_dir && !cfg->restore)
		return config_error(err, errlen,
			"no -kernel or -netboot given (try -help)");
	return config_validate_affinity(cfg, err, errlen);
}

int config_parse(struct config *cfg, int argc, char **argv,
		 char *err, size_t errlen)
{
	char q[CONFIG_QUOTE_MAX + 4], optname[40];
	bool seen[CONFIG_NR_OPTIONS] = { false };
	const struct config_option *o;
	int i;

	_Static_assert(sizeof(config_options) / sizeof(config_options[0]) ==
		       CONFIG_NR_OPTIONS, "CONFIG_NR_OPTIONS is stale");

	memset(cfg, 0, offsetof(struct config, vcpu_affinity));
	cfg->vcpu_affinity_highest = -1;
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		char *a = argv[i], *name, *arg = NULL, *eq = NULL;
		size_t len;

		if (a[0] != '-' || !a[1])
			return config_error(err, errlen, "unexpected argument '%s'",
					    config_quote(a, q));
		name = a + 1;
		if (name[0] == '-') {
			name++;
			eq = strchr(name, '=');	/* --opt=value */
		}
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = config_find(name, len);
		if (!o || (eq && !o->has_arg))
			return config_error(err, errlen, "unknown option '%s'",
					    config_quote(a, q));
		snprintf(optname, sizeof(optname), "-%s", o->name);
		if (seen[o - config_options] && !o->repeat)
			return config_error(err, errlen, "%s: given twice", optname);
		seen[o - config_options] = true;
		if (eq) {
			arg = eq + 1;
		} else if (o->has_arg) {
			if (i + 1 >= argc)
				return config_error(err, errlen, "%s: needs an argument",
						    optname);
			arg = argv[++i];
		}
		if (o->parse(cfg, optname, arg, err, errlen))
			return -1;
		if (cfg->help || cfg->version)
			break;	/* nothing else matters */
	}
	return config_validate(cfg, err, errlen);
}

void config_usage(const char *prog)
{
	const char *slash = prog ? strrchr(prog, '/') : NULL;

	if (!prog || !*prog)
		prog = "minivmm";
	else if (slash && slash[1])
		prog = slash + 1;
	printf("usage: %s -kernel BZIMAGE [-initrd FILE] [-append CMDLINE] [options]\n"
	       "       %s -netboot -tap NAME [options]\n"
	       "       %s -restore FILE [options]\n"
	       "       %s list | ctl NAME pause|resume|powerdown|reset|stop|status|stats [--json]\n"
	       "       %s ctl NAME save FILE [--quit] [--json]\n"
	       "       %s console NAME     (named VMs; docs/control.md)\n"
	       "\n"
	       "  -kernel PATH          Linux bzImage to boot\n"
	       "  -initrd PATH          initramfs for the kernel\n"
	       "  -append STR           kernel command line\n"
	       "  -rootfs DIR           boot into DIR (read-only, tmpfs overlay) with\n"
	       "                        minivmm's own init; a shell on the console\n"
	       "  -run CMD              with -rootfs: run /bin/sh -c CMD, exit with its\n"
	       "                        status (125 VM failed, 126/127 cannot run sh)\n"
	       "  -m SIZE               memory, MiB or with K/M/G suffix (default 256)\n"
	       "  -mem-path DIR         guest RAM from the hugetlbfs mounted at DIR\n"
	       "  -mem-prealloc         allocate all guest RAM before the guest starts\n"
	       "  -mem-merge on|off     let KSM merge identical guest pages (default off)\n"
	       "  -mem-thp on|off       transparent huge pages for guest RAM (default on)\n"
	       "  -smp N[,sockets=S,cores=C,threads=T]  vCPUs (default 1)\n"
	       "  -drive file=PATH[,format=raw|qcow2][,readonly=on|off][,snapshot=on|off]\n"
	       "         [,cache=writeback|writethrough|none|directsync|unsafe]\n"
	       "         [,discard=unmap|ignore][,serial=ID]\n"
	       "                        virtio-blk disk (up to %d)\n"
	       "  -snapshot             every -drive snapshot=on\n"
	       "  -tap NAME[,mac=MAC][,bridge=BR]  virtio-net on a TAP (up to %d)\n"
	       "  -share DIR,tag=TAG[,readonly=on|off]  virtio-fs share of a host\n"
	       "                        directory (up to %d; readonly=on by default)\n"
	       "  -serial stdio|file:PATH|pty|unix[:PATH,server=on,wait=off]|none\n"
	       "                      console (default stdio); pty prints its path\n"
	       "  -console-log FILE[,limit=SIZE|none]  also copy console output to FILE\n"
	       "                        (default limit 64M)\n"
	       "  -vcpu-affinity CPUS|[V@[CPUS],...]  pin vCPU threads to host CPUs\n"
	       "  -io-affinity CPUS     pin every other thread (I/O, main) to host CPUs\n"
	       "  -rng on|off           virtio-rng entropy device (default on)\n"
	       "  -netboot, -boot n     PXE boot with the built-in firmware\n"
	       "  -netboot-timeout SECONDS  netboot gives up after SECONDS (exit 9;\n"
	       "                        default %d, 0 = never)\n"
	       "  -reboot exit|restart  on guest reboot (default exit, code 3)\n"
	       "  -qmp unix:PATH,server=on,wait=off  QMP control socket (docs/control.md)\n"
	       "  -name NAME          the VM's name (process name, query-name; without\n"
	       "                      -qmp its socket goes in the runtime directory)\n"
	       "  -daemonize          detach once set-up has succeeded\n"
	       "  -pidfile FILE       write the pid to FILE (locked, removed at exit)\n"

	       "  -uuid UUID          machine UUID for -netboot (DHCP option 97)\n"
	       "  -trace-boot           print boot phase timestamps on stderr\n"
	       "  -stats                print device counters on exit\n"
	       "  -gdb tcp:[HOST]:PORT | unix:PATH,server=on  GDB stub (docs/debugging.md)\n"
	       "  -s                    same as -gdb tcp::1234\n"
	       "  -S                    start with the vCPUs stopped (gdb or QMP cont starts them)\n"
	       "  -restore FILE         continue a VM saved with QMP x-minivmm-save\n"
	       "                        (docs/snapshots.md)\n"
	       "  -timeout SECONDS      stop the VM after SECONDS (exit 124), with each\n"
	       "                        vCPU's RIP and the -stats counters on stderr\n"
	       "  -no-seccomp           do not install the seccomp filter\n"
	       "  -user NAME            drop privileges to NAME after setup\n"
	       "  -chroot DIR           chroot to DIR after setup\n"
	       "  -dump-acpi DIR        write the ACPI tables to DIR and exit\n"
	       "  -help, -version\n"
	       "\n"
	       "Console: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h helps.\n"
	       "Exit codes: 0 power-off, 1 error, 2 usage, 3 reboot, 4 crash,\n"
	       "5 netboot failed, 6 localboot, 7 stopped, 8 guest panic,\n"
	       "9 netboot deadline, 124 timeout;\n"
	       "with -rootfs the command's status (125-127: it could not run).\n"
	       "See docs/usage.md.\n",
	       prog, prog, prog, prog, prog, prog, CONFIG_MAX_DRIVES, CONFIG_MAX_NICS, CONFIG_MAX_SHARES,
	       CONFIG_NETBOOT_TIMEOUT);
}
