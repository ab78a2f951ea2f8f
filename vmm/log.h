/* SPDX-License-Identifier: MIT */
/* One-line messages on stderr, prefixed "minivmm: ". */
#ifndef MINIVMM_LOG_H
#define MINIVMM_LOG_H

#include <stdio.h>

#define log_error(fmt, ...) fprintf(stderr, "minivmm: " fmt "\n", ##__VA_ARGS__)
#define log_warn(fmt, ...) fprintf(stderr, "minivmm: warning: " fmt "\n", ##__VA_ARGS__)
#define log_info(fmt, ...) fprintf(stderr, "minivmm: " fmt "\n", ##__VA_ARGS__)

/*
 * The one error convention (docs/architecture.md, "Errors"): a function
 * that can fail returns 0 (or a value) on success and a negative errno (or
 * -1, NULL, false where its type says so) on failure; when a user may have
 * to read why, it takes `char *err, size_t errlen` as its last parameters
 * and writes one line there (no newline, no "minivmm: " prefix).  Only the
 * code that chooses the exit code prints it, with log_error().  A caller's
 * buffer is ERR_LINE_MAX bytes.
 */
#define ERR_LINE_MAX 512

#endif
