// SPDX-License-Identifier: MIT
/*
 * Print the host KVM's vCPU limit (KVM_CAP_MAX_VCPUS, else
 * KVM_CAP_NR_VCPUS), or exit 1 when /dev/kvm cannot be asked.
 * The CLI tests use it to know whether "-smp 255" must fail.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int n;

	if (fd < 0)
		return 1;
	n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (n <= 0)
		n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	close(fd);
	if (n <= 0)
		return 1;
	printf("%d\n", n);
	return 0;
}
