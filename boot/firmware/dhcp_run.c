// SPDX-License-Identifier: MIT
/* Step 2: get an address and the boot file name by DHCP. */
#include "boot/error_line.h"
#include "boot/firmware/console.h"
#include "boot/firmware/fw.h"
#include "boot/firmware/io.h"
#include "boot/firmware/timer.h"

struct dhcp_run {
	struct fw *fw;
	uint64_t deadline;
	bool bound, failed;
};

static void dhcp_run_send(struct fw *fw, size_t len)
{
	net_udp_send(&fw->net, 0xffffffffu, DHCP_CLIENT_PORT,
		     DHCP_SERVER_PORT, len);
}

static int dhcp_run_rx(void *ctx, struct net *n, struct vnet_packet *p,
		       const struct inet_udp *u)
{
	struct dhcp_run *r = ctx;
	struct fw *fw = r->fw;
	enum dhcp_action a;
	size_t len;

	if (u->dst_port != DHCP_CLIENT_PORT || u->src_port != DHCP_SERVER_PORT)
		return NET_CONTINUE;
	a = dhcp_client_receive(&fw->dhcp, p->frame + u->payload_off,
				u->payload_len, net_udp_payload(n),
				INET_UDP_MAX, &len);
	if (a == DHCP_A_SEND) {
		dhcp_run_send(fw, len);
		r->deadline = timer_now_ms() + fw->dhcp.timeout_ms;
	} else if (a == DHCP_A_BOUND) {
		/* No MAC learned from the reply: the TFTP server (and the
		 * gateway) are resolved by ARP when first used. */
		r->bound = true;
		return NET_DONE;
	}
	return NET_CONTINUE;
}

static int dhcp_run_pxe_rx(void *ctx, struct net *n, struct vnet_packet *p,
			   const struct inet_udp *u)
{
	struct fw *fw = ctx;

	(void)n;
	if (u->dst_port != DHCP_CLIENT_PORT || u->src_port != DHCP_PXE_PORT)
		return NET_CONTINUE;
	return dhcp_pxe_reply(&fw->dhcp, p->frame + u->payload_off,
			      u->payload_len) ? NET_DONE : NET_CONTINUE;
}

/*
 * PXE 2.1 boot server discovery: a ProxyDHCP offer listed a boot menu but
 * no boot file (dnsmasq's pxe-service, WDS): ask the boot server on port
 * 4011 for the menu's first item, 1 + 2 + 4 s.
 */
static void dhcp_run_pxe_discovery(struct fw *fw)
{
	uint32_t server = dhcp_pxe_server(&fw->dhcp);
	char ip[16];

	if (!server)
		return;
	inet_ntoa(server, ip);
	fw_printf("DHCP: ProxyDHCP: asking boot server %s (port %u)\n", ip,
		  DHCP_PXE_PORT);
	if (!net_arp_resolve(&fw->net, net_next_hop(&fw->net, server)))
		return;
	for (unsigned int tries = 0; tries < 3; tries++) {
		size_t len = dhcp_build_pxe_request(&fw->dhcp,
						    net_udp_payload(&fw->net),
						    INET_UDP_MAX);
		uint64_t deadline = timer_now_ms() + (1000u << tries);

		if (!len || !net_udp_send(&fw->net, server, DHCP_CLIENT_PORT,
					  DHCP_PXE_PORT, len))
			return;
		if (net_run(&fw->net, dhcp_run_pxe_rx, fw, 0, 0, &deadline) ==
		    NET_DONE)
			return;
	}
}

int fw_dhcp(struct fw *fw, char *err, size_t errlen)
{
	struct dhcp_run r = { .fw = fw };
	const uint8_t *mac = fw->vnet.mac;
	uint32_t xid = (uint32_t)rdtsc() ^ (uint32_t)(mac[2] << 24 |
			mac[3] << 16 | mac[4] << 8 | mac[5]);
	size_t len;

	dhcp_client_init(&fw->dhcp, mac, fw->h->uuid, xid);
	dhcp_client_start(&fw->dhcp, net_udp_payload(&fw->net), INET_UDP_MAX,
			  &len);
	dhcp_run_send(fw, len);
	r.deadline = timer_now_ms() + fw->dhcp.timeout_ms;
	while (!r.bound) {
		if (net_run(&fw->net, dhcp_run_rx, &r, 0, 0, &r.deadline) !=
		    NET_TIMEOUT)
			continue;
		if (dhcp_client_timeout(&fw->dhcp, net_udp_payload(&fw->net),
					INET_UDP_MAX, &len) != DHCP_A_SEND)
			return error_line(err, errlen,
					  fw->dhcp.state == DHCP_S_REQUESTING ?
					  "no DHCP ACK" : "no DHCP offer");
		if (fw->dhcp.tries > 1)
			fw_printf("DHCP: no answer, retrying (%u)\n",
				  fw->dhcp.tries);
		else if (fw->dhcp.state == DHCP_S_REQUESTING)
			fw_printf("DHCP: no offer with boot information, taking the first\n");
		dhcp_run_send(fw, len);
		r.deadline = timer_now_ms() + fw->dhcp.timeout_ms;
	}
	fw->lease = &fw->dhcp.offer;
	fw->net.ip = fw->lease->yiaddr;
	fw->net.netmask = fw->lease->have & DHCP_HAVE_SUBNET ?
			  fw->lease->subnet_mask : 0;
	fw->net.gateway = fw->lease->have & DHCP_HAVE_ROUTER ?
			  fw->lease->router : 0;
	dhcp_run_pxe_discovery(fw);
	return 0;
}
