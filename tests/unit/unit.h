/*
 * What every host unit test includes: cmocka with the headers it needs first, and a few
 * assertions that print both sides when they fail.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Fails unless the string s contains needle (e.g. a distinctive part of an error message). */
#define assert_contains(s, needle)                                                                 \
	do {                                                                                       \
		const char *s_ = (s);                                                              \
		const char *n_ = (needle);                                                         \
		if (!s_ || !strstr(s_, n_))                                                        \
			fail_msg("\"%s\" does not contain \"%s\"", s_ ? s_ : "(null)", n_);        \
	} while (0)

/* 64-bit values printed in hex, for addresses. */
#define assert_u64_equal(a, b)                                                                     \
	do {                                                                                       \
		unsigned long long a_ = (a), b_ = (b);                                             \
		if (a_ != b_)                                                                      \
			fail_msg("%s = 0x%llx, expected %s = 0x%llx", #a, a_, #b, b_);             \
	} while (0)

/*
 * Runs a group with stdout unbuffered, so that cmocka's messages on stdout and stderr stay
 * in order when unit.mk captures both into one log.
 */
#define unit_run(tests)                                                                            \
	(setvbuf(stdout, NULL, _IONBF, 0), cmocka_run_group_tests(tests, NULL, NULL))

#endif
