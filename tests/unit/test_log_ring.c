/*
 * The log ring (hv/log_ring.c): lines kept with their seq and level, paging by seq, the
 * oldest overwritten and counted when it wraps (records across the wrap read back whole),
 * long lines cut, a busy lock counted as a drop, the boot report's mark, and a reader
 * paging while a writer on another thread appends (each line read whole, in order).
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"

#include <hv/log_ring.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct got {
	unsigned int n;
	uint64_t seq[64];
	unsigned int level[64];
	char text[64][LOG_RING_TEXT_MAX + 1];
};

static void collect(void *ctx, uint64_t seq, unsigned int level, const char *text, size_t len)
{
	struct got *g = ctx;

	assert_true(g->n < 64);
	g->seq[g->n] = seq;
	g->level[g->n] = level;
	memcpy(g->text[g->n], text, len);
	g->text[g->n][len] = '\0';
	g->n++;
}

static uint8_t store[4096];

static void test_paging(void **state)
{
	struct log_ring r;
	struct got g = { 0 };
	uint64_t first, dropped;
	char line[32];

	(void)state;
	log_ring_init(&r, store, sizeof(store));
	assert_int_equal(log_ring_read(&r, 0, 10, collect, &g, &first, &dropped), 0);
	assert_int_equal(first, 1);
	for (int i = 1; i <= 10; i++) {
		snprintf(line, sizeof(line), "line %d\n", i);
		log_ring_append(&r, (unsigned int)i % 4, line, strlen(line));
	}
	assert_int_equal(log_ring_read(&r, 0, 3, collect, &g, &first, &dropped), 3);
	assert_int_equal(first, 1);
	assert_int_equal(dropped, 0);
	assert_int_equal(g.seq[0], 1);
	assert_string_equal(g.text[0], "line 1"); /* its newline not kept */
	assert_int_equal(g.level[1], 2);
	g.n = 0;
	assert_int_equal(log_ring_read(&r, 3, 100, collect, &g, NULL, NULL), 7);
	assert_int_equal(g.seq[0], 4);
	assert_string_equal(g.text[6], "line 10");
	g.n = 0;
	assert_int_equal(log_ring_read(&r, 10, 100, collect, &g, NULL, NULL), 0);
	assert_int_equal(log_ring_read(&r, UINT64_MAX, 100, collect, &g, NULL, NULL), 0);
}

static void test_wrap(void **state)
{
	static uint8_t small[100];
	struct log_ring r;
	struct got g = { 0 };
	uint64_t first, dropped;
	char line[32];

	(void)state;
	log_ring_init(&r, small, sizeof(small));
	/* 11 bytes of header + 9 of text: 5 records fill the 100 bytes exactly. */
	for (int i = 1; i <= 23; i++) {
		snprintf(line, sizeof(line), "line %04d", i);
		log_ring_append(&r, 2, line, strlen(line));
	}
	assert_int_equal(log_ring_read(&r, 0, 100, collect, &g, &first, &dropped), 5);
	assert_int_equal(first, 19);
	assert_int_equal(dropped, 18);
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "line %04u", 19 + i);
		assert_int_equal(g.seq[i], 19 + i);
		assert_string_equal(g.text[i], line);
	}
	/* Lines of other lengths, so that records straddle the wrap at every offset. */
	for (int i = 0; i < 200; i++) {
		int len = i % 30;

		memset(line, 'a' + i % 26, sizeof(line));
		log_ring_append(&r, 1, line, (size_t)len);
		g.n = 0;
		log_ring_read(&r, 0, 100, collect, &g, &first, NULL);
		assert_true(g.n >= 1);
		assert_int_equal(g.seq[g.n - 1], 24 + i);
		assert_int_equal(first, g.seq[0]);
		assert_int_equal(strlen(g.text[g.n - 1]), len);
		for (int k = 0; k < len; k++)
			assert_int_equal(g.text[g.n - 1][k], 'a' + i % 26);
	}
}

