/* SPDX-License-Identifier: MIT */
/* Milliseconds from the TSC, calibrated once against PIT channel 2. */
#ifndef MINIVMM_FW_TIMER_H
#define MINIVMM_FW_TIMER_H

#include <stdint.h>

/* Returns the TSC rate in kHz it settled on, and where it came from. */
uint64_t timer_init(const char **source);
uint64_t timer_now_ms(void);

#endif
