/*
 * The console multiplexer (see hv/console.h): per-source byte queues and the drain that
 * moves them to the serial line without ever waiting for it while guests run, and to the
 * screen (hv/screen.h), which gets the same bytes as the line and is drawn a bounded piece
 * at a time. Lines are never interleaved: the drain finishes a source's line before it
 * turns to another, takes Shunt's own log first and then one line per VM in turn. The state
 * here is the machine's one console. Locks (hv/LOCKING.md): each queue's own (its writers on
 * any CPU and the drain), line_lock (the serial line, the screen and the drain's state: the
 * drain on CPU 0 and log lines written straight out from any CPU) and due_lock (when the
 * drain runs next, which a writer on another CPU may have to bring forward).
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/screen.h>
#include <hv/serial.h>
#include <hv/spinlock.h>
#include <hv/string.h>

#define SERIAL_BITS_PER_BYTE 10u /* start, 8 data, stop */
#define OUT_MAX 64u		 /* formatted bytes staged for the line */
/*
 * While guests run, the screen is drawn at most this many changed cells a poll, a poll every
 * SCREEN_POLL_HZ-th of a second while cells are left: a scroll redraws most of the screen, so
 * lines that come faster than that are drawn together. The cost is bounded by time, not by
 * output: 4,000 cells a second at most (VGA text: 8 KB of writes; a framebuffer: half a
 * million pixels), and only while the screen is behind (make bench holds it to this).
 */
#define SCREEN_POLL_CELLS 400u
#define SCREEN_POLL_HZ 10u

static uint32_t line_baud = SERIAL_BAUD_DEFAULT;
struct screen *console_screen;
static uint64_t screen_due; /* arch_cycles() of the screen's next turn while guests run */

static uint8_t log_data[CONSOLE_LOG_QUEUE_SIZE];
static struct console_queue log_queue = {
	.lock = SPINLOCK_INIT, .data = log_data, .size = CONSOLE_LOG_QUEUE_SIZE, .last = '\n'
};

/*
 * Lock order: hv/log.c's log_lock, then line_lock, then one queue's lock; due_lock is taken
 * with no queue's held. Lock tries when a CPU is dying, or for the log queue (an NMI's line
 * may come while its CPU drains that queue): then bounded, and a lock not had is passed by.
 */
static struct spinlock line_lock = SPINLOCK_INIT; /* the line, the screen, mux, screen_due */
static struct spinlock due_lock = SPINLOCK_INIT;  /* output_due, poller_due, console_due */
static int dumping;				  /* console_begin_dump() */
#define LOCK_TRIES (1u << 16)

static int lock_try_bounded(struct spinlock *l)
{
	for (unsigned int i = 0; i < LOCK_TRIES; i++) {
		if (spin_trylock(l))
			return 1;
		arch_relax();
	}
	return 0;
}

/* Takes l (1), or when a CPU is dying only if it can be had soon (1, else 0). */
static int lock_take(struct spinlock *l)
{
	if (__atomic_load_n(&dumping, __ATOMIC_RELAXED))
		return lock_try_bounded(l);
	spin_lock(l);
	return 1;
}

static void lock_give(struct spinlock *l, int taken)
{
	if (taken)
		spin_unlock(l);
}

void console_begin_dump(void)
{
	__atomic_store_n(&dumping, 1, __ATOMIC_RELAXED);
}

static struct {
	int async;    /* written with the log queue's lock held, read by log writers under it */
	int stopping; /* console_stop_async() is draining (a fault in it must not recurse) */
	struct console_queue *sources[CONSOLE_SOURCES_MAX];
	unsigned int source_count;
	unsigned int next;	       /* the VM source whose turn is next */
	struct console_queue *current; /* the source whose line is half drained, or NULL */
	struct console_queue *open;    /* an eager source whose partial line was drained */
	char out[OUT_MAX];	       /* formatted, not yet taken by the line */
	uint32_t out_len, out_pos;
	uint64_t log_lost; /* log bytes dropped because the log queue was full */
} mux;

uint64_t console_due = UINT64_MAX;	 /* next host work, in arch_cycles() (console.h) */
static uint64_t output_due = UINT64_MAX; /* the line's next turn; UINT64_MAX: idle */
static uint64_t poller_due[CONSOLE_POLLERS] = { UINT64_MAX, UINT64_MAX }; /* the others' */

/* With due_lock held. */
static void set_due(uint64_t output)
{
	uint64_t due = output;

	__atomic_store_n(&output_due, output, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < CONSOLE_POLLERS; i++)
		if (poller_due[i] < due)
			due = poller_due[i];
	__atomic_store_n(&console_due, due, __ATOMIC_RELAXED);
}

