/* SPDX-License-Identifier: MIT */
/*
 * The files a configuration names, checked before /dev/kvm is opened, as
 * Firecracker validates a whole configuration first: a missing kernel,
 * initrd or disk image is reported as such, on any host, before anything
 * is created.  The kernel stays open and mapped for the loader (what was
 * parsed is what is loaded); the devices open the other files again for
 * real (and still report their own errors: a file can change in between).
 */
#ifndef MINIVMM_PREFLIGHT_H
#define MINIVMM_PREFLIGHT_H

#include <stddef.h>

struct config;
struct loader_kernel;

/* 0, or -errno with one line in err; kernel is opened for -kernel (the
 * caller closes it with loader_close_kernel() in either case). */
int preflight_check_files(const struct config *cfg,
			  struct loader_kernel *kernel, char *err,
			  size_t errlen);

#endif
