/*
 * A small vsnprintf for the hypervisor and its UEFI loader: enough of C's format language
 * for logs and error messages, bounded, and free of any dependency on the rest of hv/.
 */
#include <hv/fmt.h>

#include <stdint.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, including those that did not fit */
};

static void out_char(struct fmt_out *out, char c)
{
	if (out->len + 1 < out->size)
		out->buf[out->len] = c;
	out->len++;
}

static void out_pad(struct fmt_out *out, char c, int count)
{
	while (count-- > 0)
		out_char(out, c);
}

struct fmt_spec {
	int left; /* '-' flag */
	int zero; /* '0' flag */
	int width;
	int precision; /* -1: none */
	int length;    /* 0, 'l' or 'L' (long long), 'z' */
};

static void out_string(struct fmt_out *out, const struct fmt_spec *spec, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	/* With a precision, s need not be terminated: never look at byte number precision. */
	while ((spec->precision < 0 || n < spec->precision) && s[n])
		n++;
	if (!spec->left)
		out_pad(out, ' ', spec->width - n);
	for (int i = 0; i < n; i++)
		out_char(out, s[i]);
	if (spec->left)
		out_pad(out, ' ', spec->width - n);
}

static void out_number(struct fmt_out *out, const struct fmt_spec *spec, uint64_t value,
		       int negative, unsigned int base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	int body;

	do {
		tmp[n++] = digits[value % base];
		value /= base;
	} while (value);
	body = n + (negative ? 1 : 0);

	if (!spec->left && !spec->zero)
		out_pad(out, ' ', spec->width - body);
	if (negative)
		out_char(out, '-');
	if (!spec->left && spec->zero)
		out_pad(out, '0', spec->width - body);
	while (n)
		out_char(out, tmp[--n]);
	if (spec->left)
		out_pad(out, ' ', spec->width - body);
}

static const char *parse_spec(const char *p, struct fmt_spec *spec)
{
	spec->left = spec->zero = spec->width = spec->length = 0;
	spec->precision = -1;
	for (;; p++) {
		if (*p == '-')
			spec->left = 1;
		else if (*p == '0')
			spec->zero = 1;
		else
			break;
	}
	while (*p >= '0' && *p <= '9')
		spec->width = spec->width * 10 + (*p++ - '0');
	if (*p == '.') {
		spec->precision = 0;
		p++;
		while (*p >= '0' && *p <= '9')
			spec->precision = spec->precision * 10 + (*p++ - '0');
	}
	if (*p == 'l') {
		spec->length = 'l';
		if (*++p == 'l') {
			spec->length = 'L';
			p++;
		}
	} else if (*p == 'z') {
		spec->length = 'z';
		p++;
	}
	return p;
}

static uint64_t arg_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, int length)
{
	switch (length) {
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z':
		return (int64_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct fmt_out out = { buf, size, 0 };
	struct fmt_spec spec;
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&out, *p);
			continue;
		}
		p = parse_spec(p + 1, &spec);
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, spec.length);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			out_number(&out, &spec, mag, v < 0, 10, 0);
			break;
		}
		case 'u':
			out_number(&out, &spec, arg_unsigned(&ap, spec.length), 0, 10, 0);
			break;
		case 'x':
		case 'X':
			out_number(&out, &spec, arg_unsigned(&ap, spec.length), 0, 16, *p == 'X');
			break;
		case 'p':
			out_char(&out, '0');
			out_char(&out, 'x');
			out_number(&out, &spec, (uintptr_t)va_arg(ap, void *), 0, 16, 0);
			break;
		case 's':
			out_string(&out, &spec, va_arg(ap, const char *));
			break;
		case 'c':
			out_char(&out, (char)va_arg(ap, int));
			break;
		case '%':
			out_char(&out, '%');
			break;
		case '\0':
			p--; /* a lone '%' at the end: print nothing for it */
			break;
		default:
			out_char(&out, '%');
			out_char(&out, *p);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[out.len < size ? out.len : size - 1] = '\0';
	return (int)out.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* The escaped form of byte c in out (at least 5 bytes): its length, 1 for a plain byte. */
static size_t escape_byte(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\') {
		out[0] = out[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c <= 0x7e) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return 4;
}

size_t fmt_escape(char *buf, size_t size, const char *src)
{
	static const char more[] = "...";
	size_t fits = size ? size - 1 : 0; /* bytes of buf that may hold text */
	size_t len = 0, kept = 0;
	char e[4];

	for (const char *p = src; *p; p++) {
		size_t n = escape_byte((unsigned char)*p, e);

		if (len + n <= fits) {
			for (size_t i = 0; i < n; i++)
				buf[len + i] = e[i];
			kept = len + n;
		}
		len += n;
	}
	if (len > fits && size > sizeof(more)) {
		/* Cut back to an escape boundary that leaves room for "...". */
		size_t cut = 0;

		for (const char *p = src; *p; p++) {
			size_t n = escape_byte((unsigned char)*p, e);

			if (cut + n + sizeof(more) - 1 > fits)
				break;
			cut += n;
		}
		for (size_t i = 0; i < sizeof(more) - 1; i++)
			buf[cut + i] = more[i];
		kept = cut + sizeof(more) - 1;
	}
	if (size)
		buf[kept] = '\0';
	return len;
}
