// SPDX-License-Identifier: MIT
/*
 * 16550A UART.
 *
 * Transmission is instantaneous: a byte written to THR goes to out_fd at
 * once, so THR is always empty (LSR.THRE and TEMT stay set) and the THRE
 * interrupt is re-armed right after every write.  That is what Linux's
 * 8250 driver expects: its interrupt handler reads IIR (which acknowledges
 * a THRE interrupt), refills THR (which raises it again) and stops when IIR
 * says nothing is pending or it disables ETBEI.
 *
 * Received bytes sit in a FIFO; RDA is reported once the FIFO holds the
 * FCR trigger level, below it as a character timeout (as if the four
 * character times had already passed), so the guest always gets woken.
 * In loopback mode (MCR.LOOP), THR feeds the receiver and MSR mirrors MCR,
 * which is what the 8250 autoconfig probe checks.
 *
 * The interrupt line level is recomputed after every access and reported
 * only when it changes; the VMM turns the changes into IOAPIC edges.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devices/serial.h"
#include "devices/state_stream.h"

/* register offsets */
#define UART_RX		0	/* r: receive buffer (DLAB=0) */
#define UART_TX		0	/* w: transmit holding (DLAB=0) */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_IIR	2	/* r */
#define UART_FCR	2	/* w */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IER_RLSI	0x04
#define UART_IER_MSI	0x08
#define UART_IER_MASK	0x0f	/* a 16550A has no more bits */

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_CTI	0x0c	/* character timeout */
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled (16550A) */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04
#define UART_FCR_KEEP	0xc9	/* enable, DMA mode, trigger level */

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_LSR_ERR	0x1e	/* OE, PE, FE, BI: cleared by reading */

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTA	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

/* What the caller must do after dropping the lock. */
struct serial_after {
	bool output_hook;
	bool rx_hook;
};

static bool serial_fifo_enabled(const struct serial *s)
{
	return s->fcr & UART_FCR_ENABLE;
}

static bool serial_loopback(const struct serial *s)
{
	return s->mcr & UART_MCR_LOOP;
}

/* Without FIFOs a 16550A holds one received byte, like a 16450. */
static unsigned int serial_rx_capacity(const struct serial *s)
{
	return serial_fifo_enabled(s) ? SERIAL_RX_FIFO_SIZE : 1;
}

static unsigned int serial_rx_trigger(const struct serial *s)
{
	static const unsigned int level[4] = { 1, 4, 8, 14 };

	return level[s->fcr >> 6];
}

static uint8_t serial_iir(const struct serial *s)
{
	uint8_t fifo = serial_fifo_enabled(s) ? UART_IIR_FIFO : 0;

	if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_ERR))
		return fifo | UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count) {
		if (serial_fifo_enabled(s) &&
		    s->rx_count < serial_rx_trigger(s))
			return fifo | UART_IIR_CTI;
		return fifo | UART_IIR_RDI;
	}
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return fifo | UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTA))
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NO_INT;
}

static void serial_update_irq(struct serial *s)
{
	int level = !(serial_iir(s) & UART_IIR_NO_INT);

	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->set_irq)
		s->set_irq(s->irq_opaque, level);
}

/*
 * Modem status inputs: in loopback they are wired to the MCR outputs,
 * otherwise the "cable" says carrier, DSR and CTS are up.
 */
static void serial_update_msr(struct serial *s)
{
	uint8_t old = s->msr, now;

	if (serial_loopback(s)) {
		now = 0;
		if (s->mcr & UART_MCR_RTS)
			now |= UART_MSR_CTS;
		if (s->mcr & UART_MCR_DTR)
			now |= UART_MSR_DSR;
		if (s->mcr & UART_MCR_OUT1)
			now |= UART_MSR_RI;
		if (s->mcr & UART_MCR_OUT2)
			now |= UART_MSR_DCD;
	} else {
		now = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	}
	now |= old & UART_MSR_DELTA;
	if ((now ^ old) & UART_MSR_CTS)
		now |= UART_MSR_DCTS;
	if ((now ^ old) & UART_MSR_DSR)
		now |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		now |= UART_MSR_TERI;
	if ((now ^ old) & UART_MSR_DCD)
		now |= UART_MSR_DDCD;
	s->msr = now;
}

