/*
 * The signature of a management request (API.md, "Authentication"): the Authorization
 * header's strict grammar, and the HMAC-SHA256 over the string that both ends build the
 * same way (tools/shuntctl signs, this checks; tests/net/auth-vector.txt holds them to it).
 */
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

/* n bytes from 2n lowercase hex digits at s: 0, or -1 at a byte that is not one. */
static int from_hex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Consumes the literal word at *p (within end): 0, or -1 when it is not there. */
static int expect(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n))
		return -1;
	*p += n;
	return 0;
}

static int parse_ts(const char **p, const char *end, struct auth_sig *out)
{
	const char *s = *p;
	uint64_t v = 0;

	while (*p < end && **p >= '0' && **p <= '9' && *p - s < AUTH_TS_DIGITS)
		v = v * 10 + (uint64_t)(*(*p)++ - '0');
	if (*p == s || (*s == '0' && *p - s > 1))
		return -1;
	out->ts = v;
	out->ts_text = s;
	out->ts_len = (size_t)(*p - s);
	return 0;
}

int auth_sig_parse(const char *value, size_t len, struct auth_sig *out)
{
	const char *p = value, *end = value + len;

	if (!value || expect(&p, end, AUTH_SCHEME "ts=") || parse_ts(&p, end, out) ||
	    expect(&p, end, ", nonce=") || (size_t)(end - p) < 2 * AUTH_NONCE_BYTES ||
	    from_hex(p, AUTH_NONCE_BYTES, out->nonce))
		return -EINVAL;
	out->nonce_hex = p;
	p += 2 * AUTH_NONCE_BYTES;
	if (expect(&p, end, ", sig=") || (size_t)(end - p) != 2 * AUTH_SIG_BYTES ||
	    from_hex(p, AUTH_SIG_BYTES, out->sig))
		return -EINVAL;
	return 0;
}

int auth_sig_compute(const uint8_t key[AUTH_KEY_BYTES], const struct auth_sig_input *in,
		     const char *ts, size_t ts_len, const char *nonce_hex,
		     uint8_t out[AUTH_SIG_BYTES])
{
	uint8_t body_hash[CRYPTO_SHA256_BYTES];
	char body_hex[2 * CRYPTO_SHA256_BYTES + 1];
	const struct crypto_part parts[] = {
		{ "shunt-v1\n", 9 }, { in->method, in->method_len },
		{ "\n", 1 },	     { in->target, in->target_len },
		{ "\n", 1 },	     { ts, ts_len },
		{ "\n", 1 },	     { nonce_hex, 2 * AUTH_NONCE_BYTES },
		{ "\n", 1 },	     { body_hex, 2 * CRYPTO_SHA256_BYTES },
		{ "\n", 1 },
	};

	crypto_sha256(in->body ? (const void *)in->body : "", in->body ? in->body_len : 0,
		      body_hash);
	crypto_to_hex(body_hash, CRYPTO_SHA256_BYTES, body_hex);
	return crypto_hmac_sha256(key, AUTH_KEY_BYTES, parts, ARRAY_SIZE(parts), out);
}
