/*
 * The ring of recent log lines (see hv/log_ring.h): variable-length records in a byte
 * ring, written and read a byte at a time across its wrap, the oldest evicted for a new one.
 */
#include <hv/log_ring.h>

#include <arch/relax.h>

#define RECORD_HEADER 11 /* seq, level, length */
/*
 * Then a writer gives up and counts its line as dropped (a reader: stops early). A holder
 * copies one record at most (a few hundred bytes): thousands of PAUSEs are far more than
 * that, and still short if the holder can never give it back (it faulted in the ring).
 */
#define LOCK_TRIES 4096

static int lock_take(struct log_ring *r)
{
	for (unsigned int i = 0; i < LOCK_TRIES; i++) {
		if (!__atomic_exchange_n(&r->lock, 1, __ATOMIC_ACQUIRE))
			return 0;
		arch_relax();
	}
	return -1;
}

static void lock_give(struct log_ring *r)
{
	__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
}

void log_ring_init(struct log_ring *r, void *buf, size_t size)
{
	*r = (struct log_ring){ .buf = buf, .size = size, .first = 1, .next = 1 };
}

static void copy_in(struct log_ring *r, size_t off, const void *src, size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		r->buf[(off + i) % r->size] = s[i];
}

static void copy_out(const struct log_ring *r, size_t off, void *dst, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = r->buf[(off + i) % r->size];
}

/* The record at off: its seq, level and text length. */
static void header_at(const struct log_ring *r, size_t off, uint64_t *seq, uint8_t *level,
		      uint16_t *len)
{
	uint8_t h[RECORD_HEADER];

	copy_out(r, off, h, sizeof(h));
	*seq = 0;
	for (int i = 7; i >= 0; i--)
		*seq = *seq << 8 | h[i];
	*level = h[8];
	*len = (uint16_t)(h[9] | h[10] << 8);
}

static void evict_oldest(struct log_ring *r)
{
	uint64_t seq;
	uint8_t level;
	uint16_t len;

	header_at(r, r->head, &seq, &level, &len);
	r->head = (r->head + RECORD_HEADER + len) % r->size;
	r->used -= RECORD_HEADER + len;
	r->first = seq + 1;
	__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED); /* read unlocked: /metrics */
}

void log_ring_append(struct log_ring *r, unsigned int level, const char *text, size_t len)
{
	uint8_t h[RECORD_HEADER];
	uint64_t seq;

	while (len && text[0] == '\n') { /* a blank line before the text (the banner's) */
		text++;
		len--;
	}
	if (len && text[len - 1] == '\n')
		len--;
	if (len > LOG_RING_TEXT_MAX)
		len = LOG_RING_TEXT_MAX;
	if (RECORD_HEADER + len > r->size)
		return;
	if (lock_take(r)) {
		__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	seq = r->next++;
	while (r->size - r->used < RECORD_HEADER + len)
		evict_oldest(r);
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)(seq >> (8 * i));
	h[8] = (uint8_t)level;
	h[9] = (uint8_t)len;
	h[10] = (uint8_t)(len >> 8);
	copy_in(r, r->head + r->used, h, sizeof(h));
	copy_in(r, r->head + r->used + RECORD_HEADER, text, len);
	if (r->used == 0)
		r->first = seq;
	r->used += RECORD_HEADER + len;
	lock_give(r);
}

/*
 * One record at a time under the lock, fn called with it released: a writer on another CPU
 * waits at most one record's copy, never a reader's whole page. Records never move, so the
 * place reached (off, the record of seq cur) stays good while cur is still kept; a reader
 * overtaken by the wrap starts again at the oldest line.
 */
unsigned int log_ring_read(struct log_ring *r, uint64_t after, unsigned int limit, log_ring_fn fn,
			   void *ctx, uint64_t *first, uint64_t *dropped)
{
	char text[LOG_RING_TEXT_MAX];
	unsigned int n = 0;
	size_t off = 0;
	uint64_t cur = 0; /* the seq of the record at off; 0: not placed yet */

	while (n < limit) {
		uint64_t seq = 0;
		uint8_t level = 0;
		uint16_t len = 0;

		if (lock_take(r))
			break;
		if (cur == 0) {
			if (first)
				*first = r->used ? r->first : r->next;
			if (dropped)
				*dropped = r->dropped;
		}
		if (cur < r->first || !r->used) { /* the start, or the wrap passed us */
			off = r->head;
			cur = r->first;
		}
		while (r->used && cur < r->next) {
			header_at(r, off, &seq, &level, &len);
			off = (off + RECORD_HEADER + len) % r->size;
			cur = seq + 1;
			if (seq > after)
				break;
		}
		if (seq <= after) { /* none left */
			lock_give(r);
			break;
		}
		copy_out(r, (off + r->size - len) % r->size, text, len);
		lock_give(r);
		fn(ctx, seq, level, text, len);
		after = seq;
		n++;
	}
	return n;
}

void log_ring_mark(struct log_ring *r)
{
	__atomic_store_n(&r->mark, r->next - 1, __ATOMIC_RELAXED);
}

uint64_t log_ring_marked(const struct log_ring *r)
{
	return __atomic_load_n(&r->mark, __ATOMIC_RELAXED);
}

uint64_t log_ring_dropped(const struct log_ring *r)
{
	return __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
}
