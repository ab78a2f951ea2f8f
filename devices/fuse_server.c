// SPDX-License-Identifier: MIT
/*
 * The FUSE file server behind virtio-fs (see fuse_server.h for the rules
 * it keeps).  Layout of this file: iovec helpers, the inode and handle
 * tables, name checks and opens, then one function per opcode and the
 * dispatcher.
 */
#include "devices/fuse_server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fuse.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices/virtqueue.h"

/* The guest's caches: names and attributes are trusted for this long. */
#define FUSE_SERVER_TIMEOUT_SEC	1

/* Oldest protocol spoken: 7.12 (full-sized entry/attr/write structs). */
#define FUSE_SERVER_MIN_MINOR	12

/* Request bytes copied out of guest memory: headers, args and two names. */
#define FUSE_SERVER_HEAD_MAX	(sizeof(struct fuse_in_header) + 128 + \
				 PATH_MAX + NAME_MAX + 2)

/* Largest iovec array a request or reply slice may need. */
#define FUSE_SERVER_IOV_MAX	VIRTQ_MAX_SIZE

/* Reply payloads built in memory (everything except READ and READDIR). */
#define FUSE_SERVER_REPLY_MAX	(PATH_MAX + 64)

/* getdents64 buffer per READDIR(PLUS) round. */
#define FUSE_SERVER_DENTS_BUF	32768

/* Seccomp and old glibc: call openat2 by number. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct fuse_inode {
	int fd;			/* O_PATH | O_NOFOLLOW; -1 when the slot is free */
	uint32_t gen;		/* bumped when the slot is freed */
	uint64_t nlookup;	/* lookups the guest has not forgotten */
	dev_t dev;
	ino_t ino;
	mode_t type;		/* S_IFMT bits */
	uint32_t hash_next;	/* slot + 1 in the same bucket, 0 = end */
	uint32_t free_next;	/* slot + 1 of the next free slot, 0 = end */
};

struct fuse_handle {
	int fd;			/* -1 when free */
	uint32_t gen;
	bool dir;
	uint32_t free_next;
};

struct fuse_server {
	bool readonly;
	bool initialized;	/* FUSE_INIT answered */
	uint32_t minor;		/* guest's protocol minor */
	int proc_fd;		/* /proc/self/fd, for reopening O_PATH fds */
	mode_t umask;		/* process umask, undone after creation */

	struct fuse_inode *inodes;
	uint32_t max_inodes;
	uint32_t nr_inodes;
	uint32_t inode_free;	/* slot + 1, 0 = none */
	uint32_t *buckets;	/* slot + 1 per bucket, 0 = empty */
	uint32_t bucket_mask;

	struct fuse_handle *handles;
	uint32_t max_handles;
	uint32_t nr_handles;
	uint32_t handle_free;

	uint64_t nr_requests;
	uint64_t nr_errors;

	/* Scratch, owned by the one thread that drives the server. */
	uint8_t head[FUSE_SERVER_HEAD_MAX];
	uint8_t reply[FUSE_SERVER_REPLY_MAX];
	uint8_t dents[FUSE_SERVER_DENTS_BUF] __attribute__((aligned(8)));
	struct iovec slice[FUSE_SERVER_IOV_MAX];
};

/* One request being answered. */
struct fuse_req {
	struct fuse_in_header h;
	const uint8_t *arg;	/* argument bytes after the header (copied) */
	uint32_t arg_len;
	const struct iovec *in;	/* the whole request in guest memory */
	unsigned int nr_in;
	const struct iovec *out; /* the reply buffer in guest memory */
	unsigned int nr_out;
	uint64_t out_len;
};

/* ---- iovec helpers ---- */

static uint64_t iov_total(const struct iovec *iov, unsigned int nr)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < nr; i++)
		n += iov[i].iov_len;
	return n;
}

/*
 * Copy up to len bytes between buf and the iovec's bytes from off on:
 * into the iovec (to_iov) or out of it; the count copied (short when the
 * iovec ends first).
 */
static size_t iov_copy(const struct iovec *iov, unsigned int nr, uint64_t off,
		       uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0;

	for (unsigned int i = 0; i < nr && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t n = iov[i].iov_len - off;
		uint8_t *at = (uint8_t *)iov[i].iov_base + off;

		if (n > len - done)
			n = len - done;
		if (to_iov)
			memcpy(at, buf + done, n);
		else
			memcpy(buf + done, at, n);
		done += n;
		off = 0;
	}
	return done;
}

static size_t iov_read(const struct iovec *iov, unsigned int nr,
		       uint64_t off, void *dst, size_t len)
{
	return iov_copy(iov, nr, off, dst, len, false);
}

static size_t iov_write(const struct iovec *iov, unsigned int nr,
			uint64_t off, const void *src, size_t len)
{
	/* to_iov: buf is only read from. */
	return iov_copy(iov, nr, off, (uint8_t *)src, len, true);
}

/* ---- inode table ---- */

static uint32_t inode_bucket(const struct fuse_server *s, dev_t dev, ino_t ino)
{
	uint64_t k = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;

	return (uint32_t)(k ^ (k >> 29)) & s->bucket_mask;
}

static uint64_t inode_nodeid(const struct fuse_server *s, uint32_t slot)
{
	return (uint64_t)s->inodes[slot].gen << 32 | (slot + 1);
}

/* The inode a guest nodeid names, or NULL for unknown/stale ids. */
static struct fuse_inode *inode_get(struct fuse_server *s, uint64_t nodeid)
{
	uint32_t low = (uint32_t)nodeid;
	struct fuse_inode *ino;

	if (low == 0 || low > s->max_inodes)
		return NULL;
	ino = &s->inodes[low - 1];
	if (ino->fd < 0 || ino->gen != (uint32_t)(nodeid >> 32))
		return NULL;
	return ino;
}

static int inode_find(struct fuse_server *s, dev_t dev, ino_t ino)
{
	uint32_t i = s->buckets[inode_bucket(s, dev, ino)];

	while (i) {
		struct fuse_inode *n = &s->inodes[i - 1];

		if (n->dev == dev && n->ino == ino)
			return (int)(i - 1);
		i = n->hash_next;
	}
	return -1;
}

/*
 * Take over fd (an O_PATH descriptor of st's inode) as a known inode with
 * one more lookup.  An inode already known keeps its descriptor and fd is
 * closed.  Returns the slot, or -ENFILE when the table is full.
 */