static void test_long_line_and_lock(void **state)
{
	static char big[1000];
	struct log_ring r;
	struct got g = { 0 };
	uint64_t dropped;

	(void)state;
	memset(big, 'x', sizeof(big));
	log_ring_init(&r, store, sizeof(store));
	log_ring_append(&r, 0, big, sizeof(big));
	assert_int_equal(log_ring_read(&r, 0, 10, collect, &g, NULL, NULL), 1);
	assert_int_equal(strlen(g.text[0]), LOG_RING_TEXT_MAX);
	r.lock = 1; /* held elsewhere: the writer gives up and counts it */
	log_ring_append(&r, 0, "lost", 4);
	assert_int_equal(log_ring_read(&r, 0, 10, collect, &g, NULL, &dropped), 0);
	r.lock = 0;
	g.n = 0;
	assert_int_equal(log_ring_read(&r, 0, 10, collect, &g, NULL, &dropped), 1);
	assert_int_equal(dropped, 1);
	log_ring_append(&r, 0, "next", 4);
	log_ring_mark(&r);
	log_ring_append(&r, 0, "after", 5);
	assert_int_equal(r.mark, 2);
}

/* A line printed after a blank one (the banner's "\nShunt ...\n") is kept without it. */
static void test_leading_newline(void **state)
{
	struct log_ring r;
	struct got g = { 0 };

	(void)state;
	log_ring_init(&r, store, sizeof(store));
	log_ring_append(&r, 2, "\nShunt 0.1.0\n", 13);
	assert_int_equal(log_ring_read(&r, 0, 10, collect, &g, NULL, NULL), 1);
	assert_string_equal(g.text[0], "Shunt 0.1.0");
}

#define RACE_LINES 200000

static struct log_ring race_ring;
static uint8_t race_store[2048]; /* small: the writer overtakes the reader all the time */
static int race_done;

/* Line n: "n:" and then n % 40 + 1 letters 'a' + n % 26, so a torn line shows. */
static size_t race_line(char *buf, size_t size, unsigned long n)
{
	int len = snprintf(buf, size, "%lu:", n);

	for (unsigned long k = 0; k <= n % 40; k++)
		buf[len++] = (char)('a' + n % 26);
	return (size_t)len;
}

static void *race_writer(void *arg)
{
	char line[80];

	(void)arg;
	for (unsigned long n = 1; n <= RACE_LINES; n++)
		log_ring_append(&race_ring, 2, line, race_line(line, sizeof(line), n));
	__atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct race_check {
	uint64_t last_seq;
	unsigned long last_n, lines;
};

static void race_collect(void *ctx, uint64_t seq, unsigned int level, const char *text, size_t len)
{
	struct race_check *c = ctx;
	char copy[LOG_RING_TEXT_MAX + 1], want[80];
	unsigned long n;

	memcpy(copy, text, len);
	copy[len] = '\0';
	n = strtoul(copy, NULL, 10);
	if (seq <= c->last_seq || n <= c->last_n || level != 2 ||
	    race_line(want, sizeof(want), n) != len || memcmp(want, text, len))
		fail_msg("line %llu \"%s\" after %llu (line %lu)", (unsigned long long)seq, copy,
			 (unsigned long long)c->last_seq, c->last_n);
	c->last_seq = seq;
	c->last_n = n;
	c->lines++;
}

static void test_reader_beside_writer(void **state)
{
	struct race_check check = { 0 };
	pthread_t writer;

	(void)state;
	log_ring_init(&race_ring, race_store, sizeof(race_store));
	assert_int_equal(pthread_create(&writer, NULL, race_writer, NULL), 0);
	while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE))
		log_ring_read(&race_ring, check.last_seq, 7, race_collect, &check, NULL, NULL);
	assert_int_equal(pthread_join(writer, NULL), 0);
	log_ring_read(&race_ring, check.last_seq, UINT32_MAX, race_collect, &check, NULL, NULL);
	assert_true(check.lines > 0);
	/*
	 * Every line the writer gave is kept (seqs first..next-1), overwritten (seqs below first)
	 * or refused for the busy lock (no seq), the last two counted as dropped: none unseen.
	 */
	assert_u64_equal(race_ring.next - race_ring.first + race_ring.dropped, RACE_LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_long_line_and_lock),
		cmocka_unit_test(test_leading_newline),
		cmocka_unit_test(test_reader_beside_writer),
	};

	return unit_run(tests);
}
