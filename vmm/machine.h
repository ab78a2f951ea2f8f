/* SPDX-License-Identifier: MIT */
/*
 * The board: a VM plus the devices a modern Linux guest needs, wired
 * together, booted and run until the guest or the host stops it.
 */
#ifndef MINIVMM_MACHINE_H
#define MINIVMM_MACHINE_H

#include "vmm/config.h"

/*
 * Build and run the machine; returns the process exit code.  ready_fd
 * (-daemonize, vmm/daemon.h) is handed to daemon_ready() once set-up has
 * succeeded; -1 without -daemonize.
 */
int machine_run(const struct config *cfg, uint64_t start_ns, int ready_fd);

/* Write the ACPI tables the machine would have to DIR (-dump-acpi). */
int machine_dump_acpi(const struct config *cfg, const char *dir);

#endif