static int inode_add(struct fuse_server *s, int fd, const struct stat *st)
{
	int slot = inode_find(s, st->st_dev, st->st_ino);
	uint32_t b;
	struct fuse_inode *n;

	if (slot >= 0) {
		close(fd);
		s->inodes[slot].nlookup++;
		return slot;
	}
	if (!s->inode_free) {
		close(fd);
		return -ENFILE;
	}
	slot = (int)(s->inode_free - 1);
	n = &s->inodes[slot];
	s->inode_free = n->free_next;
	n->fd = fd;
	n->nlookup = 1;
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->type = st->st_mode & S_IFMT;
	b = inode_bucket(s, st->st_dev, st->st_ino);
	n->hash_next = s->buckets[b];
	s->buckets[b] = (uint32_t)slot + 1;
	s->nr_inodes++;
	return slot;
}

static void inode_forget(struct fuse_server *s, uint32_t slot, uint64_t n)
{
	struct fuse_inode *ino = &s->inodes[slot];
	uint32_t *link;

	if (slot == 0)		/* the root lives as long as the server */
		return;
	ino->nlookup = n >= ino->nlookup ? 0 : ino->nlookup - n;
	if (ino->nlookup)
		return;
	link = &s->buckets[inode_bucket(s, ino->dev, ino->ino)];
	while (*link && *link != slot + 1)
		link = &s->inodes[*link - 1].hash_next;
	if (*link)
		*link = ino->hash_next;
	close(ino->fd);
	ino->fd = -1;
	if (++ino->gen == 0)
		ino->gen = 1;
	ino->free_next = s->inode_free;
	s->inode_free = slot + 1;
	s->nr_inodes--;
}

/* ---- handle table ---- */

static int handle_add(struct fuse_server *s, int fd, bool dir, uint64_t *fh)
{
	struct fuse_handle *h;
	uint32_t slot;

	if (!s->handle_free) {
		close(fd);
		return -ENFILE;
	}
	slot = s->handle_free - 1;
	h = &s->handles[slot];
	s->handle_free = h->free_next;
	h->fd = fd;
	h->dir = dir;
	s->nr_handles++;
	*fh = (uint64_t)h->gen << 32 | (slot + 1);
	return 0;
}

static struct fuse_handle *handle_get(struct fuse_server *s, uint64_t fh,
				      bool dir)
{
	uint32_t low = (uint32_t)fh;
	struct fuse_handle *h;

	if (low == 0 || low > s->max_handles)
		return NULL;
	h = &s->handles[low - 1];
	if (h->fd < 0 || h->gen != (uint32_t)(fh >> 32) || h->dir != dir)
		return NULL;
	return h;
}

static void handle_release(struct fuse_server *s, struct fuse_handle *h)
{
	uint32_t slot = (uint32_t)(h - s->handles);

	close(h->fd);
	h->fd = -1;
	h->gen++;
	h->free_next = s->handle_free;
	s->handle_free = slot + 1;
	s->nr_handles--;
}

/* ---- names, opens, attributes ---- */

/*
 * The NUL-terminated name at *pos of the request arguments, advanced past
 * it.  A name is one path component: not empty, no '/', not "." or "..",
 * at most NAME_MAX bytes.  NULL when it is not.
 */
static const char *req_name(const struct fuse_req *r, uint32_t *pos)
{
	const char *name;
	size_t left, len;

	if (*pos > r->arg_len)
		return NULL;
	name = (const char *)r->arg + *pos;
	left = r->arg_len - *pos;
	len = strnlen(name, left);
	if (len == left || len == 0 || len > NAME_MAX || memchr(name, '/', len) ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return NULL;
	*pos += (uint32_t)len + 1;
	return name;
}

static int openat2_how(int dirfd, const char *name, const struct open_how *how)
{
	long fd = syscall(SYS_openat2, dirfd, name, how, sizeof(*how));

	return fd < 0 ? -errno : (int)fd;
}

/* Open one name in a directory we hold, following no link of any kind. */
static int sys_openat2(int dirfd, const char *name, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)flags | O_CLOEXEC | O_NOFOLLOW,
		.mode = flags & O_CREAT ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_SYMLINKS,
	};

	return openat2_how(dirfd, name, &how);
}

/*
 * Reopen an O_PATH descriptor for I/O through the magic link
 * /proc/self/fd/N, which leads to that very inode and nowhere else.  (Also
 * openat2, so the fs thread's seccomp class needs no openat.)
 */
static int reopen_fd(const struct fuse_server *s, int fd, int flags)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC };
	char name[16];

	snprintf(name, sizeof(name), "%d", fd);
	return openat2_how(s->proc_fd, name, &how);
}

static int proc_name(char name[16], int fd)
{
	return snprintf(name, 16, "%d", fd);
}

/* Pseudo file systems a share must not reach by crossing a mount point. */
static bool fs_type_denied(int fd)
{
	static const long denied[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
		SECURITYFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC,
		BPF_FS_MAGIC, EFIVARFS_MAGIC, DEVPTS_SUPER_MAGIC,
	};
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return true;
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if ((long)sf.f_type == denied[i])
			return true;
	return false;
}

static void attr_from_stat(struct fuse_attr *a, const struct stat *st)
{
	memset(a, 0, sizeof(*a));
	a->ino = st->st_ino;
	a->size = (uint64_t)st->st_size;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime = (uint64_t)st->st_atim.tv_sec;
	a->mtime = (uint64_t)st->st_mtim.tv_sec;
	a->ctime = (uint64_t)st->st_ctim.tv_sec;
	a->atimensec = (uint32_t)st->st_atim.tv_nsec;
	a->mtimensec = (uint32_t)st->st_mtim.tv_nsec;
	a->ctimensec = (uint32_t)st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = (uint32_t)st->st_rdev;
	a->blksize = (uint32_t)st->st_blksize;
}

static int stat_fd(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ?
	       -errno : 0;
}

/*
 * Look name up in the directory dirfd (whose device is dir_dev) and fill
 * e with a new reference to it.  Returns 0 or -errno.
 */
