/*
 * SHA-256 and HMAC-SHA256 from mbedTLS (its md layer), a constant-time comparison, and the
 * pool mbedTLS's few allocations come from (shunt_mbedtls_config.h: crypto_calloc): a fixed
 * array of slots, so that the crypto can neither grow nor take memory from anyone else.
 */
#include <hv/net/crypto.h>
#include <hv/string.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

/*
 * An HMAC context takes two allocations (SHA-256's state, 108 bytes; the two pads, 128
 * bytes); the signature check and the DRBG hold one each, so eight slots leave room.
 */
#define CRYPTO_SLOTS 8
#define CRYPTO_SLOT_BYTES 256

static _Alignas(16) uint8_t pool[CRYPTO_SLOTS][CRYPTO_SLOT_BYTES];
static uint8_t in_use[CRYPTO_SLOTS];

void *crypto_calloc(size_t n, size_t size)
{
	if (!n || !size || n > CRYPTO_SLOT_BYTES / size)
		return NULL;
	for (unsigned int i = 0; i < CRYPTO_SLOTS; i++) {
		if (in_use[i])
			continue;
		in_use[i] = 1;
		memset(pool[i], 0, CRYPTO_SLOT_BYTES);
		return pool[i];
	}
	return NULL;
}

void crypto_free(void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)pool;

	if (!p || off >= sizeof(pool) || off % CRYPTO_SLOT_BYTES)
		return; /* not from the pool: mbedTLS frees only what it allocated */
	crypto_wipe(p, CRYPTO_SLOT_BYTES); /* it held key material */
	in_use[off / CRYPTO_SLOT_BYTES] = 0;
}

unsigned int crypto_pool_in_use(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CRYPTO_SLOTS; i++)
		n += in_use[i];
	return n;
}

void crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_BYTES])
{
	mbedtls_sha256_ret(data, len, out, 0);
}

int crypto_hmac_sha256(const uint8_t *key, size_t key_len, const struct crypto_part *parts,
		       size_t count, uint8_t out[CRYPTO_SHA256_BYTES])
{
	mbedtls_md_context_t md;
	int err;

	mbedtls_md_init(&md);
	err = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (!err)
		err = mbedtls_md_hmac_starts(&md, key, key_len);
	for (size_t i = 0; !err && i < count; i++)
		err = mbedtls_md_hmac_update(&md, parts[i].data, parts[i].len);
	if (!err)
		err = mbedtls_md_hmac_finish(&md, out);
	mbedtls_md_free(&md);
	return err ? -ENOMEM : 0;
}

int crypto_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

void crypto_wipe(void *p, size_t n)
{
	mbedtls_platform_zeroize(p, n);
}

void crypto_to_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
