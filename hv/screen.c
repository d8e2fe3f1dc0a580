/*
 * The screen console's renderer (see hv/screen.h): the text grid, its scrolling, and the
 * drawing of changed cells on VGA text or a framebuffer. Pure code: the surface is memory
 * the caller mapped.
 */
#include <hv/screen.h>
#include <hv/string.h>

uint32_t screen_rgb(uint8_t r, uint8_t g, uint8_t b, const uint8_t shift[3], const uint8_t bits[3])
{
	const uint8_t c[3] = { r, g, b };
	uint32_t v = 0;

	for (int i = 0; i < 3; i++)
		if (bits[i] && bits[i] <= 8 && shift[i] < 32)
			v |= (uint32_t)(c[i] >> (8 - bits[i])) << shift[i];
	return v;
}

static void put_pixel(uint8_t *p, uint32_t bytes, uint32_t v)
{
	if (bytes == 4) {
		*(uint32_t *)p = v;
	} else if (bytes == 2) {
		*(uint16_t *)p = (uint16_t)v;
	} else {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
	}
}

static void draw_cell(const struct screen *sc, uint32_t row, uint32_t col, char c)
{
	const struct screen_surface *s = &sc->s;
	uint32_t index = (uint8_t)c - SCREEN_FONT_FIRST;
	const uint8_t *glyph;

	if (s->kind == SCREEN_TEXT) {
		uint8_t *cell = s->base + row * s->pitch + col * 2;

		cell[0] = (uint8_t)c;
		cell[1] = (uint8_t)s->fg;
		return;
	}
	if (index >= SCREEN_FONT_COUNT)
		index = '?' - SCREEN_FONT_FIRST;
	glyph = sc->glyphs[index];
	for (uint32_t y = 0; y < SCREEN_FONT_HEIGHT; y++) {
		uint8_t *p = s->base + (row * SCREEN_FONT_HEIGHT + y) * s->pitch +
			     col * SCREEN_FONT_WIDTH * s->bytes_per_pixel;

		for (uint32_t x = 0; x < SCREEN_FONT_WIDTH; x++, p += s->bytes_per_pixel)
			put_pixel(p, s->bytes_per_pixel, (glyph[y] & (0x80u >> x)) ? s->fg : s->bg);
	}
}

static void clear_surface(const struct screen_surface *s)
{
	if (s->kind == SCREEN_TEXT) {
		for (uint32_t r = 0; r < s->height; r++)
			for (uint32_t c = 0; c < s->width; c++) {
				s->base[r * s->pitch + c * 2] = ' ';
				s->base[r * s->pitch + c * 2 + 1] = (uint8_t)s->fg;
			}
		return;
	}
	for (uint32_t y = 0; y < s->height; y++)
		for (uint32_t x = 0; x < s->width; x++)
			put_pixel(s->base + y * s->pitch + x * s->bytes_per_pixel,
				  s->bytes_per_pixel, s->bg);
}

int screen_init(struct screen *sc, const struct screen_surface *s,
		const uint8_t (*glyphs)[SCREEN_FONT_HEIGHT])
{
	uint32_t cols = s->width, rows = s->height;

	if (s->kind == SCREEN_RGB) {
		if (s->bytes_per_pixel < 2 || s->bytes_per_pixel > 4 || !glyphs ||
		    s->pitch < s->width * s->bytes_per_pixel)
			return -EINVAL;
		cols /= SCREEN_FONT_WIDTH;
		rows /= SCREEN_FONT_HEIGHT;
	} else if (s->kind != SCREEN_TEXT || s->pitch < s->width * 2) {
		return -EINVAL;
	}
	if (!s->base || cols == 0 || rows == 0)
		return -EINVAL;
	sc->s = *s;
	sc->glyphs = glyphs;
	sc->cols = cols < SCREEN_COLS_MAX ? cols : SCREEN_COLS_MAX;
	sc->rows = rows < SCREEN_ROWS_MAX ? rows : SCREEN_ROWS_MAX;
	sc->top = sc->row = sc->col = 0;
	sc->pending = 0;
	memset(sc->text, ' ', sizeof(sc->text));
	memset(sc->shown, ' ', sizeof(sc->shown));
	memset(sc->dirty, 0, sizeof(sc->dirty));
	clear_surface(s);
	return 0;
}

static char *row_text(struct screen *sc, uint32_t row)
{
	return sc->text[(sc->top + row) % sc->rows];
}

/* The cursor to the start of the next row; at the bottom the grid scrolls by one. */
static void new_line(struct screen *sc)
{
	sc->col = 0;
	if (sc->row + 1 < sc->rows) {
		sc->row++;
		return;
	}
	/* The ring turns: the old top row becomes the new bottom one, cleared. */
	memset(sc->text[sc->top], ' ', sc->cols);
	sc->top = (sc->top + 1) % sc->rows;
	memset(sc->dirty, 1, sc->rows);
}

static void put_char(struct screen *sc, char c)
{
	if (sc->col == sc->cols)
		new_line(sc);
	row_text(sc, sc->row)[sc->col++] = c;
	sc->dirty[sc->row] = 1;
}

void screen_write(struct screen *sc, const char *s, size_t len)
{
	sc->pending |= len != 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n') {
			new_line(sc);
		} else if (c == '\r') {
			continue;
		} else if (c == '\t') {
			do
				put_char(sc, ' ');
			while (sc->col % SCREEN_TAB && sc->col < sc->cols);
		} else {
			put_char(sc, c >= 0x20 && c < 0x7f ? c : '?');
		}
	}
}

int screen_flush(struct screen *sc, uint32_t budget)
{
	for (uint32_t r = 0; r < sc->rows; r++) {
		const char *want;

		if (!sc->dirty[r])
			continue;
		want = row_text(sc, r);
		for (uint32_t c = 0; c < sc->cols; c++) {
			if (sc->shown[r][c] == want[c])
				continue;
			if (budget == 0)
				return 1; /* the row stays dirty: the next flush goes on here */
			draw_cell(sc, r, c, want[c]);
			sc->shown[r][c] = want[c];
			budget--;
		}
		sc->dirty[r] = 0;
	}
	sc->pending = 0;
	return 0;
}