static void serial_rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
}

static bool serial_rx_push(struct serial *s, uint8_t byte)
{
	if (s->rx_count >= serial_rx_capacity(s))
		return false;
	s->rx[(s->rx_head + s->rx_count) % SERIAL_RX_FIFO_SIZE] = byte;
	s->rx_count++;
	return true;
}

static uint8_t serial_rx_pop(struct serial *s)
{
	uint8_t byte;

	if (!s->rx_count)
		return 0;
	byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_RX_FIFO_SIZE;
	s->rx_count--;
	return byte;
}

static size_t serial_room_locked(const struct serial *s)
{
	if (serial_loopback(s))
		return 0;	/* the receiver is cut off from the line */
	return serial_rx_capacity(s) - s->rx_count;
}

/* The log is a regular file: a failed write (disk full) is a drop. */
static void serial_log(struct serial *s, uint8_t byte)
{
	ssize_t n;

	if (s->log_fd < 0)
		return;
	if (s->log_room == 0) {
		s->log_dropped++;
		return;
	}
	do {
		n = write(s->log_fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	if (n == 1) {
		s->log_bytes++;
		s->log_room--;
	} else {
		s->log_dropped++;
	}
}

/*
 * Write one byte to the output, never waiting: this runs on a vCPU thread,
 * whose seccomp class allows write but no poll, and a guest must not be
 * able to stall its own vCPU (or a shutdown) on a console nobody reads.
 * The machine hands in a non-blocking descriptor where it can (a pipe or
 * terminal is reopened so, see vmm/console.c); a full console (EAGAIN)
 * and any other error drop the byte, counted in tx_dropped (-stats).
 */
static void serial_output(struct serial *s, uint8_t byte)
{
	ssize_t n;

	serial_log(s, byte);
	if (s->out_fd < 0)
		return;
	do {
		n = write(s->out_fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	if (n == 1)
		s->tx_bytes++;
	else
		s->tx_dropped++;
}

static void serial_write_thr(struct serial *s, uint8_t val,
			     struct serial_after *after)
{
	s->thr_ipending = false;
	if (serial_loopback(s)) {
		if (!serial_rx_push(s, val))
			s->lsr |= UART_LSR_OE;
	} else {
		if (!s->output_seen) {
			s->output_seen = true;
			after->output_hook = s->output_hook != NULL;
		}
		serial_output(s, val);
	}
	/* The byte is gone at once: THR is empty again. */
	if (s->ier & UART_IER_THRI)
		s->thr_ipending = true;
}

static void serial_write_ier(struct serial *s, uint8_t val)
{
	uint8_t old = s->ier;

	s->ier = val & UART_IER_MASK;
	/*
	 * Enabling ETBEI while THR is empty raises THRE at once; Linux's
	 * startup checks that (UART_BUG_THRE / UART_BUG_TXEN).
	 */
	if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI))
		s->thr_ipending = true;
	else if (!(s->ier & UART_IER_THRI))
		s->thr_ipending = false;
}

static void serial_write_fcr(struct serial *s, uint8_t val)
{
	if ((val ^ s->fcr) & UART_FCR_ENABLE)
		serial_rx_clear(s);	/* toggling FIFO mode resets them */
	if (!(val & UART_FCR_ENABLE)) {
		s->fcr = 0;
		return;
	}
	if (val & UART_FCR_CLR_RX) {
		serial_rx_clear(s);
		s->lsr &= ~UART_LSR_OE;
	}
	/* UART_FCR_CLR_TX: nothing is ever queued for transmission. */
	s->fcr = val & UART_FCR_KEEP;
}

static void serial_write_reg(struct serial *s, uint64_t offset, uint8_t val,
			     struct serial_after *after)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_TX:
		if (dlab)
			s->dll = val;
		else
			serial_write_thr(s, val, after);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = val;
		else
			serial_write_ier(s, val);
		break;
	case UART_FCR:
		serial_write_fcr(s, val);
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		s->mcr = val & UART_MCR_MASK;
		serial_update_msr(s);
		break;
	case UART_SCR:
		s->scr = val;
		break;
	default:	/* LSR and MSR are read-only */
		break;
	}
}

