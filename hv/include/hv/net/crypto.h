/*
 * The management plane's cryptographic primitives over mbedTLS (hv/net/crypto.c): SHA-256,
 * HMAC-SHA256 in parts, constant-time comparison, and the fixed pool mbedTLS allocates from.
 */
#ifndef HV_NET_CRYPTO_H
#define HV_NET_CRYPTO_H

#include <hv/types.h>

#define CRYPTO_SHA256_BYTES 32

/* One part of a message: the parts are hashed one after another, as if joined. */
struct crypto_part {
	const void *data;
	size_t len;
};

void crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_BYTES]);
/* HMAC-SHA256 with key over the parts joined. 0, or -ENOMEM when the pool is exhausted. */
int crypto_hmac_sha256(const uint8_t *key, size_t key_len, const struct crypto_part *parts,
		       size_t count, uint8_t out[CRYPTO_SHA256_BYTES]);
/* 1 if the n bytes at a and b are equal, in a time that depends on n alone. */
int crypto_equal(const void *a, const void *b, size_t n);
/* Zeroes n bytes in a way the compiler may not leave out (for keys no longer needed). */
void crypto_wipe(void *p, size_t n);
/* Lowercase hex of n bytes into out (2 * n + 1 bytes with its NUL). */
void crypto_to_hex(const uint8_t *in, size_t n, char *out);
/* Pool slots in use now (mbedTLS's contexts), for tests: 0 when every context was freed. */
unsigned int crypto_pool_in_use(void);

#endif