static int lookup_at(struct fuse_server *s, int dirfd, dev_t dir_dev,
		     const char *name, struct fuse_entry_out *e)
{
	struct stat st;
	int fd, r, slot;

	fd = sys_openat2(dirfd, name, O_PATH, 0);
	if (fd < 0)
		return fd;
	r = stat_fd(fd, &st);
	if (!r && st.st_dev != dir_dev && fs_type_denied(fd))
		r = -EACCES;
	if (r) {
		close(fd);
		return r;
	}
	slot = inode_add(s, fd, &st);
	if (slot < 0)
		return slot;
	memset(e, 0, sizeof(*e));
	e->nodeid = inode_nodeid(s, (uint32_t)slot);
	e->entry_valid = FUSE_SERVER_TIMEOUT_SEC;
	e->attr_valid = FUSE_SERVER_TIMEOUT_SEC;
	attr_from_stat(&e->attr, &st);
	return 0;
}

static int lookup_in(struct fuse_server *s, struct fuse_inode *dir,
		     const char *name, struct fuse_entry_out *e)
{
	return lookup_at(s, dir->fd, dir->dev, name, e);
}

/* Give a new entry the mode the guest asked for despite our umask. */
static int fix_mode(const struct fuse_server *s, int fd, mode_t mode)
{
	char name[16];

	if (!(mode & 07777 & s->umask))
		return 0;
	proc_name(name, fd);
	return fchmodat(s->proc_fd, name, mode & 07777, 0) < 0 ? -errno : 0;
}

/* ---- replies ---- */

static uint32_t reply(struct fuse_server *s, const struct fuse_req *r,
		      int error, const void *payload, uint32_t len)
{
	struct fuse_out_header oh = { .unique = r->h.unique };

	if (error)
		len = 0;
	if (r->out_len < sizeof(oh) + len) {
		if (r->out_len < sizeof(oh))
			return 0;
		error = -EOVERFLOW;
		len = 0;
	}
	if (error)
		s->nr_errors++;
	oh.error = error;
	oh.len = (uint32_t)sizeof(oh) + len;
	iov_write(r->out, r->nr_out, 0, &oh, sizeof(oh));
	if (len)
		iov_write(r->out, r->nr_out, sizeof(oh), payload, len);
	return oh.len;
}

static uint32_t reply_err(struct fuse_server *s, const struct fuse_req *r,
			  int error)
{
	return reply(s, r, error, NULL, 0);
}

static uint32_t reply_entry(struct fuse_server *s, const struct fuse_req *r,
			    const struct fuse_entry_out *e)
{
	return reply(s, r, 0, e, sizeof(*e));
}

/* The fixed argument struct of the request, or NULL when it is short. */
static const void *req_arg(const struct fuse_req *r, uint32_t size)
{
	return r->arg_len >= size ? r->arg : NULL;
}

#define REQ_ARG(r, type) ((const type *)req_arg((r), sizeof(type)))

/* ---- opcodes ---- */

static uint32_t do_init(struct fuse_server *s, const struct fuse_req *r)
{
	struct fuse_init_in in = { 0 };
	struct fuse_init_out out = { .major = FUSE_KERNEL_VERSION };
	uint32_t want = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS |
			FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS |
			FUSE_MAX_PAGES | FUSE_ATOMIC_O_TRUNC;
	uint32_t size = sizeof(out);

	/* Old kernels send the first four fields only. */
	if (r->arg_len < 16)
		return reply_err(s, r, -EINVAL);
	memcpy(&in, r->arg, r->arg_len < sizeof(in) ? r->arg_len : sizeof(in));
	if (in.major > FUSE_KERNEL_VERSION) {
		/* The guest retries with our major. */
		out.minor = FUSE_KERNEL_MINOR_VERSION;
		return reply(s, r, 0, &out, 8);
	}
	if (in.major < FUSE_KERNEL_VERSION || in.minor < FUSE_SERVER_MIN_MINOR)
		return reply_err(s, r, -EPROTO);
	s->minor = in.minor < FUSE_KERNEL_MINOR_VERSION ? in.minor :
		   FUSE_KERNEL_MINOR_VERSION;
	s->initialized = true;
	out.minor = s->minor;
	out.max_readahead = in.max_readahead;
	out.flags = in.flags & want;
	out.max_background = 64;
	out.congestion_threshold = 48;
	out.max_write = FUSE_SERVER_MAX_IO;
	out.time_gran = 1;
	out.max_pages = FUSE_SERVER_MAX_IO / 4096;
	if (s->minor < 23)
		size = FUSE_COMPAT_22_INIT_OUT_SIZE;
	return reply(s, r, 0, &out, size);
}

static uint32_t do_lookup(struct fuse_server *s, const struct fuse_req *r,
			  struct fuse_inode *dir)
{
	struct fuse_entry_out e;
	uint32_t pos = 0;
	const char *name = req_name(r, &pos);
	int err;

	if (!name)
		return reply_err(s, r, -EINVAL);
	if (dir->type != S_IFDIR)
		return reply_err(s, r, -ENOTDIR);
	err = lookup_in(s, dir, name, &e);
	return err ? reply_err(s, r, err) : reply_entry(s, r, &e);
}

static void do_forget(struct fuse_server *s, const struct fuse_req *r)
{
	const struct fuse_forget_in *in = REQ_ARG(r, struct fuse_forget_in);

	if (in && inode_get(s, r->h.nodeid))
		inode_forget(s, (uint32_t)r->h.nodeid - 1, in->nlookup);
}

static void do_batch_forget(struct fuse_server *s, const struct fuse_req *r)
{
	const struct fuse_batch_forget_in *in =
		REQ_ARG(r, struct fuse_batch_forget_in);
	uint32_t max;

	if (!in)
		return;
	max = (r->arg_len - sizeof(*in)) / sizeof(struct fuse_forget_one);
	for (uint32_t i = 0; i < in->count && i < max; i++) {
		struct fuse_forget_one one;

		memcpy(&one, r->arg + sizeof(*in) + i * sizeof(one), sizeof(one));
		if (inode_get(s, one.nodeid))
			inode_forget(s, (uint32_t)one.nodeid - 1, one.nlookup);
	}
}

static uint32_t reply_attr(struct fuse_server *s, const struct fuse_req *r,
			   int fd)
{
	struct fuse_attr_out out = { .attr_valid = FUSE_SERVER_TIMEOUT_SEC };
	struct stat st;
	int err = stat_fd(fd, &st);

	if (err)
		return reply_err(s, r, err);
	attr_from_stat(&out.attr, &st);
	return reply(s, r, 0, &out, sizeof(out));
}

static uint32_t do_getattr(struct fuse_server *s, const struct fuse_req *r,
			   struct fuse_inode *ino)
{
	return reply_attr(s, r, ino->fd);
}

