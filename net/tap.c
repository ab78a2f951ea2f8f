// SPDX-License-Identifier: MIT
#include "net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

_Static_assert(TAP_OFFLOAD_CSUM == TUN_F_CSUM, "TUN_F_CSUM");
_Static_assert(TAP_OFFLOAD_TSO4 == TUN_F_TSO4, "TUN_F_TSO4");
_Static_assert(TAP_OFFLOAD_TSO6 == TUN_F_TSO6, "TUN_F_TSO6");
_Static_assert(TAP_OFFLOAD_TSO_ECN == TUN_F_TSO_ECN, "TUN_F_TSO_ECN");
_Static_assert(TAP_NAME_MAX + 1 == IFNAMSIZ, "IFNAMSIZ");

/* At most 64 characters of name, control characters shown as '?'. */
static const char *tap_printable(const char *name, char out[65])
{
	size_t i;

	for (i = 0; i < 64 && name[i]; i++)
		out[i] = (unsigned char)name[i] < ' ' ||
			 (unsigned char)name[i] >= 0x7f ? '?' : name[i];
	out[i] = '\0';
	return out;
}

int tap_check_name(const char *name, const char *what,
		   char *err, size_t errlen)
{
	size_t len = name ? strlen(name) : 0;
	char shown[65];

	if (len == 0) {
		snprintf(err, errlen, "%s name is empty", what);
		return -EINVAL;
	}
	if (len > TAP_NAME_MAX) {
		snprintf(err, errlen,
			 "%s name \"%s%s\" is too long (at most %d characters)",
			 what, tap_printable(name, shown), len > 64 ? "..." : "",
			 TAP_NAME_MAX);
		return -EINVAL;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, "%s name \"%s\" is invalid",
			 what, name);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/*
		 * The kernel refuses '/', ':' and white space; '%' would make
		 * TUNSETIFF pick a name from a template ("tap%d").
		 */
		if (c <= ' ' || c == 0x7f || c == '/' || c == ':' || c == '%') {
			snprintf(err, errlen,
				 "%s name \"%s\" is invalid (no '/', ':', '%%', spaces or control characters)",
				 what, tap_printable(name, shown));
			return -EINVAL;
		}
	}
	return 0;
}

/* A socket for interface ioctls (any family reaches dev_ioctl). */
static int tap_ctl_socket(void)
{
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return s < 0 ? -errno : s;
}

static int tap_get_flags(int s, const char *name, short *flags)
{
	struct ifreq ifr;

	/* Defined on failure too: gcc -O3 cannot see that errno is non-zero. */
	*flags = 0;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	*flags = ifr.ifr_flags;
	return 0;
}

static int tap_set_flags(int s, const char *name, short flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = flags;
	return ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

static int tap_bridge_ioctl(int s, const char *bridge, const char *name,
			    unsigned long cmd)
{
	struct ifreq ifr;
	int idx;

	/* SIOCGIFINDEX on our own socket (not if_nametoindex(), which opens
	 * another): async-signal-safe, for tap_restore(). */
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	idx = ifr.ifr_ifindex;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, bridge, strlen(bridge));
	ifr.ifr_ifindex = idx;
	return ioctl(s, cmd, &ifr) < 0 ? -errno : 0;
}

/*
 * Interface index of the master (bridge) of ifindex, 0 if none, from
 * rtnetlink: sysfs may belong to another network namespace.
 */
int tap_master_index(unsigned int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} resp;
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE);
	int master = 0;
	ssize_t n;

	if (s < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	if (send(s, &req, sizeof(req), 0) < 0) {
		master = -errno;
		goto out;
	}
	n = recv(s, &resp, sizeof(resp), 0);
	if (n < 0) {
		master = -errno;
		goto out;
	}
	for (struct nlmsghdr *nh = &resp.nh; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			master = -ENODEV;
			break;
		}
		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		struct ifinfomsg *ifi = NLMSG_DATA(nh);
		int len = (int)IFLA_PAYLOAD(nh);

		for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len);
		     rta = RTA_NEXT(rta, len))
			if (rta->rta_type == IFLA_MASTER &&
			    RTA_PAYLOAD(rta) >= sizeof(uint32_t))
				memcpy(&master, RTA_DATA(rta), sizeof(master));
		break;
	}
