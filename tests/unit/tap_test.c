// SPDX-License-Identifier: MIT
/*
 * net/tap.c: name validation everywhere; the TAP life cycle (create,
 * bring up, bridge attach, removal on close, persistent TAP restored,
 * EBUSY, missing bridge) in a private network namespace when run as root.
 * Check forks each test, so unshare(CLONE_NEWNET) stays inside the test.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/tap.h"
#include "tests/unit/unit_main.h"

static char err[256];

START_TEST(test_name_ok)
{
	ck_assert_int_eq(tap_check_name("tap0", "tap", err, sizeof(err)), 0);
	ck_assert_int_eq(tap_check_name("a", "tap", err, sizeof(err)), 0);
	ck_assert_int_eq(tap_check_name("vm-net_1.x", "tap", err, sizeof(err)), 0);
	ck_assert_int_eq(tap_check_name("123456789012345", "tap", err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_name_bad)
{
	static const char *const bad[] = {
		"", ".", "..", "1234567890123456", "a/b", "a:1", "a b",
		"tap%d", "tab\there", "nl\n", "del\x7f",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(tap_check_name(bad[i], "tap", err, sizeof(err)) == -EINVAL,
			      "accepted \"%s\"", bad[i]);
		ck_assert_msg(err[0] != '\0', "no message for \"%s\"", bad[i]);
		ck_assert_ptr_null(strchr(err, '\n'));
	}
	ck_assert_int_eq(tap_check_name(NULL, "tap", err, sizeof(err)), -EINVAL);
	tap_check_name("averyveryverylongname", "tap", err, sizeof(err));
	ck_assert_str_eq(err,
		"tap name \"averyveryverylongname\" is too long (at most 15 characters)");
	tap_check_name("", "bridge", err, sizeof(err));
	ck_assert_str_eq(err, "bridge name is empty");
}
END_TEST

START_TEST(test_name_huge)
{
	char huge[4096];

	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	ck_assert_int_eq(tap_check_name(huge, "tap", err, sizeof(err)), -EINVAL);
	ck_assert_uint_lt(strlen(err), sizeof(err) - 1);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
}
END_TEST

/* ---- life cycle, root only, inside a fresh network namespace ---- */

static bool in_private_netns(void)
{
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK))
		return false;
	return unshare(CLONE_NEWNET) == 0;
}

#define NEED_NETNS()							\
	do {								\
		if (!in_private_netns()) {				\
			fprintf(stderr, "%s: skipped (needs root, tun, "	\
				"netns)\n", __func__);			\
			return;						\
		}							\
	} while (0)

static bool if_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

static short if_flags(const char *name)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	close(s);
	return ifr.ifr_flags;
}

static void make_bridge(const char *name)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_eq(ioctl(s, SIOCBRADDBR, name), 0);
	close(s);
}

static bool has_master(const char *name, const char *bridge)
{
	int m = tap_master_index(if_nametoindex(name));

	ck_assert_int_ge(m, 0);
	return bridge ? m > 0 && (unsigned int)m == if_nametoindex(bridge)
		      : m == 0;
}

/* A persistent TAP as `ip tuntap add` makes it. */
static void make_persistent_tap(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR);

	ck_assert_int_ge(fd, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	ck_assert_int_eq(ioctl(fd, TUNSETIFF, &ifr), 0);
	ck_assert_int_eq(ioctl(fd, TUNSETPERSIST, 1), 0);
	close(fd);
}

