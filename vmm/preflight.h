/* SPDX-License-Identifier: MIT */
/*
 * The files a configuration names, checked before /dev/kvm is opened, as
 * Firecracker validates a whole configuration first: a missing kernel,
 * initrd or disk image is reported as such, on any host, before anything
 * is created.  The devices and the loader open them again for real (and
 * still report their own errors: a file can change in between).
 */
#ifndef MINIVMM_PREFLIGHT_H
#define MINIVMM_PREFLIGHT_H

#include <stddef.h>

struct config;

/* 0, or -errno with one line in err. */
int preflight_check_files(const struct config *cfg, char *err, size_t errlen);

#endif
