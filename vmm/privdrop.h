/* SPDX-License-Identifier: MIT */
/*
 * -user NAME and -chroot DIR: give up root once everything privileged is
 * open (/dev/kvm, TAPs, images, serial file) and before any thread starts,
 * so a guest that breaks into minivmm finds an unprivileged process in an
 * empty directory.
 */
#ifndef MINIVMM_PRIVDROP_H
#define MINIVMM_PRIVDROP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Look user up (before the chroot: /etc/passwd is outside it), chroot to
 * chroot_dir, drop supplementary groups, set gid then uid, check that root
 * cannot be regained and set PR_SET_NO_NEW_PRIVS.  Either may be NULL;
 * both NULL is a no-op.  Must run while the process has one thread (glibc
 * broadcasts setuid to threads by signal, which seccomp filters forbid).
 * Returns 0, or a negative errno with a one-line reason in err.
 */
int privdrop_apply(const char *user, const char *chroot_dir, char *err,
		   size_t errlen);

/*
 * Keep only the capabilities in keep (a mask of 1 << CAP_*) in the
 * effective and permitted sets and, when the process may lower it
 * (CAP_SETPCAP) and PR_SET_NO_NEW_PRIVS is not set (which leaves an
 * execve nothing to grant), in the bounding set; inheritable and ambient
 * become empty.  Per thread: call before any thread starts, after set-up.
 * Returns 0, or a negative errno with a one-line reason in err.
 */
int privdrop_capabilities(uint64_t keep, char *err, size_t errlen);
/* The highest capability number the running kernel knows. */
unsigned int privdrop_last_cap(void);

#endif
