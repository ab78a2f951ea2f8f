/* SPDX-License-Identifier: MIT */
/*
 * The -rootfs init, embedded in minivmm (init_blob.S): a static ELF
 * program that vmm/rootfs.c puts into the generated initramfs as /init.
 */
#ifndef MINIVMM_INIT_BLOB_H
#define MINIVMM_INIT_BLOB_H

extern const unsigned char minivmm_init_start[];
extern const unsigned char minivmm_init_end[];

#endif