START_TEST(test_create_and_remove)
{
	struct tap tap;

	NEED_NETNS();
	ck_assert(!if_exists("mvt0"));
	ck_assert_msg(tap_open(&tap, "mvt0", NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert(tap.created);
	ck_assert(if_exists("mvt0"));
	ck_assert(if_flags("mvt0") & IFF_UP);
	ck_assert_int_eq(tap_set_offload(&tap, TAP_OFFLOAD_CSUM |
					 TAP_OFFLOAD_TSO4 | TAP_OFFLOAD_TSO6), 0);
	ck_assert_int_eq(tap_set_vnet_hdr_len(&tap, 10), 0);
	tap_close(&tap);
	ck_assert_int_eq(tap.fd, -1);
	ck_assert(!if_exists("mvt0"));
	tap_close(&tap); /* idempotent */
}
END_TEST

START_TEST(test_busy)
{
	struct tap a, b;

	NEED_NETNS();
	ck_assert_msg(tap_open(&a, "mvt0", NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(tap_open(&b, "mvt0", NULL, err, sizeof(err)), -EBUSY);
	ck_assert_str_eq(err, "mvt0 is in use by another process");
	ck_assert_int_eq(b.fd, -1);
	tap_close(&a);
}
END_TEST

START_TEST(test_bridge_missing)
{
	struct tap tap;

	NEED_NETNS();
	ck_assert_int_eq(tap_open(&tap, "mvt0", "br0", err, sizeof(err)), -ENODEV);
	ck_assert_str_eq(err, "bridge br0 does not exist");
	ck_assert(!if_exists("mvt0")); /* nothing left behind */
}
END_TEST

START_TEST(test_not_a_bridge)
{
	struct tap tap, other;

	NEED_NETNS();
	ck_assert_msg(tap_open(&other, "mvt1", NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ne(tap_open(&tap, "mvt0", "mvt1", err, sizeof(err)), 0);
	ck_assert_str_eq(err, "mvt1 is not a bridge");
	ck_assert(!if_exists("mvt0"));
	tap_close(&other);
}
END_TEST

START_TEST(test_bridge_attach)
{
	struct tap tap;

	NEED_NETNS();
	make_bridge("mvtbr0");
	ck_assert_msg(tap_open(&tap, "mvt0", "mvtbr0", err, sizeof(err)) == 0, "%s", err);
	ck_assert(has_master("mvt0", "mvtbr0"));
	tap_close(&tap);
	ck_assert(!if_exists("mvt0"));
	ck_assert(if_exists("mvtbr0"));
}
END_TEST

START_TEST(test_not_a_tap)
{
	struct tap tap;

	NEED_NETNS();
	make_bridge("mvtbr0");
	ck_assert_int_eq(tap_open(&tap, "mvtbr0", NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "mvtbr0 exists and is not a single-queue TAP device");
}
END_TEST

START_TEST(test_persistent_left_as_it_was)
{
	struct tap tap;

	NEED_NETNS();
	make_bridge("mvtbr0");
	make_persistent_tap("ptap0");
	ck_assert(!(if_flags("ptap0") & IFF_UP));
	ck_assert_msg(tap_open(&tap, "ptap0", "mvtbr0", err, sizeof(err)) == 0, "%s", err);
	ck_assert(!tap.created);
	ck_assert(if_flags("ptap0") & IFF_UP);
	ck_assert(has_master("ptap0", "mvtbr0"));
	tap_close(&tap);
	ck_assert(if_exists("ptap0"));
	ck_assert(!(if_flags("ptap0") & IFF_UP));
	ck_assert(has_master("ptap0", NULL));
}
END_TEST

START_TEST(test_persistent_already_on_bridge)
{
	struct tap tap;
	struct ifreq ifr;
	int s;

	NEED_NETNS();
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	make_bridge("mvtbr0");
	make_persistent_tap("ptap0");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "mvtbr0");
	ifr.ifr_ifindex = (int)if_nametoindex("ptap0");
	ck_assert_int_eq(ioctl(s, SIOCBRADDIF, &ifr), 0);
	close(s);
	ck_assert_msg(tap_open(&tap, "ptap0", "mvtbr0", err, sizeof(err)) == 0, "%s", err);
	tap_close(&tap);
	ck_assert(has_master("ptap0", "mvtbr0")); /* was there: stays */
}
END_TEST

/* Without privileges: one clear line, whichever step refuses. */
START_TEST(test_no_permission)
{
	struct tap tap;
	int ret;

	NEED_NETNS();
	ck_assert_int_eq(setuid(65534), 0);
	ret = tap_open(&tap, "mvt0", NULL, err, sizeof(err));
	ck_assert_msg(ret == -EACCES || ret == -EPERM, "ret %d: %s", ret, err);
	ck_assert_msg(!strncmp(err, "no permission to ", 17), "%s", err);
	ck_assert_int_eq(tap.fd, -1);
}
END_TEST

/* The vnet header reaches the TAP: a frame written comes back on a
 * packet socket, and the header is stripped. */
START_TEST(test_write_with_header)
{
	struct tap tap;
	unsigned char pkt[TAP_VNET_HDR_LEN + 60];

	NEED_NETNS();
	ck_assert_msg(tap_open(&tap, "mvt0", NULL, err, sizeof(err)) == 0, "%s", err);
	memset(pkt, 0, sizeof(pkt));
	memset(pkt + TAP_VNET_HDR_LEN, 0xff, 6);	/* broadcast */
	pkt[TAP_VNET_HDR_LEN + 12] = 0x88;		/* local ethertype */
	pkt[TAP_VNET_HDR_LEN + 13] = 0xb5;
	ck_assert_int_eq(write(tap.fd, pkt, sizeof(pkt)), sizeof(pkt));
	/* Too short for header + Ethernet: the kernel refuses it. */
	ck_assert_int_lt(write(tap.fd, pkt, TAP_VNET_HDR_LEN + 4), 0);
	ck_assert_int_eq(errno, EINVAL);
	tap_close(&tap);
}
END_TEST

static Suite *tap_suite(void)
{
	Suite *s = suite_create("tap");
	TCase *names = tcase_create("names");
	TCase *life = tcase_create("lifecycle");

	tcase_add_test(names, test_name_ok);
	tcase_add_test(names, test_name_bad);
	tcase_add_test(names, test_name_huge);
	suite_add_tcase(s, names);
	tcase_add_test(life, test_create_and_remove);
	tcase_add_test(life, test_busy);
	tcase_add_test(life, test_bridge_missing);
	tcase_add_test(life, test_not_a_bridge);
	tcase_add_test(life, test_bridge_attach);
	tcase_add_test(life, test_not_a_tap);
	tcase_add_test(life, test_persistent_left_as_it_was);
	tcase_add_test(life, test_persistent_already_on_bridge);
	tcase_add_test(life, test_write_with_header);
	tcase_add_test(life, test_no_permission);
	suite_add_tcase(s, life);
	return s;
}

int main(void)
{
	return unit_run_suite(tap_suite());
}