static uint8_t serial_read_reg(struct serial *s, uint64_t offset)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t val;

	switch (offset) {
	case UART_RX:
		if (dlab)
			return s->dll;
		return serial_rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		val = serial_iir(s);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if ((val & 0x0f) == UART_IIR_THRI)
			s->thr_ipending = false;
		return val;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		val = s->lsr | UART_LSR_THRE | UART_LSR_TEMT;
		if (s->rx_count)
			val |= UART_LSR_DR;
		s->lsr &= ~UART_LSR_ERR;
		return val;
	case UART_MSR:
		val = s->msr;
		s->msr &= ~UART_MSR_DELTA;
		return val;
	case UART_SCR:
		return s->scr;
	default:
		return 0xff;
	}
}

/* After any access: interrupt line, and whether to wake a blocked host. */
static void serial_finish_locked(struct serial *s, struct serial_after *after)
{
	serial_update_irq(s);
	if (s->rx_blocked && !s->rx_count && serial_room_locked(s)) {
		s->rx_blocked = false;
		after->rx_hook = s->rx_hook != NULL;
	}
}

static void serial_unlock(struct serial *s, const struct serial_after *after)
{
	void (*output_hook)(void *) = s->output_hook;
	void *output_opaque = s->output_hook_opaque;
	void (*rx_hook)(void *) = s->rx_hook;
	void *rx_opaque = s->rx_hook_opaque;

	pthread_mutex_unlock(&s->lock);
	if (after->output_hook && output_hook)
		output_hook(output_opaque);
	if (after->rx_hook && rx_hook)
		rx_hook(rx_opaque);
}

void serial_init(struct serial *s, int out_fd, irq_set_fn set_irq,
		 void *irq_opaque)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->out_fd = out_fd;
	s->log_fd = -1;
	s->set_irq = set_irq;
	s->irq_opaque = irq_opaque;
	s->mcr = UART_MCR_OUT2;
	s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	s->dll = 0x0c;		/* 9600 baud */
}

void serial_set_log(struct serial *s, int log_fd, uint64_t max_bytes)
{
	pthread_mutex_lock(&s->lock);
	s->log_fd = log_fd;
	s->log_room = max_bytes;
	pthread_mutex_unlock(&s->lock);
}

void serial_destroy(struct serial *s)
{
	pthread_mutex_destroy(&s->lock);
}

/* Wider accesses touch consecutive registers, as on an ISA bus. */
void serial_pio_read(void *opaque, uint64_t offset, void *data,
		     uint32_t size)
{
	struct serial *s = opaque;
	struct serial_after after = { 0 };
	uint8_t *out = data;
	uint32_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < size; i++)
		out[i] = offset + i < SERIAL_NR_PORTS ?
			 serial_read_reg(s, offset + i) : 0xff;
	serial_finish_locked(s, &after);
	serial_unlock(s, &after);
}

void serial_pio_write(void *opaque, uint64_t offset, const void *data,
		      uint32_t size)
{
	struct serial *s = opaque;
	struct serial_after after = { 0 };
	const uint8_t *in = data;
	uint32_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < size && offset + i < SERIAL_NR_PORTS; i++)
		serial_write_reg(s, offset + i, in[i], &after);
	serial_finish_locked(s, &after);
	serial_unlock(s, &after);
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	struct serial_after after = { 0 };
	size_t n, i;

	pthread_mutex_lock(&s->lock);
	n = serial_room_locked(s);
	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		serial_rx_push(s, buf[i]);
	s->rx_bytes += n;
	if (n < len)
		s->rx_blocked = true;
	serial_update_irq(s);
	serial_unlock(s, &after);
	return n;
}

