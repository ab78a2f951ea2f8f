/* SPDX-License-Identifier: MIT */
/*
 * Host TAP back-end of virtio-net: open (or create) a TAP device with a
 * virtio-net header, bring it up, attach it to a bridge, set offloads.
 *
 * A TAP that did not exist before is created without TUNSETPERSIST, so the
 * kernel removes it as soon as our file descriptor closes, even when
 * minivmm is killed.  An existing (persistent) TAP is used and put back the
 * way it was: administrative state and bridge membership restored.
 */
#ifndef MINIVMM_TAP_H
#define MINIVMM_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAP_NAME_MAX 15		/* IFNAMSIZ - 1 */
#define TAP_VNET_HDR_LEN 12	/* struct virtio_net_hdr_v1 (num_buffers) */

/* Offloads the guest can receive (TUNSETOFFLOAD, linux/if_tun.h values). */
#define TAP_OFFLOAD_CSUM	0x01	/* TUN_F_CSUM */
#define TAP_OFFLOAD_TSO4	0x02	/* TUN_F_TSO4 */
#define TAP_OFFLOAD_TSO6	0x04	/* TUN_F_TSO6 */
#define TAP_OFFLOAD_TSO_ECN	0x08	/* TUN_F_TSO_ECN */

/*
 * The options of one -tap (vmm/config.c fills it; see docs/usage.md).  The
 * MAC is resolved there: mac= if given, else derived from the TAP name.
 */
struct nic_config {
	const char *tap;		/* host TAP name */
	const char *bridge;		/* attach to this bridge, may be NULL */
	uint8_t mac[6];			/* always set */
	bool mac_set;			/* mac= given (else derived) */
};

struct tap {
	int fd;				/* non-blocking, close-on-exec; -1 */
	char name[TAP_NAME_MAX + 1];
	char bridge[TAP_NAME_MAX + 1];	/* bridge we added it to, or "" */
	bool created;			/* ours: vanishes when fd closes */
	bool set_up;			/* we set IFF_UP on an existing TAP */
};

/*
 * Is name usable as an interface name (the kernel's rules plus no '%'
 * templates)?  Returns 0, or -EINVAL with a one-line reason in err.
 */
int tap_check_name(const char *name, const char *what, char *err,
		   size_t errlen);

/*
 * Open or create TAP name (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, header of
 * TAP_VNET_HDR_LEN bytes, no offloads yet), bring it up and, if bridge is
 * not NULL, attach it to that bridge.  Returns 0, or negative errno with a
 * one-line message in err; on failure nothing is left behind.
 */
int tap_open(struct tap *tap, const char *name, const char *bridge,
	     char *err, size_t errlen);

/* TUNSETOFFLOAD with TAP_OFFLOAD_* bits; negative errno. */
int tap_set_offload(struct tap *tap, unsigned int offloads);

/* TUNSETVNETHDRSZ (10 for legacy without MRG_RXBUF, else 12). */
int tap_set_vnet_hdr_len(struct tap *tap, int len);

/* ifindex of the bridge ifindex is a port of, 0 if none, or -errno. */
int tap_master_index(unsigned int ifindex);

/* Put an existing TAP back as it was and close; a created TAP vanishes. */
void tap_close(struct tap *tap);

/* An existing TAP that tap_close() must put back (not one we created). */
bool tap_needs_restore(const struct tap *tap);
/*
 * Put an existing TAP back (off the bridge, down, offloads off) without
 * closing it: async-signal-safe (a socket and ioctls), for the exits that
 * cannot tear down in order (vmm/emergency.h).  Idempotent.
 */
void tap_restore(struct tap *tap);

#endif
