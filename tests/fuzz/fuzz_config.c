// SPDX-License-Identifier: MIT
/*
 * The command line: -drive and -tap specs, sizes, MACs and whole argv
 * vectors (the input split at NUL bytes; byte 0 picks the entry point).
 * Errors must be one terminated line; accepted values must be in range.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config.h"
#include "vmm/log.h"

#define FUZZ_MAX_ARGS 64

static void fuzz_check_err(const char *err)
{
	const char *nul = memchr(err, 0, ERR_LINE_MAX);

	assert(nul);
	assert(!memchr(err, '\n', (size_t)(nul - err)));
}

static void fuzz_check_cfg(const struct config *cfg)
{
	assert(cfg->nr_drives <= CONFIG_MAX_DRIVES);
	assert(cfg->nr_nics <= CONFIG_MAX_NICS);
	if (!cfg->help && !cfg->version) {
		assert(cfg->vcpus >= 1 && cfg->vcpus <= CONFIG_MAX_VCPUS);
		assert(cfg->sockets * cfg->cores * cfg->threads == cfg->vcpus);
	}
}

static void fuzz_argv(char *buf, size_t len)
{
	char *argv[FUZZ_MAX_ARGS + 1];
	char err[ERR_LINE_MAX];
	struct config cfg;
	int argc = 0;
	char *p = buf, *end = buf + len;

	argv[argc++] = "minivmm";
	while (p < end && argc < FUZZ_MAX_ARGS) {
		argv[argc++] = p;
		p += strlen(p) + 1;
	}
	argv[argc] = NULL;
	memset(err, 'x', sizeof(err));
	if (config_parse(&cfg, argc, argv, err, sizeof(err)) == 0)
		fuzz_check_cfg(&cfg);
	else
		fuzz_check_err(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERR_LINE_MAX];
	char *buf;
	uint64_t bytes;
	uint8_t mac[6];
	struct drive_config d;
	struct nic_config n;

	if (size < 1)
		return 0;
	/* An exact allocation, terminated: ASan catches reads past it. */
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	memset(err, 'x', sizeof(err));
	switch (data[0] % 5) {
	case 0:
		if (config_parse_drive(&d, buf, err, sizeof(err)) < 0)
			fuzz_check_err(err);
		break;
	case 1:
		if (config_parse_nic(&n, buf, err, sizeof(err)) < 0)
			fuzz_check_err(err);
		break;
	case 2:
		(void)config_parse_size(buf, &bytes);
		(void)config_parse_mac(buf, mac);
		config_default_mac(buf, mac);
		assert(!(mac[0] & 1));
		break;
	default:
		fuzz_argv(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
