// SPDX-License-Identifier: MIT
/*
 * Snapshot files: collecting sections, writing the file with sparse RAM,
 * opening and checking one, and the machine's shape ("machine" section:
 * u64 RAM bytes, u32 vCPUs, sockets, cores, threads, drives, NICs,
 * shares, u8 virtio-rng present; then per drive u8 read-only and the
 * image's identity: u64 size, st_dev, st_ino, mtime seconds and
 * nanoseconds; then per NIC its 6-byte MAC, which the guest has seen).
 */
#include "vmm/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/ram.h"
#include "vmm/vm.h"

/* RAM is written in runs of non-zero pages of up to this many bytes. */
#define SNAP_WRITE_RUN (1u << 20)

/* ---- collecting sections ---- */

struct snapshot_out *snapshot_out_new(void)
{
	return calloc(1, sizeof(struct snapshot_out));
}

void snapshot_out_free(struct snapshot_out *o)
{
	if (!o)
		return;
	for (unsigned int i = 0; i < o->nr; i++)
		state_writer_free(&o->w[i]);
	free(o);
}

struct state_writer *snapshot_out_section(struct snapshot_out *o,
					  const char *name, uint32_t instance)
{
	struct state_writer *w;

	if (o->nr == SNAP_MAX_SECTIONS || strlen(name) >= SNAP_NAME_MAX)
		return NULL;
	snprintf(o->name[o->nr], SNAP_NAME_MAX, "%s", name);
	o->instance[o->nr] = instance;
	w = &o->w[o->nr++];
	state_writer_init(w);
	return w;
}

/* What says "the same image": size, inode and last modification. */
struct snapshot_image_id {
	uint64_t size, dev, ino, mtime_sec, mtime_nsec;
};

static int snapshot_image_id(const char *path, struct snapshot_image_id *id)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*id = (struct snapshot_image_id){
		.size = (uint64_t)st.st_size, .dev = st.st_dev, .ino = st.st_ino,
		.mtime_sec = (uint64_t)st.st_mtim.tv_sec,
		.mtime_nsec = (uint64_t)st.st_mtim.tv_nsec,
	};
	return 0;
}

int snapshot_save_machine(struct snapshot_out *o, const struct config *cfg,
			  const struct cpu_topology *topo, char *err,
			  size_t errlen)
{
	struct state_writer *w = snapshot_out_section(o, "machine", 0);
	struct snapshot_image_id id = { 0 };

	if (!w) {
		snprintf(err, errlen, "too many snapshot sections");
		return -ENOSPC;
	}
	/*
	 * virtio-fs: the guest holds node ids and file handles that name
	 * descriptors the FUSE server opened in this process (files it may
	 * have renamed or unlinked since): nothing another process could
	 * open again as they were.
	 */
	if (cfg->nr_shares) {
		snprintf(err, errlen, "cannot save: the VM has %s (virtio-fs): its open files live in this process and cannot be saved",
			 cfg->rootfs ? "-rootfs" : "-share");
		return -ENOTSUP;
	}
	state_put_u64(w, cfg->mem_bytes);
	state_put_u32(w, cfg->vcpus);
	state_put_u32(w, topo->sockets);
	state_put_u32(w, topo->cores);
	state_put_u32(w, topo->threads);
	state_put_u32(w, cfg->nr_drives);
	state_put_u32(w, cfg->nr_nics);
	state_put_u32(w, cfg->nr_shares);
	state_put_u8(w, !cfg->rng_off);
	for (unsigned int i = 0; i < cfg->nr_drives; i++) {
		const struct drive_config *d = &cfg->drive[i];
		int ret;

		/* The guest's writes live in an overlay that dies with us. */
		if (d->snapshot) {
			snprintf(err, errlen, "cannot save: disk %u (%.200s) has snapshot=on, its writes are lost at exit",
				 i, d->path);
			return -ENOTSUP;
		}
		ret = snapshot_image_id(d->path, &id);
		if (ret) {
			snprintf(err, errlen, "cannot save: disk %u (%.200s): %s", i,
				 d->path, strerror(-ret));
			return ret;
		}
		state_put_u8(w, d->readonly);
		state_put_u64(w, id.size);
		state_put_u64(w, id.dev);
		state_put_u64(w, id.ino);
		state_put_u64(w, id.mtime_sec);
		state_put_u64(w, id.mtime_nsec);
	}
	for (unsigned int i = 0; i < cfg->nr_nics; i++)
		state_put_bytes(w, cfg->nic[i].mac, 6);
	return 0;
}

/* ---- writing the file ---- */

_Static_assert(SNAP_PAGE_SIZE == RAM_SCAN_PAGE, "the scan's pages are the file's");

static bool snapshot_page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;

	for (size_t i = 0; i < SNAP_PAGE_SIZE / sizeof(*q); i++)
		if (q[i])
			return false;
	return true;
}

