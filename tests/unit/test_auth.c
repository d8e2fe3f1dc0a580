/*
 * The management API's access check (hv/net/auth.c and its pure parts): the shared test
 * vector (tests/net/auth-vector.txt), the key file's grammar and its errors (which never
 * quote the key), the Authorization header's, and every way a request must fail: wrong key,
 * bad syntax, stale either side, replayed, tampered, after the window, with a full replay
 * table, without a key or a clock; the metrics token in each mgmt.metrics= mode; the
 * slow-down of failing addresses; and mbedTLS's pool given back.
 */
#include "unit.h"

#include <hv/hv.h>
#include <hv/log.h>
#include <hv/mgmt_auth.h>
#include <hv/net/auth.h>
#include <hv/net/crypto.h>

#include <stdlib.h>

#define T0 1764444000ull /* the vector's ts */
#define PEER 0x0a000202u

/* What auth.c needs of the rest of Shunt: a clock the tests move, a log they read. */
struct hv_options hv_options;
static uint64_t fake_cycles;
static char logged[4096];

uint64_t arch_cycles(void)
{
	return fake_cycles;
}

uint64_t arch_tsc_hz(void)
{
	return 1000;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	size_t used = strlen(logged);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(logged + used, sizeof(logged) - used, fmt, ap);
	va_end(ap);
}

static const char key_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char token_hex[] = "9a1b2c3d4e5f60718293a4b5c6d7e8f9";

#define COPY(dst, src)                                                                             \
	do {                                                                                       \
		assert_true(strlen(src) < sizeof(dst));                                            \
		strcpy(dst, src);                                                                  \
	} while (0)

/* The vector file: "name value" lines, vectors separated by blank lines. */
struct vector {
	char method[16], target[128], ts[24], nonce[40], body[64], sig[70];
};

static unsigned int read_vectors(struct vector *v, unsigned int max, char *key, char *fp)
{
	FILE *f = fopen("tests/net/auth-vector.txt", "r");
	char line[256], name[32], value[200];
	unsigned int n = 0;
	int open_vector = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (line[0] == '\n') {
			if (open_vector)
				n++;
			open_vector = 0;
			continue;
		}
		assert_int_equal(sscanf(line, "%31s %199s", name, value), 2);
		if (!strcmp(name, "key")) {
			assert_true(strlen(value) < 80);
			strcpy(key, value);
			continue;
		}
		if (!strcmp(name, "fingerprint")) {
			assert_true(strlen(value) < 16);
			strcpy(fp, value);
			continue;
		}
		assert_true(n < max);
		if (!open_vector)
			memset(&v[n], 0, sizeof(v[n]));
		open_vector = 1;
		if (!strcmp(name, "method"))
			COPY(v[n].method, value);
		else if (!strcmp(name, "target"))
			COPY(v[n].target, value);
		else if (!strcmp(name, "ts"))
			COPY(v[n].ts, value);
		else if (!strcmp(name, "nonce"))
			COPY(v[n].nonce, value);
		else if (!strcmp(name, "body"))
			COPY(v[n].body, value);
		else if (!strcmp(name, "sig"))
			COPY(v[n].sig, value);
	}
	fclose(f);
	return n + open_vector;
}

static uint8_t the_key[32];
/*
 * Each test's own time and nonces (the replay table lives on from test to test, as it does
 * in Shunt): T moves a day on per test, past the window and any floor an earlier one raised.
 */
static uint64_t T = T0;
static unsigned int nonce_base;

