/*
 * mbedTLS's configuration for Shunt (MBEDTLS_CONFIG_FILE): only what the management API's
 * authentication and random numbers need (SHA-256, HMAC through the md layer, HMAC_DRBG),
 * no file system, no standard library, and its few allocations from hv/net/crypto.c's fixed
 * pool, never a heap.
 */
#ifndef SHUNT_MBEDTLS_CONFIG_H
#define SHUNT_MBEDTLS_CONFIG_H

#include <stddef.h>

#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_CALLOC_MACRO crypto_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO crypto_free

#define MBEDTLS_SHA256_C
#define MBEDTLS_MD_C
#define MBEDTLS_HMAC_DRBG_C

void *crypto_calloc(size_t n, size_t size);
void crypto_free(void *p);

#include "mbedtls/check_config.h"

#endif
