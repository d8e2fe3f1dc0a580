/*
 * The hypervisor's log (see hv/log.h): formats each line into a bounded buffer, makes it
 * printable and hands it to the console in one piece, with "error:"/"warning:" prefixes.
 * While guests run, a storm guard keeps any one call site (e.g. a warning a guest can
 * trigger with every call) to a few lines a second and counts the rest. One line at a time
 * from all CPUs: log_lock orders them, so that the console never interleaves two.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/log_ring.h>
#include <hv/spinlock.h>
#include <hv/string.h>

#include <stdarg.h>

#define LOG_LINE_MAX 256
#define STORM_SITES 8		   /* call sites watched at once */
#define STORM_LINES_PER_SECOND 10  /* lines one site may print per second */
#define LOG_RING_BYTES (64 * 1024) /* the recent lines the management API serves */

static enum log_level current_level = LOG_INFO;

/*
 * Guards the console's line output, the ring of recent lines' appends and the storm guard
 * below, for every CPU. Not taken once a CPU has begun its dying words (log_begin_dump): it
 * may hold the lock itself, from the line it was writing when it faulted.
 */
static struct spinlock log_lock = SPINLOCK_INIT;
static int dumping;

static int log_lock_take(void)
{
	if (__atomic_load_n(&dumping, __ATOMIC_RELAXED))
		return 0;
	spin_lock(&log_lock);
	return 1;
}

static void log_lock_give(int taken)
{
	if (taken)
		spin_unlock(&log_lock);
}

void log_begin_dump(void)
{
	__atomic_store_n(&dumping, 1, __ATOMIC_RELAXED);
	console_begin_dump(); /* its locks too: this CPU may hold one */
}

/* Every printed line, also kept for GET /api/v1/log (hv/net/API.md). */
static uint8_t ring_store[LOG_RING_BYTES];
static struct log_ring ring;

struct log_ring *log_recent(void)
{
	if (!ring.buf)
		log_ring_init(&ring, ring_store, sizeof(ring_store));
	return &ring;
}

/* A call site (its format string) and its lines in the current one-second window. */
struct storm_site {
	const char *fmt;
	uint64_t window_start;
	uint32_t lines;
	uint64_t suppressed;
};

static struct storm_guard {
	int enabled;
	struct storm_site sites[STORM_SITES];
	unsigned int next_victim; /* the slot a new call site takes when all are in use */
} storm;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_level_from_name(const char *name, enum log_level *level)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(name, names[i])) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void log_write(enum log_level level, const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = strlcpy(line, prefix, sizeof(line));
	int len = fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);

	if ((size_t)len >= sizeof(line) - n) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n'; /* cut short: still a whole line */
	} else {
		n += (size_t)len;
	}
	/* Text from outside (option lines, names) may be in it: the console sees no raw bytes. */
	for (size_t i = 0; i < n; i++)
		if ((line[i] < 0x20 || line[i] == 0x7f) && line[i] != '\n' && line[i] != '\t')
			line[i] = '?';
	log_ring_append(log_recent(), level, line, n);
	console_log_write(line, n);
}

__attribute__((format(printf, 2, 3))) static void log_write_args(const char *prefix,
								 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(LOG_WARN, prefix, fmt, ap);
	va_end(ap);
}

/* Says how many lines of site were held back, if any, and starts counting anew. */
static void storm_report(struct storm_site *site)
{
	char what[48];
	size_t n = 0;

	if (!site->suppressed)
		return;
	while (n < sizeof(what) - 1 && site->fmt[n] && site->fmt[n] != '\n') {
		what[n] = site->fmt[n];
		n++;
	}
	what[n] = '\0';
	log_write_args("warning: ", "log: %llu similar lines suppressed (\"%s\")\n",
		       (unsigned long long)site->suppressed, what);
	site->suppressed = 0;
}

/* 1 if a line from the call site fmt may be printed now. */
static int storm_allows(const char *fmt)
{
	uint64_t now = arch_cycles(), second = arch_tsc_hz();
	struct storm_site *site = 0;

	for (unsigned int i = 0; i < STORM_SITES && !site; i++)
		if (storm.sites[i].fmt == fmt)
			site = &storm.sites[i];
	if (!site) {
		site = &storm.sites[storm.next_victim++ % STORM_SITES];
		storm_report(site);
		*site = (struct storm_site){ .fmt = fmt, .window_start = now };
	}
	if (now - site->window_start >= second) {
		storm_report(site);
		site->window_start = now;
		site->lines = 0;
	}
	if (site->lines >= STORM_LINES_PER_SECOND) {
		site->suppressed++;
		return 0;
	}
	site->lines++;
	return 1;
}

void log_set_storm_guard(int enabled)
{
	int taken = log_lock_take();

	if (!enabled)
		for (unsigned int i = 0; i < STORM_SITES; i++)
			storm_report(&storm.sites[i]);
	storm = (struct storm_guard){ .enabled = enabled };
	log_lock_give(taken);
}

static const char *prefix_of(enum log_level level)
{
	return level == LOG_ERROR ? "error: " : level == LOG_WARN ? "warning: " : "";
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	int taken;

	if (level > current_level)
		return;
	taken = log_lock_take();
	if (!storm.enabled || storm_allows(fmt)) {
		va_start(ap, fmt);
		log_write(level, prefix_of(level), fmt, ap);
		va_end(ap);
	}
	log_lock_give(taken);
}

int log_printf_nmi(enum log_level level, const char *fmt, ...)
{
	int dumping_now = __atomic_load_n(&dumping, __ATOMIC_RELAXED);
	va_list ap;

	if (level > current_level)
		return 1;
	if (!dumping_now && !spin_trylock(&log_lock))
		return 0;
	va_start(ap, fmt);
	log_write(level, prefix_of(level), fmt, ap);
	va_end(ap);
	if (!dumping_now)
		spin_unlock(&log_lock);
	return 1;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	hv_stop_other_cpus(); /* nothing runs on while this one reports */
	log_begin_dump();
	console_stop_async(); /* what was queued first, then this, straight out */
	va_start(ap, fmt);
	log_write(LOG_ERROR, "PANIC: ", fmt, ap);
	va_end(ap);
	hv_stop_fatal(3);
}