/* A key file holding key_hex (and the token when token): loaded as the boot does. */
static void load(const char *metrics_mode, int token)
{
	char text[512];
	size_t len;

	len = (size_t)snprintf(text, sizeof(text), "# test key\r\nshunt-key-v1 %s\r\n%s%s\n",
			       key_hex, token ? "metrics-token " : "", token ? token_hex : "");
	hv_options.mgmt.metrics = !strcmp(metrics_mode, "public")  ? MGMT_METRICS_PUBLIC
				  : !strcmp(metrics_mode, "token") ? MGMT_METRICS_TOKEN
								   : MGMT_METRICS_SIGNED;
	mgmt_auth_load_key(text, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(text[i], 0); /* wiped */
}

/* A signed request as shuntctl makes one, with key (32 bytes), into header. */
static struct mgmt_auth_request request(const uint8_t *key, const char *method, const char *target,
					const char *body, uint64_t ts, unsigned int nonce,
					char *header)
{
	struct auth_sig_input in = { method,	     strlen(method),	    target,
				     strlen(target), (const uint8_t *)body, strlen(body) };
	char ts_text[24], nonce_hex[33], sig_hex[65];
	uint8_t sig[32];

	snprintf(ts_text, sizeof(ts_text), "%llu", (unsigned long long)ts);
	snprintf(nonce_hex, sizeof(nonce_hex), "%024x%08x", 0x5eed, nonce_base + nonce);
	assert_int_equal(auth_sig_compute(key, &in, ts_text, strlen(ts_text), nonce_hex, sig), 0);
	crypto_to_hex(sig, 32, sig_hex);
	sprintf(header, "Shunt-HMAC-SHA256 ts=%s, nonce=%s, sig=%s", ts_text, nonce_hex, sig_hex);
	return (struct mgmt_auth_request){ .method = method,
					   .method_len = strlen(method),
					   .target = target,
					   .target_len = strlen(target),
					   .authorization = header,
					   .authorization_len = strlen(header),
					   .body = (const uint8_t *)body,
					   .body_len = strlen(body),
					   .peer = PEER };
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 32; i++)
		the_key[i] = (uint8_t)i;
	memset(&hv_options, 0, sizeof(hv_options));
	memset(logged, 0, sizeof(logged));
	fake_cycles += 1000000; /* Shunt's clock a day on: earlier slow-downs are forgotten */
	T += 86400;
	nonce_base += 0x10000;
	mgmt_auth_key_missing(NULL);
	return 0;
}

static void test_vectors(void **state)
{
	struct vector v[4];
	char key[80] = "", fp[16] = "", header[200], sig_hex[65];
	struct auth_key k;
	unsigned int n;
	uint8_t sig[32];

	(void)state;
	n = read_vectors(v, 4, key, fp);
	assert_int_equal(n, 2);
	assert_string_equal(key, key_hex);
	memcpy(k.key, the_key, 32);
	auth_key_fingerprint(&k, sig_hex);
	assert_string_equal(sig_hex, fp);
	load("signed", 0);
	for (unsigned int i = 0; i < n; i++) {
		struct auth_sig_input in = {
			v[i].method,	     strlen(v[i].method),	 v[i].target,
			strlen(v[i].target), (const uint8_t *)v[i].body, strlen(v[i].body)
		};
		struct mgmt_auth_request r;

		assert_int_equal(
			auth_sig_compute(the_key, &in, v[i].ts, strlen(v[i].ts), v[i].nonce, sig),
			0);
		crypto_to_hex(sig, 32, sig_hex);
		assert_string_equal(sig_hex, v[i].sig);
		/* And the whole check takes it, once. */
		snprintf(header, sizeof(header), "Shunt-HMAC-SHA256 ts=%s, nonce=%s, sig=%s",
			 v[i].ts, v[i].nonce, v[i].sig);
		r = (struct mgmt_auth_request){ v[i].method,
						strlen(v[i].method),
						v[i].target,
						strlen(v[i].target),
						header,
						strlen(header),
						(const uint8_t *)v[i].body,
						strlen(v[i].body),
						PEER };
		/* The vectors share their nonce: the second is a replay of the first. */
		assert_int_equal(mgmt_auth_check(&r, T0 + 10),
				 i ? MGMT_ACCESS_NONE : MGMT_ACCESS_ADMIN);
	}
}

