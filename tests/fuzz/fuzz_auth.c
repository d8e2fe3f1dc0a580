/*
 * Fuzz target: what the management API's access check reads from outside (hv/net/auth*.c):
 * the key file from the boot medium, an Authorization header, and a whole request through
 * mgmt_auth_check() with the test vector's key (tests/net/auth-vector.txt). Byte 0 chooses.
 * A request let in must carry a signature that recomputes, and the crypto pool must be
 * given back after every check.
 */
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/mgmt_auth.h>
#include <hv/net/auth.h>
#include <hv/net/crypto.h>

#include <stdlib.h>
#include <string.h>

#define NOW 1764444000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What auth.c needs of the rest of Shunt: a clock and a log, here quiet. */
struct hv_options hv_options;
static uint64_t cycles;

uint64_t arch_cycles(void)
{
	return cycles;
}

uint64_t arch_tsc_hz(void)
{
	return 1000;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static void fuzz_key(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), why[160], fp[9];
	struct auth_key k;
	unsigned int line;

	memcpy(copy, data, size);
	if (!auth_key_parse(copy, size, &k, &line, why, sizeof(why))) {
		auth_key_fingerprint(&k, fp);
		if (strlen(fp) != 8 || k.token_len > AUTH_TOKEN_MAX)
			abort();
	} else if (!why[0] || strlen(why) >= sizeof(why)) {
		abort();
	}
	free(copy);
}

static void fuzz_header(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct auth_sig s;

	memcpy(copy, data, size);
	if (!auth_sig_parse(copy, size, &s) && (s.ts_len == 0 || s.ts_len > AUTH_TS_DIGITS ||
						s.ts_text < copy || s.nonce_hex + 32 > copy + size))
		abort();
	free(copy);
}

/* The next line of *p (up to '\n'), as a pointer and length; *p moves past it. */
static const char *field(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));

	*len = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	return (const char *)s;
}

static void fuzz_check(const uint8_t *data, size_t size)
{
	static int loaded;
	const uint8_t *p = data, *end = data + size;
	struct mgmt_auth_request r = { .peer = size ? data[0] : 0 };
	char *copy;

	if (!loaded) {
		char text[] = "shunt-key-v1 "
			      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
			      "metrics-token 9a1b2c3d4e5f60718293a4b5c6d7e8f9\n";

		hv_options.mgmt.metrics = MGMT_METRICS_TOKEN;
		mgmt_auth_load_key(text, sizeof(text) - 1);
		loaded = 1;
	}
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	p = (const uint8_t *)copy, end = p + size;
	if (p < end)
		p++; /* the peer */
	r.method = field(&p, end, &r.method_len);
	r.target = field(&p, end, &r.target_len);
	r.authorization = field(&p, end, &r.authorization_len);
	r.body = p, r.body_len = (size_t)(end - p);
	cycles += 1000;
	switch (mgmt_auth_check(&r, NOW)) {
	case MGMT_ACCESS_ADMIN: {
		struct auth_sig s;
		struct auth_sig_input in = { r.method,	   r.method_len, r.target,
					     r.target_len, r.body,	 r.body_len };
		uint8_t want[AUTH_SIG_BYTES], key[AUTH_KEY_BYTES];

		for (int i = 0; i < AUTH_KEY_BYTES; i++)
			key[i] = (uint8_t)i;
		if (auth_sig_parse(r.authorization, r.authorization_len, &s) ||
		    auth_sig_compute(key, &in, s.ts_text, s.ts_len, s.nonce_hex, want) ||
		    memcmp(want, s.sig, sizeof(want)))
			abort(); /* let in without the key's signature */
		break;
	}
	case MGMT_ACCESS_METRICS:
		if (r.authorization_len != 7 + 32 ||
		    memcmp(r.authorization, "Bearer 9a1b2c3d4e5f60718293a4b5c6d7e8f9", 39))
			abort();
		break;
	case MGMT_ACCESS_NONE:
	default:
		break;
	}
	if (crypto_pool_in_use())
		abort();
	(void)mgmt_auth_peer_wait(r.peer, NOW);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_key(data + 1, size - 1);
		break;
	case 1:
		fuzz_header(data + 1, size - 1);
		break;
	default:
		fuzz_check(data + 1, size - 1);
		break;
	}
	return 0;
}
