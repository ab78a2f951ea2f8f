// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for the CLI test of "-smp above KVM's limit": KVM's
 * answer to KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS / KVM_CAP_NR_VCPUS)
 * becomes MVT_FAKE_KVM_MAX_VCPUS, so the test runs on any /dev/kvm, not
 * only on one whose real limit is below the largest -smp minivmm accepts.
 * Every other ioctl goes to the kernel unchanged (a raw system call: the
 * shim may sit after a sanitizer's own ioctl interceptor).
 */
#define _GNU_SOURCE
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int ioctl(int fd, unsigned long request, ...);

static int fake_limit(unsigned long request, unsigned long arg)
{
	const char *v = getenv("MVT_FAKE_KVM_MAX_VCPUS");

	if (!v || request != KVM_CHECK_EXTENSION)
		return -1;
	if (arg != KVM_CAP_MAX_VCPUS && arg != KVM_CAP_NR_VCPUS)
		return -1;
	return atoi(v);
}

int ioctl(int fd, unsigned long request, ...)
{
	unsigned long arg;
	va_list ap;
	int limit;

	va_start(ap, request);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	limit = fake_limit(request, arg);
	if (limit > 0)
		return limit;
	return (int)syscall(SYS_ioctl, fd, request, arg);
}
