// SPDX-License-Identifier: MIT
/*
 * Privilege drop: chroot, groups, gid, uid, then proof that it held.
 * Order matters: the passwd lookup needs the real root, setgroups and
 * setgid need uid 0, and setuid comes last.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "vmm/privdrop.h"

struct privdrop_id {
	uid_t uid;
	gid_t gid;
};

static int privdrop_fail(char *err, size_t errlen, int e, const char *what,
			 const char *arg)
{
	snprintf(err, errlen, "%s%s%s: %s", what, arg ? " " : "", arg ? arg : "",
		 strerror(e));
	return -e;
}

static int privdrop_lookup(const char *user, struct privdrop_id *id,
			   char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);

	if (!res) {
		snprintf(err, errlen, "-user %s: %s", user,
			 e ? strerror(e) : "no such user");
		return e ? -e : -ENOENT;
	}
	id->uid = pw.pw_uid;
	id->gid = pw.pw_gid;
	return 0;
}

static int privdrop_chroot(const char *dir, char *err, size_t errlen)
{
	if (chdir(dir) < 0)
		return privdrop_fail(err, errlen, errno, "-chroot: cannot enter", dir);
	if (chroot(".") < 0)
		return privdrop_fail(err, errlen, errno, "-chroot", dir);
	/* No directory handle may point outside the new root. */
	if (chdir("/") < 0)
		return privdrop_fail(err, errlen, errno, "-chroot: chdir /", NULL);
	return 0;
}

static int privdrop_set_ids(const struct privdrop_id *id, char *err,
			    size_t errlen)
{
	if (setgroups(1, &id->gid) < 0)
		return privdrop_fail(err, errlen, errno, "-user: setgroups", NULL);
	if (setresgid(id->gid, id->gid, id->gid) < 0)
		return privdrop_fail(err, errlen, errno, "-user: setresgid", NULL);
	if (setresuid(id->uid, id->uid, id->uid) < 0)
		return privdrop_fail(err, errlen, errno, "-user: setresuid", NULL);
	return 0;
}

/* Trust nothing: read the ids back and try to become root again. */
static int privdrop_verify(const struct privdrop_id *id, char *err,
			   size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return privdrop_fail(err, errlen, errno, "-user: getresuid", NULL);
	if (ru != id->uid || eu != id->uid || su != id->uid ||
	    rg != id->gid || eg != id->gid || sg != id->gid) {
		snprintf(err, errlen, "-user: ids did not change as asked");
		return -EPERM;
	}
	if (id->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-user: root could be regained");
		return -EPERM;
	}
	if (id->gid != 0 && id->uid != 0 && setgid(0) == 0) {
		snprintf(err, errlen, "-user: group root could be regained");
		return -EPERM;
	}
	return 0;
}

int privdrop_apply(const char *user, const char *chroot_dir, char *err,
		   size_t errlen)
{
	struct privdrop_id id;
	int ret;

	if (!user && !chroot_dir)
		return 0;
	if (user) {
		ret = privdrop_lookup(user, &id, err, errlen);
		if (ret)
			return ret;
	}
	if (chroot_dir) {
		ret = privdrop_chroot(chroot_dir, err, errlen);
		if (ret)
			return ret;
	}
	if (user) {
		ret = privdrop_set_ids(&id, err, errlen);
		if (ret)
			return ret;
		ret = privdrop_verify(&id, err, errlen);
		if (ret)
			return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return privdrop_fail(err, errlen, errno, "PR_SET_NO_NEW_PRIVS", NULL);
	return 0;
}

/* ---- capabilities ---- */

/* The calling thread's effective and permitted sets. */
static int privdrop_capget(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	*eff = data[0].effective | (uint64_t)data[1].effective << 32;
	*prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	return 0;
}

static int privdrop_capset(uint64_t keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)keep, .permitted = (uint32_t)keep },
		{ .effective = (uint32_t)(keep >> 32),
		  .permitted = (uint32_t)(keep >> 32) },
	};

	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

/*
 * The highest capability number this kernel knows.  The valid numbers are
 * 0..last without a gap and PR_CAPBSET_READ refuses the others, so a
 * binary search finds it in 6 calls instead of one per capability: every
 * system call counts in a start where they are slow (the nested harness:
 * docs/benchmarks.md, exec -> exit in L1).  Not /proc/sys/kernel/
 * cap_last_cap: after -chroot there may be no /proc.
 */
unsigned int privdrop_last_cap(void)
{
	unsigned int lo = 0, hi = 63;	/* 0 is always valid (CAP_CHOWN) */

	while (lo < hi) {
		unsigned int mid = (lo + hi + 1) / 2;

		if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int privdrop_capabilities(uint64_t keep, char *err, size_t errlen)
{
	uint64_t eff = 0, prm = 0;
	bool may_drop;
	int ret;

	ret = privdrop_capget(&eff, &prm);
	if (ret)
		return privdrop_fail(err, errlen, -ret, "capget", NULL);
	/* Nothing can be kept that is not held (an unprivileged run). */
	keep &= prm;
	/*
	 * The bounding set limits only what an execve may grant.  Under
	 * PR_SET_NO_NEW_PRIVS (set with the seccomp filters, which forbid
	 * execve besides) an execve grants nothing the process does not hold
	 * already: the kernel intersects what it would grant with the old
	 * permitted set.  Then its 40-odd PR_CAPBSET_DROP calls add no
	 * protection and cost a short run their time (docs/benchmarks.md,
	 * exec -> exit in L1); without it (-no-seccomp) they are made.
	 */
	may_drop = (eff & (1ull << CAP_SETPCAP)) &&
		   prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1;

	/* Ambient capabilities would survive an execve: none. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* The bounding set first: that needs CAP_SETPCAP, dropped below.
	 * Without it (an unprivileged run) the set cannot be lowered, and
	 * PR_SET_NO_NEW_PRIVS already keeps any execve from adding.  Dropping
	 * a capability the set no longer has succeeds: no read before. */
	if (may_drop) {
		unsigned int last = privdrop_last_cap();

		for (unsigned int c = 0; c <= last; c++) {
			if (keep & (1ull << c))
				continue;
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
				return privdrop_fail(err, errlen, errno,
						     "PR_CAPBSET_DROP", NULL);
		}
	}
	ret = privdrop_capset(keep);
	if (ret)
		return privdrop_fail(err, errlen, -ret, "capset", NULL);
	return 0;
}