static void test_key_file(void **state)
{
	struct auth_key k;
	unsigned int line;
	char why[160], text[600], fp[9];

	(void)state;
	snprintf(text, sizeof(text), "# comment\n\n  shunt-key-v1\t%s  \r\n# x\nmetrics-token %s",
		 key_hex, token_hex);
	assert_int_equal(auth_key_parse(text, strlen(text), &k, &line, why, sizeof(why)), 0);
	assert_memory_equal(k.key, the_key, 32);
	assert_string_equal(k.token, token_hex);
	auth_key_fingerprint(&k, fp);
	assert_string_equal(fp, "630dcd29");
	snprintf(text, sizeof(text), "shunt-key-v1 %s\n", key_hex);
	assert_int_equal(auth_key_parse(text, strlen(text), &k, &line, why, sizeof(why)), 0);
	assert_int_equal(k.token_len, 0);

	static const struct {
		const char *text;
		unsigned int line;
		const char *why;
	} bad[] = {
		{ "", 0, "no shunt-key-v1 line" },
		{ "# only a comment\n", 0, "no shunt-key-v1 line" },
		{ "shunt-key-v1 00010203\n", 1, "64 lowercase hex" },
		{ "shunt-key-v1 000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f\n",
		  1, "64 lowercase hex" },
		{ "shunt-key-v1 "
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00\n",
		  1, "64 lowercase hex" },
		{ "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "
		  "x\n",
		  1, "64 lowercase hex" },
		{ "shunt-key-v1\n", 1, "64 lowercase hex" },
		{ "#\nshunt-key-v1 "
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		  "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		  3, "a second shunt-key-v1" },
		{ "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		  "metrics-token 0123\n",
		  2, "32 to 64 lowercase hex" },
		{ "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		  "metrics-token "
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0\n",
		  2, "32 to 64 lowercase hex" },
		{ "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		  "metrics-token 000102030405060708090a0b0c0d0e0g\n",
		  2, "32 to 64 lowercase hex" },
		{ "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		  "metrics-token 000102030405060708090a0b0c0d0e0f\n"
		  "metrics-token 000102030405060708090a0b0c0d0e0f\n",
		  3, "a second metrics-token" },
		/* The key without its word: refused without quoting it. */
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 1,
		  "not a shunt-key-v1, metrics-token, comment" },
		{ "shunt-key-v2 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		  1, "not a shunt-key-v1" },
		{ "shunt-key-v1 0000000000000000000000000000000000000000000000000000000000000000\n",
		  0, "all zeros" },
		{ "shunt-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
		  "# caf\xc3\xa9\n",
		  2, "not printable ASCII" },
		{ "shunt-key-v1 "
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\x01\n",
		  1, "not printable ASCII" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(why, 0, sizeof(why));
		assert_int_equal(auth_key_parse(bad[i].text, strlen(bad[i].text), &k, &line, why,
						sizeof(why)),
				 -EINVAL);
		assert_int_equal(line, bad[i].line);
		assert_contains(why, bad[i].why);
		assert_null(strstr(why, "0405060708")); /* never the key's digits */
		assert_int_equal(k.key[1], 0);		/* nothing half-parsed is kept */
	}
	/* A NUL inside, and a file past the size limit. */
	memcpy(text, "shunt-key-v1 \0", 14);
	assert_int_equal(auth_key_parse(text, 14, &k, &line, why, sizeof(why)), -EINVAL);
	assert_contains(why, "not printable ASCII");
	char *big = calloc(1, AUTH_KEY_FILE_MAX + 2);
	assert_non_null(big);
	memset(big, '#', AUTH_KEY_FILE_MAX + 1);
	assert_int_equal(auth_key_parse(big, AUTH_KEY_FILE_MAX + 1, &k, &line, why, sizeof(why)),
			 -EINVAL);
	assert_contains(why, "more than a key file's 4096");
	free(big);
}

static void test_header_grammar(void **state)
{
	static const char good[] =
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45";
	static const char *const bad[] = {
		"",
		"Shunt-HMAC-SHA256",
		"shunt-hmac-sha256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256  ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 nonce=000102030405060708090a0b0c0d0e0f, ts=1764444000, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=1764444000,nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=01764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=17644440001764444000, "
		"nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=-1, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090A0B0C0D0E0F, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe4",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe455",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbe45 ",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f, "
		"sig=867e9fe0886986e3703ab8f692e8f2172aab679f8cc532dd6cf74cbd8d4dbeXY",
		"Shunt-HMAC-SHA256 ts=1764444000, nonce=000102030405060708090a0b0c0d0e0f",
	};
	struct auth_sig s;

	(void)state;
	assert_int_equal(auth_sig_parse(good, strlen(good), &s), 0);
	assert_u64_equal(s.ts, T0);
	assert_int_equal(s.ts_len, 10);
	assert_int_equal(s.nonce[15], 0x0f);
	assert_int_equal(s.sig[0], 0x86);
	assert_int_equal(s.sig[31], 0x45);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(auth_sig_parse(bad[i], strlen(bad[i]), &s), -EINVAL);
	assert_int_equal(auth_sig_parse(NULL, 0, &s), -EINVAL);
	/* A length that cuts the value short is what is parsed. */
	assert_int_equal(auth_sig_parse(good, strlen(good) - 1, &s), -EINVAL);
}

static void test_failures(void **state)
{
	static const uint8_t wrong[32] = { 1 };
	struct mgmt_auth_request r;
	char header[200];
	uint64_t before;
	unsigned int nonce = 1;

	(void)state;
	load("signed", 0);
	before = mgmt_auth_failures();
	r = request(the_key, "GET", "/api/v1/vms", "", T, nonce++, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);
	/* The window's edges pass, one second past them does not, either way. */
	r = request(the_key, "GET", "/api/v1/vms", "", T - 300, nonce++, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);
	r = request(the_key, "GET", "/api/v1/vms", "", T + 300, nonce++, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);
	assert_u64_equal(mgmt_auth_failures(), before);

	r = request(the_key, "GET", "/api/v1/vms", "", T - 301, nonce++, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r = request(the_key, "GET", "/api/v1/vms", "", T + 301, nonce++, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	/* Wrong key. */
	r = request(wrong, "GET", "/api/v1/vms", "", T, nonce++, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	/* Replayed: the first request again. */
	r = request(the_key, "GET", "/api/v1/vms", "", T, 1, header);
	assert_int_equal(mgmt_auth_check(&r, T + 1), MGMT_ACCESS_NONE);
	/* Tampered method, target, body: signed for one, sent as another. */
	r = request(the_key, "GET", "/api/v1/vms/a/stop", "", T, nonce++, header);
	r.method = "POST", r.method_len = 4;
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r = request(the_key, "POST", "/api/v1/vms/a/stop", "", T, nonce++, header);
	r.target = "/api/v1/vms/b/stop";
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r = request(the_key, "POST", "/api/v1/vms/a/stop", "{}", T, nonce++, header);
	r.body = (const uint8_t *)"{ }", r.body_len = 3;
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	/* A bit of the signature flipped. */
	r = request(the_key, "GET", "/api/v1/vms", "", T, nonce++, header);
	header[strlen(header) - 1] ^= 1;
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	/* Bad syntax, another scheme. */
	r.authorization = "Shunt-HMAC-SHA256 ts=1", r.authorization_len = 22;
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r.authorization = "Basic YWRtaW46YWRtaW4=", r.authorization_len = 22;
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	assert_u64_equal(mgmt_auth_failures(), before + 10);
	/* No header: no access, and not counted here (the server counts a 401 it gives). */
	r.authorization = NULL, r.authorization_len = 0;
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	assert_u64_equal(mgmt_auth_failures(), before + 10);
	mgmt_auth_note_failure(PEER, T);
	assert_u64_equal(mgmt_auth_failures(), before + 11);
	assert_int_equal(crypto_pool_in_use(), 0);
}

/* A request replayed after the window: its nonce may be forgotten, its timestamp is stale. */
static void test_after_window(void **state)
{
	struct mgmt_auth_request r;
	char header[200];

	(void)state;
	load("signed", 0);
	r = request(the_key, "GET", "/api/v1/host", "", T, 7, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);
	assert_int_equal(mgmt_auth_check(&r, T + 299), MGMT_ACCESS_NONE); /* replay */
	assert_int_equal(mgmt_auth_check(&r, T + 301), MGMT_ACCESS_NONE); /* stale */
	/* The same nonce in a new request, signed now: a new signature (the key holder's). */
	r = request(the_key, "GET", "/api/v1/host", "", T + 301, 7, header);
	assert_int_equal(mgmt_auth_check(&r, T + 301), MGMT_ACCESS_NONE); /* still remembered */
}

static void test_full_table(void **state)
{
	struct mgmt_auth_request r;
	char header[200];
	struct auth_replay *t = calloc(1, sizeof(*t));
	uint8_t nonce[16] = { 0 };

	(void)state;
	/* The table alone: fill it with timestamps T0+1.., the oldest goes and sets the floor. */
	assert_non_null(t);
	for (uint32_t i = 0; i < AUTH_REPLAY_SLOTS; i++) {
		memcpy(nonce, &i, 4);
		assert_int_equal(auth_replay_check(t, nonce, T0 + 1 + i % 200), AUTH_REPLAY_FRESH);
		auth_replay_remember(t, nonce, T0 + 1 + i % 200, T0 + 200);
	}
	assert_u64_equal(t->floor, 0);
	memcpy(nonce, &(uint32_t){ 0 }, 4);
	assert_int_equal(auth_replay_check(t, nonce, T0 + 1), AUTH_REPLAY_SEEN);
	memcpy(nonce, &(uint32_t){ 5000 }, 4);
	auth_replay_remember(t, nonce, T0 + 150, T0 + 200);
	assert_u64_equal(t->floor, T0 + 1);
	memcpy(nonce, &(uint32_t){ 0 }, 4); /* perhaps forgotten: refused by the floor */
	assert_int_equal(auth_replay_check(t, nonce, T0 + 1), AUTH_REPLAY_FLOOR);
	memcpy(nonce, &(uint32_t){ 6000 }, 4);
	assert_int_equal(auth_replay_check(t, nonce, T0 + 2), AUTH_REPLAY_FRESH);
	/* Entries past the window are taken back without raising the floor. */
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < AUTH_REPLAY_SLOTS; i++) {
		memcpy(nonce, &i, 4);
		auth_replay_remember(t, nonce, T0, T0);
	}
	memcpy(nonce, &(uint32_t){ 7000 }, 4);
	auth_replay_remember(t, nonce, T0 + 400, T0 + 400);
	assert_u64_equal(t->floor, 0);
	free(t);

	/* Through the check: 1,024 requests in one second, then the 1,025th. */
	load("signed", 0);
	for (unsigned int i = 0; i < AUTH_REPLAY_SLOTS; i++) {
		r = request(the_key, "GET", "/api/v1/vms", "", T, 100 + i, header);
		assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);
	}
	r = request(the_key, "GET", "/api/v1/vms", "", T + 1, 5000, header);
	assert_int_equal(mgmt_auth_check(&r, T + 1), MGMT_ACCESS_ADMIN);
	r = request(the_key, "GET", "/api/v1/vms", "", T, 100, header); /* forgotten: floor */
	assert_int_equal(mgmt_auth_check(&r, T + 1), MGMT_ACCESS_NONE);
	r = request(the_key, "GET", "/api/v1/vms", "", T, 9999, header); /* new, at the floor */
	assert_int_equal(mgmt_auth_check(&r, T + 1), MGMT_ACCESS_NONE);
	r = request(the_key, "GET", "/api/v1/vms", "", T + 1, 9999, header);
	assert_int_equal(mgmt_auth_check(&r, T + 1), MGMT_ACCESS_ADMIN);
}

static struct mgmt_auth_request bearer(const char *token, char *header)
{
	sprintf(header, "Bearer %s", token);
	return (struct mgmt_auth_request){ .method = "GET",
					   .method_len = 3,
					   .target = "/metrics",
					   .target_len = 8,
					   .authorization = header,
					   .authorization_len = strlen(header),
					   .peer = PEER };
}

static void test_metrics_token(void **state)
{
	struct mgmt_auth_request r, none = { .method = "GET", .method_len = 3, .peer = PEER };
	char header[200];
	uint64_t before = mgmt_auth_failures();

	(void)state;
	load("token", 1);
	r = bearer(token_hex, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_METRICS);
	r = bearer("9a1b2c3d4e5f60718293a4b5c6d7e8f8", header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r = bearer("9a1b2c3d4e5f60718293a4b5c6d7e8f9a", header); /* one digit more */
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r = bearer("9a1b2c3d4e5f60718293a4b5c6d7e8f", header); /* one less */
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	r = bearer("", header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	assert_int_equal(mgmt_auth_check(&none, T), MGMT_ACCESS_NONE);
	assert_u64_equal(mgmt_auth_failures(), before + 4);
	/* The key still signs, for everything. */
	r = request(the_key, "GET", "/metrics", "", T, 1, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);

	/* signed: the token is no credential. */
	load("signed", 1);
	r = bearer(token_hex, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	/* token without a token line: /metrics stays signed, and the boot says so. */
	load("token", 0);
	r = bearer(token_hex, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	memset(logged, 0, sizeof(logged));
	mgmt_auth_report();
	assert_contains(logged, "mgmt.metrics=token, but /shunt.key has no metrics-token line");
	/* public: anyone reads metrics, with or without credentials; only the key acts. */
	load("public", 1);
	assert_int_equal(mgmt_auth_check(&none, T), MGMT_ACCESS_METRICS);
	r = bearer("nonsense", header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_METRICS);
	r = request(the_key, "POST", "/api/v1/vms/a/stop", "", T, 2, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_ADMIN);
}

/* No key, a bad key, no clock: nothing passes. */
static void test_no_key_no_clock(void **state)
{
	struct mgmt_auth_request r;
	char header[200];
	uint64_t before = mgmt_auth_failures();

	(void)state;
	r = request(the_key, "GET", "/api/v1/vms", "", T, 1, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	mgmt_auth_load_key((char[]){ "shunt-key-v1 00\n" }, 16);
	r = request(the_key, "GET", "/api/v1/vms", "", T, 2, header);
	assert_int_equal(mgmt_auth_check(&r, T), MGMT_ACCESS_NONE);
	load("signed", 0);
	r = request(the_key, "GET", "/api/v1/vms", "", 0, 3, header);
	assert_int_equal(mgmt_auth_check(&r, 0), MGMT_ACCESS_NONE);
	r = request(the_key, "GET", "/api/v1/vms", "", 300, 4, header);
	assert_int_equal(mgmt_auth_check(&r, 0), MGMT_ACCESS_NONE);
	assert_u64_equal(mgmt_auth_failures(), before + 4);
}

static void test_report(void **state)
{
	(void)state;
	mgmt_auth_report();
	assert_contains(logged, "mgmt: no key on the boot medium (/shunt.key): the API refuses "
				"every request; shuntctl keygen writes one");
	memset(logged, 0, sizeof(logged));
	load("signed", 1);
	mgmt_auth_report();
	assert_contains(logged, "mgmt: API on port 80, key loaded (fingerprint 630dcd29)");
	memset(logged, 0, sizeof(logged));
	mgmt_auth_load_key((char[]){ "# k\nshunt-key-v1 0001\n" }, 22);
	mgmt_auth_report();
	assert_contains(logged, "mgmt: key: /shunt.key:2: shunt-key-v1 is followed by the key");
	memset(logged, 0, sizeof(logged));
	mgmt_auth_key_missing("the loader could not read the file");
	mgmt_auth_report();
	assert_contains(logged, "mgmt: key: /shunt.key: the loader could not read the file");
	assert_null(strstr(logged, "0405060708"));
}

static void test_slow_down(void **state)
{
	struct auth_peers *p = calloc(1, sizeof(*p));
	uint64_t now = 1000;
	uint32_t expect_wait = 1;

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < AUTH_PEER_FAILURES - 1; i++)
		auth_peers_fail(p, PEER, now);
	assert_int_equal(auth_peers_wait(p, PEER, now), 0);
	/* The fifth within the window: a wait, doubling at each failure after it, up to 64. */
	for (int i = 0; i < 9; i++) {
		auth_peers_fail(p, PEER, now);
		assert_int_equal(auth_peers_wait(p, PEER, now), expect_wait);
		assert_int_equal(auth_peers_wait(p, PEER + 1, now), 0); /* others unaffected */
		now += expect_wait;
		assert_int_equal(auth_peers_wait(p, PEER, now), 0);
		if (expect_wait < AUTH_PEER_WAIT_MAX_S)
			expect_wait *= 2;
	}
	assert_int_equal(expect_wait, 64);
	/* 60 s after its last wait ended: still slowed down. */
	now += AUTH_PEER_WINDOW_S;
	auth_peers_fail(p, PEER, now);
	assert_int_equal(auth_peers_wait(p, PEER, now), 64);
	/* Quiet for more than a window: forgiven, four failures pass again. */
	now += 64 + AUTH_PEER_WINDOW_S + 1;
	for (int i = 0; i < AUTH_PEER_FAILURES - 1; i++)
		auth_peers_fail(p, PEER, now);
	assert_int_equal(auth_peers_wait(p, PEER, now), 0);
	auth_peers_fail(p, PEER, now);
	assert_int_equal(auth_peers_wait(p, PEER, now), 1);
	/* Failures spread wider than the window never add up to five. */
	for (int i = 0; i < 20; i++)
		auth_peers_fail(p, PEER + 2, now + 16 * (uint64_t)i);
	assert_int_equal(auth_peers_wait(p, PEER + 2, now + 16 * 19), 0);
	/* A flood of addresses: the table stays its size, the least recent goes. */
	for (uint32_t a = 0; a < 5 * AUTH_PEER_SLOTS; a++)
		for (int i = 0; i < AUTH_PEER_FAILURES; i++)
			auth_peers_fail(p, 0x0b000000 + a, now + 1000 + a);
	assert_int_equal(auth_peers_wait(p, PEER, now + 1000), 0); /* forgotten */
	assert_int_equal(
		auth_peers_wait(p, 0x0b000000 + 5 * AUTH_PEER_SLOTS - 1, now + 1000 + 5 * 64 - 1),
		1);
	free(p);
}

/* Through mgmt_auth_check: an address that keeps failing waits, on Shunt's own clock. */
static void test_slow_down_check(void **state)
{
	struct mgmt_auth_request r;
	char header[200];

	(void)state;
	load("signed", 0);
	r = request(the_key, "GET", "/api/v1/vms", "", T0 + 1000, 1, header); /* stale */
	for (int i = 0; i < AUTH_PEER_FAILURES; i++) {
		assert_int_equal(mgmt_auth_peer_wait(PEER, T0), 0);
		assert_int_equal(mgmt_auth_check(&r, T0), MGMT_ACCESS_NONE);
	}
	assert_int_equal(mgmt_auth_peer_wait(PEER, T0), 1);
	assert_int_equal(mgmt_auth_peer_wait(PEER + 1, T0), 0);
	fake_cycles += 1000; /* one second of Shunt's clock */
	assert_int_equal(mgmt_auth_peer_wait(PEER, T0), 0);
	mgmt_auth_note_failure(PEER, T0); /* e.g. a metrics token used for an action */
	assert_int_equal(mgmt_auth_peer_wait(PEER, T0), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vectors, setup),
		cmocka_unit_test_setup(test_key_file, setup),
		cmocka_unit_test_setup(test_header_grammar, setup),
		cmocka_unit_test_setup(test_failures, setup),
		cmocka_unit_test_setup(test_after_window, setup),
		cmocka_unit_test_setup(test_full_table, setup),
		cmocka_unit_test_setup(test_metrics_token, setup),
		cmocka_unit_test_setup(test_no_key_no_clock, setup),
		cmocka_unit_test_setup(test_report, setup),
		cmocka_unit_test_setup(test_slow_down, setup),
		cmocka_unit_test_setup(test_slow_down_check, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
