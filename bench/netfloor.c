// SPDX-License-Identifier: MIT
/*
 * The virtio-net device floor: the least a user-space network device
 * thread does per guest frame on this host, without any VMM around it.
 *
 *   bench_netfloor -i TAP -n N [-g GAP_US]
 *
 * A "guest" thread posts N frames, one every GAP_US microseconds of its
 * own CPU time (a vCPU running guest code between notifies: time it is
 * preempted does not count, as for a vCPU thread), and signals an
 * eventfd for each, as KVM does for a notify on an ioeventfd.  The device
 * thread sleeps in epoll_wait on that eventfd (edge-triggered) and, per
 * wake-up, writes every posted frame (virtio-net header + 78-byte
 * broadcast frame, as bench/guest/bench_net.c sends) to the TAP with one
 * writev each.  That is one wake-up and one TAP write per frame: no ring,
 * no guest memory, no interrupt.
 *
 * Prints "frames=F wakeups=W cpu_ms=C per_frame_us=P" for the device
 * thread (CPU time: CLOCK_THREAD_CPUTIME_ID, the same clock as
 * /proc/PID/task/T/sched).  scripts/bench.sh runs it beside minivmm's and
 * QEMU's virtio-net device cost, at the guest's own pace.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define NETFLOOR_VNET_HDR	12	/* virtio 1.x header, as minivmm sets */
#define NETFLOOR_FRAME		(14 + 64)
#define NETFLOOR_ETHERTYPE	0x88B5	/* IEEE 802 local experimental 1 */

struct netfloor {
	int tap, kick, ep;
	unsigned long n, gap_us;
	atomic_ulong posted;	/* frames the guest side has posted */
	unsigned long sent, wakeups;
	double cpu_ms;
	int error;		/* errno of a failed write, 0 if none */
	uint8_t hdr[NETFLOOR_VNET_HDR];
	uint8_t frame[NETFLOOR_FRAME];
};

static double netfloor_ns(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int netfloor_open_tap(const char *name)
{
	struct ifreq ifr;
	int fd, hdr = NETFLOOR_VNET_HDR;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The frame bench_net.c sends: broadcast, local MAC, experimental type. */
static void netfloor_build_frame(struct netfloor *f)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(f->frame, 0xff, 6);
	memcpy(f->frame + 6, mac, sizeof(mac));
	f->frame[12] = NETFLOOR_ETHERTYPE >> 8;
	f->frame[13] = NETFLOOR_ETHERTYPE & 0xff;
	memset(f->frame + 14, 0x5a, NETFLOOR_FRAME - 14);
}

/* The device thread: per wake-up, one writev per posted frame. */
static void *netfloor_device(void *arg)
{
	struct netfloor *f = arg;
	struct iovec iov[2] = {
		{ f->hdr, sizeof(f->hdr) },
		{ f->frame, sizeof(f->frame) },
	};
	struct epoll_event ev;
	double t0 = netfloor_ns(CLOCK_THREAD_CPUTIME_ID);

	while (f->sent < f->n && !f->error) {
		if (epoll_wait(f->ep, &ev, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			f->error = errno;
			break;
		}
		f->wakeups++;
		while (f->sent < atomic_load(&f->posted)) {
			if (writev(f->tap, iov, 2) < 0) {
				f->error = errno;
				break;
			}
			f->sent++;
		}
	}
	f->cpu_ms = (netfloor_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / 1e6;
	return NULL;
}

/* The guest side: busy for gap_us, post a frame, notify; n times. */
static void netfloor_guest(struct netfloor *f)
{
	const uint64_t one = 1;
	unsigned long i;

	for (i = 0; i < f->n; i++) {
		double until = netfloor_ns(CLOCK_THREAD_CPUTIME_ID) +
			       f->gap_us * 1e3;

		while (netfloor_ns(CLOCK_THREAD_CPUTIME_ID) < until)
			;
		atomic_fetch_add(&f->posted, 1);
		if (write(f->kick, &one, sizeof(one)) != sizeof(one)) {
			perror("bench_netfloor: notify");
			exit(1);	/* the device thread would wait forever */
		}
	}
}

static int netfloor_setup(struct netfloor *f, const char *tap)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	f->tap = netfloor_open_tap(tap);
	if (f->tap < 0) {
		fprintf(stderr, "bench_netfloor: TAP %s: %s\n", tap,
			strerror(-f->tap));
		return -1;
	}
	f->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->ep = epoll_create1(EPOLL_CLOEXEC);
	if (f->kick < 0 || f->ep < 0 ||
	    epoll_ctl(f->ep, EPOLL_CTL_ADD, f->kick, &ev) < 0) {
		perror("bench_netfloor: eventfd/epoll");
		return -1;
	}
	netfloor_build_frame(f);
	return 0;
}

static void netfloor_usage(void)
{
	fprintf(stderr, "usage: bench_netfloor -i TAP -n FRAMES [-g GAP_US]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct netfloor f = { .gap_us = 150 };
	const char *tap = NULL;
	pthread_t dev;
	int c;

	while ((c = getopt(argc, argv, "i:n:g:")) != -1) {
		switch (c) {
		case 'i': tap = optarg; break;
		case 'n': f.n = strtoul(optarg, NULL, 0); break;
		case 'g': f.gap_us = strtoul(optarg, NULL, 0); break;
		default: netfloor_usage();
		}
	}
	if (!tap || !f.n || optind != argc)
		netfloor_usage();
	if (netfloor_setup(&f, tap) < 0)
		return 1;
	if (pthread_create(&dev, NULL, netfloor_device, &f)) {
		fprintf(stderr, "bench_netfloor: cannot start the device thread\n");
		return 1;
	}
	netfloor_guest(&f);
	pthread_join(dev, NULL);
	if (f.error || f.sent != f.n) {
		fprintf(stderr, "bench_netfloor: sent %lu of %lu frames: %s\n",
			f.sent, f.n, strerror(f.error));
		return 1;
	}
	printf("frames=%lu wakeups=%lu cpu_ms=%.3f per_frame_us=%.2f\n",
	       f.sent, f.wakeups, f.cpu_ms, f.cpu_ms * 1e3 / f.sent);
	return 0;
}
