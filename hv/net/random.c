/*
 * The management plane's random numbers: an mbedTLS HMAC_DRBG (SHA-256) whose entropy is
 * the CPU's generator (RDSEED or RDRAND, when present) mixed with samples of the TSC's
 * jitter around a little work, hashed. It reseeds itself after RANDOM_RESEED_REQUESTS
 * requests. In an emulator that counts instructions (Bochs) the jitter is none at all: there
 * only the CPU's generator is worth anything, which is why the boot line names the source.
 */
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/net/crypto.h>
#include <hv/net/random.h>
#include <hv/string.h>

#include <mbedtls/hmac_drbg.h>

#define RANDOM_JITTER_SAMPLES 256
#define RANDOM_RESEED_REQUESTS 4096
#define RANDOM_MAX_REQUEST 1024 /* MBEDTLS_HMAC_DRBG_MAX_REQUEST */

static mbedtls_hmac_drbg_context drbg;
static int seeded;
static int hw_failed; /* the CPU's generator failed (or is none): jitter alone since */

/* The cycles a small, data-dependent piece of work took: its variation is the jitter. */
static uint64_t jitter_sample(uint64_t *mix)
{
	uint64_t t0 = arch_cycles();

	for (int i = 0; i < 8; i++)
		*mix = (*mix ^ (*mix >> 29)) * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
	return arch_cycles() - t0;
}

/* SHA-256 of RANDOM_JITTER_SAMPLES timings and the counter itself. */
static void jitter_digest(uint8_t out[CRYPTO_SHA256_BYTES])
{
	uint64_t samples[RANDOM_JITTER_SAMPLES + 1], mix = arch_cycles();

	for (int i = 0; i < RANDOM_JITTER_SAMPLES; i++)
		samples[i] = jitter_sample(&mix);
	samples[RANDOM_JITTER_SAMPLES] = arch_cycles() ^ mix;
	crypto_sha256(samples, sizeof(samples), out);
	crypto_wipe(samples, sizeof(samples));
}

/* mbedTLS's entropy callback: the CPU's words XOR a fresh jitter digest, block by block. */
static int entropy(void *ctx, unsigned char *out, size_t len)
{
	uint8_t digest[CRYPTO_SHA256_BYTES];

	(void)ctx;
	for (size_t done = 0; done < len; done += sizeof(digest)) {
		size_t n = MIN(sizeof(digest), len - done);

		jitter_digest(digest);
		for (size_t i = 0; i < n; i += 8) {
			uint64_t w = 0;

			if (!hw_failed && arch_random_read(&w))
				hw_failed = 1;
			for (size_t b = 0; b < 8 && i + b < n; b++)
				out[done + i + b] = digest[i + b] ^ (uint8_t)(w >> (8 * b));
		}
	}
	crypto_wipe(digest, sizeof(digest));
	return 0;
}

static int seed(void)
{
	static const char personal[] = "shunt management plane";

	mbedtls_hmac_drbg_init(&drbg);
	if (mbedtls_hmac_drbg_seed(&drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), entropy,
				   NULL, (const unsigned char *)personal, sizeof(personal) - 1))
		return -ENOMEM;
	mbedtls_hmac_drbg_set_reseed_interval(&drbg, RANDOM_RESEED_REQUESTS);
	seeded = 1;
	return 0;
}

void random_init(void)
{
	const char *hw = arch_random_source();

	hw_failed = !hw;
	if (!seeded && seed())
		panic("mgmt: random: the DRBG could not be set up (crypto pool exhausted)\n");
	if (hw && !hw_failed)
		log_info("mgmt: random: HMAC_DRBG seeded from %s and TSC jitter\n", hw);
	else if (hw)
		log_warn("mgmt: random: %s failed; HMAC_DRBG seeded from TSC jitter only\n", hw);
	else
		log_warn("mgmt: random: TSC jitter only (the CPU has neither RDSEED nor RDRAND)\n");
}

void random_bytes(void *out, size_t len)
{
	uint8_t *p = out;

	if (!seeded && seed())
		panic("mgmt: random: the DRBG could not be set up (crypto pool exhausted)\n");
	while (len) {
		size_t n = MIN(len, (size_t)RANDOM_MAX_REQUEST);

		/* Fails only when a reseed's entropy does, and the entropy callback never does. */
		if (mbedtls_hmac_drbg_random(&drbg, p, n))
			panic("mgmt: random: the DRBG failed\n");
		p += n;
		len -= n;
	}
}

uint32_t random_u32(void)
{
	uint32_t v;

	random_bytes(&v, sizeof(v));
	return v;
}
