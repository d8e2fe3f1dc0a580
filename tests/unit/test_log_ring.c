/*
 * The log ring (hv/log_ring.c): lines kept with their seq and level, paging by seq, the
 * oldest overwritten and counted when it wraps (records across the wrap read back whole),
 * long lines cut, a busy lock counted as a drop, and the boot report's mark.
 */
#include "unit.h"

#include <hv/log_ring.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_long_line_and_lock),
	};

	return unit_run(tests);
}