static int snapshot_pwrite_all(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * RAM at mem_offset: runs of non-zero pages written, zero pages left as
 * holes.  Pages the guest never touched are not even read (struct ram_scan):
 * reading them would fault each one in, the whole RAM for a large guest
 * that used little of it.
 */
static int snapshot_write_ram(int fd, const struct vm *vm, uint64_t mem_offset)
{
	const uint8_t *ram = vm->mem_host;
	uint64_t size = vm->mem_host_size, run = 0, len = 0;
	struct ram_scan *scan = malloc(sizeof(*scan));

	if (!scan)
		return -ENOMEM;
	ram_scan_init(scan, vm->pagemap_fd, ram, vm->ram_from_file ? vm->ram_fd : -1,
		      vm->ram_offset);
	for (uint64_t off = 0; off <= size; off += SNAP_PAGE_SIZE) {
		bool data = off < size && !ram_scan_untouched(scan, off) &&
			    !snapshot_page_is_zero(ram + off);

		if (data && len == 0)
			run = off;
		if (data)
			len += SNAP_PAGE_SIZE;
		if (len && (!data || len == SNAP_WRITE_RUN)) {
			int ret = snapshot_pwrite_all(fd, ram + run, len, mem_offset + run);

			if (ret) {
				free(scan);
				return ret;
			}
			len = 0;
		}
	}
	free(scan);
	return 0;
}

static uint8_t *snapshot_build_meta(struct snapshot_out *o, uint64_t mem_size,
				    size_t *len, int *ret)
{
	struct snap_builder *b = calloc(1, sizeof(*b));
	uint8_t *meta = NULL;

	*ret = -ENOMEM;
	if (!b)
		return NULL;
	for (unsigned int i = 0; i < o->nr; i++) {
		if (o->w[i].bad) {
			*ret = -ENOMEM;
			goto out;
		}
		*ret = snap_builder_add(b, o->name[i], o->instance[i], o->w[i].buf,
					o->w[i].len);
		if (*ret)
			goto out;
	}
	meta = snap_build(b, mem_size, len, ret);
out:
	free(b);
	return meta;
}

/* fsync the directory that holds path, so the rename is durable too. */
static void snapshot_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int snapshot_write(struct snapshot_out *o, const char *path,
		   const struct vm *vm, char *err, size_t errlen)
{
	char tmp[4096];
	size_t meta_len = 0;
	int ret, fd;
	uint8_t *meta = snapshot_build_meta(o, vm->mem_host_size, &meta_len, &ret);
	const char *step = "cannot create";

	if (!meta) {
		snprintf(err, errlen, "cannot lay out the snapshot: %s", strerror(-ret));
		return ret;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		free(meta);
		snprintf(err, errlen, "snapshot path too long");
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ret = fd < 0 ? -errno : 0;
	if (!ret) {
		step = "cannot write";
		/* The holes first: the file has its final size, RAM goes in sparsely. */
		if (ftruncate(fd, (off_t)(meta_len + vm->mem_host_size)))
			ret = -errno;
	}
	if (!ret)
		ret = snapshot_pwrite_all(fd, meta, meta_len, 0);
	if (!ret)
		ret = snapshot_write_ram(fd, vm, meta_len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (!ret && rename(tmp, path)) {
		step = "cannot rename to";
		ret = -errno;
	}
	free(meta);
	if (ret) {
		if (fd >= 0)
			unlinkat(AT_FDCWD, tmp, 0);
		snprintf(err, errlen, "%s snapshot %.200s: %s", step, fd < 0 ? tmp : path,
			 strerror(-ret));
		return ret;
	}
	snapshot_sync_dir(path);
	return 0;
}

/* ---- opening a file ---- */

static int snapshot_pread_all(int fd, uint8_t *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

int snapshot_open(struct snapshot_file *f, const char *path, char *err,
		  size_t errlen)
{
	uint8_t hdr[sizeof(struct snap_header)];
	struct stat st;
	uint64_t meta;
	int ret;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "-restore: cannot open %.200s: %s", path, strerror(errno));
		return ret;
	}
	f->file_size = (uint64_t)st.st_size;
	ret = snapshot_pread_all(f->fd, hdr, sizeof(hdr));
	/* A readable header announces how much to read; else parse what we have. */
	meta = ret ? 0 : snap_meta_size(hdr, sizeof(hdr));
	if (!meta)
		meta = ret ? 0 : sizeof(hdr);
	f->meta = malloc(meta ? meta : 1);
	if (!f->meta) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (meta > f->file_size || snapshot_pread_all(f->fd, f->meta, meta))
		meta = 0;
	ret = snap_parse(&f->idx, f->meta, meta, f->file_size, err, errlen);
	if (ret) {
		/* Prefix the file's name: the parser's line is about the format. */
		char line[256];

		snprintf(line, sizeof(line), "%s", err);
		snprintf(err, errlen, "-restore: %.200s: %s", path, line);
	}
	return ret;
}

void snapshot_close(struct snapshot_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->meta);
	f->meta = NULL;
	f->fd = -1;
}

bool snapshot_section(const struct snapshot_file *f, const char *name,
		      uint32_t instance, struct state_reader *r)
{
	uint64_t size;
	const uint8_t *p = snap_find(&f->idx, name, instance, &size);

	if (!p)
		return false;
	state_reader_init(r, p, size);
	return true;
}

/* ---- -restore: the machine's shape ---- */

/* Each -drive of the restore must be the image the snapshot was taken with. */
static int snapshot_check_drives(const struct config *cfg, unsigned int drives,
				 struct state_reader *r, char *err, size_t errlen)
{
	if (drives != cfg->nr_drives) {
		snprintf(err, errlen, "-restore: the snapshot has %u disks, the command line %u (give the same -drive options)",
			 drives, cfg->nr_drives);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < drives; i++) {
		const struct drive_config *d = &cfg->drive[i];
		struct snapshot_image_id saved, now;
		bool ro = state_get_u8(r);
		int ret;

		saved.size = state_get_u64(r);
		saved.dev = state_get_u64(r);
		saved.ino = state_get_u64(r);
		saved.mtime_sec = state_get_u64(r);
		saved.mtime_nsec = state_get_u64(r);
		if (r->bad)
			break;
		ret = snapshot_image_id(d->path, &now);
		if (ret) {
			snprintf(err, errlen, "-restore: disk %u (%.200s): %s", i, d->path,
				 strerror(-ret));
			return ret;
		}
		if (memcmp(&saved, &now, sizeof(now))) {
			snprintf(err, errlen, "-restore: disk %u (%.200s) is not the image the snapshot was taken with (size, inode or modification time differ)",
				 i, d->path);
			return -ESTALE;
		}
		if (ro != d->readonly) {
			snprintf(err, errlen, "-restore: disk %u (%.200s): readonly= differs from the saved VM's",
				 i, d->path);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Each -tap of the restore: any TAP (the network behind it may differ),
 * but the MAC the guest has seen, as many as were saved.
 */
static int snapshot_apply_nics(struct config *cfg, unsigned int nics,
			       struct state_reader *r, char *err, size_t errlen)
{
	if (nics != cfg->nr_nics) {
		snprintf(err, errlen, "-restore: the snapshot has %u network cards, the command line %u (give as many -tap options)",
			 nics, cfg->nr_nics);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nics; i++) {
		struct nic_config *n = &cfg->nic[i];
		uint8_t mac[6];

		state_get_bytes(r, mac, sizeof(mac));
		if (r->bad)
			break;
		if (n->mac_set && memcmp(mac, n->mac, sizeof(mac))) {
			snprintf(err, errlen, "-restore: -tap %s: mac= differs from the saved VM's (%02x:%02x:%02x:%02x:%02x:%02x)",
				 n->tap, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
			return -EINVAL;
		}
		memcpy(n->mac, mac, sizeof(mac));
	}
	return 0;
}

int snapshot_apply_config(struct config *cfg, char *err, size_t errlen)
{
	struct snapshot_file *f = malloc(sizeof(*f));
	struct state_reader r;
	unsigned int drives, nics, shares;
	int ret = -EINVAL;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (snapshot_open(f, cfg->restore, err, errlen)) {
		ret = -EINVAL;
		goto out;
	}
	if (!snapshot_section(f, "machine", 0, &r)) {
		snprintf(err, errlen, "-restore: the machine section is missing");
		goto out;
	}
	cfg->mem_bytes = state_get_u64(&r);
	cfg->vcpus = state_get_u32(&r);
	cfg->sockets = state_get_u32(&r);
	cfg->cores = state_get_u32(&r);
	cfg->threads = state_get_u32(&r);
	drives = state_get_u32(&r);
	nics = state_get_u32(&r);
	shares = state_get_u32(&r);
	/* A device the guest has found: it comes from the snapshot. */
	cfg->rng_off = !state_get_u8(&r);
	if (r.bad || cfg->mem_bytes != f->idx.hdr.mem_size ||
	    !cfg->vcpus || cfg->vcpus > CONFIG_MAX_VCPUS || !cfg->sockets ||
	    !cfg->cores || !cfg->threads ||
	    (uint64_t)cfg->sockets * cfg->cores * cfg->threads != cfg->vcpus) {
		snprintf(err, errlen, "-restore: the machine section is malformed");
		goto out;
	}
	if (shares) {
		snprintf(err, errlen, "-restore: the snapshot has shares (virtio-fs), which cannot be restored");
		goto out;
	}
	ret = snapshot_check_drives(cfg, drives, &r, err, errlen);
	if (!ret)
		ret = snapshot_apply_nics(cfg, nics, &r, err, errlen);
	if (!ret && !state_reader_done(&r)) {
		snprintf(err, errlen, "-restore: the machine section is malformed");
		ret = -EINVAL;
	}
out:
	snapshot_close(f);
	free(f);
	return ret;
}
