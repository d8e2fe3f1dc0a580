/*
 * The JSON writer (see hv/json.h): every byte goes through put(), which stops at the
 * buffer's end and sets the overflow flag, so a caller can write without checking each call.
 */
#include <hv/json.h>

static void put(struct json *j, char c)
{
	if (j->len + 1 >= j->size) { /* one byte kept for the terminating NUL */
		j->overflow = 1;
		return;
	}
	j->buf[j->len++] = c;
	j->buf[j->len] = '\0';
}

static void put_str(struct json *j, const char *s)
{
	while (*s)
		put(j, *s++);
}

void json_init(struct json *j, char *buf, size_t size)
{
	*j = (struct json){ .buf = buf, .size = size };
	if (size)
		buf[0] = '\0';
	else
		j->overflow = 1;
}

/* Before any value (or key): the comma that separates it from the one before. */
static void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->need_comma[j->depth])
		put(j, ',');
	j->need_comma[j->depth] = 1;
}

static void level_open(struct json *j, char c)
{
	before_value(j);
	if (j->depth == JSON_DEPTH_MAX) {
		j->overflow = 1;
		return;
	}
	put(j, c);
	j->depth++;
	j->need_comma[j->depth] = 0;
}

static void level_close(struct json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->overflow = 1; /* misuse: counts as an answer that can not be sent */
		return;
	}
	j->depth--;
	put(j, c);
}

void json_object_begin(struct json *j)
{
	level_open(j, '{');
}

void json_object_end(struct json *j)
{
	level_close(j, '}');
}

void json_array_begin(struct json *j)
{
	level_open(j, '[');
}

void json_array_end(struct json *j)
{
	level_close(j, ']');
}

void json_key(struct json *j, const char *key)
{
	json_string(j, key);
	put(j, ':');
	j->after_key = 1;
}

static void put_hex4(struct json *j, unsigned int v)
{
	static const char hex[] = "0123456789abcdef";

	put(j, '\\');
	put(j, 'u');
	for (int shift = 12; shift >= 0; shift -= 4)
		put(j, hex[(v >> shift) & 0xf]);
}

/*
 * The length of the well-formed UTF-8 sequence at s (at most n bytes), or 0: overlong forms,
 * surrogates and code points past U+10FFFF are not well-formed (RFC 3629).
 */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_string_n(struct json *j, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;

	before_value(j);
	put(j, '"');
	for (size_t i = 0; i < n;) {
		uint8_t c = u[i];
		size_t len;

		if (c == '"' || c == '\\') {
			put(j, '\\');
			put(j, (char)c);
		} else if (c == '\n') {
			put_str(j, "\\n");
		} else if (c == '\t') {
			put_str(j, "\\t");
		} else if (c == '\r') {
			put_str(j, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			put_hex4(j, c);
		} else if (c < 0x80) {
			put(j, (char)c);
		} else if ((len = utf8_len(u + i, n - i)) != 0) {
			for (size_t k = 0; k < len; k++)
				put(j, (char)u[i + k]);
			i += len;
			continue;
		} else {
			put_hex4(j,
				 0xfffd); /* one replacement per byte that starts nothing valid */
		}
		i++;
	}
	put(j, '"');
}

void json_string(struct json *j, const char *s)
{
	size_t n = 0;

	if (!s) {
		json_null(j);
		return;
	}
	while (s[n])
		n++;
	json_string_n(j, s, n);
}

static void put_u64(struct json *j, uint64_t v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put(j, digits[--n]);
}

void json_u64(struct json *j, uint64_t v)
{
	before_value(j);
	put_u64(j, v);
}

void json_i64(struct json *j, int64_t v)
{
	before_value(j);
	if (v < 0) {
		put(j, '-');
		put_u64(j, (uint64_t)0 - (uint64_t)v); /* INT64_MIN too */
	} else {
		put_u64(j, (uint64_t)v);
	}
}

void json_bool(struct json *j, int v)
{
	before_value(j);
	put_str(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	before_value(j);
	put_str(j, "null");
}

void json_key_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_key_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

long json_finish(struct json *j)
{
	if (j->overflow || j->depth || j->after_key)
		return -1;
	return (long)j->len;
}