static void set_due_locked(uint64_t output)
{
	spin_lock(&due_lock);
	set_due(output);
	spin_unlock(&due_lock);
}

void console_set_poller_due(enum console_poller who, uint64_t due)
{
	spin_lock(&due_lock);
	poller_due[who] = due;
	set_due(output_due);
	spin_unlock(&due_lock);
}

void console_queue_init(struct console_queue *q, uint8_t *data, uint32_t size, const char *prefix)
{
	*q = (struct console_queue){
		.lock = SPINLOCK_INIT, .data = data, .size = size, .prefix = prefix, .last = '\n'
	};
}

void console_queue_lock(struct console_queue *q)
{
	spin_lock(&q->lock);
}

static int is_ready(const struct console_queue *q);

/*
 * The drain goes idle (output_due UINT64_MAX) before it looks at the queues a last time,
 * each under its lock (go_idle()); a writer reads output_due before it gives its queue's
 * lock back. So either the drain's last look comes after the writer's bytes, or the writer
 * sees the drain idle and wakes it: its bytes are never left waiting unseen. Only for a
 * line to drain (is_ready()): a line's first bytes leave the drain asleep, its end wakes it.
 */
void console_queue_unlock(struct console_queue *q)
{
	int wake = __atomic_load_n(&output_due, __ATOMIC_RELAXED) == UINT64_MAX && is_ready(q);

	spin_unlock(&q->lock);
	/*
	 * Bounded: an NMI's log line (log_printf_nmi()) may come while its own CPU holds
	 * due_lock; that line then waits for the drain's next turn instead of the CPU for good.
	 */
	if (wake && lock_try_bounded(&due_lock)) {
		if (output_due == UINT64_MAX)
			set_due(0); /* the line was idle: start sending at the next chance */
		spin_unlock(&due_lock);
	}
}

uint32_t console_queue_used(const struct console_queue *q)
{
	return __atomic_load_n(&q->tail, __ATOMIC_RELAXED) - q->head;
}

uint32_t console_queue_space(const struct console_queue *q)
{
	return q->size - console_queue_used(q) - 1;
}

/* Appends len bytes that fit, the byte kept back included. */
static void queue_put(struct console_queue *q, const uint8_t *p, uint32_t len)
{
	uint32_t tail = q->tail, newlines = 0;

	for (uint32_t i = 0; i < len; i++) {
		q->data[tail++ & (q->size - 1)] = p[i];
		newlines += p[i] == '\n';
	}
	q->last = p[len - 1];
	/* tail and newlines are the drain's hint, read unlocked: each stored whole. */
	__atomic_store_n(&q->newlines, q->newlines + newlines, __ATOMIC_RELAXED);
	__atomic_store_n(&q->tail, tail, __ATOMIC_RELAXED);
}

int console_queue_write(struct console_queue *q, const void *buf, uint32_t len)
{
	if (len > console_queue_space(q))
		return -ENOSPC;
	if (len)
		queue_put(q, buf, len);
	return 0;
}

void console_queue_close_line(struct console_queue *q)
{
	if (q->last != '\n')
		queue_put(q, (const uint8_t *)"\n",
			  1); /* the byte console_queue_space() keeps back */
}

int console_source_add(struct console_queue *q)
{
	if (mux.source_count == CONSOLE_SOURCES_MAX)
		return -ENOSPC;
	mux.sources[mux.source_count++] = q;
	return 0;
}

/*
 * A source with a line to drain: a whole one, one as long as a line may be, a last one, or
 * any bytes of an eager source (the VM that has the input focus: its echo and prompts).
 * Read without the queue's lock, as a hint: refill() drains under it.
 */
static int is_ready(const struct console_queue *q)
{
	uint32_t used = console_queue_used(q);

	return used && (__atomic_load_n(&q->newlines, __ATOMIC_RELAXED) ||
			used >= CONSOLE_LINE_MAX || q->eager);
}

/* The same with q's lock taken: a look that a writer's unlock is ordered against. */
static int is_ready_locked(struct console_queue *q)
{
	int taken = lock_take(&q->lock), ready = taken && is_ready(q);

	lock_give(&q->lock, taken);
	return ready;
}

static struct console_queue *pick_source(void)
{
	if (mux.current)
		return mux.current;
	if (is_ready(&log_queue))
		return &log_queue;
	for (unsigned int i = 0; i < mux.source_count; i++) {
		struct console_queue *q = mux.sources[(mux.next + i) % mux.source_count];

		if (is_ready(q)) {
			mux.next = (mux.next + i + 1) % mux.source_count;
			return q;
		}
	}
	return NULL;
}

