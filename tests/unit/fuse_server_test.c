// SPDX-License-Identifier: MIT
/*
 * The FUSE server against a temporary directory, driven the way the
 * virtio-fs device drives it: each request and reply buffer split over
 * many iovecs (as a guest's descriptor chain would be), every opcode,
 * directory offsets, large I/O, a read-only share, and hostile requests.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/fuse_server.h"
#include "vmm/seccomp.h"
#include "tests/unit/unit_main.h"

#define REQ_MAX		(2 * 1024 * 1024)
#define NR_PIECES	64

struct fx {
	char dir[64];
	struct fuse_server *s;
	uint64_t unique;
	uint8_t *req;
	uint8_t *rep;
	uint32_t rep_len;	/* bytes the server wrote */
	size_t rep_size;	/* reply buffer offered */
	size_t piece;		/* split size; 0 = NR_PIECES even pieces */
	uid_t uid;		/* the caller, read once: getuid() is not */
	gid_t gid;		/* allowed under the fs seccomp class */
};

static struct fx F;

/* Split [buf, buf + len) into iovecs of F.piece bytes (at most 256). */
static unsigned int split(struct iovec *iov, uint8_t *buf, size_t len)
{
	size_t piece = F.piece ? F.piece : len / NR_PIECES + 1;
	unsigned int n = 0;

	for (size_t off = 0; off < len && n < 256; off += piece) {
		iov[n].iov_base = buf + off;
		iov[n].iov_len = len - off < piece ? len - off : piece;
		if (n == 255)
			iov[n].iov_len = len - off;
		n++;
	}
	return n;
}

/*
 * Send opcode op on nodeid with the argument bytes a[0..na) (concatenated),
 * header length hlen (0 = the true one).  Returns the reply's error; the
 * payload is at F.rep + sizeof(struct fuse_out_header).
 */
static int call_raw(uint32_t op, uint64_t nodeid, const void *arg, size_t alen,
		    uint32_t hlen, size_t req_size)
{
	struct fuse_in_header h = {
		.len = hlen ? hlen : (uint32_t)(sizeof(h) + alen),
		.opcode = op, .unique = ++F.unique, .nodeid = nodeid,
		.uid = F.uid, .gid = F.gid,
	};
	struct iovec in[256], out[256];
	unsigned int nin, nout;
	struct fuse_out_header oh;

	memcpy(F.req, &h, sizeof(h));
	if (alen)	/* arg may be NULL with no argument */
		memcpy(F.req + sizeof(h), arg, alen);
	memset(F.rep, 0xAA, F.rep_size);
	nin = split(in, F.req, req_size ? req_size : sizeof(h) + alen);
	nout = split(out, F.rep, F.rep_size);
	F.rep_len = fuse_server_handle(F.s, in, nin, out, nout);
	if (F.rep_len == 0)
		return 1;	/* no reply */
	ck_assert_uint_ge(F.rep_len, sizeof(oh));
	memcpy(&oh, F.rep, sizeof(oh));
	ck_assert_uint_eq(oh.len, F.rep_len);
	ck_assert_uint_eq(oh.unique, h.unique);
	ck_assert_int_le(oh.error, 0);
	return oh.error;
}

static int call(uint32_t op, uint64_t nodeid, const void *arg, size_t alen)
{
	return call_raw(op, nodeid, arg, alen, 0, 0);
}

static void *payload(void)
{
	return F.rep + sizeof(struct fuse_out_header);
}

static uint32_t payload_len(void)
{
	return F.rep_len - (uint32_t)sizeof(struct fuse_out_header);
}

/* A request argument followed by NUL-terminated names. */
static size_t with_names(uint8_t *buf, const void *arg, size_t alen,
			 const char *n1, const char *n2)
{
	size_t len = alen;

	memcpy(buf, arg, alen);
	if (n1) {
		memcpy(buf + len, n1, strlen(n1) + 1);
		len += strlen(n1) + 1;
	}
	if (n2) {
		memcpy(buf + len, n2, strlen(n2) + 1);
		len += strlen(n2) + 1;
	}
	return len;
}

static void host_path(char *p, size_t n, const char *rel)
{
	snprintf(p, n, "%s/%s", F.dir, rel);
}

