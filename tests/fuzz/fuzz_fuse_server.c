// SPDX-License-Identifier: MIT
/*
 * The FUSE request parser and its handlers, fed a sequence of requests
 * whose opcodes, arguments, lengths and iovec splits come from the input.
 * Nodeids and file handles are picked from the ones the server handed out
 * earlier in the same input (a guest can only guess those), or taken raw.
 *
 * Input: byte 0 bit 0 = writable share; then records of
 *   u8 opcode selector, u8 nodeid selector, u8 flags, u16 length, bytes.
 * Flags: bit 0 raw opcode (next byte), bit 1 raw nodeid (next 8 bytes),
 * bit 2 put a known file handle in the first 8 argument bytes, bit 3 a
 * lying header length (next 4 bytes), bits 4-6 the iovec piece size,
 * bit 7 a small reply buffer.
 *
 * Oracles: ASan/UBSan; every reply is a well-formed header of the length
 * returned; nothing outside the shared tree changes (the sibling file
 * "outside" and /etc stay untouched).
 */
#include <assert.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/fuse_server.h"
#include "tests/fuzz/fuzz_input.h"

#define FUZZ_REQ_MAX	8192
#define FUZZ_REP_MAX	(64 * 1024)
#define FUZZ_KNOWN	16

static const uint32_t fuzz_ops[] = {
	FUSE_LOOKUP, FUSE_FORGET, FUSE_GETATTR, FUSE_SETATTR, FUSE_READLINK,
	FUSE_SYMLINK, FUSE_MKNOD, FUSE_MKDIR, FUSE_UNLINK, FUSE_RMDIR,
	FUSE_RENAME, FUSE_LINK, FUSE_OPEN, FUSE_READ, FUSE_WRITE, FUSE_STATFS,
	FUSE_RELEASE, FUSE_FSYNC, FUSE_GETXATTR, FUSE_LISTXATTR, FUSE_FLUSH,
	FUSE_INIT, FUSE_OPENDIR, FUSE_READDIR, FUSE_RELEASEDIR, FUSE_FSYNCDIR,
	FUSE_ACCESS, FUSE_CREATE, FUSE_INTERRUPT, FUSE_DESTROY,
	FUSE_BATCH_FORGET, FUSE_READDIRPLUS, FUSE_RENAME2,
};

struct fuzz_state {
	uint64_t nodes[FUZZ_KNOWN];
	uint64_t fhs[FUZZ_KNOWN];
	unsigned int nr_nodes, nr_fhs;
	uint8_t req[FUZZ_REQ_MAX];
	uint8_t rep[FUZZ_REP_MAX];
};

static struct fuzz_state fz;
static char fuzz_base[64];	/* holds share/ and the file outside it */

static void fuzz_put(const char *rel, const char *data)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", fuzz_base, rel);
	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, data, strlen(data)) < 0)
		abort();
	close(fd);
}

static void fuzz_tree(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/share", fuzz_base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/share/dir", fuzz_base);
	mkdir(p, 0755);
	fuzz_put("share/file", "contents of file\n");
	fuzz_put("share/dir/inner", "inner\n");
	snprintf(p, sizeof(p), "%s/share/etc", fuzz_base);
	symlink("/etc", p);
	snprintf(p, sizeof(p), "%s/share/up", fuzz_base);
	symlink("../outside", p);
}

static int fuzz_rm(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	(void)st; (void)type; (void)ftw;
	remove(path);
	return 0;
}

static void fuzz_remember(uint64_t *arr, unsigned int *nr, uint64_t v)
{
	if (v)
		arr[(*nr)++ % FUZZ_KNOWN] = v;
}

/* Learn nodeids and handles from a successful reply. */
static void fuzz_learn(uint32_t op, const uint8_t *p, uint32_t len)
{
	uint64_t v;

	switch (op) {
	case FUSE_LOOKUP: case FUSE_MKDIR: case FUSE_MKNOD: case FUSE_SYMLINK:
	case FUSE_LINK: case FUSE_CREATE:
		if (len >= sizeof(struct fuse_entry_out)) {
			memcpy(&v, p, 8);
			fuzz_remember(fz.nodes, &fz.nr_nodes, v);
		}
		if (op == FUSE_CREATE && len >= sizeof(struct fuse_entry_out) + 8) {
			memcpy(&v, p + sizeof(struct fuse_entry_out), 8);
			fuzz_remember(fz.fhs, &fz.nr_fhs, v);
		}
		break;
	case FUSE_OPEN: case FUSE_OPENDIR:
		if (len >= 8) {
			memcpy(&v, p, 8);
			fuzz_remember(fz.fhs, &fz.nr_fhs, v);
		}
		break;
	default:
		break;
	}
}

