/* SPDX-License-Identifier: MIT */
/* One-line messages on stderr, prefixed "minivmm: ". */
#ifndef MINIVMM_LOG_H
#define MINIVMM_LOG_H

#include <stdio.h>

#define log_error(fmt, ...) fprintf(stderr, "minivmm: " fmt "\n", ##__VA_ARGS__)
#define log_warn(fmt, ...) fprintf(stderr, "minivmm: warning: " fmt "\n", ##__VA_ARGS__)
#define log_info(fmt, ...) fprintf(stderr, "minivmm: " fmt "\n", ##__VA_ARGS__)

#endif