static void host_write(const char *rel, const void *data, size_t len)
{
	char p[256];
	int fd;

	host_path(p, sizeof(p), rel);
	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void start(bool readonly, uint32_t max_inodes, uint32_t max_handles)
{
	struct fuse_server_config cfg = {
		.readonly = readonly, .max_inodes = max_inodes,
		.max_handles = max_handles,
	};
	struct fuse_init_in in = {
		.major = 7, .minor = FUSE_KERNEL_MINOR_VERSION,
		.max_readahead = 65536,
		.flags = FUSE_DO_READDIRPLUS | FUSE_MAX_PAGES | FUSE_BIG_WRITES,
	};
	struct fuse_init_out out;

	snprintf(F.dir, sizeof(F.dir), "/tmp/fuse-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(F.dir));
	F.uid = getuid();
	F.gid = getgid();
	cfg.root = F.dir;
	ck_assert_int_eq(fuse_server_create(&cfg, &F.s), 0);
	F.req = calloc(1, REQ_MAX);
	F.rep_size = REQ_MAX;
	F.rep = calloc(1, REQ_MAX);
	ck_assert_int_eq(call(FUSE_INIT, 0, &in, sizeof(in)), 0);
	ck_assert_uint_eq(payload_len(), sizeof(out));
	memcpy(&out, payload(), sizeof(out));
	ck_assert_uint_eq(out.major, 7);
	ck_assert_uint_eq(out.minor, FUSE_KERNEL_MINOR_VERSION);
	ck_assert_uint_eq(out.max_write, FUSE_SERVER_MAX_IO);
	ck_assert(out.flags & FUSE_DO_READDIRPLUS);
	ck_assert(!(out.flags & FUSE_WRITEBACK_CACHE));
}

static void stop(void)
{
	char cmd[128];

	fuse_server_destroy(F.s);
	free(F.req);
	free(F.rep);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", F.dir);
	ck_assert_int_eq(system(cmd), 0);
	memset(&F, 0, sizeof(F));
}

static void setup_rw(void) { start(false, 0, 0); }
static void setup_ro(void) { start(true, 0, 0); }

/* LOOKUP name in dir; returns the entry (asserting success). */
static struct fuse_entry_out lookup(uint64_t dir, const char *name)
{
	struct fuse_entry_out e;

	ck_assert_int_eq(call(FUSE_LOOKUP, dir, name, strlen(name) + 1), 0);
	ck_assert_uint_eq(payload_len(), sizeof(e));
	memcpy(&e, payload(), sizeof(e));
	ck_assert_uint_ne(e.nodeid, 0);
	return e;
}

static int lookup_err(uint64_t dir, const char *name)
{
	return call(FUSE_LOOKUP, dir, name, strlen(name) + 1);
}

static uint64_t open_node(uint64_t nodeid, uint32_t op, uint32_t flags)
{
	struct fuse_open_in in = { .flags = flags };
	struct fuse_open_out out;

	ck_assert_int_eq(call(op, nodeid, &in, sizeof(in)), 0);
	memcpy(&out, payload(), sizeof(out));
	return out.fh;
}

static int read_fh(uint64_t fh, uint64_t off, uint32_t size)
{
	struct fuse_read_in in = { .fh = fh, .offset = off, .size = size };

	return call(FUSE_READ, 1, &in, sizeof(in));
}

static int release(uint64_t fh, uint32_t op)
{
	struct fuse_release_in in = { .fh = fh };

	return call(op, 1, &in, sizeof(in));
}

/* ---- read-only share ---- */

START_TEST(test_lookup_getattr_read)
{
	struct fuse_entry_out e;
	struct fuse_attr_out ao;
	uint64_t fh;

	host_write("hello.txt", "hello, world\n", 13);
	e = lookup(FUSE_ROOT_ID, "hello.txt");
	ck_assert(S_ISREG(e.attr.mode));
	ck_assert_uint_eq(e.attr.size, 13);
	ck_assert_uint_eq(e.nodeid, lookup(FUSE_ROOT_ID, "hello.txt").nodeid);

	ck_assert_int_eq(call(FUSE_GETATTR, e.nodeid, &(struct fuse_getattr_in){ 0 },
			      sizeof(struct fuse_getattr_in)), 0);
	memcpy(&ao, payload(), sizeof(ao));
	ck_assert_uint_eq(ao.attr.size, 13);
	ck_assert_uint_eq(ao.attr.ino, e.attr.ino);

	fh = open_node(e.nodeid, FUSE_OPEN, O_RDONLY);
	F.piece = 5;	/* reply split in 5-byte descriptors */
	ck_assert_int_eq(read_fh(fh, 0, 4096), 0);
	ck_assert_uint_eq(payload_len(), 13);
	ck_assert_mem_eq(payload(), "hello, world\n", 13);
	ck_assert_int_eq(read_fh(fh, 7, 3), 0);
	ck_assert_mem_eq(payload(), "wor", 3);
	ck_assert_int_eq(read_fh(fh, 100, 10), 0);
	ck_assert_uint_eq(payload_len(), 0);
	F.piece = 0;
	ck_assert_int_eq(call(FUSE_FLUSH, e.nodeid, &(struct fuse_flush_in){ .fh = fh },
			      sizeof(struct fuse_flush_in)), 0);
	ck_assert_int_eq(release(fh, FUSE_RELEASE), 0);
	ck_assert_int_eq(release(fh, FUSE_RELEASE), -EBADF);
	ck_assert_int_eq(read_fh(fh, 0, 10), -EBADF);
	ck_assert_int_eq(lookup_err(FUSE_ROOT_ID, "missing"), -ENOENT);
}
END_TEST

START_TEST(test_forget_and_stale)
{
	struct fuse_entry_out e;
	struct fuse_forget_in fi = { .nlookup = 2 };
	struct fuse_server_stats st;

	host_write("f", "x", 1);
	e = lookup(FUSE_ROOT_ID, "f");
	lookup(FUSE_ROOT_ID, "f");
	fuse_server_get_stats(F.s, &st);
	ck_assert_uint_eq(st.inodes, 2);
	ck_assert_int_eq(call(FUSE_FORGET, e.nodeid, &fi, sizeof(fi)), 1);
	fuse_server_get_stats(F.s, &st);
	ck_assert_uint_eq(st.inodes, 1);
	/* The old nodeid is stale even once its slot is reused. */
	ck_assert_int_eq(call(FUSE_GETATTR, e.nodeid, &(struct fuse_getattr_in){ 0 },
			      sizeof(struct fuse_getattr_in)), -ESTALE);
	ck_assert_uint_ne(lookup(FUSE_ROOT_ID, "f").nodeid, e.nodeid);
	ck_assert_int_eq(call(FUSE_GETATTR, e.nodeid, NULL, 0), -ESTALE);
	ck_assert_int_eq(call(FUSE_GETATTR, 0, NULL, 0), -ESTALE);
	ck_assert_int_eq(call(FUSE_GETATTR, 0xffffffffull, NULL, 0), -ESTALE);
	ck_assert_int_eq(call(FUSE_GETATTR, 12345, NULL, 0), -ESTALE);
	/* Forgetting the root or unknown ids changes nothing. */
	ck_assert_int_eq(call(FUSE_FORGET, FUSE_ROOT_ID, &fi, sizeof(fi)), 1);
	ck_assert_int_eq(call(FUSE_FORGET, 999, &fi, sizeof(fi)), 1);
	ck_assert_int_eq(call(FUSE_GETATTR, FUSE_ROOT_ID, NULL, 0), 0);
}
END_TEST

START_TEST(test_batch_forget)
{
	uint8_t buf[sizeof(struct fuse_batch_forget_in) +
		    3 * sizeof(struct fuse_forget_one)];
	struct fuse_batch_forget_in bf = { .count = 1000 };	/* lies */
	struct fuse_forget_one one[3];
	struct fuse_server_stats st;

	host_write("a", "", 0);
	host_write("b", "", 0);
	one[0] = (struct fuse_forget_one){ lookup(1, "a").nodeid, 1 };
	one[1] = (struct fuse_forget_one){ lookup(1, "b").nodeid, 1 };
	one[2] = (struct fuse_forget_one){ 77777, 1 };
	memcpy(buf, &bf, sizeof(bf));
	memcpy(buf + sizeof(bf), one, sizeof(one));
	ck_assert_int_eq(call(FUSE_BATCH_FORGET, 0, buf, sizeof(buf)), 1);
	fuse_server_get_stats(F.s, &st);
	ck_assert_uint_eq(st.inodes, 1);
}
END_TEST

START_TEST(test_statfs_access_xattr)
{
	struct fuse_statfs_out sf;
	struct fuse_access_in ai = { .mask = R_OK | X_OK };
	struct fuse_getxattr_in gx = { .size = 64 };
	uint8_t buf[128];

	ck_assert_int_eq(call(FUSE_STATFS, 1, NULL, 0), 0);
	memcpy(&sf, payload(), sizeof(sf));
	ck_assert_uint_gt(sf.st.bsize, 0);
	ck_assert_uint_gt(sf.st.namelen, 0);
	ck_assert_int_eq(call(FUSE_ACCESS, 1, &ai, sizeof(ai)), 0);
	ai.mask = W_OK;
	ck_assert_int_eq(call(FUSE_ACCESS, 1, &ai, sizeof(ai)), -EROFS);
	ck_assert_int_eq(call(FUSE_GETXATTR, 1, buf,
			      with_names(buf, &gx, sizeof(gx), "user.x", NULL)),
			 -ENOSYS);
	ck_assert_int_eq(call(FUSE_LISTXATTR, 1, &gx, sizeof(gx)), -ENOSYS);
	ck_assert_int_eq(call(4242, 1, NULL, 0), -ENOSYS);
}
END_TEST

START_TEST(test_erofs)
{
	struct fuse_entry_out e;
	struct fuse_write_in wi = { .size = 1 };
	struct fuse_setattr_in sa = { .valid = FATTR_SIZE };
	struct fuse_mkdir_in mi = { .mode = 0755 };
	struct fuse_create_in ci = { .flags = O_WRONLY, .mode = 0644 };
	struct fuse_rename_in ri = { .newdir = 1 };
	uint8_t buf[256];
	struct stat st;
	char p[256];

	host_write("f", "data", 4);
	e = lookup(1, "f");
	ck_assert_int_eq(call(FUSE_OPEN, e.nodeid, &(struct fuse_open_in){
		.flags = O_WRONLY }, sizeof(struct fuse_open_in)), -EROFS);
	ck_assert_int_eq(call(FUSE_OPEN, e.nodeid, &(struct fuse_open_in){
		.flags = O_RDONLY | O_TRUNC }, sizeof(struct fuse_open_in)), -EROFS);
	ck_assert_int_eq(call(FUSE_WRITE, 1, &wi, sizeof(wi)), -EROFS);
	ck_assert_int_eq(call(FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), -EROFS);
	ck_assert_int_eq(call(FUSE_MKDIR, 1, buf,
			      with_names(buf, &mi, sizeof(mi), "d", NULL)), -EROFS);
	ck_assert_int_eq(call(FUSE_CREATE, 1, buf,
			      with_names(buf, &ci, sizeof(ci), "new", NULL)), -EROFS);
	ck_assert_int_eq(call(FUSE_UNLINK, 1, "f", 2), -EROFS);
	ck_assert_int_eq(call(FUSE_RMDIR, 1, "f", 2), -EROFS);
	ck_assert_int_eq(call(FUSE_SYMLINK, 1, buf,
			      with_names(buf, "", 0, "l", "f")), -EROFS);
	ck_assert_int_eq(call(FUSE_RENAME, 1, buf,
			      with_names(buf, &ri, sizeof(ri), "f", "g")), -EROFS);
	ck_assert_int_eq(call(FUSE_FALLOCATE, 1, buf, 32), -EROFS);
	host_path(p, sizeof(p), "f");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	host_path(p, sizeof(p), "new");
	ck_assert_int_eq(access(p, F_OK), -1);
}
END_TEST

/* List a directory with READDIR(PLUS) in chunks of size bytes. */
static unsigned int list_dir(uint64_t nodeid, bool plus, uint32_t size,
			     bool seen[], unsigned int nr_files)
{
	uint64_t fh = open_node(nodeid, FUSE_OPENDIR, O_RDONLY);
	uint64_t off = 0;
	unsigned int total = 0, rounds = 0;

	for (;;) {
		struct fuse_read_in in = { .fh = fh, .offset = off, .size = size };
		uint32_t pos = 0, len;
		uint8_t *p;

		ck_assert_int_eq(call(plus ? FUSE_READDIRPLUS : FUSE_READDIR,
				      nodeid, &in, sizeof(in)), 0);
		len = payload_len();
		ck_assert_uint_le(len, size);
		if (len == 0)
			break;
		p = payload();
		while (pos < len) {
			struct fuse_dirent d;
			struct fuse_entry_out e = { 0 };
			char name[256];
			unsigned int i;

			if (plus) {
				memcpy(&e, p + pos, sizeof(e));
				pos += sizeof(e);
			}
			memcpy(&d, p + pos, sizeof(d));
			ck_assert_uint_lt(d.namelen, sizeof(name));
			memcpy(name, p + pos + FUSE_NAME_OFFSET, d.namelen);
			name[d.namelen] = 0;
			pos += FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + d.namelen);
			off = d.off;
			total++;
			if (sscanf(name, "file%u", &i) == 1) {
				ck_assert_uint_lt(i, nr_files);
				ck_assert(!seen[i]);
				seen[i] = true;
				if (plus) {
					ck_assert_uint_ne(e.nodeid, 0);
					ck_assert_uint_eq(e.attr.ino, d.ino);
					ck_assert(S_ISREG(e.attr.mode));
				}
			} else {
				ck_assert(!strcmp(name, ".") || !strcmp(name, ".."));
				if (plus)
					ck_assert_uint_eq(e.nodeid, 0);
			}
		}
		ck_assert_uint_eq(pos, len);
		ck_assert_uint_lt(++rounds, 1000);
	}
	ck_assert_int_eq(release(fh, FUSE_RELEASEDIR), 0);
	return total;
}

START_TEST(test_readdir_offsets)
{
	enum { N = 150 };
	bool seen[N] = { 0 };
	struct fuse_server_stats st;
	char name[32];

	for (unsigned int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file%u", i);
		host_write(name, "", 0);
	}
	/* Small chunks: many rounds, each resuming at the last d_off. */
	ck_assert_uint_eq(list_dir(1, false, 200, seen, N), N + 2);
	for (unsigned int i = 0; i < N; i++)
		ck_assert(seen[i]);
	memset(seen, 0, sizeof(seen));
	ck_assert_uint_eq(list_dir(1, true, 4096, seen, N), N + 2);
	for (unsigned int i = 0; i < N; i++)
		ck_assert(seen[i]);
	fuse_server_get_stats(F.s, &st);
	ck_assert_uint_eq(st.inodes, N + 1);
	ck_assert_uint_eq(st.handles, 0);
}
END_TEST

START_TEST(test_large_read)
{
	const size_t size = 3 * FUSE_SERVER_MAX_IO / 2;
	uint8_t *data = malloc(size);
	uint64_t fh;

	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 7 + i / 4096);
	host_write("big", data, size);
	fh = open_node(lookup(1, "big").nodeid, FUSE_OPEN, O_RDONLY);
	F.piece = 4096;		/* 256 page-sized descriptors */
	F.rep_size = sizeof(struct fuse_out_header) + FUSE_SERVER_MAX_IO;
	ck_assert_int_eq(read_fh(fh, 0, FUSE_SERVER_MAX_IO), 0);
	ck_assert_uint_eq(payload_len(), FUSE_SERVER_MAX_IO);
	ck_assert_mem_eq(payload(), data, FUSE_SERVER_MAX_IO);
	/* The rest, asked for with more than the protocol allows. */
	ck_assert_int_eq(read_fh(fh, FUSE_SERVER_MAX_IO, 1u << 30), 0);
	ck_assert_uint_eq(payload_len(), size - FUSE_SERVER_MAX_IO);
	ck_assert_mem_eq(payload(), data + FUSE_SERVER_MAX_IO,
			 size - FUSE_SERVER_MAX_IO);
	/* A reply buffer smaller than the read: clipped to it. */
	F.rep_size = 100;
	F.piece = 0;
	ck_assert_int_eq(read_fh(fh, 0, 4096), 0);
	ck_assert_uint_eq(payload_len(), 100 - sizeof(struct fuse_out_header));
	F.rep_size = REQ_MAX;
	free(data);
}
END_TEST

