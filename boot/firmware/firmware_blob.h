/* SPDX-License-Identifier: MIT */
/*
 * The netboot firmware image, embedded in minivmm (firmware_blob.S).  Copy
 * [minivmm_firmware_start, minivmm_firmware_end) to guest physical
 * LAYOUT_FIRMWARE_ADDR and enter it as boot/firmware/handoff.h describes.
 */
#ifndef MINIVMM_FW_BLOB_H
#define MINIVMM_FW_BLOB_H

extern const unsigned char minivmm_firmware_start[];
extern const unsigned char minivmm_firmware_end[];

#endif
