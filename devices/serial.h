/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART (COM1): the register model Linux's 8250 driver expects, with
 * THRE and RDA interrupts, DLAB, FIFO control and loopback for the probe.
 * Guest output goes straight to a file descriptor, never waiting for it
 * (a full console drops bytes, counted); host input is pushed in with
 * serial_receive().  All entry points are thread safe.
 */
#ifndef MINIVMM_SERIAL_H
#define MINIVMM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Report the new level of the interrupt line: 1 = an enabled interrupt is
 * pending.  Called only when the level changes, with the UART's lock held,
 * so it must not call back into the serial device.
 */
typedef void (*irq_set_fn)(void *opaque, int level);

#define SERIAL_NR_PORTS		8	/* register window length */
#define SERIAL_RX_FIFO_SIZE	64	/* bytes the guest can have pending */

struct serial {
	/* private */
	pthread_mutex_t lock;
	int out_fd;
	irq_set_fn set_irq;
	void *irq_opaque;
	void (*output_hook)(void *opaque);
	void *output_hook_opaque;
	bool output_seen;
	void (*rx_hook)(void *opaque);
	void *rx_hook_opaque;
	bool rx_blocked;	/* the host was refused input: wake it */

	uint8_t ier, lcr, mcr, msr, scr, fcr;
	uint8_t lsr;		/* only the error bits; the rest is derived */
	uint8_t dll, dlm;
	bool thr_ipending;	/* THRE interrupt not yet acknowledged */
	int irq_level;		/* last level reported */

	uint8_t rx[SERIAL_RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;

	uint64_t tx_bytes, rx_bytes, tx_dropped;

	/* Optional copy of every output byte (-console-log), bounded. */
	int log_fd;
	uint64_t log_room;	/* bytes the log may still take */
	uint64_t log_bytes, log_dropped;
};

/*
 * Snapshots: the registers and the bytes waiting in the RX FIFO (the
 * host side, output and log, is the new process's own).  serial_load()
 * checks every field and sets the interrupt line to match; -EINVAL for a
 * malformed state.
 */
struct state_writer;
struct state_reader;
void serial_save(struct serial *s, struct state_writer *w);
int serial_load(struct serial *s, struct state_reader *r);

void serial_init(struct serial *s, int out_fd, irq_set_fn set_irq,
		 void *irq_opaque);	/* out_fd -1 = discard output */
void serial_destroy(struct serial *s);

/* bus_read_fn / bus_write_fn; opaque = struct serial *, offset 0..7. */
void serial_pio_read(void *opaque, uint64_t offset, void *data,
		     uint32_t size);
void serial_pio_write(void *opaque, uint64_t offset, const void *data,
		      uint32_t size);

/* Host -> guest input; returns bytes accepted (0 when the FIFO is full). */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);
bool serial_can_receive(struct serial *s);
/* How many bytes serial_receive() would accept right now. */
size_t serial_rx_room(struct serial *s);

/*
 * Also append every byte the guest sends to log_fd (a file), whatever
 * happens to out_fd, until max_bytes have been written; later bytes are
 * counted in log_dropped.  Each byte is written at once (no buffer), so
 * the log holds the last line even if the process is killed.
 */
void serial_set_log(struct serial *s, int log_fd, uint64_t max_bytes);

/* -stats: one line with the bytes out, in and dropped (console full). */
void serial_print_stats(struct serial *s, FILE *f);

/* Called once, at the first byte the guest sends (for -trace-boot). */
void serial_set_output_hook(struct serial *s, void (*hook)(void *opaque),
			    void *opaque);
/*
 * Optional: called (on the vCPU thread, without the lock) when the guest
 * has drained the RX FIFO, so a host that stopped reading its input
 * because the FIFO was full can resume.
 */
void serial_set_rx_hook(struct serial *s, void (*hook)(void *opaque),
			void *opaque);

#endif