static int setattr_size(struct fuse_server *s, struct fuse_inode *ino,
			const struct fuse_setattr_in *in)
{
	struct fuse_handle *h = NULL;
	int fd, err = 0;

	if (in->size > INT64_MAX)
		return -EFBIG;
	if (in->valid & FATTR_FH)
		h = handle_get(s, in->fh, false);
	if (h)
		return ftruncate(h->fd, (off_t)in->size) < 0 ? -errno : 0;
	if (ino->type != S_IFREG)
		return ino->type == S_IFDIR ? -EISDIR : -EINVAL;
	fd = reopen_fd(s, ino->fd, O_WRONLY);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)in->size) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int setattr_times(struct fuse_server *s, struct fuse_inode *ino,
			 const struct fuse_setattr_in *in)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT },
				  { .tv_nsec = UTIME_OMIT } };
	char name[16];

	if (in->valid & FATTR_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	else if (in->valid & FATTR_ATIME)
		ts[0] = (struct timespec){ (time_t)in->atime, in->atimensec };
	if (in->valid & FATTR_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	else if (in->valid & FATTR_MTIME)
		ts[1] = (struct timespec){ (time_t)in->mtime, in->mtimensec };
	if (ts[0].tv_nsec >= 1000000000L && ts[0].tv_nsec != UTIME_NOW &&
	    ts[0].tv_nsec != UTIME_OMIT)
		return -EINVAL;
	if (ts[1].tv_nsec >= 1000000000L && ts[1].tv_nsec != UTIME_NOW &&
	    ts[1].tv_nsec != UTIME_OMIT)
		return -EINVAL;
	/* Through /proc the link would be followed: symlink times stay. */
	if (ino->type == S_IFLNK)
		return -EPERM;
	proc_name(name, ino->fd);
	return utimensat(s->proc_fd, name, ts, 0) < 0 ? -errno : 0;
}

static uint32_t do_setattr(struct fuse_server *s, const struct fuse_req *r,
			   struct fuse_inode *ino)
{
	const struct fuse_setattr_in *in = REQ_ARG(r, struct fuse_setattr_in);
	char name[16];
	int err = 0;

	if (!in)
		return reply_err(s, r, -EINVAL);
	if (in->valid & FATTR_MODE) {
		if (ino->type == S_IFLNK)
			return reply_err(s, r, -EPERM);
		proc_name(name, ino->fd);
		if (fchmodat(s->proc_fd, name, in->mode & 07777, 0) < 0)
			return reply_err(s, r, -errno);
	}
	if (in->valid & (FATTR_UID | FATTR_GID)) {
		uid_t uid = in->valid & FATTR_UID ? in->uid : (uid_t)-1;
		gid_t gid = in->valid & FATTR_GID ? in->gid : (gid_t)-1;

		if (fchownat(ino->fd, "", uid, gid,
			     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return reply_err(s, r, -errno);
	}
	if (in->valid & FATTR_SIZE)
		err = setattr_size(s, ino, in);
	if (!err && in->valid & (FATTR_ATIME | FATTR_MTIME | FATTR_ATIME_NOW |
				 FATTR_MTIME_NOW))
		err = setattr_times(s, ino, in);
	return err ? reply_err(s, r, err) : reply_attr(s, r, ino->fd);
}

static uint32_t do_readlink(struct fuse_server *s, const struct fuse_req *r,
			    struct fuse_inode *ino)
{
	ssize_t n;

	if (ino->type != S_IFLNK)
		return reply_err(s, r, -EINVAL);
	n = readlinkat(ino->fd, "", (char *)s->reply, sizeof(s->reply));
	if (n < 0)
		return reply_err(s, r, -errno);
	return reply(s, r, 0, s->reply, (uint32_t)n);
}

static uint32_t do_statfs(struct fuse_server *s, const struct fuse_req *r,
			  struct fuse_inode *ino)
{
	struct fuse_statfs_out out = { 0 };
	struct statfs sf;

	if (fstatfs(ino->fd, &sf) < 0)
		return reply_err(s, r, -errno);
	out.st.blocks = sf.f_blocks;
	out.st.bfree = sf.f_bfree;
	out.st.bavail = sf.f_bavail;
	out.st.files = sf.f_files;
	out.st.ffree = sf.f_ffree;
	out.st.bsize = (uint32_t)sf.f_bsize;
	out.st.namelen = (uint32_t)sf.f_namelen;
	out.st.frsize = (uint32_t)sf.f_frsize;
	return reply(s, r, 0, &out, sizeof(out));
}

static uint32_t do_access(struct fuse_server *s, const struct fuse_req *r,
			  struct fuse_inode *ino)
{
	const struct fuse_access_in *in = REQ_ARG(r, struct fuse_access_in);
	char name[16];

	if (!in || in->mask & ~(uint32_t)(R_OK | W_OK | X_OK))
		return reply_err(s, r, -EINVAL);
	if (s->readonly && in->mask & W_OK)
		return reply_err(s, r, -EROFS);
	if (ino->type == S_IFLNK)
		return reply_err(s, r, 0);
	proc_name(name, ino->fd);
	if (faccessat(s->proc_fd, name, (int)in->mask, 0) < 0)
		return reply_err(s, r, -errno);
	return reply_err(s, r, 0);
}

/* Open flags the guest may pass through; the rest are ours to choose. */
static int open_flags(uint32_t flags)
{
	return (int)(flags & (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK |
			      O_DSYNC | O_SYNC));
}

static bool flags_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || flags & O_TRUNC;
}

static uint32_t reply_open(struct fuse_server *s, const struct fuse_req *r,
			   int fd, bool dir)
{
	struct fuse_open_out out = { 0 };
	int err = handle_add(s, fd, dir, &out.fh);

	if (err)
		return reply_err(s, r, err);
	return reply(s, r, 0, &out, sizeof(out));
}

static uint32_t do_open(struct fuse_server *s, const struct fuse_req *r,
			struct fuse_inode *ino, bool dir)
{
	const struct fuse_open_in *in = REQ_ARG(r, struct fuse_open_in);
	int flags, fd;

	if (!in)
		return reply_err(s, r, -EINVAL);
	if (dir) {
		if (ino->type != S_IFDIR)
			return reply_err(s, r, -ENOTDIR);
		flags = O_RDONLY | O_DIRECTORY;
	} else {
		if (ino->type == S_IFDIR)
			return reply_err(s, r, -EISDIR);
		/* No FIFOs or device nodes: they could block or reach the host. */
		if (ino->type != S_IFREG)
			return reply_err(s, r, ino->type == S_IFLNK ? -ELOOP : -EACCES);
		flags = open_flags(in->flags);
		if (s->readonly && flags_write(flags))
			return reply_err(s, r, -EROFS);
	}
	if (s->nr_handles >= s->max_handles)
		return reply_err(s, r, -ENFILE);
	fd = reopen_fd(s, ino->fd, flags);
	if (fd < 0)
		return reply_err(s, r, fd);
	return reply_open(s, r, fd, dir);
}

static uint32_t do_release(struct fuse_server *s, const struct fuse_req *r,
			   bool dir)
{
	const struct fuse_release_in *in = REQ_ARG(r, struct fuse_release_in);
	struct fuse_handle *h = in ? handle_get(s, in->fh, dir) : NULL;

	if (!h)
		return reply_err(s, r, -EBADF);
	handle_release(s, h);
	return reply_err(s, r, 0);
}

static uint32_t do_flush(struct fuse_server *s, const struct fuse_req *r)
{
	const struct fuse_flush_in *in = REQ_ARG(r, struct fuse_flush_in);

	/* close() semantics: nothing to do, durability is FSYNC's job. */
	if (!in || !handle_get(s, in->fh, false))
		return reply_err(s, r, -EBADF);
	return reply_err(s, r, 0);
}

static uint32_t do_fsync(struct fuse_server *s, const struct fuse_req *r,
			 bool dir)
{
	const struct fuse_fsync_in *in = REQ_ARG(r, struct fuse_fsync_in);
	struct fuse_handle *h = in ? handle_get(s, in->fh, dir) : NULL;
	int ret;

	if (!h)
		return reply_err(s, r, -EBADF);
	ret = in->fsync_flags & 1 ? fdatasync(h->fd) : fsync(h->fd);
	return reply_err(s, r, ret < 0 ? -errno : 0);
}

/* Byte range [off, off + len) of an iovec array as s->slice. */
static int slice(struct fuse_server *s, const struct iovec *iov,
		 unsigned int nr, uint64_t off, uint64_t len)
{
	return virtq_iov_slice(s->slice, FUSE_SERVER_IOV_MAX, iov, nr, off, len);
}

static uint32_t do_read(struct fuse_server *s, const struct fuse_req *r)
{
	const struct fuse_read_in *in = REQ_ARG(r, struct fuse_read_in);
	struct fuse_out_header oh = { .unique = r->h.unique };
	struct fuse_handle *h = in ? handle_get(s, in->fh, false) : NULL;
	uint64_t size;
	ssize_t n = 0;
	int nr;

	if (!h)
		return reply_err(s, r, -EBADF);
	if (in->offset > INT64_MAX)
		return reply_err(s, r, -EINVAL);
	size = in->size;
	if (size > FUSE_SERVER_MAX_IO)
		size = FUSE_SERVER_MAX_IO;
	if (r->out_len < sizeof(oh))
		return 0;
	if (size > r->out_len - sizeof(oh))
		size = r->out_len - sizeof(oh);
	if (size) {
		nr = slice(s, r->out, r->nr_out, sizeof(oh), size);
		if (nr < 0)
			return reply_err(s, r, -EINVAL);
		n = preadv(h->fd, s->slice, nr, (off_t)in->offset);
		if (n < 0)
			return reply_err(s, r, -errno);
	}
	oh.len = (uint32_t)(sizeof(oh) + (size_t)n);
	iov_write(r->out, r->nr_out, 0, &oh, sizeof(oh));
	return oh.len;
}

static uint32_t do_write(struct fuse_server *s, const struct fuse_req *r)
{
	const struct fuse_write_in *in = REQ_ARG(r, struct fuse_write_in);
	struct fuse_write_out out = { 0 };
	struct fuse_handle *h = in ? handle_get(s, in->fh, false) : NULL;
	uint64_t data = sizeof(struct fuse_in_header) + sizeof(*in);
	ssize_t n;
	int nr;

	if (!h)
		return reply_err(s, r, -EBADF);
	if (in->offset > INT64_MAX || in->size > FUSE_SERVER_MAX_IO ||
	    in->size > r->h.len - data)
		return reply_err(s, r, -EINVAL);
	if (in->size) {
		nr = slice(s, r->in, r->nr_in, data, in->size);
		if (nr < 0)
			return reply_err(s, r, -EINVAL);
		n = pwritev(h->fd, s->slice, nr, (off_t)in->offset);
		if (n < 0)
			return reply_err(s, r, -errno);
		out.size = (uint32_t)n;
	}
	return reply(s, r, 0, &out, sizeof(out));
}

static uint32_t do_fallocate(struct fuse_server *s, const struct fuse_req *r)
{
	const struct fuse_fallocate_in *in = REQ_ARG(r, struct fuse_fallocate_in);
	struct fuse_handle *h = in ? handle_get(s, in->fh, false) : NULL;

	if (!h)
		return reply_err(s, r, -EBADF);
	if (in->offset > INT64_MAX || in->length > INT64_MAX)
		return reply_err(s, r, -EINVAL);
	if (fallocate(h->fd, (int)in->mode, (off_t)in->offset,
		      (off_t)in->length) < 0)
		return reply_err(s, r, -errno);
	return reply_err(s, r, 0);
}

/*
 * One directory entry for READDIR(PLUS) at *pos of the reply payload, if
 * it fits in size.  Returns false when it does not (the listing stops).
 */
static bool put_dirent(struct fuse_server *s, const struct fuse_req *r,
		      int dirfd, dev_t dir_dev, const struct dirent *d,
		      bool plus, uint32_t *pos, uint32_t size)
{
	size_t namelen = strlen(d->d_name);
	size_t head = plus ? FUSE_NAME_OFFSET_DIRENTPLUS : FUSE_NAME_OFFSET;
	size_t rec = FUSE_DIRENT_ALIGN(head + namelen);
	struct fuse_entry_out e = { 0 };
	struct fuse_dirent fd = {
		.ino = d->d_ino,
		.off = (uint64_t)d->d_off,
		.namelen = (uint32_t)namelen,
		.type = d->d_type,
	};
	uint64_t at = sizeof(struct fuse_out_header) + *pos;
	static const uint8_t zeros[8];

	if (rec > size - *pos)
		return false;
	/*
	 * An entry the server cannot look up (vanished, denied, table full)
	 * is still listed, with nodeid 0: the guest then looks it up itself
	 * and gets the error there.
	 */
	if (plus && strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
	    lookup_at(s, dirfd, dir_dev, d->d_name, &e))
		memset(&e, 0, sizeof(e));
	if (plus) {
		iov_write(r->out, r->nr_out, at, &e, sizeof(e));
		at += sizeof(e);
	}
	iov_write(r->out, r->nr_out, at, &fd, FUSE_NAME_OFFSET);
	at += FUSE_NAME_OFFSET;
	iov_write(r->out, r->nr_out, at, d->d_name, namelen);
	at += namelen;
	iov_write(r->out, r->nr_out, at, zeros, rec - head - namelen);
	*pos += (uint32_t)rec;
	return true;
}

/*
 * READDIR and READDIRPLUS: seek the directory to the guest's offset (a
 * d_off cookie we handed out before; a made-up one yields an error or no
 * entries from the host file system), then list what fits.
 */
static uint32_t do_readdir(struct fuse_server *s, const struct fuse_req *r,
			   bool plus)
{
	const struct fuse_read_in *in = REQ_ARG(r, struct fuse_read_in);
	struct fuse_out_header oh = { .unique = r->h.unique };
	struct fuse_handle *h = in ? handle_get(s, in->fh, true) : NULL;
	uint32_t size, pos = 0;
	struct stat st;
	bool full = false;
	int err;

	if (!h)
		return reply_err(s, r, -EBADF);
	if (r->out_len < sizeof(oh))
		return 0;
	size = in->size;
	if (size > r->out_len - sizeof(oh))
		size = (uint32_t)(r->out_len - sizeof(oh));
	if (in->offset > INT64_MAX || lseek(h->fd, (off_t)in->offset, SEEK_SET) < 0)
		return reply_err(s, r, in->offset > INT64_MAX ? -EINVAL : -errno);
	err = stat_fd(h->fd, &st);
	if (err)
		return reply_err(s, r, err);
	while (!full) {
		long n = syscall(SYS_getdents64, h->fd, s->dents, sizeof(s->dents));

		if (n < 0 && pos == 0)
			return reply_err(s, r, -errno);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct dirent *d = (struct dirent *)(s->dents + off);

			off += d->d_reclen;
			if (!put_dirent(s, r, h->fd, st.st_dev, d, plus, &pos,
					size)) {
				full = true;
				break;
			}
		}
	}
	oh.len = (uint32_t)sizeof(oh) + pos;
	iov_write(r->out, r->nr_out, 0, &oh, sizeof(oh));
	return oh.len;
}

/* Look the just-made name up and answer with its entry. */
static uint32_t reply_new_entry(struct fuse_server *s, const struct fuse_req *r,
				struct fuse_inode *dir, const char *name)
{
	struct fuse_entry_out e;
	int err = lookup_in(s, dir, name, &e);

	return err ? reply_err(s, r, err) : reply_entry(s, r, &e);
}

static uint32_t do_create(struct fuse_server *s, const struct fuse_req *r,
			  struct fuse_inode *dir)
{
	const struct fuse_create_in *in = REQ_ARG(r, struct fuse_create_in);
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out = { 0 };
	uint32_t pos = sizeof(*in);
	const char *name = in ? req_name(r, &pos) : NULL;
	int fd, err;

	if (!name)
		return reply_err(s, r, -EINVAL);
	if (dir->type != S_IFDIR)
		return reply_err(s, r, -ENOTDIR);
	if (s->nr_handles >= s->max_handles)
		return reply_err(s, r, -ENFILE);
	fd = sys_openat2(dir->fd, name,
			 open_flags(in->flags) | (int)(in->flags & O_EXCL) | O_CREAT,
			 in->mode & 07777);
	if (fd < 0)
		return reply_err(s, r, fd);
	err = fix_mode(s, fd, in->mode);
	if (!err)
		err = lookup_in(s, dir, name, &out.e);
	if (err) {
		close(fd);
		return reply_err(s, r, err);
	}
	err = handle_add(s, fd, false, &out.o.fh);
	if (err) {
		inode_forget(s, (uint32_t)out.e.nodeid - 1, 1);
		return reply_err(s, r, err);
	}
	return reply(s, r, 0, &out, sizeof(out));
}

static uint32_t do_mknod(struct fuse_server *s, const struct fuse_req *r,
			 struct fuse_inode *dir)
{
	const struct fuse_mknod_in *in = REQ_ARG(r, struct fuse_mknod_in);
	uint32_t pos = sizeof(*in);
	const char *name = in ? req_name(r, &pos) : NULL;
	int fd;

	if (!name)
		return reply_err(s, r, -EINVAL);
	if ((in->mode & S_IFMT) != S_IFREG)
		return reply_err(s, r, -EPERM);
	fd = sys_openat2(dir->fd, name, O_CREAT | O_EXCL | O_WRONLY,
			 in->mode & 07777);
	if (fd < 0)
		return reply_err(s, r, fd);
	fix_mode(s, fd, in->mode);
	close(fd);
	return reply_new_entry(s, r, dir, name);
}

static uint32_t do_mkdir(struct fuse_server *s, const struct fuse_req *r,
			 struct fuse_inode *dir)
{
	const struct fuse_mkdir_in *in = REQ_ARG(r, struct fuse_mkdir_in);
	uint32_t pos = sizeof(*in);
	const char *name = in ? req_name(r, &pos) : NULL;
	struct fuse_entry_out e;
	int err;

	if (!name)
		return reply_err(s, r, -EINVAL);
	if (mkdirat(dir->fd, name, in->mode & 07777) < 0)
		return reply_err(s, r, -errno);
	err = lookup_in(s, dir, name, &e);
	if (err)
		return reply_err(s, r, err);
	fix_mode(s, s->inodes[(uint32_t)e.nodeid - 1].fd, in->mode);
	return reply_entry(s, r, &e);
}

static uint32_t do_symlink(struct fuse_server *s, const struct fuse_req *r,
			   struct fuse_inode *dir)
{
	uint32_t pos = 0;
	const char *name = req_name(r, &pos);
	const char *target = (const char *)r->arg + pos;
	size_t left = r->arg_len - pos, len;

	if (!name)
		return reply_err(s, r, -EINVAL);
	len = strnlen(target, left);
	if (len == left || len == 0)
		return reply_err(s, r, -EINVAL);
	/* The target is only text for the guest; it is never resolved here. */
	if (symlinkat(target, dir->fd, name) < 0)
		return reply_err(s, r, -errno);
	return reply_new_entry(s, r, dir, name);
}

static uint32_t do_link(struct fuse_server *s, const struct fuse_req *r,
			struct fuse_inode *dir)
{
	const struct fuse_link_in *in = REQ_ARG(r, struct fuse_link_in);
	uint32_t pos = sizeof(*in);
	const char *name = in ? req_name(r, &pos) : NULL;
	struct fuse_inode *old = in ? inode_get(s, in->oldnodeid) : NULL;
	char proc[16];

	if (!name)
		return reply_err(s, r, -EINVAL);
	if (!old)
		return reply_err(s, r, -ESTALE);
	/* Linking a symlink through /proc would link its target instead. */
	if (old->type == S_IFLNK)
		return reply_err(s, r, -EPERM);
	proc_name(proc, old->fd);
	if (linkat(s->proc_fd, proc, dir->fd, name, AT_SYMLINK_FOLLOW) < 0)
		return reply_err(s, r, -errno);
	return reply_new_entry(s, r, dir, name);
}

static uint32_t do_unlink(struct fuse_server *s, const struct fuse_req *r,
			  struct fuse_inode *dir, int flags)
{
	uint32_t pos = 0;
	const char *name = req_name(r, &pos);

	if (!name)
		return reply_err(s, r, -EINVAL);
	if (unlinkat(dir->fd, name, flags) < 0)
		return reply_err(s, r, -errno);
	return reply_err(s, r, 0);
}

static uint32_t do_rename(struct fuse_server *s, const struct fuse_req *r,
			  struct fuse_inode *dir, bool v2)
{
	const struct fuse_rename2_in *in2 = NULL;
	const struct fuse_rename_in *in = NULL;
	uint32_t pos, flags = 0;
	uint64_t newdir_id;
	const char *oldname, *newname;
	struct fuse_inode *newdir;

	if (v2) {
		in2 = REQ_ARG(r, struct fuse_rename2_in);
		if (!in2)
			return reply_err(s, r, -EINVAL);
		newdir_id = in2->newdir;
		flags = in2->flags;
		pos = sizeof(*in2);
	} else {
		in = REQ_ARG(r, struct fuse_rename_in);
		if (!in)
			return reply_err(s, r, -EINVAL);
		newdir_id = in->newdir;
		pos = sizeof(*in);
	}
	oldname = req_name(r, &pos);
	newname = oldname ? req_name(r, &pos) : NULL;
	if (!newname)
		return reply_err(s, r, -EINVAL);
	newdir = inode_get(s, newdir_id);
	if (!newdir)
		return reply_err(s, r, -ESTALE);
	if (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return reply_err(s, r, -EINVAL);
	/* The system call itself: glibc's renameat2() with flags 0 becomes
	 * renameat, which the fs thread's seccomp class does not allow. */
	if (syscall(SYS_renameat2, dir->fd, oldname, newdir->fd, newname,
		    flags) < 0)
		return reply_err(s, r, -errno);
	return reply_err(s, r, 0);
}

/* ---- dispatch ---- */

/* Opcodes that change the share: EROFS on a read-only one. */
static bool opcode_writes(uint32_t op)
{
	switch (op) {
	case FUSE_SETATTR: case FUSE_SYMLINK: case FUSE_MKNOD: case FUSE_MKDIR:
	case FUSE_UNLINK: case FUSE_RMDIR: case FUSE_RENAME: case FUSE_RENAME2:
	case FUSE_LINK: case FUSE_WRITE: case FUSE_CREATE: case FUSE_FALLOCATE:
	case FUSE_SETXATTR: case FUSE_REMOVEXATTR:
		return true;
	default:
		return false;
	}
}

/* Opcodes whose nodeid is not looked at (or checked by the handler). */
static bool opcode_needs_inode(uint32_t op)
{
	switch (op) {
	case FUSE_INIT: case FUSE_DESTROY: case FUSE_FORGET:
	case FUSE_BATCH_FORGET: case FUSE_INTERRUPT: case FUSE_READ:
	case FUSE_WRITE: case FUSE_RELEASE: case FUSE_RELEASEDIR:
	case FUSE_FLUSH: case FUSE_FSYNC: case FUSE_FSYNCDIR:
	case FUSE_READDIR: case FUSE_READDIRPLUS: case FUSE_FALLOCATE:
		return false;
	default:
		return true;
	}
}

static uint32_t dispatch(struct fuse_server *s, struct fuse_req *r)
{
	struct fuse_inode *ino = NULL;
	uint32_t op = r->h.opcode;

	if (op == FUSE_INIT)
		return do_init(s, r);
	if (!s->initialized)
		return reply_err(s, r, -EIO);
	if (op == FUSE_FORGET) {
		do_forget(s, r);
		return 0;
	}
	if (op == FUSE_BATCH_FORGET) {
		do_batch_forget(s, r);
		return 0;
	}
	if (op == FUSE_INTERRUPT)
		return 0;
	if (s->readonly && opcode_writes(op))
		return reply_err(s, r, -EROFS);
	if (opcode_needs_inode(op)) {
		ino = inode_get(s, r->h.nodeid);
		if (!ino)
			return reply_err(s, r, -ESTALE);
	}
	switch (op) {
	case FUSE_DESTROY:	return reply_err(s, r, 0);
	case FUSE_LOOKUP:	return do_lookup(s, r, ino);
	case FUSE_GETATTR:	return do_getattr(s, r, ino);
	case FUSE_SETATTR:	return do_setattr(s, r, ino);
	case FUSE_READLINK:	return do_readlink(s, r, ino);
	case FUSE_STATFS:	return do_statfs(s, r, ino);
	case FUSE_ACCESS:	return do_access(s, r, ino);
	case FUSE_OPEN:		return do_open(s, r, ino, false);
	case FUSE_OPENDIR:	return do_open(s, r, ino, true);
	case FUSE_READ:		return do_read(s, r);
	case FUSE_WRITE:	return do_write(s, r);
	case FUSE_READDIR:	return do_readdir(s, r, false);
	case FUSE_READDIRPLUS:	return do_readdir(s, r, true);
	case FUSE_RELEASE:	return do_release(s, r, false);
	case FUSE_RELEASEDIR:	return do_release(s, r, true);
	case FUSE_FLUSH:	return do_flush(s, r);
	case FUSE_FSYNC:	return do_fsync(s, r, false);
	case FUSE_FSYNCDIR:	return do_fsync(s, r, true);
	case FUSE_FALLOCATE:	return do_fallocate(s, r);
	case FUSE_CREATE:	return do_create(s, r, ino);
	case FUSE_MKNOD:	return do_mknod(s, r, ino);
	case FUSE_MKDIR:	return do_mkdir(s, r, ino);
	case FUSE_SYMLINK:	return do_symlink(s, r, ino);
	case FUSE_LINK:		return do_link(s, r, ino);
	case FUSE_UNLINK:	return do_unlink(s, r, ino, 0);
	case FUSE_RMDIR:	return do_unlink(s, r, ino, AT_REMOVEDIR);
	case FUSE_RENAME:	return do_rename(s, r, ino, false);
	case FUSE_RENAME2:	return do_rename(s, r, ino, true);
	/* No extended attributes: the guest stops asking after ENOSYS. */
	default:		return reply_err(s, r, -ENOSYS);
	}
}

uint32_t fuse_server_handle(struct fuse_server *s,
			    const struct iovec *req, unsigned int nr_req,
			    const struct iovec *rep, unsigned int nr_rep)
{
	struct fuse_req r = {
		.in = req, .nr_in = nr_req,
		.out = rep, .nr_out = nr_rep,
		.out_len = iov_total(rep, nr_rep),
	};
	uint64_t in_len = iov_total(req, nr_req);
	uint64_t copy;

	s->nr_requests++;
	if (iov_read(req, nr_req, 0, &r.h, sizeof(r.h)) < sizeof(r.h)) {
		/* No unique to answer to: reply with an error anyway. */
		memset(&r.h, 0, sizeof(r.h));
		return reply_err(s, &r, -EINVAL);
	}
	if (r.h.len < sizeof(r.h) || r.h.len > in_len)
		return reply_err(s, &r, -EINVAL);
	copy = r.h.len;
	if (copy > sizeof(s->head))
		copy = sizeof(s->head);
	iov_read(req, nr_req, 0, s->head, copy);
	r.arg = s->head + sizeof(r.h);
	r.arg_len = (uint32_t)(copy - sizeof(r.h));
	return dispatch(s, &r);
}

/* ---- life cycle ---- */

/* One descriptor per known inode: ask for as many as the hard limit allows. */
static uint32_t fit_descriptor_limit(uint32_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Leave room for the rest of minivmm. */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want + 256)
		want = rl.rlim_cur > 512 ? (uint32_t)(rl.rlim_cur - 256) : 256;
	return want;
}

static int tables_alloc(struct fuse_server *s, uint32_t inodes,
			uint32_t handles)
{
	uint32_t nb = 1;

	while (nb < inodes)
		nb <<= 1;
	s->inodes = calloc(inodes, sizeof(*s->inodes));
	s->handles = calloc(handles, sizeof(*s->handles));
	s->buckets = calloc(nb, sizeof(*s->buckets));
	if (!s->inodes || !s->handles || !s->buckets)
		return -ENOMEM;
	s->bucket_mask = nb - 1;
	s->max_inodes = inodes;
	s->max_handles = handles;
	/* Free lists in slot order; slot 0 of the inodes is the root. */
	for (uint32_t i = inodes; i-- > 1;) {
		s->inodes[i].fd = -1;
		s->inodes[i].gen = 1;
		s->inodes[i].free_next = s->inode_free;
		s->inode_free = i + 1;
	}
	s->inodes[0].fd = -1;
	for (uint32_t i = handles; i-- > 0;) {
		s->handles[i].fd = -1;
		s->handles[i].gen = 1;
		s->handles[i].free_next = s->handle_free;
		s->handle_free = i + 1;
	}
	return 0;
}

static int root_add(struct fuse_server *s, const char *path)
{
	struct fuse_inode *root = &s->inodes[0];
	struct stat st;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	uint32_t b;

	if (fd < 0)
		return -errno;
	if (stat_fd(fd, &st)) {
		close(fd);
		return -EIO;
	}
	root->fd = fd;
	root->gen = 0;		/* nodeid 1 = FUSE_ROOT_ID */
	root->nlookup = 1;
	root->dev = st.st_dev;
	root->ino = st.st_ino;
	root->type = S_IFDIR;
	b = inode_bucket(s, st.st_dev, st.st_ino);
	root->hash_next = s->buckets[b];
	s->buckets[b] = 1;
	s->nr_inodes = 1;
	return 0;
}

int fuse_server_create(const struct fuse_server_config *cfg,
		       struct fuse_server **out)
{
	struct fuse_server *s = calloc(1, sizeof(*s));
	uint32_t inodes = cfg->max_inodes ? cfg->max_inodes : FUSE_SERVER_MAX_INODES;
	uint32_t handles = cfg->max_handles ? cfg->max_handles :
			   FUSE_SERVER_MAX_HANDLES;
	int err;

	if (!s)
		return -ENOMEM;
	s->readonly = cfg->readonly;
	s->proc_fd = -1;
	s->umask = umask(0);
	umask(s->umask);
	if (!cfg->max_inodes) {
		uint32_t cap = fit_descriptor_limit(inodes + handles);

		if (cap < inodes + handles)
			inodes = cap > handles + 2 ? cap - handles : cap / 2;
	}
	if (inodes < 2 || handles < 1) {
		free(s);
		return -EINVAL;
	}
	err = tables_alloc(s, inodes, handles);
	if (!err)
		err = root_add(s, cfg->root);
	if (!err) {
		s->proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s->proc_fd < 0)
			err = -errno;
	}
	if (!err && syscall(SYS_openat2, -1, NULL, NULL, 0) < 0 && errno == ENOSYS)
		err = -ENOSYS;
	if (err) {
		fuse_server_destroy(s);
		return err;
	}
	*out = s;
	return 0;
}

void fuse_server_destroy(struct fuse_server *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; s->inodes && i < s->max_inodes; i++)
		if (s->inodes[i].fd >= 0)
			close(s->inodes[i].fd);
	for (uint32_t i = 0; s->handles && i < s->max_handles; i++)
		if (s->handles[i].fd >= 0)
			close(s->handles[i].fd);
	if (s->proc_fd >= 0)
		close(s->proc_fd);
	free(s->inodes);
	free(s->handles);
	free(s->buckets);
	free(s);
}

void fuse_server_get_stats(const struct fuse_server *s,
			   struct fuse_server_stats *st)
{
	st->requests = s->nr_requests;
	st->errors = s->nr_errors;
	st->inodes = s->nr_inodes;
	st->handles = s->nr_handles;
}
