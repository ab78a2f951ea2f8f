// SPDX-License-Identifier: MIT
/*
 * PXELINUX config handling.  Configs come from the network: every copy is
 * bounded, lines are cut at PXE_LINE_MAX, INCLUDE nesting is bounded, and
 * nothing here loops on input it has not consumed.
 */
#include "net/pxelinux.h"

/* A piece of a line: [p, p + n). */
struct pxe_str {
	const char *p;
	size_t n;
};

static bool pxe_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' ||
	       ch == '\v';
}

static char pxe_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

static size_t pxe_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Case-insensitive: does s equal the lowercase keyword kw? */
static bool pxe_is(struct pxe_str s, const char *kw)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!kw[i] || pxe_lower(s.p[i]) != kw[i])
			return false;
	return kw[i] == 0;
}

static struct pxe_str pxe_trim(struct pxe_str s)
{
	while (s.n && pxe_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && pxe_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Split off the first word of s (already trimmed); s becomes the rest. */
static struct pxe_str pxe_word(struct pxe_str *s)
{
	struct pxe_str w = { s->p, 0 };

	while (w.n < s->n && !pxe_space(s->p[w.n]))
		w.n++;
	s->p += w.n;
	s->n -= w.n;
	*s = pxe_trim(*s);
	return w;
}

/* Bounded copy into dst[cap]; over-long values are cut. */
static void pxe_set(char *dst, size_t cap, struct pxe_str s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = s.p[i];
	dst[n] = 0;
}

/* Append a C string; false if it does not fit (dst stays terminated). */
static bool pxe_cat(char *dst, size_t cap, const char *src)
{
	size_t n = pxe_strlen(dst);

	for (; *src; src++) {
		if (n + 1 >= cap) {
			dst[n] = 0;
			return false;
		}
		dst[n++] = *src;
	}
	dst[n] = 0;
	return true;
}

static unsigned int pxe_number(struct pxe_str s)
{
	unsigned int v = 0;

	for (size_t i = 0; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
		if (v > 100000000u)
			return v;	/* saturate: only a timeout */
		v = v * 10 + (unsigned int)(s.p[i] - '0');
	}
	return v;
}

static bool pxe_ends_with_ci(struct pxe_str s, const char *suffix)
{
	size_t n = pxe_strlen(suffix);

	if (s.n < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pxe_lower(s.p[s.n - n + i]) != suffix[i])
			return false;
	return true;
}

void pxe_cfg_init(struct pxe_config *cfg)
{
	uint8_t *p = (uint8_t *)cfg;

	for (size_t i = 0; i < sizeof(*cfg); i++)
		p[i] = 0;
	cfg->cur = -1;
}

/* KERNEL's type follows the file name, as in PXELINUX. */
static enum pxe_kernel_type pxe_kernel_type(struct pxe_str file)
{
	if (pxe_ends_with_ci(file, ".c32"))
		return PXE_K_COM32;
	if (pxe_ends_with_ci(file, ".0") || pxe_ends_with_ci(file, ".bss") ||
	    pxe_ends_with_ci(file, ".bs") || pxe_ends_with_ci(file, ".com") ||
	    pxe_ends_with_ci(file, ".cbt") || pxe_ends_with_ci(file, ".img"))
		return PXE_K_OTHER;
	return PXE_K_LINUX;
}

static struct pxe_label *pxe_cur(struct pxe_config *cfg)
{
	return cfg->cur >= 0 ? &cfg->labels[cfg->cur] : NULL;
}

static void pxe_new_label(struct pxe_config *cfg, struct pxe_str name)
{
	struct pxe_label *l;

	if (cfg->nr_labels >= PXE_MAX_LABELS) {
		cfg->dropped_labels++;
		cfg->cur = -1;
		return;
	}
	cfg->cur = (int)cfg->nr_labels++;
	l = &cfg->labels[cfg->cur];
	name = pxe_word(&name);
	pxe_set(l->name, sizeof(l->name), name);
	/* As in syslinux: a LABEL's kernel is the label's name until a
	 * KERNEL line says otherwise (a label with only APPEND boots it). */
	pxe_set(l->kernel, sizeof(l->kernel), name);
	l->type = name.n ? pxe_kernel_type(name) : PXE_K_NONE;
	l->ipappend = -1;
	l->menu_level = cfg->menu_level;
}

static void pxe_set_kernel(struct pxe_config *cfg, enum pxe_kernel_type t,
			   struct pxe_str arg)
{
	struct pxe_label *l = pxe_cur(cfg);
	struct pxe_str file = pxe_word(&arg);

	if (!l)
		return;		/* KERNEL outside a label: ignored */
	pxe_set(l->kernel, sizeof(l->kernel), file);
	l->type = t;
}

static void pxe_parse_text(struct pxe_config *cfg, const char *text,
			   size_t len, unsigned int depth, pxe_fetch_fn fetch,
			   void *ctx);

static void pxe_include(struct pxe_config *cfg, struct pxe_str arg,
			unsigned int depth, pxe_fetch_fn fetch, void *ctx)
{
	char path[PXE_PATH_MAX];
	const char *text;
	size_t len;

	pxe_set(path, sizeof(path), pxe_word(&arg));
	if (!fetch || !path[0] || depth >= PXE_INCLUDE_DEPTH) {
		cfg->includes_skipped++;
		return;
	}
	if (cfg->include_fetches >= PXE_INCLUDE_FETCHES) {
		cfg->includes_over_budget++;
		cfg->includes_skipped++;
		return;
	}
	cfg->include_fetches++;
	if (fetch(ctx, path, depth + 1, &text, &len) < 0) {
		cfg->includes_skipped++;
		return;
	}
	pxe_parse_text(cfg, text, len, depth + 1, fetch, ctx);
}

static void pxe_menu(struct pxe_config *cfg, struct pxe_str arg,
		     unsigned int depth, pxe_fetch_fn fetch, void *ctx)
{
	struct pxe_str kw = pxe_word(&arg);
	struct pxe_label *l = pxe_cur(cfg);

	if (pxe_is(kw, "include")) {
		pxe_include(cfg, arg, depth, fetch, ctx);
	} else if (pxe_is(kw, "default")) {
		/* The last MENU DEFAULT of the top menu wins (syslinux sets
		 * the menu's default entry each time). */
		if (l && l->menu_level == 0)
			l->menu_default = true;
	} else if (pxe_is(kw, "hide")) {
		if (l)
			l->hidden = true;
	} else if (pxe_is(kw, "begin")) {
		cfg->menu_level++;
		cfg->cur = -1;
	} else if (pxe_is(kw, "end")) {
		if (cfg->menu_level)
			cfg->menu_level--;
		cfg->cur = -1;
	}
	/* MENU LABEL, TITLE, COLOR, ...: presentation only. */
}

static void pxe_line(struct pxe_config *cfg, struct pxe_str line,
		     unsigned int depth, pxe_fetch_fn fetch, void *ctx)
{
	struct pxe_label *l = pxe_cur(cfg);
	struct pxe_str kw;

	line = pxe_trim(line);
	if (cfg->in_text) {
		if (pxe_is(pxe_word(&line), "endtext"))
			cfg->in_text = false;
		return;
	}
	if (!line.n || line.p[0] == '#')
		return;
	kw = pxe_word(&line);
	if (pxe_is(kw, "label")) {
		pxe_new_label(cfg, line);
	} else if (pxe_is(kw, "kernel")) {
		struct pxe_str tmp = line;

		pxe_set_kernel(cfg, pxe_kernel_type(pxe_word(&tmp)), line);
	} else if (pxe_is(kw, "linux")) {
		pxe_set_kernel(cfg, PXE_K_LINUX, line);
	} else if (pxe_is(kw, "com32")) {
		pxe_set_kernel(cfg, PXE_K_COM32, line);
	} else if (pxe_is(kw, "boot") || pxe_is(kw, "bss") ||
		   pxe_is(kw, "pxe") || pxe_is(kw, "fdimage") ||
		   pxe_is(kw, "comboot")) {
		pxe_set_kernel(cfg, PXE_K_OTHER, line);
	} else if (pxe_is(kw, "config")) {
		if (l) {
			pxe_set_kernel(cfg, PXE_K_CONFIG, line);
		} else {
			pxe_set(cfg->config_file, sizeof(cfg->config_file),
				pxe_word(&line));
			cfg->restart = cfg->config_file[0] != 0;
		}
	} else if (pxe_is(kw, "localboot")) {
		if (l) {
			l->type = PXE_K_LOCALBOOT;
			l->kernel[0] = 0;
		}
	} else if (pxe_is(kw, "initrd")) {
		if (l)
			pxe_set(l->initrd, sizeof(l->initrd), pxe_word(&line));
	} else if (pxe_is(kw, "append")) {
		char *dst = l ? l->append : cfg->append;

		if (line.n == 1 && line.p[0] == '-')
			line.n = 0;	/* "APPEND -": no options at all */
		pxe_set(dst, PXE_APPEND_MAX, line);
		if (l)
			l->have_append = true;
		else
			cfg->have_append = true;
	} else if (pxe_is(kw, "ipappend") || pxe_is(kw, "sysappend")) {
		if (l)
			l->ipappend = (int)(pxe_number(line) & 3);
		else
			cfg->ipappend = (int)(pxe_number(line) & 3);
	} else if (pxe_is(kw, "default")) {
		pxe_set(cfg->default_cmd, sizeof(cfg->default_cmd), line);
	} else if (pxe_is(kw, "ontimeout")) {
		pxe_set(cfg->ontimeout, sizeof(cfg->ontimeout), line);
	} else if (pxe_is(kw, "timeout")) {
		cfg->timeout = pxe_number(line);
	} else if (pxe_is(kw, "totaltimeout")) {
		cfg->totaltimeout = pxe_number(line);
	} else if (pxe_is(kw, "prompt")) {
		cfg->prompt = pxe_number(line) != 0;
	} else if (pxe_is(kw, "ui")) {
		pxe_set(cfg->ui, sizeof(cfg->ui), line);
	} else if (pxe_is(kw, "include")) {
		pxe_include(cfg, line, depth, fetch, ctx);
	} else if (pxe_is(kw, "menu")) {
		pxe_menu(cfg, line, depth, fetch, ctx);
	} else if (pxe_is(kw, "text")) {
		if (pxe_is(pxe_word(&line), "help"))
			cfg->in_text = true;
	}
	/* SAY, DISPLAY, PATH, SERIAL, F1..F12 and unknown lines: no effect
	 * on what is booted unattended. */
}

static void pxe_parse_text(struct pxe_config *cfg, const char *text,
			   size_t len, unsigned int depth, pxe_fetch_fn fetch,
			   void *ctx)
{
	size_t i = 0;

	while (i < len && !cfg->restart) {
		struct pxe_str line = { text + i, 0 };

		while (i < len && text[i] != '\n') {
			i++;
			line.n++;
		}
		i++;			/* the '\n' */
		if (line.n > PXE_LINE_MAX)
			line.n = PXE_LINE_MAX;
		pxe_line(cfg, line, depth, fetch, ctx);
	}
}

void pxe_cfg_parse(struct pxe_config *cfg, const char *text, size_t len,
		   pxe_fetch_fn fetch, void *ctx)
{
	pxe_parse_text(cfg, text, len, 0, fetch, ctx);
	cfg->in_text = false;		/* an unterminated TEXT ends here */
}

/* ---- choosing ---- */

static int pxe_find_label(const struct pxe_config *cfg, struct pxe_str name)
{
	for (unsigned int i = 0; i < cfg->nr_labels; i++)
		if (pxe_strlen(cfg->labels[i].name) == name.n) {
			size_t j;

			for (j = 0; j < name.n; j++)
				if (cfg->labels[i].name[j] != name.p[j])
					break;
			if (j == name.n)
				return (int)i;
		}
	return -1;
}

static void pxe_hex_byte(char *out, uint8_t v, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	out[0] = digits[v >> 4];
	out[1] = digits[v & 15];
}

static void pxe_dotted(char *out, uint32_t ip)
{
	size_t n = 0;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned int v = (ip >> shift) & 0xff;

		if (v >= 100)
			out[n++] = (char)('0' + v / 100);
		if (v >= 10)
			out[n++] = (char)('0' + v / 10 % 10);
		out[n++] = (char)('0' + v % 10);
		if (shift)
			out[n++] = '.';
	}
	out[n] = 0;
}

static bool pxe_add_ipappend(char *cmd, int flags,
			     const struct pxe_netinfo *ni)
{
	char buf[80], ip[16];
	bool ok = true;

	if (!ni)
		return true;
	if (flags & 1) {
		buf[0] = 0;
		pxe_cat(buf, sizeof(buf), " ip=");
		pxe_dotted(ip, ni->client_ip);
		pxe_cat(buf, sizeof(buf), ip);
		pxe_cat(buf, sizeof(buf), ":");
		pxe_dotted(ip, ni->server_ip);
		pxe_cat(buf, sizeof(buf), ip);
		pxe_cat(buf, sizeof(buf), ":");
		pxe_dotted(ip, ni->gateway);
		pxe_cat(buf, sizeof(buf), ip);
		pxe_cat(buf, sizeof(buf), ":");
		pxe_dotted(ip, ni->netmask);
		pxe_cat(buf, sizeof(buf), ip);
		ok = pxe_cat(cmd, PXE_CMDLINE_MAX, buf);
	}
	if (flags & 2) {
		char *p = buf;

		pxe_set(buf, sizeof(buf), (struct pxe_str){ " BOOTIF=01", 10 });
		p = buf + 10;
		for (int i = 0; i < 6; i++) {
			*p++ = '-';
			pxe_hex_byte(p, ni->mac[i], false);
			p += 2;
		}
		*p = 0;
		ok = ok && pxe_cat(cmd, PXE_CMDLINE_MAX, buf);
	}
	return ok;
}

/* The last initrd= on the command line wins, as in PXELINUX. */
static void pxe_find_initrd(const char *cmd, char *out, size_t cap)
{
	struct pxe_str s = { cmd, pxe_strlen(cmd) };

	out[0] = 0;
	s = pxe_trim(s);
	while (s.n) {
		struct pxe_str w = pxe_word(&s);

		if (w.n > 7 && pxe_is((struct pxe_str){ w.p, 7 }, "initrd="))
			pxe_set(out, cap, (struct pxe_str){ w.p + 7, w.n - 7 });
	}
}

/* A menu module (menu.c32, vesamenu.c32, any directory): it reads the
 * same config and shows its labels. */
static bool pxe_is_menu_module(struct pxe_str file)
{
	size_t i = file.n;

	while (i && file.p[i - 1] != '/' && file.p[i - 1] != ':')
		i--;
	file.p += i;
	file.n -= i;
	return pxe_is(file, "menu.c32") || pxe_is(file, "vesamenu.c32");
}

static bool pxe_visible(const struct pxe_label *l)
{
	return !l->hidden && l->menu_level == 0;
}

/*
 * The entry a menu module starts on, which it boots when its timeout
 * ends: the label the global DEFAULT names if it is a visible label, else
 * the last MENU DEFAULT of the top menu, else the top menu's first entry.
 */
static int pxe_menu_entry(const struct pxe_config *cfg)
{
	struct pxe_str d = { cfg->default_cmd, pxe_strlen(cfg->default_cmd) };
	int idx = pxe_find_label(cfg, pxe_word(&d));

	if (idx >= 0 && pxe_visible(&cfg->labels[idx]))
		return idx;
	idx = -1;
	for (unsigned int i = 0; i < cfg->nr_labels; i++)
		if (cfg->labels[i].menu_default && pxe_visible(&cfg->labels[i]))
			idx = (int)i;
	if (idx >= 0)
		return idx;
	for (unsigned int i = 0; i < cfg->nr_labels; i++)
		if (pxe_visible(&cfg->labels[i]))
			return (int)i;
	return -1;
}

/*
 * syslinux's decision, unattended (every timeout taken as expired):
 *  - UI given: the menu module runs; ONTIMEOUT if set, else its entry.
 *  - no UI, PROMPT 0, DEFAULT given: DEFAULT at once (ONTIMEOUT unused).
 *  - otherwise the boot: prompt; after TIMEOUT: ONTIMEOUT, else DEFAULT;
 *    with neither, PXELINUX waits for a user: nothing to boot here.
 * A command whose first word names a menu module runs the menu as UI does.
 * Returns the command in *cmd, or a label in *idx.
 */
static void pxe_decide(const struct pxe_config *cfg, struct pxe_str *cmd,
		       int *idx)
{
	bool menu = cfg->ui[0] != 0;

	cmd->p = "";
	if (!menu) {
		if (!cfg->prompt && cfg->default_cmd[0])
			cmd->p = cfg->default_cmd;
		else if (cfg->ontimeout[0])
			cmd->p = cfg->ontimeout;
		else
			cmd->p = cfg->default_cmd;
		cmd->n = pxe_strlen(cmd->p);
		{
			struct pxe_str w = *cmd;

			w = pxe_word(&w);
			menu = pxe_find_label(cfg, w) < 0 &&
			       pxe_is_menu_module(w);
		}
	}
	if (menu) {
		cmd->p = cfg->ontimeout;
		cmd->n = pxe_strlen(cmd->p);
		if (!cmd->n)
			*idx = pxe_menu_entry(cfg);
	}
}

int pxe_cfg_choose(const struct pxe_config *cfg, const struct pxe_netinfo *ni,
		   const char *extra, struct pxe_boot *out)
{
	struct pxe_str cmd = { "", 0 }, first;
	const struct pxe_label *l = NULL;
	int idx = -1, ipappend = cfg->ipappend;
	bool ok = true;

	out->type = PXE_K_NONE;
	out->label[0] = out->kernel[0] = out->initrd[0] = out->cmdline[0] = 0;
	pxe_decide(cfg, &cmd, &idx);
	cmd.n = pxe_strlen(cmd.p);
	cmd = pxe_trim(cmd);
	/* A command: "<label> [more options]" or "<kernel> [options]". */
	if (cmd.n) {
		first = pxe_word(&cmd);
		idx = pxe_find_label(cfg, first);
		if (idx < 0) {
			pxe_set(out->kernel, sizeof(out->kernel), first);
			out->type = pxe_kernel_type(first);
		}
	}
	if (idx >= 0) {
		l = &cfg->labels[idx];
		pxe_set(out->label, sizeof(out->label),
			(struct pxe_str){ l->name, pxe_strlen(l->name) });
		pxe_set(out->kernel, sizeof(out->kernel),
			(struct pxe_str){ l->kernel, pxe_strlen(l->kernel) });
		out->type = l->type;
		if (l->ipappend >= 0)
			ipappend = l->ipappend;
	}
	if (out->type == PXE_K_NONE || (out->type != PXE_K_LOCALBOOT &&
					 !out->kernel[0]))
		return -1;
	if (out->type != PXE_K_LINUX)
		return 0;		/* the caller handles or refuses it */

	ok = pxe_cat(out->cmdline, sizeof(out->cmdline), "BOOT_IMAGE=") &&
	     pxe_cat(out->cmdline, sizeof(out->cmdline), out->kernel);
	if (l && l->initrd[0]) {
		ok = ok && pxe_cat(out->cmdline, sizeof(out->cmdline),
				   " initrd=") &&
		     pxe_cat(out->cmdline, sizeof(out->cmdline), l->initrd);
	}
	{
		const char *app = l && l->have_append ? l->append :
				  cfg->have_append ? cfg->append : "";

		if (app[0])
			ok = ok && pxe_cat(out->cmdline, sizeof(out->cmdline),
					   " ") &&
			     pxe_cat(out->cmdline, sizeof(out->cmdline), app);
	}
	if (cmd.n) {
		char more[PXE_APPEND_MAX];

		pxe_set(more, sizeof(more), cmd);
		ok = ok && pxe_cat(out->cmdline, sizeof(out->cmdline), " ") &&
		     pxe_cat(out->cmdline, sizeof(out->cmdline), more);
	}
	ok = ok && pxe_add_ipappend(out->cmdline, ipappend, ni);
	if (extra && extra[0])
		ok = ok && pxe_cat(out->cmdline, sizeof(out->cmdline), " ") &&
		     pxe_cat(out->cmdline, sizeof(out->cmdline), extra);
	if (!ok)
		return -1;
	pxe_find_initrd(out->cmdline, out->initrd, sizeof(out->initrd));
	return 0;
}

/* ---- file names ---- */

bool pxe_config_path(const struct pxe_lookup *lk, unsigned int idx,
		     char *out, size_t cap)
{
	char name[48];
	char *p = name;

	if (!lk->uuid)
		idx++;			/* no UUID name to try */
	if (idx == 0) {
		for (int i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				*p++ = '-';
			pxe_hex_byte(p, lk->uuid[i], false);
			p += 2;
		}
	} else if (idx == 1) {
		*p++ = '0';
		*p++ = '1';
		for (int i = 0; i < 6; i++) {
			*p++ = '-';
			pxe_hex_byte(p, lk->mac[i], false);
			p += 2;
		}
	} else if (idx <= 9) {
		unsigned int digits = 8 - (idx - 2);	/* 8 down to 1 */

		for (unsigned int i = 0; i < digits; i++) {
			unsigned int nib = (lk->ip >> (28 - 4 * i)) & 15;

			*p++ = "0123456789ABCDEF"[nib];
		}
	} else if (idx == 10) {
		pxe_set(name, sizeof(name), (struct pxe_str){ "default", 7 });
		p = name + 7;
	} else {
		return false;
	}
	*p = 0;
	if (!cap)
		return false;
	out[0] = 0;
	return pxe_cat(out, cap, lk->prefix) &&
	       pxe_cat(out, cap, "pxelinux.cfg/") && pxe_cat(out, cap, name);
}

bool pxe_path_prefix(const char *bootfile, const char *opt210, char *out,
		     size_t cap)
{
	size_t n = 0, slash = 0;

	if (!cap)
		return false;
	out[0] = 0;
	if (opt210 && opt210[0])
		return pxe_cat(out, cap, opt210);
	for (n = 0; bootfile && bootfile[n]; n++)
		if (bootfile[n] == '/')
			slash = n + 1;
	if (slash >= cap)
		return false;
	pxe_set(out, cap, (struct pxe_str){ bootfile ? bootfile : "", slash });
	return true;
}

bool pxe_join(const char *prefix, const char *name, char *out, size_t cap)
{
	if (!cap)
		return false;
	out[0] = 0;
	if (name[0] == ':' && name[1] == ':')
		return pxe_cat(out, cap, name + 2);
	if (name[0] == '/')
		return pxe_cat(out, cap, name);
	return pxe_cat(out, cap, prefix) && pxe_cat(out, cap, name);
}

bool pxe_initrd_item(const char *list, unsigned int idx, char *out,
		     size_t cap)
{
	const char *p = list;

	while (idx && *p) {
		if (*p++ == ',')
			idx--;
	}
	if (idx || !*p || !cap)
		return false;
	{
		struct pxe_str s = { p, 0 };

		while (p[s.n] && p[s.n] != ',')
			s.n++;
		if (!s.n || s.n >= cap)
			return false;
		pxe_set(out, cap, s);
	}
	return true;
}