/* ---- writable share ---- */

static struct fuse_entry_out create_file(const char *name, uint64_t *fh)
{
	struct fuse_create_in ci = { .flags = O_RDWR, .mode = S_IFREG | 0640 };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	uint8_t buf[256];

	ck_assert_int_eq(call(FUSE_CREATE, 1, buf,
			      with_names(buf, &ci, sizeof(ci), name, NULL)), 0);
	ck_assert_uint_eq(payload_len(), sizeof(out));
	memcpy(&out, payload(), sizeof(out));
	*fh = out.o.fh;
	return out.e;
}

static int write_fh(uint64_t fh, uint64_t off, const void *data, uint32_t len)
{
	struct fuse_write_in wi = { .fh = fh, .offset = off, .size = len };
	uint8_t *buf = malloc(sizeof(wi) + len);
	int r;

	memcpy(buf, &wi, sizeof(wi));
	memcpy(buf + sizeof(wi), data, len);
	r = call(FUSE_WRITE, 1, buf, sizeof(wi) + len);
	free(buf);
	return r;
}

START_TEST(test_create_write_setattr)
{
	const uint32_t big = FUSE_SERVER_MAX_IO;
	uint8_t *data = malloc(big), *back = malloc(big);
	struct fuse_setattr_in sa = { 0 };
	struct fuse_write_out wo;
	struct fuse_attr_out ao;
	struct fuse_entry_out e;
	uint64_t fh;
	struct stat st;
	char p[256];
	int fd;

	for (uint32_t i = 0; i < big; i++)
		data[i] = (uint8_t)(i ^ (i >> 9));
	e = create_file("new", &fh);
	ck_assert(S_ISREG(e.attr.mode));
	ck_assert_uint_eq(e.attr.mode & 07777, 0640);	/* despite our umask */
	F.piece = 4093;		/* odd descriptor sizes */
	ck_assert_int_eq(write_fh(fh, 0, data, big), 0);
	memcpy(&wo, payload(), sizeof(wo));
	ck_assert_uint_eq(wo.size, big);
	F.piece = 0;
	host_path(p, sizeof(p), "new");
	fd = open(p, O_RDONLY);
	ck_assert_int_eq(read(fd, back, big), big);
	close(fd);
	ck_assert_mem_eq(back, data, big);

	/* A WRITE whose size claims more than the request carries. */
	{
		struct fuse_write_in wi = { .fh = fh, .size = 100 };

		ck_assert_int_eq(call(FUSE_WRITE, 1, &wi, sizeof(wi)), -EINVAL);
	}
	ck_assert_int_eq(call(FUSE_FSYNC, 1, &(struct fuse_fsync_in){ .fh = fh },
			      sizeof(struct fuse_fsync_in)), 0);
	ck_assert_int_eq(call(FUSE_FSYNC, 1, &(struct fuse_fsync_in){
		.fh = fh, .fsync_flags = 1 }, sizeof(struct fuse_fsync_in)), 0);
	ck_assert_int_eq(call(FUSE_FALLOCATE, 1, &(struct fuse_fallocate_in){
		.fh = fh, .offset = 0, .length = 2 * big },
		sizeof(struct fuse_fallocate_in)), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 2 * big);

	sa.valid = FATTR_SIZE | FATTR_MODE | FATTR_MTIME;
	sa.size = 10;
	sa.mode = 0600;
	sa.mtime = 1000000000;
	sa.mtimensec = 5;
	ck_assert_int_eq(call(FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	memcpy(&ao, payload(), sizeof(ao));
	ck_assert_uint_eq(ao.attr.size, 10);
	ck_assert_uint_eq(ao.attr.mode & 07777, 0600);
	ck_assert_uint_eq(ao.attr.mtime, 1000000000);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 10);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 5);
	/* Size through the open handle too. */
	sa.valid = FATTR_SIZE | FATTR_FH;
	sa.fh = fh;
	sa.size = 3;
	ck_assert_int_eq(call(FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 3);
	sa.valid = FATTR_MTIME;
	sa.mtimensec = 2000000000u;
	ck_assert_int_eq(call(FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), -EINVAL);
	ck_assert_int_eq(release(fh, FUSE_RELEASE), 0);

	/* OPEN with O_TRUNC on a writable share. */
	fh = open_node(e.nodeid, FUSE_OPEN, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(release(fh, FUSE_RELEASE), 0);
	free(data);
	free(back);
}
END_TEST

START_TEST(test_namespace_ops)
{
	struct fuse_mkdir_in mi = { .mode = 0750 };
	struct fuse_mknod_in mn = { .mode = S_IFREG | 0600 };
	struct fuse_rename_in ri = { .newdir = 0 };
	struct fuse_rename2_in r2 = { .flags = RENAME_NOREPLACE };
	struct fuse_link_in li;
	struct fuse_entry_out d, e, l;
	uint8_t buf[512];
	struct stat st;
	char p[256];

	ck_assert_int_eq(call(FUSE_MKDIR, 1, buf,
			      with_names(buf, &mi, sizeof(mi), "dir", NULL)), 0);
	memcpy(&d, payload(), sizeof(d));
	ck_assert(S_ISDIR(d.attr.mode));
	ck_assert_uint_eq(d.attr.mode & 07777, 0750);
	ck_assert_int_eq(call(FUSE_MKNOD, d.nodeid, buf,
			      with_names(buf, &mn, sizeof(mn), "reg", NULL)), 0);
	memcpy(&e, payload(), sizeof(e));
	ck_assert(S_ISREG(e.attr.mode));
	mn.mode = S_IFIFO | 0600;
	ck_assert_int_eq(call(FUSE_MKNOD, d.nodeid, buf,
			      with_names(buf, &mn, sizeof(mn), "fifo", NULL)), -EPERM);

	/* rename dir/reg -> top, then RENAME2 NOREPLACE onto an existing name. */
	ri.newdir = 1;
	ck_assert_int_eq(call(FUSE_RENAME, d.nodeid, buf,
			      with_names(buf, &ri, sizeof(ri), "reg", "top")), 0);
	host_path(p, sizeof(p), "top");
	ck_assert_int_eq(stat(p, &st), 0);
	host_write("other", "", 0);
	r2.newdir = 1;
	ck_assert_int_eq(call(FUSE_RENAME2, 1, buf,
			      with_names(buf, &r2, sizeof(r2), "top", "other")), -EEXIST);
	r2.flags = RENAME_EXCHANGE;
	ck_assert_int_eq(call(FUSE_RENAME2, 1, buf,
			      with_names(buf, &r2, sizeof(r2), "top", "other")), 0);
	r2.flags = 1u << 20;
	ck_assert_int_eq(call(FUSE_RENAME2, 1, buf,
			      with_names(buf, &r2, sizeof(r2), "top", "other")), -EINVAL);
	ri.newdir = 99999;
	ck_assert_int_eq(call(FUSE_RENAME, 1, buf,
			      with_names(buf, &ri, sizeof(ri), "top", "x")), -ESTALE);

	/* SYMLINK + READLINK, LINK. */
	ck_assert_int_eq(call(FUSE_SYMLINK, d.nodeid, buf,
			      with_names(buf, "", 0, "sl", "../top")), 0);
	memcpy(&l, payload(), sizeof(l));
	ck_assert(S_ISLNK(l.attr.mode));
	ck_assert_int_eq(call(FUSE_READLINK, l.nodeid, NULL, 0), 0);
	ck_assert_uint_eq(payload_len(), 6);
	ck_assert_mem_eq(payload(), "../top", 6);
	li.oldnodeid = lookup(1, "top").nodeid;
	ck_assert_int_eq(call(FUSE_LINK, d.nodeid, buf,
			      with_names(buf, &li, sizeof(li), "hard", NULL)), 0);
	memcpy(&e, payload(), sizeof(e));
	ck_assert_uint_eq(e.nodeid, li.oldnodeid);
	ck_assert_uint_eq(e.attr.nlink, 2);
	li.oldnodeid = l.nodeid;
	ck_assert_int_eq(call(FUSE_LINK, 1, buf,
			      with_names(buf, &li, sizeof(li), "hl", NULL)), -EPERM);

	/* FSYNCDIR, UNLINK, RMDIR. */
	{
		uint64_t fh = open_node(d.nodeid, FUSE_OPENDIR, 0);

		ck_assert_int_eq(call(FUSE_FSYNCDIR, d.nodeid, &(struct fuse_fsync_in){
			.fh = fh }, sizeof(struct fuse_fsync_in)), 0);
		ck_assert_int_eq(release(fh, FUSE_RELEASEDIR), 0);
	}
	ck_assert_int_eq(call(FUSE_RMDIR, 1, "dir", 4), -ENOTEMPTY);
	ck_assert_int_eq(call(FUSE_UNLINK, d.nodeid, "sl", 3), 0);
	ck_assert_int_eq(call(FUSE_UNLINK, d.nodeid, "hard", 5), 0);
	ck_assert_int_eq(call(FUSE_UNLINK, d.nodeid, "hard", 5), -ENOENT);
	ck_assert_int_eq(call(FUSE_RMDIR, 1, "dir", 4), 0);
	host_path(p, sizeof(p), "dir");
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(call(FUSE_ACCESS, 1, &(struct fuse_access_in){ .mask = W_OK },
			      sizeof(struct fuse_access_in)), 0);
}
END_TEST

/*
 * The writing opcodes under the fs thread's own seccomp filter, in a
 * child process: a system call the class does not allow traps, and
 * minivmm's SIGSYS handler names it and exits with 1 (as minivmm would).
 * Each later step's number is the exit code when its answer is wrong.
 */
static int fs_ops_step(void)
{
	struct fuse_mkdir_in mi = { .mode = 0755 };
	struct fuse_mknod_in mn = { .mode = S_IFREG | 0644 };
	struct fuse_rename_in ri = { .newdir = 1 };
	struct fuse_rename2_in r2 = { .newdir = 1, .flags = RENAME_EXCHANGE };
	struct fuse_create_in ci = { .flags = O_RDWR, .mode = 0644 };
	struct fuse_read_in rd = { .size = 4096 };
	uint8_t buf[512];
	uint64_t fh;

	if (call(FUSE_MKDIR, 1, buf, with_names(buf, &mi, sizeof(mi), "d", NULL)))
		return 2;
	if (call(FUSE_MKNOD, 1, buf, with_names(buf, &mn, sizeof(mn), "a", NULL)))
		return 3;
	if (call(FUSE_RENAME, 1, buf, with_names(buf, &ri, sizeof(ri), "a", "b")))
		return 4;
	if (call(FUSE_RENAME2, 1, buf, with_names(buf, &r2, sizeof(r2), "b", "d")))
		return 5;
	if (call(FUSE_SYMLINK, 1, buf, with_names(buf, "", 0, "l", "b")))
		return 6;
	if (call(FUSE_CREATE, 1, buf, with_names(buf, &ci, sizeof(ci), "c", NULL)))
		return 7;
	fh = ((struct fuse_open_out *)((uint8_t *)payload() +
				       sizeof(struct fuse_entry_out)))->fh;
	rd.fh = fh;
	if (call(FUSE_READ, 1, &rd, sizeof(rd)) ||
	    call(FUSE_FSYNC, 1, &(struct fuse_fsync_in){ .fh = fh },
		 sizeof(struct fuse_fsync_in)) ||
	    release(fh, FUSE_RELEASE))
		return 8;
	if (call(FUSE_UNLINK, 1, "c", 2) || call(FUSE_UNLINK, 1, "l", 2) ||
	    call(FUSE_UNLINK, 1, "d", 2) || call(FUSE_RMDIR, 1, "b", 2))
		return 9;
	if (call(FUSE_STATFS, 1, NULL, 0))
		return 10;
	return 0;
}

START_TEST(test_under_fs_seccomp)
{
	char err[256];
	pid_t pid;
	int st;

	if (!seccomp_supported(NULL, 0))
		return;		/* no filter to test against on this kernel */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (seccomp_install(SECCOMP_THREAD_FS, err, sizeof(err)))
			_exit(100);
		_exit(fs_ops_step());
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "killed by signal %d",
		      WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	ck_assert_msg(WEXITSTATUS(st) != 1,
		      "a call the fs seccomp class forbids (named on stderr)");
	ck_assert_msg(WEXITSTATUS(st) != 100, "cannot install the fs filter");
	ck_assert_msg(WEXITSTATUS(st) == 0, "step %d failed", WEXITSTATUS(st));
}
END_TEST

/* ---- hostile guests ---- */

START_TEST(test_bad_names)
{
	static const char *bad[] = { "a/b", "..", ".", "/etc", "", "../x" };
	struct fuse_mkdir_in mi = { .mode = 0755 };
	uint8_t buf[600];

	host_write("f", "", 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(lookup_err(1, bad[i]), -EINVAL);
		ck_assert_int_eq(call(FUSE_MKDIR, 1, buf,
				      with_names(buf, &mi, sizeof(mi), bad[i], NULL)),
				 -EINVAL);
	}
	/* Without a terminator, and longer than NAME_MAX. */
	ck_assert_int_eq(call(FUSE_LOOKUP, 1, "f", 1), -EINVAL);
	memset(buf, 'a', 300);
	buf[300] = 0;
	ck_assert_int_eq(call(FUSE_LOOKUP, 1, buf, 301), -EINVAL);
	ck_assert_int_eq(call(FUSE_UNLINK, 1, "f", 1), -EINVAL);
	/* RENAME with one name only. */
	ck_assert_int_eq(call(FUSE_RENAME, 1, buf,
			      with_names(buf, &(struct fuse_rename_in){ 1 },
					 sizeof(struct fuse_rename_in), "f", NULL)),
			 -EINVAL);
	/* Short fixed arguments. */
	ck_assert_int_eq(call(FUSE_OPEN, 1, "x", 1), -EINVAL);
	ck_assert_int_eq(call(FUSE_SETATTR, 1, "x", 1), -EINVAL);
	ck_assert_int_eq(call(FUSE_ACCESS, 1, NULL, 0), -EINVAL);
	/* LOOKUP under a regular file. */
	ck_assert_int_eq(lookup_err(lookup(1, "f").nodeid, "x"), -ENOTDIR);
}
END_TEST

START_TEST(test_bad_lengths)
{
	struct iovec in, out;
	struct fuse_in_header h = { .len = 10, .opcode = FUSE_GETATTR,
				    .unique = 9, .nodeid = 1 };
	struct fuse_out_header oh;
	uint8_t small[8];

	/* Header length below the header, above the buffer. */
	ck_assert_int_eq(call_raw(FUSE_GETATTR, 1, NULL, 0, 10, 0), -EINVAL);
	ck_assert_int_eq(call_raw(FUSE_GETATTR, 1, NULL, 0, 1000, 0), -EINVAL);
	ck_assert_int_eq(call_raw(FUSE_GETATTR, 1, NULL, 0, 0xffffffffu, 0), -EINVAL);
	/* A request shorter than its header. */
	in = (struct iovec){ &h, 20 };
	out = (struct iovec){ F.rep, 64 };
	ck_assert_uint_eq(fuse_server_handle(F.s, &in, 1, &out, 1), sizeof(oh));
	memcpy(&oh, F.rep, sizeof(oh));
	ck_assert_int_eq(oh.error, -EINVAL);
	/* No room for even the reply header: nothing written. */
	h.len = sizeof(h);
	in = (struct iovec){ &h, sizeof(h) };
	memset(small, 0x55, sizeof(small));
	out = (struct iovec){ small, sizeof(small) };
	ck_assert_uint_eq(fuse_server_handle(F.s, &in, 1, &out, 1), 0);
	ck_assert_uint_eq(small[0], 0x55);
	/* Room for the header but not the attributes. */
	out = (struct iovec){ F.rep, sizeof(oh) + 8 };
	ck_assert_uint_eq(fuse_server_handle(F.s, &in, 1, &out, 1), sizeof(oh));
	memcpy(&oh, F.rep, sizeof(oh));
	ck_assert_int_eq(oh.error, -EOVERFLOW);
	/* No descriptors at all. */
	ck_assert_uint_eq(fuse_server_handle(F.s, NULL, 0, NULL, 0), 0);
}
END_TEST

START_TEST(test_readdir_absurd_offsets)
{
	static const uint64_t offs[] = { 1ull << 62, INT64_MAX, UINT64_MAX, 12345 };
	uint64_t fh;

	host_write("f", "", 0);
	fh = open_node(1, FUSE_OPENDIR, 0);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct fuse_read_in in = { .fh = fh, .offset = offs[i], .size = 4096 };
		int err = call(FUSE_READDIRPLUS, 1, &in, sizeof(in));

		/* An error or a (short) listing, never a crash or a hang. */
		ck_assert(err == 0 || err == -EINVAL || err == -ENOENT);
		ck_assert_uint_le(payload_len(), 4096);
	}
	/* A file handle is not a directory handle and vice versa. */
	ck_assert_int_eq(read_fh(fh, 0, 10), -EBADF);
	ck_assert_int_eq(release(fh, FUSE_RELEASE), -EBADF);
	ck_assert_int_eq(call(FUSE_READDIR, 1, &(struct fuse_read_in){
		.fh = fh + (1ull << 32), .size = 100 }, sizeof(struct fuse_read_in)),
		-EBADF);
	ck_assert_int_eq(release(fh, FUSE_RELEASEDIR), 0);
}
END_TEST

START_TEST(test_symlink_not_followed)
{
	struct fuse_entry_out e;
	char p[256];

	host_path(p, sizeof(p), "etc");
	ck_assert_int_eq(symlink("/etc", p), 0);
	host_path(p, sizeof(p), "pw");
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	e = lookup(1, "etc");
	ck_assert(S_ISLNK(e.attr.mode));
	ck_assert_int_eq(call(FUSE_READLINK, e.nodeid, NULL, 0), 0);
	ck_assert_mem_eq(payload(), "/etc", 4);
	ck_assert_int_eq(lookup_err(e.nodeid, "passwd"), -ENOTDIR);
	ck_assert_int_eq(call(FUSE_OPENDIR, e.nodeid, &(struct fuse_open_in){ 0 },
			      sizeof(struct fuse_open_in)), -ENOTDIR);
	e = lookup(1, "pw");
	ck_assert_int_eq(call(FUSE_OPEN, e.nodeid, &(struct fuse_open_in){ 0 },
			      sizeof(struct fuse_open_in)), -ELOOP);
	ck_assert_int_eq(call(FUSE_GETATTR, e.nodeid, NULL, 0), 0);
	{
		struct fuse_attr_out ao;

		memcpy(&ao, payload(), sizeof(ao));
		ck_assert(S_ISLNK(ao.attr.mode));
	}
}
END_TEST

START_TEST(test_symlink_create_through_link)
{
	struct fuse_create_in ci = { .flags = O_WRONLY, .mode = 0644 };
	uint8_t buf[256];
	char p[256], outside[128];

	/* A symlink in the share pointing at a file outside of it. */
	snprintf(outside, sizeof(outside), "%s.outside", F.dir);
	unlink(outside);
	host_path(p, sizeof(p), "evil");
	ck_assert_int_eq(symlink(outside, p), 0);
	ck_assert_int_ne(call(FUSE_CREATE, 1, buf,
			      with_names(buf, &ci, sizeof(ci), "evil", NULL)), 0);
	ck_assert_int_eq(access(outside, F_OK), -1);
}
END_TEST

START_TEST(test_special_files_not_opened)
{
	struct fuse_entry_out e;
	char p[256];

	host_path(p, sizeof(p), "fifo");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	e = lookup(1, "fifo");
	ck_assert(S_ISFIFO(e.attr.mode));
	/* Opening a FIFO would block the server: refused. */
	ck_assert_int_eq(call(FUSE_OPEN, e.nodeid, &(struct fuse_open_in){ 0 },
			      sizeof(struct fuse_open_in)), -EACCES);
}
END_TEST

START_TEST(test_before_init)
{
	struct fuse_server_config cfg = { .root = "/tmp" };
	struct fuse_server *s;
	struct fuse_in_header h = { .len = sizeof(h), .opcode = FUSE_GETATTR,
				    .unique = 1, .nodeid = 1 };
	struct fuse_out_header oh;
	struct iovec in = { &h, sizeof(h) }, out = { &oh, sizeof(oh) };
	struct fuse_init_in ii = { .major = 6 };

	ck_assert_int_eq(fuse_server_create(&cfg, &s), 0);
	ck_assert_uint_eq(fuse_server_handle(s, &in, 1, &out, 1), sizeof(oh));
	ck_assert_int_eq(oh.error, -EIO);
	fuse_server_destroy(s);
	cfg.root = "/nonexistent/dir";
	ck_assert_int_eq(fuse_server_create(&cfg, &s), -ENOENT);
	cfg.root = "/etc/passwd";
	ck_assert_int_eq(fuse_server_create(&cfg, &s), -ENOTDIR);

	/* An old major: EPROTO; a newer major: our version, to retry. */
	start(true, 0, 0);
	ck_assert_int_eq(call(FUSE_INIT, 0, &ii, sizeof(ii)), -EPROTO);
	ii.major = 8;
	ck_assert_int_eq(call(FUSE_INIT, 0, &ii, sizeof(ii)), 0);
	ck_assert_uint_eq(payload_len(), 8);
	ck_assert_int_eq(call(FUSE_INIT, 0, &ii, 8), -EINVAL);
	stop();
}
END_TEST

START_TEST(test_table_exhaustion)
{
	struct fuse_server_stats st;
	char name[16];
	int ok = 0, full = 0;

	start(false, 4, 2);	/* root + 3 inodes, 2 handles */
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		host_write(name, "", 0);
	}
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		int err = lookup_err(1, name);

		if (err == 0)
			ok++;
		else if (err == -ENFILE)
			full++;
	}
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(full, 3);
	/* Handles: two open, the third refused, one freed, one more fits. */
	{
		uint64_t a = open_node(1, FUSE_OPENDIR, 0);
		uint64_t b = open_node(1, FUSE_OPENDIR, 0);

		ck_assert_int_eq(call(FUSE_OPENDIR, 1, &(struct fuse_open_in){ 0 },
				      sizeof(struct fuse_open_in)), -ENFILE);
		ck_assert_int_eq(release(a, FUSE_RELEASEDIR), 0);
		a = open_node(1, FUSE_OPENDIR, 0);
		/* READDIRPLUS with a full inode table still lists every name. */
		{
			struct fuse_read_in in = { .fh = a, .size = 8192 };

			ck_assert_int_eq(call(FUSE_READDIRPLUS, 1, &in, sizeof(in)), 0);
			ck_assert_uint_gt(payload_len(), 6 * FUSE_NAME_OFFSET_DIRENTPLUS);
		}
		release(a, FUSE_RELEASEDIR);
		release(b, FUSE_RELEASEDIR);
	}
	fuse_server_get_stats(F.s, &st);
	ck_assert_uint_eq(st.handles, 0);
	ck_assert_uint_eq(st.inodes, 4);
	stop();
}
END_TEST