static unsigned int fuzz_split(struct iovec *iov, uint8_t *buf, size_t len,
			       unsigned int piece)
{
	unsigned int n = 0;

	for (size_t off = 0; off < len && n < 256; off += piece, n++) {
		iov[n].iov_base = buf + off;
		iov[n].iov_len = len - off < piece || n == 255 ? len - off : piece;
	}
	return n;
}

static void fuzz_one(struct fuse_server *s, struct fuzz_input *in,
		     uint64_t unique)
{
	static const unsigned int pieces[] = { 1, 3, 8, 40, 64, 512, 4096, 65536 };
	uint8_t sel = fuzz_u8(in), nsel = fuzz_u8(in), fl = fuzz_u8(in);
	uint16_t alen = fuzz_u16(in) % (FUZZ_REQ_MAX - sizeof(struct fuse_in_header));
	struct fuse_in_header h = { .unique = unique };
	struct fuse_out_header oh;
	struct iovec iv[256], ov[256];
	size_t rep_len = fl & 0x80 ? 24 : FUZZ_REP_MAX;
	unsigned int piece = pieces[(fl >> 4) & 7];
	uint32_t n;

	h.opcode = fl & 1 ? fuzz_u8(in) : fuzz_ops[sel % (sizeof(fuzz_ops) / 4)];
	if (fl & 2)
		h.nodeid = fuzz_u64(in);
	else
		h.nodeid = nsel % (fz.nr_nodes + 1) == 0 ? FUSE_ROOT_ID :
			   fz.nodes[(nsel - 1) % FUZZ_KNOWN];
	h.len = (uint32_t)(sizeof(h) + alen);
	if (fl & 8)
		h.len = fuzz_u32(in);
	fuzz_take(in, fz.req + sizeof(h), alen);
	if (fl & 4 && fz.nr_fhs && alen >= 8)
		memcpy(fz.req + sizeof(h), &fz.fhs[nsel % FUZZ_KNOWN], 8);
	/* Keep the host's disk: no multi-gigabyte preallocation. */
	if (h.opcode == FUSE_FALLOCATE)
		h.opcode = FUSE_GETATTR;
	memcpy(fz.req, &h, sizeof(h));
	n = fuse_server_handle(s, iv, fuzz_split(iv, fz.req, sizeof(h) + alen, piece),
			       ov, fuzz_split(ov, fz.rep, rep_len, piece));
	if (n == 0)
		return;
	assert(n >= sizeof(oh) && n <= rep_len);
	memcpy(&oh, fz.rep, sizeof(oh));
	assert(oh.len == n && oh.unique == unique && oh.error <= 0);
	if (oh.error == 0)
		fuzz_learn(h.opcode, fz.rep + sizeof(oh), n - sizeof(oh));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuse_init_in init = { .major = 7, .minor = FUSE_KERNEL_MINOR_VERSION,
				     .flags = 0xffffffffu };
	struct {
		struct fuse_in_header h;
		struct fuse_init_in i;
	} ireq = { { .len = sizeof(ireq), .opcode = FUSE_INIT, .unique = 1 }, init };
	struct fuse_server_config cfg = { .max_inodes = 64, .max_handles = 8 };
	struct iovec iv = { &ireq, sizeof(ireq) }, ov = { fz.rep, FUZZ_REP_MAX };
	struct fuse_server *s;
	char share[96], outside[96];
	struct stat st;

	snprintf(fuzz_base, sizeof(fuzz_base), "/tmp/minivmm-fuzz-fuse-XXXXXX");
	if (!mkdtemp(fuzz_base))
		abort();
	fuzz_tree();
	fuzz_put("outside", "secret");
	snprintf(share, sizeof(share), "%s/share", fuzz_base);
	snprintf(outside, sizeof(outside), "%s/outside", fuzz_base);
	cfg.root = share;
	cfg.readonly = !(fuzz_u8(&in) & 1);
	memset(&fz, 0, offsetof(struct fuzz_state, req));
	if (fuse_server_create(&cfg, &s))
		abort();
	fuse_server_handle(s, &iv, 1, &ov, 1);
	for (uint64_t unique = 2; in.left && unique < 64; unique++)
		fuzz_one(s, &in, unique);
	fuse_server_destroy(s);
	/* Nothing outside the share was touched. */
	assert(stat(outside, &st) == 0 && st.st_size == 6);
	nftw(fuzz_base, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