static int is_terminal_control(char c)
{
	return c == '\r' || c == '\b' || c == '\x1b' || c == '\a';
}

static void stage(const char *s, uint32_t len)
{
	memcpy(mux.out + mux.out_len, s, len);
	mux.out_len += len;
}

static int refill_from(struct console_queue *q);

/*
 * Formats the next piece of one source's line into mux.out: the prefix at a line's start,
 * printable bytes, "\r\n" at its end. Returns 0 when no source has anything to drain.
 * With line_lock held; takes the source's lock while it moves its bytes.
 */
static int refill(void)
{
	struct console_queue *q = pick_source();
	int ret, taken;

	mux.out_len = mux.out_pos = 0;
	if (!q)
		return 0;
	taken = lock_take(&q->lock);
	if (!taken)
		return 0; /* a dying CPU's writer holds it: passed by */
	ret = refill_from(q);
	lock_give(&q->lock, taken);
	return ret;
}

static int refill_from(struct console_queue *q)
{
	/* Another source's turn ends the partial line an eager one left open. */
	if (mux.open && mux.open != q && mux.open->column) {
		stage("\r\n", 2);
		mux.open->column = 0;
	}
	mux.open = NULL;
	mux.current = q;
	if (q->column == 0 && q->prefix) {
		size_t n = strlen(q->prefix);

		if (n > OUT_MAX - 8)
			n = OUT_MAX - 8;
		stage("[", 1);
		stage(q->prefix, (uint32_t)n);
		stage("] ", 2);
	}
	while (mux.out_len < OUT_MAX - 2 && console_queue_used(q)) {
		char c = (char)q->data[q->head++ & (q->size - 1)];

		if (c == '\n') {
			__atomic_store_n(&q->newlines, q->newlines - 1, __ATOMIC_RELAXED);
			goto line_end;
		}
		if (c == '\r' && !q->eager)
			continue;
		/*
		 * Whatever a guest writes, the admin's terminal sees printable text; but the VM
		 * being typed to drives it as a terminal of its own (line editing: carriage
		 * return, backspace, escape sequences, the bell).
		 */
		mux.out[mux.out_len++] =
			(c >= 0x20 && c < 0x7f) || c == '\t' || (q->eager && is_terminal_control(c))
				? c
				: '?';
		if (++q->column == CONSOLE_LINE_MAX - 1 && q->prefix)
			goto line_end;
	}
	/* More of this line next time. */
	if (console_queue_used(q))
		return 1;
	if (q->eager) { /* the line goes on when the VM writes more */
		mux.current = NULL;
		mux.open = q;
		return 1;
	}
line_end: /* or out of bytes mid-line (a broken queue only): end it */
	stage("\r\n", 2);
	q->column = 0;
	mux.current = NULL;
	return 1;
}

void console_screen_detach(void)
{
	int taken = lock_take(&line_lock);

	console_screen = NULL;
	lock_give(&line_lock, taken);
}

void console_set_baud(uint32_t baud)
{
	line_baud = baud ? baud : SERIAL_BAUD_DEFAULT;
}

uint64_t console_line_ns(uint64_t n)
{
	return n * SERIAL_BITS_PER_BYTE * 1000000000ull / line_baud;
}

static uint64_t line_cycles(uint64_t n)
{
	return n * SERIAL_BITS_PER_BYTE * arch_tsc_hz() / line_baud;
}

/*
 * Straight out, waiting for the line: the screen drawn whole, then the serial port (so that
 * whoever reads the line, a harness say, finds the screen drawn up to it). With line_lock.
 */
static void write_now(const char *s, size_t len)
{
	if (console_screen) {
		screen_write(console_screen, s, len);
		screen_flush(console_screen, SCREEN_ALL);
	}
	arch_console_write(s, len);
}

/*
 * Nothing to drain: goes idle, then looks at every source once more, each under its lock (a
 * writer that came in between either shows here or sees the idle drain and wakes it).
 * Returns the drain's next time: UINT64_MAX, or 0 if a source is ready after all.
 */
static uint64_t go_idle(void)
{
	set_due_locked(UINT64_MAX);
	if (is_ready_locked(&log_queue))
		return 0;
	for (unsigned int i = 0; i < mux.source_count; i++)
		if (is_ready_locked(mux.sources[i]))
			return 0;
	return UINT64_MAX; /* poll_locked() then keeps a writer's 0 */
}

