// SPDX-License-Identifier: MIT
#include "vmm/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/config.h"
#include "vmm/loader.h"

/* PATH opens for reading and is a file of the wanted kind. */
static int preflight_open(const char *what, const char *path, bool dir_ok,
			  char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e;

	if (fd < 0 || fstat(fd, &st) < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open %s '%s': %s", what, path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	close(fd);
	if (S_ISDIR(st.st_mode) != dir_ok ||
	    (!dir_ok && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s '%s' is not a %s", what, path,
			 dir_ok ? "directory" : "regular file or block device");
		return -EINVAL;
	}
	return 0;
}

int preflight_check_files(const struct config *cfg,
			  struct loader_kernel *kernel, char *err,
			  size_t errlen)
{
	int ret = 0;

	if (cfg->kernel && !cfg->netboot)
		ret = loader_open_kernel(kernel, cfg->kernel, err, errlen);
	if (!ret && cfg->initrd && !cfg->netboot)
		ret = preflight_open("initrd", cfg->initrd, false, err, errlen);
	for (unsigned int i = 0; !ret && i < cfg->nr_drives; i++)
		ret = preflight_open("drive", cfg->drive[i].path, false, err, errlen);
	for (unsigned int i = 0; !ret && i < cfg->nr_shares; i++)
		ret = preflight_open(cfg->rootfs && cfg->share[i].path == cfg->rootfs ?
				     "-rootfs directory" : "share",
				     cfg->share[i].path, true, err, errlen);
	return ret;
}
