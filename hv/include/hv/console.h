/*
 * Shunt's console multiplexer: the one serial line that carries Shunt's log and every VM's
 * output. Writers never wait for the line: they append to a queue (one per VM, one for
 * Shunt's log) and the scheduler drains the queues between slices and on a timer while
 * guests run, a FIFO's worth at a time, whole lines, fairly between VMs. Before the
 * scheduler starts and after it ends (and on a fatal error) output goes straight out.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/spinlock.h>
#include <hv/types.h>

#define CONSOLE_QUEUE_SIZE 8192u /* a VM's queue: two PV_CONSOLE_WRITE_MAX writes */
#define CONSOLE_LOG_QUEUE_SIZE 16384u
#define CONSOLE_LINE_MAX 160u /* a VM's line is broken after this many characters */

/*
 * Bytes waiting for the serial line, in a ring (indexes count bytes and wrap at 2^32).
 * Holds raw bytes; the drain adds the "[name] " prefix and makes them printable.
 *
 * lock guards data, head, tail, newlines and last: writers (a VM's vCPUs on any CPU; for
 * the log queue, whoever holds hv/log.c's log_lock) and the drain (CPU 0) take it. tail and
 * newlines are also read without it, as a hint of what to drain next. column and eager are
 * the drain's and the console input's, both host work on CPU 0: no lock (hv/LOCKING.md).
 */
struct console_queue {
	struct spinlock lock;
	uint8_t *data;
	uint32_t size;	    /* a power of two */
	uint32_t head;	    /* next byte to drain */
	uint32_t tail;	    /* next byte to write */
	uint32_t newlines;  /* '\n' bytes in [head, tail): complete lines waiting */
	uint32_t column;    /* characters of the current output line already drained */
	uint8_t last;	    /* the last byte written, to close a partial line */
	const char *prefix; /* printed as "[prefix] " before each line; NULL: none */
	uint8_t eager;	    /* partial lines go out at once (the VM with the input focus) */
};

/* Sets q up over data[size] (size a power of two) with the given line prefix. */
void console_queue_init(struct console_queue *q, uint8_t *data, uint32_t size, const char *prefix);
/*
 * A writer holds q's lock around what it checks and writes (console_queue_space, _write,
 * _close_line), so that its check still holds when it writes. The unlock wakes the drain
 * if it had gone idle: a writer on another CPU than the drain's is never left unseen.
 */
void console_queue_lock(struct console_queue *q);
void console_queue_unlock(struct console_queue *q);
/* Room for this many more bytes (one byte is kept for closing a partial line). Locked. */
uint32_t console_queue_space(const struct console_queue *q);
/* Appends len bytes if they all fit; returns 0 or -ENOSPC (then nothing is written). Locked. */
int console_queue_write(struct console_queue *q, const void *buf, uint32_t len);
/* The writer is done: a partial last line gets its '\n' and is drained like any other. Locked. */
void console_queue_close_line(struct console_queue *q);
/* Bytes still queued. */
uint32_t console_queue_used(const struct console_queue *q);

/*
 * Registers q as a VM's output source for the drain (at most CONSOLE_SOURCES_MAX: one for
 * each VM Shunt can run, VM_MAX, which hv/vm_console.c checks). 0 or -ENOSPC.
 */
#define CONSOLE_SOURCES_MAX 64
int console_source_add(struct console_queue *q);

/* From now on Shunt's log is queued too, and only the drain touches the serial line. */
void console_start_async(void);
/* Drains everything, waiting for the line as long as it takes, and goes back to writing
 * straight out. For the end of the run and for fatal errors. */
void console_stop_async(void);
/*
 * A CPU is dying (hv/log.c's log_begin_dump): from now on the console's locks are tried a
 * bounded time only, as that CPU may hold one from what it was doing when it faulted.
 */
void console_begin_dump(void);

/*
 * Moves what the serial line takes right now without waiting (a FIFO's worth at most) and
 * returns. Bounded work: called between slices and whenever console_poll_due() passes.
 * Host work: CPU 0 only (the line lock keeps it apart from log lines written straight out).
 */
void console_poll(void);
/*
 * Other host work polled beside the console, whose next time (arch_cycles(), UINT64_MAX:
 * never) is folded into console_due, so that the run loop reads one word after every exit.
 */
enum console_poller {
	CONSOLE_POLL_INPUT, /* the console's input (hv/console_input.c) */
	CONSOLE_POLL_MGMT,  /* the management network (hv/net/mgmt.c) */
	CONSOLE_POLLERS,
};
void console_set_poller_due(enum console_poller who, uint64_t due);
/* When the console input is next polled (console_set_poller_due for CONSOLE_POLL_INPUT). */
static inline void console_set_input_due(uint64_t due)
{
	console_set_poller_due(CONSOLE_POLL_INPUT, due);
}
/*
 * The arch_cycles() at which console_poll() or another poller should run; UINT64_MAX: idle.
 * Read by CPU 0's run loop; written under the console's due lock, by a writer on any CPU
 * (0: the drain has work) or by CPU 0.
 */
extern uint64_t console_due;
static inline uint64_t console_poll_due(void)
{
	return __atomic_load_n(&console_due, __ATOMIC_RELAXED); /* after every exit: one load */
}

/* Shunt's own log lines (hv/log.c, with its log_lock held): straight out, or queued once the
 * console is async. Returns 0, or -ENOSPC when the log queue is full or its lock could not
 * be had (an NMI's line on a CPU inside the drain): the line is lost and counted. */
int console_log_write(const char *s, size_t len);

/* Nanoseconds the serial line needs for n bytes (at its baud rate, 10 bits a byte). */
uint64_t console_line_ns(uint64_t n);
/* The serial line's speed, for the pacing above (0: 115200, the default). */
void console_set_baud(uint32_t baud);

/* The screen Shunt draws its log on, or NULL (hv/console_setup.c sets it). */
struct screen;
extern struct screen *console_screen;
/* Shunt stops drawing on the screen, between two writes of the line (with line_lock). */
void console_screen_detach(void);

/*
 * Bringing the console up (hv/console_setup.c). console_setup() runs before the first line:
 * it opens the serial port the options chose (COM1 when that one can not be used) and the
 * screen the loader found, keeping any problem for console_report(), which prints what the
 * console is, and the problems, once it is up. console_map_devices() maps the console's
 * device memory into Shunt's own page tables: it must follow arch_paging_init() at once.
 */
struct hv_options;
struct handoff_screen;
void console_setup(const struct hv_options *opts, const struct handoff_screen *screen);
void console_report(void);
void console_map_devices(void);

/* The serial port the console uses (kind SERIAL_NONE: none); *pci_bdf is the PCI function
 * it belongs to, or UINT32_MAX. */
struct serial_spec;
const struct serial_spec *console_serial_device(uint32_t *pci_bdf);
/* 1 while Shunt draws its log on the screen. */
int console_screen_is_on(void);
/* Prints why (a line, on the screen too), then stops drawing on the screen for good: e.g. a
 * guest was granted the display. */
void console_screen_release(const char *why);

#endif
