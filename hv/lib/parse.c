/*
 * Words and bounded numbers in option text (see hv/parse.h).
 */
#include <hv/parse.h>

static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	return 16;
}

int parse_uint(const char **p, unsigned int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int digits = 0, max_digits = 1, d;

	for (uint64_t m = max; m >= base; m /= base)
		max_digits++;
	for (; (d = digit_value(**p)) < base; (*p)++) {
		/* Leading zeros count: a number is never longer than max written out. */
		if (++digits > max_digits || d > max || v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t parse_word(const char **p)
{
	size_t n = 0;

	while (is_blank(**p))
		(*p)++;
	while ((*p)[n] && !is_blank((*p)[n]))
		n++;
	return n;
}

int parse_cpu_list(const char *s, unsigned int limit, uint64_t *mask)
{
	uint64_t set = 0;

	if (limit == 0 || limit > 64)
		return -1;
	for (;;) {
		uint64_t first, last;

		if (parse_uint(&s, 10, limit - 1, &first))
			return -1;
		last = first;
		if (*s == '-') {
			s++;
			if (parse_uint(&s, 10, limit - 1, &last) || last < first)
				return -1;
		}
		for (uint64_t c = first; c <= last; c++) {
			if (set & (1ull << c))
				return -1; /* named twice: a typo more likely than a wish */
			set |= 1ull << c;
		}
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return -1;
	}
	*mask = set;
	return 0;
}
