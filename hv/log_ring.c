/*
 * The ring of recent log lines (see hv/log_ring.h): variable-length records in a byte
 * ring, written and read a byte at a time across its wrap, the oldest evicted for a new one.
 */
#include <hv/log_ring.h>

#define RECORD_HEADER 11 /* seq, level, length */
#define LOCK_TRIES 1000	 /* then a writer gives up and counts its line as dropped */

static int lock_take(struct log_ring *r)
{
	for (unsigned int i = 0; i < LOCK_TRIES; i++)
		if (!__atomic_exchange_n(&r->lock, 1, __ATOMIC_ACQUIRE))
			return 0;
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
	r->dropped++;
}

void log_ring_append(struct log_ring *r, unsigned int level, const char *text, size_t len)
{
	uint8_t h[RECORD_HEADER];
	uint64_t seq;

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

unsigned int log_ring_read(struct log_ring *r, uint64_t after, unsigned int limit, log_ring_fn fn,
			   void *ctx, uint64_t *first, uint64_t *dropped)
{
	char text[LOG_RING_TEXT_MAX];
	unsigned int n = 0;
	size_t off, left;

	if (lock_take(r))
		return 0;
	if (first)
		*first = r->used ? r->first : r->next;
	if (dropped)
		*dropped = r->dropped;
	off = r->head;
	left = r->used;
	while (left && n < limit) {
		uint64_t seq;
		uint8_t level;
		uint16_t len;

		header_at(r, off, &seq, &level, &len);
		if (seq > after) {
			copy_out(r, off + RECORD_HEADER, text, len);
			fn(ctx, seq, level, text, len);
			n++;
		}
		off = (off + RECORD_HEADER + len) % r->size;
		left -= RECORD_HEADER + len;
	}
	lock_give(r);
	return n;
}

void log_ring_mark(struct log_ring *r)
{
	r->mark = r->next - 1;
}