out:
	close(s);
	return master;
}

/* Name of the bridge (master) name belongs to; "" if none. */
static void tap_current_master(const char *name, char out[IFNAMSIZ])
{
	int master = tap_master_index(if_nametoindex(name));

	out[0] = '\0';
	if (master > 0 && !if_indextoname((unsigned int)master, out))
		out[0] = '\0';
}

static int tap_check_bridge(const char *bridge, char *err, size_t errlen)
{
	int ret = tap_check_name(bridge, "bridge", err, errlen);

	if (ret)
		return ret;
	if (!if_nametoindex(bridge)) {
		snprintf(err, errlen, "bridge %s does not exist", bridge);
		return -ENODEV;
	}
	return 0;
}

static int tap_open_fd(char *err, size_t errlen)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		if (e == ENOENT || e == ENODEV || e == ENXIO)
			snprintf(err, errlen,
				 "/dev/net/tun is missing (load the tun module)");
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen,
				 "no permission to open /dev/net/tun (run as root or with CAP_NET_ADMIN)");
		else
			snprintf(err, errlen,
				 "cannot open /dev/net/tun: %s", strerror(e));
		return -e;
	}
	return fd;
}

static int tap_attach(struct tap *tap, int fd, char *err, size_t errlen)
{
	struct ifreq ifr;
	int e;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, tap->name, strlen(tap->name));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) == 0)
		return 0;
	e = errno;
	if (e == EBUSY)
		snprintf(err, errlen,
			 "%s is in use by another process", tap->name);
	else if (e == EPERM || e == EACCES)
		snprintf(err, errlen,
			 "no permission to use or create TAP %s (needs CAP_NET_ADMIN or the TAP's owner)",
			 tap->name);
	else if (e == EINVAL && if_nametoindex(tap->name))
		snprintf(err, errlen,
			 "%s exists and is not a single-queue TAP device",
			 tap->name);
	else
		snprintf(err, errlen, "cannot open TAP %s: %s",
			 tap->name, strerror(e));
	return -e;
}

/* Persistent TAPs existed before us; a fresh one is never persistent. */
static int tap_learn_created(struct tap *tap, char *err, size_t errlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(tap->fd, TUNGETIFF, &ifr) < 0) {
		snprintf(err, errlen, "TUNGETIFF on %s: %s",
			 tap->name, strerror(errno));
		return -errno;
	}
	tap->created = !(ifr.ifr_flags & IFF_PERSIST);
	return 0;
}

static int tap_bring_up(struct tap *tap, int s, char *err, size_t errlen)
{
	short flags;
	int ret = tap_get_flags(s, tap->name, &flags);

	if (!ret && (flags & IFF_UP))
		return 0;
	if (!ret)
		ret = tap_set_flags(s, tap->name, flags | IFF_UP);
	if (ret) {
		snprintf(err, errlen, "cannot bring %s up: %s",
			 tap->name, strerror(-ret));
		return ret;
	}
	tap->set_up = !tap->created;
	return 0;
}

