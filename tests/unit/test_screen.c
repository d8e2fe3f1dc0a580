/*
 * The screen console's renderer (hv/screen.c) on surfaces in host memory: VGA text cells,
 * framebuffer pixels of 2, 3 and 4 bytes, writing, wrapping, tabs, scrolling through the
 * ring of rows, bounded flushes that resume, cells left alone when they already show the
 * right character, and surfaces it must refuse.
 */
#include "unit.h"

#include <hv/screen.h>

#include <stdlib.h>

static uint8_t font[SCREEN_FONT_COUNT][SCREEN_FONT_HEIGHT];
static struct screen sc;
static uint8_t buf[64 * 1024];

static int setup(void **state)
{
	(void)state;
	/* Distinct glyphs: row y of glyph i is i * 16 + y, with bit 7 set on even rows. */
	for (unsigned int i = 0; i < SCREEN_FONT_COUNT; i++)
		for (unsigned int y = 0; y < SCREEN_FONT_HEIGHT; y++)
			font[i][y] = (uint8_t)((i * 16 + y) | (y % 2 ? 0 : 0x80));
	memset(buf, 0xee, sizeof(buf));
	memset(&sc, 0, sizeof(sc));
	return 0;
}

/* A VGA text surface of cols x rows characters, pitch bytes a row. */
static void text_screen(uint32_t cols, uint32_t rows, uint32_t pitch)
{
	struct screen_surface s = { .kind = SCREEN_TEXT,
				    .base = buf,
				    .width = cols,
				    .height = rows,
				    .pitch = pitch,
				    .fg = 0x07 };

	assert_int_equal(screen_init(&sc, &s, NULL), 0);
}

/* Row r of a text screen as a string, trailing blanks cut. */
static const char *text_row(uint32_t r)
{
	static char line[SCREEN_COLS_MAX + 1];
	uint32_t n = 0;

	for (uint32_t c = 0; c < sc.s.width; c++)
		line[n++] = (char)buf[r * sc.s.pitch + c * 2];
	while (n && line[n - 1] == ' ')
		n--;
	line[n] = '\0';
	return line;
}

static void put(const char *s)
{
	screen_write(&sc, s, strlen(s));
}

static void test_text_init_clears(void **state)
{
	(void)state;
	text_screen(10, 4, 24);
	for (uint32_t r = 0; r < 4; r++)
		for (uint32_t c = 0; c < 10; c++) {
			assert_int_equal(buf[r * 24 + c * 2], ' ');
			assert_int_equal(buf[r * 24 + c * 2 + 1], 0x07);
		}
	assert_int_equal(buf[20], 0xee); /* the pitch's padding is not the screen's */
	assert_int_equal(buf[4 * 24], 0xee);
}

static void test_text_lines(void **state)
{
	(void)state;
	text_screen(10, 4, 20);
	put("ab\ncd\r\n\x01\x7f\xff");
	assert_string_equal(text_row(0), ""); /* nothing is drawn before a flush */
	assert_int_equal(screen_flush(&sc, SCREEN_ALL), 0);
	assert_string_equal(text_row(0), "ab");
	assert_int_equal(buf[1], 0x07);
	assert_string_equal(text_row(1), "cd");
	assert_string_equal(text_row(2), "???");
	assert_string_equal(text_row(3), "");
}

static void test_wrap_and_tab(void **state)
{
	(void)state;
	text_screen(10, 6, 20);
	put("0123456789abc\n");
	put("0123456789\n"); /* exactly a row: no empty row after it */
	put("a\tb\tc\n\tz");
	screen_flush(&sc, SCREEN_ALL);
	assert_string_equal(text_row(0), "0123456789");
	assert_string_equal(text_row(1), "abc");
	assert_string_equal(text_row(2), "0123456789");
	assert_string_equal(text_row(3), "a       b"); /* the tab fills the row to its end */
	assert_string_equal(text_row(4), "c");
	assert_string_equal(text_row(5), "        z");
}

static void test_scroll(void **state)
{
	(void)state;
	text_screen(8, 3, 16);
	put("1\n2\n3\n4\n5");
	screen_flush(&sc, SCREEN_ALL);
	assert_string_equal(text_row(0), "3");
	assert_string_equal(text_row(1), "4");
	assert_string_equal(text_row(2), "5");
	for (int i = 0; i < 100; i++) /* the ring turns many times over */
		put("\nline");
	put("\nlast");
	screen_flush(&sc, SCREEN_ALL);
	assert_string_equal(text_row(0), "line");
	assert_string_equal(text_row(1), "line");
	assert_string_equal(text_row(2), "last");
	put("\n");
	screen_flush(&sc, SCREEN_ALL);
	assert_string_equal(text_row(1), "last");
	assert_string_equal(text_row(2), "");
}

