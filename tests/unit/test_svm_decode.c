/*
 * The MOV to CR4 decoder of the SVM backend (arch/x86_64/svm/svm_decode.c), which stands in
 * for decode assists: the encodings a compiler emits, prefixes and REX, and everything it
 * must refuse rather than misread.
 */
#include "unit.h"

#include "svm_decode.h"

static unsigned int decode(const uint8_t *b, unsigned int n, unsigned int *gpr)
{
	*gpr = 99;
	return svm_decode_mov_to_cr4(b, n, gpr);
}

static void test_plain(void **state)
{
	const uint8_t rax[] = { 0x0f, 0x22, 0xe0 }, rdi[] = { 0x0f, 0x22, 0xe7 };
	unsigned int gpr;

	(void)state;
	assert_int_equal(decode(rax, 3, &gpr), 3);
	assert_int_equal(gpr, 0);
	assert_int_equal(decode(rdi, 3, &gpr), 3);
	assert_int_equal(gpr, 7);
}

static void test_rex_b(void **state)
{
	const uint8_t r8[] = { 0x41, 0x0f, 0x22, 0xe0 }, r15[] = { 0x41, 0x0f, 0x22, 0xe7 };
	const uint8_t rex_w[] = { 0x48, 0x0f, 0x22, 0xe1 }; /* a redundant REX.W: RCX */
	unsigned int gpr;

	(void)state;
	assert_int_equal(decode(r8, 4, &gpr), 4);
	assert_int_equal(gpr, 8);
	assert_int_equal(decode(r15, 4, &gpr), 4);
	assert_int_equal(gpr, 15);
	assert_int_equal(decode(rex_w, 4, &gpr), 4);
	assert_int_equal(gpr, 1);
}

static void test_prefixes(void **state)
{
	const uint8_t p[] = { 0x66, 0x2e, 0x3e, 0x41, 0x0f, 0x22, 0xe3 };
	unsigned int gpr;

	(void)state;
	assert_int_equal(decode(p, sizeof(p), &gpr), 7);
	assert_int_equal(gpr, 11);
	/* More bytes after it change nothing. */
	uint8_t longer[15] = { 0x0f, 0x22, 0xe2, 0x90, 0x90 };
	assert_int_equal(decode(longer, sizeof(longer), &gpr), 3);
	assert_int_equal(gpr, 2);
}

static void test_refused(void **state)
{
	const uint8_t cr0[] = { 0x0f, 0x22, 0xc0 };	   /* MOV CR0, RAX */
	const uint8_t cr12[] = { 0x44, 0x0f, 0x22, 0xe0 }; /* REX.R: CR12 */
	const uint8_t mem[] = { 0x0f, 0x22, 0x20 };	   /* mod 00 */
	const uint8_t from_cr4[] = { 0x0f, 0x20, 0xe0 };   /* MOV RAX, CR4 */
	const uint8_t short_one[] = { 0x0f, 0x22 };
	uint8_t all_prefixes[15];
	unsigned int gpr;

	(void)state;
	assert_int_equal(decode(cr0, 3, &gpr), 0);
	assert_int_equal(decode(cr12, 4, &gpr), 0);
	assert_int_equal(decode(mem, 3, &gpr), 0);
	assert_int_equal(decode(from_cr4, 3, &gpr), 0);
	assert_int_equal(decode(short_one, 2, &gpr), 0);
	assert_int_equal(decode(cr0, 0, &gpr), 0);
	memset(all_prefixes, 0x66, sizeof(all_prefixes));
	assert_int_equal(decode(all_prefixes, sizeof(all_prefixes), &gpr), 0);
	/* The register is left alone when nothing was decoded. */
	assert_int_equal(gpr, 99);
}

static void test_fifteen_byte_limit(void **state)
{
	uint8_t b[16];
	unsigned int gpr;

	(void)state;
	/* 13 prefixes and the 3 bytes: 16 bytes, one too many for an instruction. */
	memset(b, 0x2e, 13);
	b[13] = 0x0f;
	b[14] = 0x22;
	b[15] = 0xe0;
	assert_int_equal(decode(b, sizeof(b), &gpr), 0);
	/* 12 prefixes: 15 bytes, decoded. */
	assert_int_equal(decode(b + 1, 15, &gpr), 15);
	assert_int_equal(gpr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_rex_b),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_fifteen_byte_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