static int tap_join_bridge(struct tap *tap, int s, const char *bridge,
			   char *err, size_t errlen)
{
	char master[IFNAMSIZ];
	int ret;

	/*
	 * A persistent TAP already on the bridge stays as it is (and needs
	 * no CAP_NET_ADMIN: its owner may run minivmm unprivileged).
	 */
	tap_current_master(tap->name, master);
	if (!strcmp(master, bridge))
		return 0;
	ret = tap_bridge_ioctl(s, bridge, tap->name, SIOCBRADDIF);
	if (!ret) {
		strcpy(tap->bridge, bridge);
		return 0;
	}
	if (ret == -EBUSY && master[0])
		snprintf(err, errlen,
			 "%s already belongs to %s, cannot add it to bridge %s",
			 tap->name, master, bridge);
	else if (ret == -EOPNOTSUPP || ret == -EINVAL)
		snprintf(err, errlen, "%s is not a bridge", bridge);
	else if (ret == -ENODEV)
		snprintf(err, errlen, "bridge %s does not exist",
			 bridge);
	else if (ret == -EPERM || ret == -EACCES)
		snprintf(err, errlen,
			 "no permission to add %s to bridge %s (needs CAP_NET_ADMIN)",
			 tap->name, bridge);
	else
		snprintf(err, errlen, "cannot add %s to bridge %s: %s",
			 tap->name, bridge, strerror(-ret));
	return ret;
}

int tap_open(struct tap *tap, const char *name, const char *bridge,
	     char *err, size_t errlen)
{
	int ret, s = -1;

	memset(tap, 0, sizeof(*tap));
	tap->fd = -1;
	ret = tap_check_name(name, "tap", err, errlen);
	if (!ret && bridge)
		ret = tap_check_bridge(bridge, err, errlen);
	if (ret)
		return ret;
	strcpy(tap->name, name);

	ret = tap_open_fd(err, errlen);
	if (ret < 0)
		return ret;
	tap->fd = ret;
	ret = tap_attach(tap, tap->fd, err, errlen);
	if (!ret)
		ret = tap_learn_created(tap, err, errlen);
	if (ret)
		goto fail;
	ret = tap_set_vnet_hdr_len(tap, TAP_VNET_HDR_LEN);
	if (!ret)
		ret = tap_set_offload(tap, 0);
	if (ret) {
		snprintf(err, errlen,
			 "%s: no virtio-net header support: %s", tap->name,
			 strerror(-ret));
		goto fail;
	}
	s = tap_ctl_socket();
	if (s < 0) {
		ret = s;
		snprintf(err, errlen, "socket: %s", strerror(-ret));
		goto fail;
	}
	ret = tap_bring_up(tap, s, err, errlen);
	if (!ret && bridge)
		ret = tap_join_bridge(tap, s, bridge, err, errlen);
	close(s);
	if (ret)
		goto fail;
	return 0;
fail:
	tap_close(tap);
	return ret;
}

int tap_set_offload(struct tap *tap, unsigned int offloads)
{
	if (ioctl(tap->fd, TUNSETOFFLOAD, (unsigned long)offloads) < 0)
		return -errno;
	return 0;
}

int tap_set_vnet_hdr_len(struct tap *tap, int len)
{
	if (ioctl(tap->fd, TUNSETVNETHDRSZ, &len) < 0)
		return -errno;
	return 0;
}

bool tap_needs_restore(const struct tap *tap)
{
	return tap->fd >= 0 && !tap->created;
}

void tap_restore(struct tap *tap)
{
	int s;

	if (!tap_needs_restore(tap))
		return;
	s = tap_ctl_socket();
	if (s >= 0 && tap->bridge[0])
		tap_bridge_ioctl(s, tap->bridge, tap->name, SIOCBRDELIF);
	if (s >= 0 && tap->set_up) {
		short flags;

		if (!tap_get_flags(s, tap->name, &flags))
			tap_set_flags(s, tap->name, flags & ~IFF_UP);
	}
	if (s >= 0)
		close(s);
	tap_set_offload(tap, 0);
	tap->bridge[0] = '\0';
	tap->set_up = false;
}

void tap_close(struct tap *tap)
{
	if (tap->fd < 0)
		return;
	tap_restore(tap);
	/* Not persistent: closing the last fd unregisters a created TAP. */
	close(tap->fd);
	tap->fd = -1;
}
