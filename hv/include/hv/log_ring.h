/*
 * Shunt's recent log lines (hv/net/API.md, GET /api/v1/log): every printed line also goes
 * into a ring of text with a sequence number (from 1) and its level; when the ring is full
 * the oldest lines are overwritten and counted as dropped. Readers page by sequence number.
 * Pure code (hv/log_ring.c), host-tested; hv/log.c owns the one ring Shunt has.
 *
 * The lock guards the ring's bytes and its head, tail and counters. It is taken with a
 * bounded number of tries: a writer that can not get it (a reader holds it on another CPU,
 * or a line printed while the ring itself was being written, as from a fault in it) counts
 * the line as dropped instead of waiting, so that logging can never hang the hypervisor.
 * Readers hold it for one record at a time (hv/LOCKING.md); dropped and mark may be read
 * without it (log_ring_dropped(), log_ring_marked()).
 */
#ifndef HV_LOG_RING_H
#define HV_LOG_RING_H

#include <hv/types.h>

#define LOG_RING_TEXT_MAX 255 /* the longest line kept (its newline is not kept) */

struct log_ring {
	uint8_t *buf; /* records: seq (8 bytes), level (1), length (2), text; wrapping */
	size_t size;
	size_t head, used; /* the oldest record's offset; bytes in use */
	uint64_t first;	   /* the oldest kept line's seq (next when empty) */
	uint64_t next;	   /* the seq the next line gets */
	uint64_t dropped;  /* lines overwritten or refused (the lock busy) since the start */
	uint64_t mark;	   /* log_ring_mark()'s seq: the last line of the boot report */
	volatile int lock;
};

/* A ring over buf of size bytes (at least 64), empty; its first line will be seq 1. */
void log_ring_init(struct log_ring *r, void *buf, size_t size);

/* Keeps len bytes of text (a trailing newline dropped, cut at LOG_RING_TEXT_MAX) at level. */
void log_ring_append(struct log_ring *r, unsigned int level, const char *text, size_t len);

/* One line as a reader gets it; text is not NUL-terminated. */
typedef void (*log_ring_fn)(void *ctx, uint64_t seq, unsigned int level, const char *text,
			    size_t len);

/*
 * Calls fn for the first limit lines (oldest first) whose seq is greater than after;
 * returns how many. *first, *dropped (unless NULL): the oldest seq kept, lines dropped, as
 * they were in the same moment. fn runs with the ring unlocked, one line at a time (lines
 * appended meanwhile may be among the later ones); it must not log all the same, as a line
 * printed for each line read would never end.
 */
unsigned int log_ring_read(struct log_ring *r, uint64_t after, unsigned int limit, log_ring_fn fn,
			   void *ctx, uint64_t *first, uint64_t *dropped);

/* Marks the last line kept so far (the end of the boot report): r->mark. */
void log_ring_mark(struct log_ring *r);
/* r->mark, and lines dropped so far: read whole, from any CPU, without the lock. */
uint64_t log_ring_marked(const struct log_ring *r);
uint64_t log_ring_dropped(const struct log_ring *r);

#endif
