// SPDX-License-Identifier: MIT
#include "vmm/kvm_stats.h"

#include <linux/kvm.h>
#include <string.h>
#include <unistd.h>

/* Bounds on what we are willing to parse: KVM has ~100 stats, names < 48. */
#define KVM_STATS_MAX_DESC	4096
#define KVM_STATS_MAX_NAME	256

static int kvm_stats_pread(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -1;
}

struct kvm_stats_desc_buf {
	union {
		struct kvm_stats_desc d;
		uint8_t bytes[sizeof(struct kvm_stats_desc) + KVM_STATS_MAX_NAME];
	};
};

static int kvm_stats_header(int fd, struct kvm_stats_header *h)
{
	if (kvm_stats_pread(fd, h, sizeof(*h), 0) < 0 ||
	    h->num_desc > KVM_STATS_MAX_DESC || h->name_size == 0 ||
	    h->name_size > KVM_STATS_MAX_NAME)
		return -1;
	return 0;
}

/* Descriptor i, its name NUL-terminated within the name size. */
static int kvm_stats_desc(int fd, const struct kvm_stats_header *h,
			  uint32_t i, struct kvm_stats_desc_buf *u)
{
	uint64_t off = (uint64_t)h->desc_offset +
		       (uint64_t)i * (sizeof(u->d) + h->name_size);

	if (kvm_stats_pread(fd, u, sizeof(u->d) + h->name_size, off) < 0)
		return -1;
	u->d.name[h->name_size - 1] = 0;
	return 0;
}

int64_t kvm_stats_find(int fd, const char *name)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc_buf u;

	if (kvm_stats_header(fd, &h) < 0 || strlen(name) >= h.name_size)
		return -1;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		if (kvm_stats_desc(fd, &h, i, &u) < 0)
			return -1;
		if (strcmp(u.d.name, name) == 0)
			return u.d.size ? (int64_t)h.data_offset + u.d.offset : -1;
	}
	return -1;
}

int kvm_stats_foreach_nonzero(int fd, void (*fn)(void *ctx, const char *name,
						 uint64_t value),
			      void *ctx)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc_buf u;
	uint64_t v;

	if (kvm_stats_header(fd, &h) < 0)
		return -1;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		if (kvm_stats_desc(fd, &h, i, &u) < 0)
			return -1;
		if (u.d.size != 1)
			continue;	/* a histogram */
		if (kvm_stats_pread(fd, &v, sizeof(v),
				    (uint64_t)h.data_offset + u.d.offset) < 0)
			return -1;
		if (v)
			fn(ctx, u.d.name, v);
	}
	return 0;
}

int kvm_stats_read(int fd, int64_t offset, uint64_t *value)
{
	/* pread: the stats file ignores lseek (noop_llseek). */
	if (offset < 0)
		return -1;
	return kvm_stats_pread(fd, value, sizeof(*value), (uint64_t)offset);
}
