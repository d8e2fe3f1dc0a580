/*
 * ICMP echo (hv/net/echo.c): the checksum against RFC 1071's example, the request Shunt
 * builds, and the reply check against replies that are right and ones that are wrong in
 * each field, truncated, or lying about their lengths.
 */
#include "unit.h"

#include <hv/net/echo.h>

#define SRC 0x0202000au /* 10.0.2.2 as it is in a header read on a little-endian host */

static uint8_t packet[128];

/* An IPv4 header of ihl words and total length, then the reply to request (id, seq). */
static size_t make_reply(uint16_t id, uint16_t seq, unsigned int ihl, size_t total)
{
	uint8_t *icmp = packet + 4 * ihl;
	uint16_t sum;

	memset(packet, 0, sizeof(packet));
	packet[0] = (uint8_t)(0x40 | ihl);
	packet[2] = (uint8_t)(total >> 8);
	packet[3] = (uint8_t)total;
	packet[8] = 64;
	packet[9] = 1;
	memcpy(packet + 12, &(uint32_t){ SRC }, 4);
	echo_build_request(icmp, id, seq);
	icmp[0] = 0; /* a reply: the type changes, and the checksum with it */
	icmp[2] = icmp[3] = 0;
	sum = echo_checksum(icmp, ECHO_REQUEST_LEN);
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	return total;
}

static void test_checksum(void **state)
{
	/* RFC 1071, 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, complemented 220d. */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t req[ECHO_REQUEST_LEN];

	(void)state;
	assert_int_equal(echo_checksum(rfc, sizeof(rfc)), 0x220d);
	assert_int_equal(echo_checksum(rfc, 1), 0xffff);
	echo_build_request(req, 0x5348, 7);
	assert_int_equal(req[0], 8);
	assert_int_equal(req[4] << 8 | req[5], 0x5348);
	assert_int_equal(req[6] << 8 | req[7], 7);
	assert_int_equal(echo_checksum(req, sizeof(req)), 0); /* a good sum checks to 0 */
}

static void test_good_reply(void **state)
{
	size_t n = make_reply(0x5348, 3, 5, 20 + ECHO_REQUEST_LEN);

	(void)state;
	assert_true(echo_is_reply(packet, n, SRC, 0x5348, 3));
	/* IP options: a longer header. */
	n = make_reply(0x5348, 3, 6, 24 + ECHO_REQUEST_LEN);
	assert_true(echo_is_reply(packet, n, SRC, 0x5348, 3));
	/* Trailing bytes past the total length (Ethernet padding) are not the reply's. */
	n = make_reply(0x5348, 3, 5, 20 + ECHO_REQUEST_LEN);
	assert_true(echo_is_reply(packet, n + 10, SRC, 0x5348, 3));
}

static void test_wrong_replies(void **state)
{
	size_t n;

	(void)state;
	n = make_reply(0x5348, 3, 5, 20 + ECHO_REQUEST_LEN);
	assert_false(echo_is_reply(packet, n, SRC + 1, 0x5348, 3)); /* another host */
	assert_false(echo_is_reply(packet, n, SRC, 0x5349, 3));	    /* another id */
	assert_false(echo_is_reply(packet, n, SRC, 0x5348, 4));	    /* another seq */
	/* Any byte of the reply's identity changed: version and header length, total length,
	 * protocol, source, and every ICMP byte (lwIP checked the rest: header sum, address). */
	for (size_t i = 0; i < n; i++) {
		if (i == 1 || (i >= 4 && i <= 8) || i == 10 || i == 11 || (i >= 16 && i < 20))
			continue;
		make_reply(0x5348, 3, 5, 20 + ECHO_REQUEST_LEN);
		packet[i] ^= 0x10;
		assert_false(echo_is_reply(packet, n, SRC, 0x5348, 3));
	}
}

static void test_lengths(void **state)
{
	size_t n;

	(void)state;
	n = make_reply(0x5348, 3, 5, 20 + ECHO_REQUEST_LEN);
	for (size_t len = 0; len < n; len++) /* truncated anywhere */
		assert_false(echo_is_reply(packet, len, SRC, 0x5348, 3));
	make_reply(0x5348, 3, 5, 20 + ECHO_REQUEST_LEN + 1); /* says more than there is */
	assert_false(echo_is_reply(packet, n, SRC, 0x5348, 3));
	make_reply(0x5348, 3, 5, 19); /* shorter than its header */
	assert_false(echo_is_reply(packet, n, SRC, 0x5348, 3));
	make_reply(0x5348, 3, 4, 20 + ECHO_REQUEST_LEN); /* header of 16 bytes */
	assert_false(echo_is_reply(packet, n, SRC, 0x5348, 3));
	make_reply(0x5348, 3, 15, 60 + ECHO_REQUEST_LEN); /* header past the data given */
	assert_false(echo_is_reply(packet, 60, SRC, 0x5348, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_good_reply),
		cmocka_unit_test(test_wrong_replies),
		cmocka_unit_test(test_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
