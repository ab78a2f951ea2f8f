// SPDX-License-Identifier: MIT
/*
 * Serial console.  Output is buffered per line and written with one
 * "rep outsb" per line: every port write is a VM exit, so batching
 * keeps progress output cheap.
 */
#include <stdarg.h>
#include <stdbool.h>

#include "boot/firmware/console.h"
#include "boot/firmware/io.h"

#define UART_THR	0
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4

static uint16_t console_port;

void console_init(uint16_t port)
{
	console_port = port;
	if (!port)
		return;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x80);	/* DLAB: 115200 baud */
	outb(port + UART_THR, 1);
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x03);	/* 8n1 */
	outb(port + UART_FCR, 0x07);
	outb(port + UART_MCR, 0x03);
}

void console_write(const char *s, unsigned long len)
{
	uint16_t port = console_port;

	if (!port || !len)
		return;
	/* The emulated UART accepts bytes at once; no LSR polling needed
	 * by minivmm's model, but a real 16550 would want it. */
	__asm__ volatile("rep outsb" : "+S"(s), "+c"(len) : "d"(port) : "memory");
}

struct fmtbuf {
	char buf[256];
	unsigned int n;
};

static void fmt_flush(struct fmtbuf *b)
{
	console_write(b->buf, b->n);
	b->n = 0;
}

static void fmt_putc(struct fmtbuf *b, char ch)
{
	if (ch == '\n')
		fmt_putc(b, '\r');
	b->buf[b->n++] = ch;
	if (b->n == sizeof(b->buf))
		fmt_flush(b);
}

static void fmt_puts(struct fmtbuf *b, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		fmt_putc(b, *s++);
}

static void fmt_num(struct fmtbuf *b, unsigned long long v, unsigned int base,
		    bool neg)
{
	char tmp[24];
	int i = 0;

	if (neg)
		fmt_putc(b, '-');
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		fmt_putc(b, tmp[--i]);
}

void fw_printf(const char *fmt, ...)
{
	struct fmtbuf b;
	va_list ap;

	b.n = 0;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int longs = 0;
		unsigned long long v;

		if (*fmt != '%') {
			fmt_putc(&b, *fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			fmt_puts(&b, va_arg(ap, const char *));
			break;
		case 'c':
			fmt_putc(&b, (char)va_arg(ap, int));
			break;
		case 'd': {
			long long s = longs ? va_arg(ap, long long) :
					      va_arg(ap, int);

			fmt_num(&b, s < 0 ? (unsigned long long)-s :
					    (unsigned long long)s, 10, s < 0);
			break;
		}
		case 'u':
		case 'x':
			v = longs ? va_arg(ap, unsigned long long) :
				    va_arg(ap, unsigned int);
			fmt_num(&b, v, *fmt == 'u' ? 10 : 16, false);
			break;
		case '%':
			fmt_putc(&b, '%');
			break;
		default:
			fmt_putc(&b, '?');
			break;
		}
	}
	va_end(ap);
	fmt_flush(&b);
}