static void test_budget_resumes(void **state)
{
	(void)state;
	text_screen(10, 2, 20);
	assert_false(screen_is_behind(&sc));
	put("abcdefg");
	assert_true(screen_is_behind(&sc));
	assert_int_equal(screen_flush(&sc, 3), 1);
	assert_true(screen_is_behind(&sc));
	assert_string_equal(text_row(0), "abc");
	assert_int_equal(screen_flush(&sc, 3), 1);
	assert_string_equal(text_row(0), "abcdef");
	assert_int_equal(screen_flush(&sc, 1), 0); /* the last changed cell */
	assert_false(screen_is_behind(&sc));
	assert_string_equal(text_row(0), "abcdefg");
	assert_int_equal(screen_flush(&sc, 0), 0); /* nothing left: no budget needed */
}

/* A cell that already shows the right character is not drawn again (nor read). */
static void test_unchanged_cells_untouched(void **state)
{
	(void)state;
	text_screen(10, 3, 20);
	put("xa\nxb");
	screen_flush(&sc, SCREEN_ALL);
	buf[0] = '#'; /* row 0, column 0: "x" now and after the scroll */
	buf[2] = '#'; /* row 0, column 1: "a" now, "b" after the scroll */
	put("\nxc\n");
	screen_flush(&sc, SCREEN_ALL);
	assert_string_equal(text_row(0), "#b");
	assert_string_equal(text_row(1), "xc");
	assert_string_equal(text_row(2), "");
	put("q");
	assert_int_equal(screen_flush(&sc, 1), 0); /* one changed cell: one unit of budget */
	assert_string_equal(text_row(2), "q");
}

static void test_rgb32(void **state)
{
	const uint8_t shift[3] = { 16, 8, 0 }, bits[3] = { 8, 8, 8 };
	struct screen_surface s = { .kind = SCREEN_RGB,
				    .base = buf,
				    .width = 20,
				    .height = 40,
				    .pitch = 20 * 4 + 8,
				    .bytes_per_pixel = 4 };

	(void)state;
	s.fg = screen_rgb(0xaa, 0xbb, 0xcc, shift, bits);
	s.bg = screen_rgb(1, 2, 3, shift, bits);
	assert_int_equal(s.fg, 0xaabbcc);
	assert_int_equal(s.bg, 0x010203);
	assert_int_equal(screen_init(&sc, &s, (const uint8_t(*)[SCREEN_FONT_HEIGHT])font), 0);
	assert_int_equal(sc.cols, 2); /* 20 pixels: two whole cells */
	assert_int_equal(sc.rows, 2);
	for (uint32_t y = 0; y < 40; y++) /* cleared to the background, all of it */
		for (uint32_t x = 0; x < 20; x++)
			assert_int_equal(*(uint32_t *)(buf + y * s.pitch + x * 4), 0x010203);
	put("\n\x01"
	    "A");
	screen_flush(&sc, SCREEN_ALL);
	for (uint32_t y = 0; y < SCREEN_FONT_HEIGHT; y++) {
		const uint8_t *q = font['?' - SCREEN_FONT_FIRST],
			      *a = font['A' - SCREEN_FONT_FIRST];

		for (uint32_t x = 0; x < 8; x++) {
			uint32_t p0 = *(uint32_t *)(buf + (16 + y) * s.pitch + x * 4);
			uint32_t p1 = *(uint32_t *)(buf + (16 + y) * s.pitch + (8 + x) * 4);

			assert_int_equal(p0, (q[y] & (0x80 >> x)) ? s.fg : s.bg);
			assert_int_equal(p1, (a[y] & (0x80 >> x)) ? s.fg : s.bg);
		}
	}
	assert_int_equal(*(uint32_t *)(buf + 0), 0x010203); /* row 0 stayed empty */
}

