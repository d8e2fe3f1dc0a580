/*
 * The management key file (/shunt.key on the boot medium, API.md "Authentication"): its
 * lines checked one by one, every byte of it, and its errors told by line number without
 * ever quoting it, since what is wrong may be the key itself.
 */
#include <hv/fmt.h>
#include <hv/net/auth.h>
#include <hv/net/crypto.h>
#include <hv/string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 1 if the n bytes at s are lowercase hex digits. */
static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (hex_value(s[i]) < 0)
			return 0;
	return 1;
}

static void hex_to_bytes(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(hex_value(s[2 * i]) << 4 | hex_value(s[2 * i + 1]));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* [*start, *end) without the blanks at either end. */
static void trim(const char **start, const char **end)
{
	while (*start < *end && is_blank(**start))
		(*start)++;
	while (*end > *start && is_blank((*end)[-1]))
		(*end)--;
}

static int word_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(s, word, n);
}

/*
 * One line that is neither blank nor a comment: a word, blanks, a value. Fills out and
 * *seen (bit 0: the key, bit 1: the token). 0, or -EINVAL with why.
 */
static int parse_line(const char *s, const char *end, struct auth_key *out, unsigned int *seen,
		      char *why, size_t why_size)
{
	const char *w = s, *v;
	size_t wlen, vlen;

	while (s < end && !is_blank(*s))
		s++;
	wlen = (size_t)(s - w);
	v = s;
	trim(&v, &end);
	vlen = (size_t)(end - v);
	if (word_is(w, wlen, "shunt-key-v1")) {
		if (*seen & 1) {
			fmt_snprintf(why, why_size, "a second shunt-key-v1 line");
			return -EINVAL;
		}
		if (vlen != 2 * AUTH_KEY_BYTES || !is_hex(v, vlen)) {
			fmt_snprintf(why, why_size,
				     "shunt-key-v1 is followed by the key, 64 lowercase hex digits "
				     "(shuntctl keygen writes them)");
			return -EINVAL;
		}
		hex_to_bytes(v, AUTH_KEY_BYTES, out->key);
		*seen |= 1;
		return 0;
	}
	if (word_is(w, wlen, "metrics-token")) {
		if (*seen & 2) {
			fmt_snprintf(why, why_size, "a second metrics-token line");
			return -EINVAL;
		}
		if (vlen < AUTH_TOKEN_MIN || vlen > AUTH_TOKEN_MAX || !is_hex(v, vlen)) {
			fmt_snprintf(
				why, why_size,
				"metrics-token is followed by the token, %u to %u lowercase hex "
				"digits",
				AUTH_TOKEN_MIN, AUTH_TOKEN_MAX);
			return -EINVAL;
		}
		memcpy(out->token, v, vlen);
		out->token[vlen] = '\0';
		out->token_len = vlen;
		*seen |= 2;
		return 0;
	}
	fmt_snprintf(why, why_size, "not a shunt-key-v1, metrics-token, comment (#) or blank line");
	return -EINVAL;
}

static int is_all_zero(const uint8_t *p, size_t n)
{
	uint8_t any = 0;

	for (size_t i = 0; i < n; i++)
		any |= p[i];
	return !any;
}

int auth_key_parse(const char *text, size_t len, struct auth_key *out, unsigned int *line,
		   char *why, size_t why_size)
{
	const char *p = text, *end = text + len;
	unsigned int seen = 0;

	memset(out, 0, sizeof(*out));
	*line = 0;
	if (len > AUTH_KEY_FILE_MAX) {
		fmt_snprintf(why, why_size, "%zu bytes, more than a key file's %u", len,
			     AUTH_KEY_FILE_MAX);
		goto err;
	}
	while (p < end) {
		const char *s = p, *e = p;

		while (e < end && *e != '\n')
			e++;
		p = e < end ? e + 1 : e;
		++*line;
		if (e > s && e[-1] == '\r')
			e--;
		for (const char *c = s; c < e; c++) {
			if ((*c < 0x20 && *c != '\t') || (unsigned char)*c > 0x7e) {
				fmt_snprintf(why, why_size,
					     "a byte that is not printable ASCII "
					     "(a key file is text)");
				goto err;
			}
		}
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		if (parse_line(s, e, out, &seen, why, why_size))
			goto err;
	}
	*line = 0;
	if (!(seen & 1)) {
		fmt_snprintf(why, why_size, "no shunt-key-v1 line (shuntctl keygen writes one)");
		goto err;
	}
	if (is_all_zero(out->key, AUTH_KEY_BYTES)) {
		fmt_snprintf(why, why_size,
			     "the key is all zeros: shuntctl keygen writes a random one");
		goto err;
	}
	return 0;
err:
	crypto_wipe(out, sizeof(*out));
	return -EINVAL;
}

void auth_key_fingerprint(const struct auth_key *k, char *out)
{
	uint8_t digest[CRYPTO_SHA256_BYTES];

	crypto_sha256(k->key, AUTH_KEY_BYTES, digest);
	crypto_to_hex(digest, 4, out);
}
