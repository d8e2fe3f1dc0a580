/*
 * The screen console's renderer: a grid of text rows kept in RAM (a ring, so that scrolling
 * moves no text) and drawn on a VGA text buffer or a linear framebuffer with an 8x16 font.
 * Drawing is lazy and bounded: screen_write() only changes the grid; screen_flush() draws
 * at most a given number of the character cells that differ from what the screen shows,
 * never reading the screen back. Pure code, tested on the host (tests/unit/test_screen.c).
 */
#ifndef HV_SCREEN_H
#define HV_SCREEN_H

#include <hv/types.h>

#define SCREEN_COLS_MAX 256 /* a wider screen is used up to this many columns */
#define SCREEN_ROWS_MAX 128
#define SCREEN_FONT_WIDTH 8
#define SCREEN_FONT_HEIGHT 16
#define SCREEN_FONT_FIRST 0x20 /* the font holds ' ' to '~' */
#define SCREEN_FONT_COUNT 95
#define SCREEN_TAB 8
#define SCREEN_ALL UINT32_MAX /* screen_flush(): no bound */

enum screen_kind {
	SCREEN_TEXT = 1, /* VGA text: per cell a character byte and an attribute byte */
	SCREEN_RGB = 2,	 /* direct-colour pixels of 2, 3 or 4 bytes */
};

struct screen_surface {
	enum screen_kind kind;
	uint8_t *base;		  /* the buffer, mapped */
	uint32_t width, height;	  /* TEXT: characters; RGB: pixels */
	uint32_t pitch;		  /* bytes from one line (of characters, of pixels) to the next */
	uint32_t bytes_per_pixel; /* RGB: 2, 3 or 4 */
	uint32_t fg, bg;	  /* RGB: pixel values (screen_rgb()); TEXT: fg is the attribute */
};

struct screen {
	struct screen_surface s;
	const uint8_t (*glyphs)[SCREEN_FONT_HEIGHT]; /* SCREEN_FONT_COUNT glyphs, 1 bit a pixel */
	uint32_t cols, rows;
	uint32_t top;			/* the ring index of the text row shown at the top */
	uint32_t row;			/* the screen row of the cursor */
	uint32_t col;			/* its column; == cols: the next character wraps */
	int pending;			/* written since the last complete flush */
	uint8_t dirty[SCREEN_ROWS_MAX]; /* screen rows that may differ from text */
	char text[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];  /* ring: text[(top + r) % rows] is row r */
	char shown[SCREEN_ROWS_MAX][SCREEN_COLS_MAX]; /* what screen row r shows now */
};

/*
 * A pixel value of colour (r, g, b), 8 bits each, for a framebuffer whose colours sit at
 * the given shifts with the given widths (at most 8 bits each).
 */
uint32_t screen_rgb(uint8_t r, uint8_t g, uint8_t b, const uint8_t shift[3], const uint8_t bits[3]);

/*
 * Takes the surface (clearing it to the background) and the font. Returns 0, or -EINVAL
 * for a surface that can not hold one character cell or has a pixel size other than 2, 3
 * or 4 bytes. A surface larger than SCREEN_COLS_MAX x SCREEN_ROWS_MAX cells is used from
 * its top left corner.
 */
int screen_init(struct screen *sc, const struct screen_surface *s,
		const uint8_t (*glyphs)[SCREEN_FONT_HEIGHT]);
/* Puts text into the grid ("\n" ends a line, "\r" is ignored, "\t" moves to the next tab
 * stop, a long line wraps, the grid scrolls at the bottom); draws nothing. */
void screen_write(struct screen *sc, const char *s, size_t len);
/* Draws at most budget changed cells; returns 1 if changes are left to draw, else 0. */
int screen_flush(struct screen *sc, uint32_t budget);
/* 1 if screen_write() changed the grid since screen_flush() last drew everything. */
static inline int screen_is_behind(const struct screen *sc)
{
	return sc->pending;
}

#endif
