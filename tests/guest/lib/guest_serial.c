// SPDX-License-Identifier: MIT
/*
 * COM1 polled output.  Every port access is a VM exit, so once the
 * transmitter reports empty we fill the whole 16-byte FIFO before polling
 * the line status again (as Linux does), when the UART says its FIFOs are
 * on; a UART without FIFO gets one byte per poll.
 */
#include "tests/guest/lib/guest_serial.h"

#include <stdint.h>

#include "boot/layout.h"
#include "tests/guest/lib/guest_io.h"

#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_DLL	0	/* divisor low (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1
#define UART_FCR	2	/* write: FIFO control */
#define UART_IIR	2	/* read: bits 7:6 = 11 when FIFOs are on */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LSR_THRE	0x20
#define UART_FIFO_SIZE	16
#define SERIAL_POLL_MAX	1000000	/* give up on a dead UART, do not hang */

/*
 * The burst size lives on the stack of each call (no mutable globals):
 * probing IIR costs one exit per serial_write(), which is cheap.
 */
static unsigned int serial_burst(void)
{
	return (inb(PORT_COM1 + UART_IIR) & 0xC0) == 0xC0 ? UART_FIFO_SIZE : 1;
}

void serial_init(void)
{
	outb(PORT_COM1 + UART_IER, 0x00);	/* no interrupts */
	outb(PORT_COM1 + UART_LCR, 0x80);	/* DLAB */
	outb(PORT_COM1 + UART_DLL, 0x01);	/* 115200 baud */
	outb(PORT_COM1 + UART_DLM, 0x00);
	outb(PORT_COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(PORT_COM1 + UART_FCR, 0x07);	/* FIFOs on and cleared */
	outb(PORT_COM1 + UART_MCR, 0x03);	/* DTR, RTS */
}

static void serial_wait_empty(void)
{
	unsigned int i;

	for (i = 0; i < SERIAL_POLL_MAX; i++)
		if (inb(PORT_COM1 + UART_LSR) & UART_LSR_THRE)
			return;
}

void serial_write(const char *s, size_t len)
{
	unsigned int burst = serial_burst(), n;

	while (len) {
		serial_wait_empty();
		for (n = 0; n < burst && len; n++, len--)
			outb(PORT_COM1 + UART_THR, (uint8_t)*s++);
	}
}