size_t serial_rx_room(struct serial *s)
{
	size_t room;

	pthread_mutex_lock(&s->lock);
	room = serial_room_locked(s);
	if (!room)
		s->rx_blocked = true;	/* the caller will wait for rx_hook */
	pthread_mutex_unlock(&s->lock);
	return room;
}

bool serial_can_receive(struct serial *s)
{
	return serial_rx_room(s) > 0;
}

void serial_set_output_hook(struct serial *s, void (*hook)(void *opaque),
			    void *opaque)
{
	pthread_mutex_lock(&s->lock);
	s->output_hook = hook;
	s->output_hook_opaque = opaque;
	pthread_mutex_unlock(&s->lock);
}

void serial_set_rx_hook(struct serial *s, void (*hook)(void *opaque),
			void *opaque)
{
	pthread_mutex_lock(&s->lock);
	s->rx_hook = hook;
	s->rx_hook_opaque = opaque;
	pthread_mutex_unlock(&s->lock);
}

void serial_print_stats(struct serial *s, FILE *f)
{
	uint64_t out, in, dropped;

	pthread_mutex_lock(&s->lock);
	out = s->tx_bytes;
	in = s->rx_bytes;
	dropped = s->tx_dropped;
	pthread_mutex_unlock(&s->lock);
	fprintf(f, "minivmm: serial: %llu bytes out, %llu bytes in, %llu bytes "
		"dropped (console full or failing)\n", (unsigned long long)out,
		(unsigned long long)in, (unsigned long long)dropped);
}

/* ---- snapshots ---- */

void serial_save(struct serial *s, struct state_writer *w)
{
	pthread_mutex_lock(&s->lock);
	state_put_u8(w, s->ier);
	state_put_u8(w, s->lcr);
	state_put_u8(w, s->mcr);
	state_put_u8(w, s->msr);
	state_put_u8(w, s->scr);
	state_put_u8(w, s->fcr);
	state_put_u8(w, s->lsr);
	state_put_u8(w, s->dll);
	state_put_u8(w, s->dlm);
	state_put_u8(w, s->thr_ipending);
	state_put_u8(w, (uint8_t)s->irq_level);
	state_put_u8(w, (uint8_t)s->rx_count);
	for (unsigned int i = 0; i < s->rx_count; i++)
		state_put_u8(w, s->rx[(s->rx_head + i) % SERIAL_RX_FIFO_SIZE]);
	pthread_mutex_unlock(&s->lock);
}

int serial_load(struct serial *s, struct state_reader *r)
{
	struct serial_after after = { false, false };
	unsigned int count;

	pthread_mutex_lock(&s->lock);
	s->ier = state_get_u8(r) & UART_IER_MASK;
	s->lcr = state_get_u8(r);
	s->mcr = state_get_u8(r) & UART_MCR_MASK;
	s->msr = state_get_u8(r);
	s->scr = state_get_u8(r);
	s->fcr = state_get_u8(r) & (UART_FCR_ENABLE | 0xc0);
	s->lsr = state_get_u8(r) & UART_LSR_ERR;
	s->dll = state_get_u8(r);
	s->dlm = state_get_u8(r);
	s->thr_ipending = state_get_u8(r) != 0;
	s->irq_level = state_get_u8(r) != 0;
	count = state_get_u8(r);
	serial_rx_clear(s);
	if (count > serial_rx_capacity(s))
		state_reader_fail(r);
	for (unsigned int i = 0; i < count && !r->bad; i++)
		serial_rx_push(s, state_get_u8(r));
	if (!state_reader_done(r)) {
		pthread_mutex_unlock(&s->lock);
		return -EINVAL;
	}
	/* The line as the restored registers say (the IOAPIC came back too). */
	serial_finish_locked(s, &after);
	serial_unlock(s, &after);
	return 0;
}