static void test_rgb16_and_24(void **state)
{
	const uint8_t shift565[3] = { 11, 5, 0 }, bits565[3] = { 5, 6, 5 };
	const uint8_t shift888[3] = { 0, 8, 16 }, bits888[3] = { 8, 8, 8 };
	struct screen_surface s = { .kind = SCREEN_RGB,
				    .base = buf,
				    .width = 8,
				    .height = 16,
				    .pitch = 16,
				    .bytes_per_pixel = 2 };
	const uint8_t *glyph = font['#' - SCREEN_FONT_FIRST];

	(void)state;
	s.fg = screen_rgb(0xff, 0xff, 0xff, shift565, bits565);
	assert_int_equal(s.fg, 0xffff);
	assert_int_equal(screen_rgb(0xaa, 0xaa, 0xaa, shift565, bits565),
			 (0xaa >> 3) << 11 | (0xaa >> 2) << 5 | 0xaa >> 3);
	assert_int_equal(screen_init(&sc, &s, (const uint8_t(*)[SCREEN_FONT_HEIGHT])font), 0);
	put("#");
	screen_flush(&sc, SCREEN_ALL);
	for (uint32_t x = 0; x < 8; x++)
		assert_int_equal(*(uint16_t *)(buf + 3 * 16 + x * 2),
				 (glyph[3] & (0x80 >> x)) ? 0xffff : 0);
	s.bytes_per_pixel = 3;
	s.pitch = 24;
	s.fg = screen_rgb(0x11, 0x22, 0x33, shift888, bits888);
	assert_int_equal(s.fg, 0x332211);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(screen_init(&sc, &s, (const uint8_t(*)[SCREEN_FONT_HEIGHT])font), 0);
	put("#");
	screen_flush(&sc, SCREEN_ALL);
	for (uint32_t x = 0; x < 8; x++) {
		const uint8_t *p = buf + 2 * 24 + x * 3;
		int on = glyph[2] & (0x80 >> x);

		assert_int_equal(p[0], on ? 0x11 : 0);
		assert_int_equal(p[1], on ? 0x22 : 0);
		assert_int_equal(p[2], on ? 0x33 : 0);
	}
	assert_int_equal(buf[24 * 16], 0xee); /* nothing past the last pixel row */
}

static void test_large_surface_clamped(void **state)
{
	struct screen_surface s = {
		.kind = SCREEN_TEXT, .base = buf, .width = 300, .height = 100, .pitch = 600, .fg = 7
	};

	(void)state;
	assert_int_equal(screen_init(&sc, &s, NULL), 0);
	assert_int_equal(sc.cols, SCREEN_COLS_MAX);
	assert_int_equal(sc.rows, 100);
	s.height = 200;
	s.width = 20;
	s.pitch = 40;
	assert_int_equal(screen_init(&sc, &s, NULL), 0);
	assert_int_equal(sc.rows, SCREEN_ROWS_MAX);
}

static void test_bad_surfaces(void **state)
{
	const struct screen_surface bad[] = {
		{ .kind = SCREEN_TEXT, .base = NULL, .width = 80, .height = 25, .pitch = 160 },
		{ .kind = SCREEN_TEXT, .base = buf, .width = 80, .height = 25, .pitch = 159 },
		{ .kind = SCREEN_TEXT, .base = buf, .width = 0, .height = 25, .pitch = 160 },
		{ .kind = SCREEN_TEXT, .base = buf, .width = 80, .height = 0, .pitch = 160 },
		{ .kind = 0, .base = buf, .width = 80, .height = 25, .pitch = 160 },
		{ .kind = SCREEN_RGB,
		  .base = buf,
		  .width = 7,
		  .height = 16,
		  .pitch = 28,
		  .bytes_per_pixel = 4 },
		{ .kind = SCREEN_RGB,
		  .base = buf,
		  .width = 8,
		  .height = 15,
		  .pitch = 32,
		  .bytes_per_pixel = 4 },
		{ .kind = SCREEN_RGB,
		  .base = buf,
		  .width = 8,
		  .height = 16,
		  .pitch = 31,
		  .bytes_per_pixel = 4 },
		{ .kind = SCREEN_RGB,
		  .base = buf,
		  .width = 8,
		  .height = 16,
		  .pitch = 8,
		  .bytes_per_pixel = 1 },
		{ .kind = SCREEN_RGB,
		  .base = buf,
		  .width = 8,
		  .height = 16,
		  .pitch = 40,
		  .bytes_per_pixel = 5 },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		if (screen_init(&sc, &bad[i], (const uint8_t(*)[SCREEN_FONT_HEIGHT])font) !=
		    -EINVAL)
			fail_msg("surface %u accepted", i);
	assert_int_equal(buf[0], 0xee); /* none of them was cleared */
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_text_init_clears),
		T(test_text_lines),
		T(test_wrap_and_tab),
		T(test_scroll),
		T(test_budget_resumes),
		T(test_unchanged_cells_untouched),
		T(test_rgb32),
		T(test_rgb16_and_24),
		T(test_large_surface_clamped),
		T(test_bad_surfaces),
	};

	return unit_run(tests);
}
