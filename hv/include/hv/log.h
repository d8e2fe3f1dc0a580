/*
 * The hypervisor's log: leveled, printf-style lines on the console. Lines at or below the
 * current level are printed; errors and warnings carry a prefix so they stand out in a log.
 */
#ifndef HV_LOG_H
#define HV_LOG_H

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info" or "debug"; returns 0, or -EINVAL for anything else. */
int log_level_from_name(const char *name, enum log_level *level);

/*
 * While on (guests running), each call site prints at most 10 lines a second; the rest are
 * counted and reported as "log: N similar lines suppressed". Turning it off reports what
 * is still held back.
 */
void log_set_storm_guard(int enabled);
/*
 * For a CPU about to print its dying words (a panic, an exception dump) and stop: from here
 * on lines go out without waiting for the lock that orders CPUs' lines, which that CPU may
 * hold itself. Other CPUs' lines may then interleave with the dump; it still comes out.
 */
void log_begin_dump(void);

/* The ring of recent lines (hv/log_ring.h) every printed line also goes into. */
struct log_ring *log_recent(void);

void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * log_printf for an NMI handler: the NMI may have interrupted this very CPU while it held
 * the log's lock, so the line is printed only if no CPU is writing one now. 1 if printed,
 * 0 if not (dropped: try again at the next NMI). Not subject to the storm guard.
 */
int log_printf_nmi(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/*
 * For broken host invariants only (never for anything a guest or an input did): prints the
 * message and stops the machine (powering it off in test mode).
 */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