/* console_poll() with line_lock held. */
static void poll_locked(void)
{
	int screen_left = 0, idle = 0;
	size_t sent = 0;
	uint64_t due;

	for (;;) {
		size_t n;

		if (mux.out_pos == mux.out_len && !refill())
			break;
		n = arch_console_write_nowait(mux.out + mux.out_pos, mux.out_len - mux.out_pos);
		if (n == 0)
			break;
		if (console_screen)
			screen_write(console_screen, mux.out + mux.out_pos, n);
		mux.out_pos += (uint32_t)n;
		sent += n;
	}
	/* The screen's turn comes by time, however often the serial line wants polling. */
	if (console_screen && arch_cycles() >= screen_due) {
		screen_left = screen_flush(console_screen, SCREEN_POLL_CELLS);
		screen_due = arch_cycles() + arch_tsc_hz() / SCREEN_POLL_HZ;
	} else if (console_screen) {
		screen_left = screen_is_behind(console_screen);
	}
	/* Come back when the line has sent what it took (or one byte's time if it was busy). */
	if (mux.out_pos == mux.out_len && !pick_source()) {
		idle = 1;
		due = go_idle();
	} else {
		due = arch_cycles() + line_cycles(sent ? sent : 1);
	}
	if (screen_left && screen_due < due)
		due = screen_due; /* cells are left to draw */
	spin_lock(&due_lock);
	if (idle && output_due < due)
		due = output_due; /* a writer woke it since go_idle(): its 0 stands */
	set_due(due);
	spin_unlock(&due_lock);
}

void console_poll(void)
{
	int taken = lock_take(&line_lock);

	if (taken)
		poll_locked();
	lock_give(&line_lock, taken);
}

/* Everything queued, out now, waiting for the line as long as it takes. With line_lock. */
static void drain_all(void)
{
	while (mux.out_pos != mux.out_len || pick_source())
		poll_locked();
	if (console_screen)
		screen_flush(console_screen, SCREEN_ALL);
}

void console_start_async(void)
{
	spin_lock(&log_queue.lock);
	__atomic_store_n(&mux.async, 1, __ATOMIC_RELAXED);
	spin_unlock(&log_queue.lock);
}

/* Closes q's partial line, if its lock can be had. */
static void close_source(struct console_queue *q)
{
	int taken = lock_take(&q->lock);

	if (taken)
		console_queue_close_line(q);
	lock_give(&q->lock, taken);
}

void console_stop_async(void)
{
	int taken = lock_take(&line_lock), log_taken;
	uint64_t lost;

	if (!mux.async || mux.stopping) {
		lock_give(&line_lock, taken);
		return;
	}
	mux.stopping = 1;
	for (unsigned int i = 0; i < mux.source_count; i++)
		close_source(mux.sources[i]);
	close_source(&log_queue); /* a line printed in pieces, cut short */
	drain_all();
	/* A log line queued from here on would never be drained: they go straight out. */
	log_taken = lock_take(&log_queue.lock);
	__atomic_store_n(&mux.async, 0, __ATOMIC_RELAXED);
	lock_give(&log_queue.lock, log_taken);
	drain_all(); /* what came while the first drain ran */
	mux.stopping = 0;
	spin_lock(&due_lock);
	poller_due[CONSOLE_POLL_INPUT] = UINT64_MAX; /* no more input either: the VMs are done */
	set_due(UINT64_MAX);
	spin_unlock(&due_lock);
	lost = __atomic_exchange_n(&mux.log_lost, 0, __ATOMIC_RELAXED);
	if (lost) {
		char line[80];
		int n = fmt_snprintf(line, sizeof(line),
				     "warning: log: %llu bytes lost (log queue full)\n",
				     (unsigned long long)lost);

		write_now(line, (size_t)n);
	}
	lock_give(&line_lock, taken);
}

int console_log_write(const char *s, size_t len)
{
	int ret = 0;

	/*
	 * Bounded: the only other holder is the drain, for one piece of a line; the one that
	 * never gives it back is this CPU's own drain, interrupted by the NMI whose line this is.
	 */
	if (!lock_try_bounded(&log_queue.lock)) {
		__atomic_fetch_add(&mux.log_lost, len, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	if (__atomic_load_n(&mux.async, __ATOMIC_RELAXED)) {
		ret = console_queue_write(&log_queue, s, (uint32_t)len);
		if (ret)
			__atomic_fetch_add(&mux.log_lost, len, __ATOMIC_RELAXED);
		console_queue_unlock(&log_queue);
		return ret;
	}
	spin_unlock(&log_queue.lock);
	/*
	 * Straight out: the line lock keeps it whole beside the drain (async until just now).
	 * Tried a bounded time, as for the queue: an NMI's line may come while its own CPU
	 * drains; then it goes out all the same rather than never.
	 */
	{
		int taken = lock_try_bounded(&line_lock);

		write_now(s, len);
		lock_give(&line_lock, taken);
	}
	return 0;
}
