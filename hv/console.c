/*
 * The console multiplexer (see hv/console.h): per-source byte queues and the drain that
 * moves them to the serial line without ever waiting for it while guests run, and to the
 * screen (hv/screen.h), which gets the same bytes as the line and is drawn a bounded piece
 * at a time. Lines are never interleaved: the drain finishes a source's line before it
 * turns to another, takes Shunt's own log first and then one line per VM in turn. The state
 * here is the machine's one console; with more CPUs it is to be guarded by one lock.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/screen.h>
#include <hv/serial.h>
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
static struct console_queue log_queue = { .data = log_data,
					  .size = CONSOLE_LOG_QUEUE_SIZE,
					  .last = '\n' };

static struct {
	int async;
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

static void set_due(uint64_t output)
{
	output_due = output;
	console_due = output;
	for (unsigned int i = 0; i < CONSOLE_POLLERS; i++)
		if (poller_due[i] < console_due)
			console_due = poller_due[i];
}

void console_set_poller_due(enum console_poller who, uint64_t due)
{
	poller_due[who] = due;
	set_due(output_due);
}

void console_queue_init(struct console_queue *q, uint8_t *data, uint32_t size, const char *prefix)
{
	*q = (struct console_queue){ .data = data, .size = size, .prefix = prefix, .last = '\n' };
}

uint32_t console_queue_used(const struct console_queue *q)
{
	return q->tail - q->head;
}

uint32_t console_queue_space(const struct console_queue *q)
{
	return q->size - console_queue_used(q) - 1;
}

static void queue_put(struct console_queue *q, uint8_t c)
{
	q->data[q->tail++ & (q->size - 1)] = c;
	q->newlines += c == '\n';
	q->last = c;
}

int console_queue_write(struct console_queue *q, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;

	if (len > console_queue_space(q))
		return -ENOSPC;
	for (uint32_t i = 0; i < len; i++)
		queue_put(q, p[i]);
	if (output_due == UINT64_MAX)
		set_due(0); /* the line was idle: start sending at the next chance */
	return 0;
}

void console_queue_close_line(struct console_queue *q)
{
	if (q->last != '\n') {
		queue_put(q, '\n'); /* the byte console_queue_space() keeps back */
		if (output_due == UINT64_MAX)
			set_due(0);
	}
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
 */
static int is_ready(const struct console_queue *q)
{
	uint32_t used = console_queue_used(q);

	return used && (q->newlines || used >= CONSOLE_LINE_MAX || q->eager);
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

/*
 * Formats the next piece of one source's line into mux.out: the prefix at a line's start,
 * printable bytes, "\r\n" at its end. Returns 0 when no source has anything to drain.
 */
static int refill(void)
{
	struct console_queue *q = pick_source();

	mux.out_len = mux.out_pos = 0;
	if (!q)
		return 0;
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
			q->newlines--;
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
 * whoever reads the line, a harness say, finds the screen drawn up to it).
 */
static void write_now(const char *s, size_t len)
{
	if (console_screen) {
		screen_write(console_screen, s, len);
		screen_flush(console_screen, SCREEN_ALL);
	}
	arch_console_write(s, len);
}

void console_poll(void)
{
	int screen_left = 0;
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
	if (mux.out_pos == mux.out_len && !pick_source())
		due = UINT64_MAX;
	else
		due = arch_cycles() + line_cycles(sent ? sent : 1);
	if (screen_left && screen_due < due)
		due = screen_due; /* cells are left to draw */
	set_due(due);
}

/* Everything queued, out now, waiting for the line as long as it takes. */
static void drain_all(void)
{
	while (mux.out_pos != mux.out_len || pick_source())
		console_poll();
	if (console_screen)
		screen_flush(console_screen, SCREEN_ALL);
}

void console_start_async(void)
{
	mux.async = 1;
}

void console_stop_async(void)
{
	if (!mux.async || mux.stopping)
		return;
	mux.stopping = 1;
	for (unsigned int i = 0; i < mux.source_count; i++)
		console_queue_close_line(mux.sources[i]);
	console_queue_close_line(&log_queue); /* a line printed in pieces, cut short */
	drain_all();
	mux.async = 0;
	mux.stopping = 0;
	poller_due[CONSOLE_POLL_INPUT] = UINT64_MAX; /* no more input either: the VMs are done */
	set_due(UINT64_MAX);
	if (mux.log_lost) {
		char line[80];
		int n = fmt_snprintf(line, sizeof(line),
				     "warning: log: %llu bytes lost (log queue full)\n",
				     (unsigned long long)mux.log_lost);

		mux.log_lost = 0;
		write_now(line, (size_t)n);
	}
}

int console_log_write(const char *s, size_t len)
{
	if (!mux.async) {
		write_now(s, len);
		return 0;
	}
	if (console_queue_write(&log_queue, s, (uint32_t)len)) {
		mux.log_lost += len;
		return -ENOSPC;
	}
	return 0;
}
