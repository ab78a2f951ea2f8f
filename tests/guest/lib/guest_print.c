// SPDX-License-Identifier: MIT
/*
 * Minimal formatted output.  It formats into a stack buffer and flushes it
 * to the serial port whenever it fills, so long strings (a 64 KiB command
 * line) stream through a small buffer.
 */
#include "tests/guest/lib/guest_print.h"

#include <stdbool.h>

#include "tests/guest/lib/guest_serial.h"
#include "tests/guest/lib/guest_string.h"

#define PRINT_BUF_SIZE 256

struct print_out {
	char *buf;
	size_t size;		/* capacity of buf */
	size_t len;		/* bytes in buf */
	size_t total;		/* bytes produced */
	bool to_serial;		/* flush when full, else truncate */
};

static void print_flush(struct print_out *o)
{
	if (o->to_serial && o->len) {
		serial_write(o->buf, o->len);
		o->len = 0;
	}
}

static void print_char(struct print_out *o, char c)
{
	if (o->len + 1 >= o->size) {
		if (!o->to_serial)
			return;
		print_flush(o);
	}
	o->buf[o->len++] = c;
	o->total++;
}

static void print_repeat(struct print_out *o, char c, int n)
{
	while (n-- > 0)
		print_char(o, c);
}

static void print_str(struct print_out *o, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		print_char(o, s[i]);
}

static void print_num(struct print_out *o, uint64_t v, unsigned int base,
		      bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0')
		print_char(o, '-');
	print_repeat(o, pad, width - n);
	if (neg && pad != '0')
		print_char(o, '-');
	while (n)
		print_char(o, tmp[--n]);
}

/* Fetch an integer argument of the given length (0 int, 1 long, 2 ll). */
#define PRINT_ARG(ap, lng, sgn)						\
	((lng) ? (sgn ? (uint64_t)__builtin_va_arg(ap, long long)	\
		      : (uint64_t)__builtin_va_arg(ap, unsigned long long)) \
	       : (sgn ? (uint64_t)(int64_t)__builtin_va_arg(ap, int)	\
		      : (uint64_t)__builtin_va_arg(ap, unsigned int)))

static void print_format(struct print_out *o, const char *fmt,
			 __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;
		const char *s;
		uint64_t v;

		if (*fmt != '%') {
			print_char(o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (fmt[0] == '.' && fmt[1] == '*') {
			prec = __builtin_va_arg(ap, int);
			fmt += 2;
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;	/* long, long long and size_t: 64 bits */
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			v = PRINT_ARG(ap, lng, 1);
			if ((int64_t)v < 0)
				print_num(o, -v, 10, true, width, pad);
			else
				print_num(o, v, 10, false, width, pad);
			break;
		case 'u':
			print_num(o, PRINT_ARG(ap, lng, 0), 10, false, width, pad);
			break;
		case 'x':
			print_num(o, PRINT_ARG(ap, lng, 0), 16, false, width, pad);
			break;
		case 'c':
			print_char(o, (char)__builtin_va_arg(ap, int));
			break;
		case 's':
			s = __builtin_va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			print_str(o, s, prec >= 0 ? (size_t)prec
						  : guest_strlen(s));
			break;
		case '%':
			print_char(o, '%');
			break;
		case '\0':
			return;
		default:
			print_char(o, '%');
			print_char(o, *fmt);
			break;
		}
	}
}

size_t guest_vsnprintf(char *buf, size_t size, const char *fmt,
		       __builtin_va_list ap)
{
	struct print_out o = { .buf = buf, .size = size };

	print_format(&o, fmt, ap);
	buf[o.len] = '\0';
	return o.len;
}

void guest_printf(const char *fmt, ...)
{
	char buf[PRINT_BUF_SIZE];
	struct print_out o = { .buf = buf, .size = sizeof(buf),
			       .to_serial = true };
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	print_format(&o, fmt, ap);
	__builtin_va_end(ap);
	print_flush(&o);
}