static Suite *fuse_server_suite(void)
{
	Suite *s = suite_create("fuse_server");
	TCase *ro = tcase_create("readonly");
	TCase *rw = tcase_create("writable");
	TCase *bad = tcase_create("hostile");
	TCase *own = tcase_create("own_setup");

	tcase_add_checked_fixture(ro, setup_ro, stop);
	tcase_add_test(ro, test_lookup_getattr_read);
	tcase_add_test(ro, test_forget_and_stale);
	tcase_add_test(ro, test_batch_forget);
	tcase_add_test(ro, test_statfs_access_xattr);
	tcase_add_test(ro, test_erofs);
	tcase_add_test(ro, test_readdir_offsets);
	tcase_add_test(ro, test_large_read);
	suite_add_tcase(s, ro);

	tcase_add_checked_fixture(rw, setup_rw, stop);
	tcase_add_test(rw, test_create_write_setattr);
	tcase_add_test(rw, test_namespace_ops);
	tcase_add_test(rw, test_symlink_create_through_link);
	tcase_add_test(rw, test_under_fs_seccomp);
	suite_add_tcase(s, rw);

	tcase_add_checked_fixture(bad, setup_rw, stop);
	tcase_add_test(bad, test_bad_names);
	tcase_add_test(bad, test_bad_lengths);
	tcase_add_test(bad, test_readdir_absurd_offsets);
	tcase_add_test(bad, test_symlink_not_followed);
	tcase_add_test(bad, test_special_files_not_opened);
	suite_add_tcase(s, bad);

	tcase_add_test(own, test_before_init);
	tcase_add_test(own, test_table_exhaustion);
	suite_add_tcase(s, own);
	return s;
}

int main(void)
{
	return unit_run_suite(fuse_server_suite());
}
