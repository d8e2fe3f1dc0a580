/*
 * The management API's HTTP parser (hv/net/http.c): good requests whole, byte by byte and
 * pipelined; every limit at its edge (request line, head size, header count, body size by
 * Content-Length and by chunks); each malformation of API.md answered with its status.
 */
#include "unit.h"

#include <hv/net/http.h>

static char head[HTTP_HEAD_MAX];
static uint8_t body[HTTP_BODY_MAX];
static struct http_request req;

/* Feeds all of s (n bytes) in pieces of step bytes; returns the bytes taken. */
static size_t feed_n(const char *s, size_t n, size_t step)
{
	size_t taken = 0;

	http_request_init(&req, head, body);
	while (taken < n && req.state == HTTP_MORE) {
		size_t piece = MIN(step, n - taken);
		size_t t = http_feed(&req, (const uint8_t *)s + taken, piece);

		assert_true(t <= piece);
		taken += t;
		if (t < piece)
			break;
	}
	return taken;
}

static size_t feed(const char *s)
{
	return feed_n(s, strlen(s), SIZE_MAX);
}

/* The status s gets, fed whole and byte by byte (both must agree). */
static int status_of(const char *s)
{
	int whole;

	feed(s);
	whole = req.state == HTTP_ERROR ? req.status : req.state == HTTP_DONE ? 200 : 0;
	feed_n(s, strlen(s), 1);
	assert_int_equal(req.state == HTTP_ERROR  ? req.status
			 : req.state == HTTP_DONE ? 200
						  : 0,
			 whole);
	return whole;
}

static void test_get(void **state)
{
	const char *s = "GET /api/v1/vms?after=3&limit=2 HTTP/1.1\r\nHost: x\r\n"
			"authorization:  Shunt-HMAC-SHA256 ts=1 \r\n\r\nGET / HTTP/1.1\r\n\r\n";
	size_t first = strlen(s) - strlen("GET / HTTP/1.1\r\n\r\n");

	(void)state;
	for (size_t step = 1; step <= strlen(s); step += 7) {
		assert_int_equal(feed_n(s, strlen(s), step), first);
		assert_int_equal(req.state, HTTP_DONE);
		assert_true(http_method_is(&req, "GET"));
		assert_false(http_method_is(&req, "GE"));
		assert_string_equal(req.path, "/api/v1/vms");
		assert_int_equal(req.query_len, strlen("after=3&limit=2"));
		assert_memory_equal(req.query, "after=3&limit=2", req.query_len);
		assert_int_equal(req.target_len, strlen("/api/v1/vms?after=3&limit=2"));
		assert_int_equal(req.authorization_len, strlen("Shunt-HMAC-SHA256 ts=1"));
		assert_memory_equal(req.authorization, "Shunt-HMAC-SHA256 ts=1",
				    req.authorization_len);
		assert_int_equal(req.keep_alive, 1);
		assert_int_equal(req.body_len, 0);
	}
}

static void test_bodies(void **state)
{
	const char *cl = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET";
	const char *ch = "POST /a HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
			 "3\r\nhel\r\nA\r\n0123456789\r\n0\r\n\r\nNEXT";

	(void)state;
	assert_int_equal(feed(cl), strlen(cl) - 3);
	assert_int_equal(req.state, HTTP_DONE);
	assert_int_equal(req.body_len, 5);
	assert_memory_equal(req.body, "hello", 5);
	for (size_t step = 1; step < 9; step++) {
		assert_int_equal(feed_n(ch, strlen(ch), step), strlen(ch) - 4);
		assert_int_equal(req.state, HTTP_DONE);
		assert_int_equal(req.body_len, 13);
		assert_memory_equal(req.body, "hel0123456789", 13);
	}
}

static void test_connection(void **state)
{
	(void)state;
	feed("GET / HTTP/1.0\r\n\r\n");
	assert_int_equal(req.state, HTTP_DONE);
	assert_int_equal(req.keep_alive, 0);
	feed("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n");
	assert_int_equal(req.keep_alive, 0);
	feed("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n");
	assert_int_equal(req.keep_alive, 1);
}

static void test_request_line(void **state)
{
	(void)state;
	assert_int_equal(status_of("GET / HTTP/1.1\r\n\r\n"), 200);
	assert_int_equal(status_of("GET  / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.2\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/2.0\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1 \r\n\r\n"), 400);
	assert_int_equal(status_of("G(T / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("\r\n"), 400);
	assert_int_equal(status_of("GET http://x/ HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\n\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\r\r\n"), 400);
	assert_int_equal(status_of("GET /\x01 HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /\xc3\xa9 HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\r\nX: \xff\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\r\nX: a\tb\r\n\r\n"), 200);
}

static void test_paths(void **state)
{
	(void)state;
	assert_int_equal(status_of("GET /a/../b HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a//b HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a/%2e%2E/b HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a%2Fb HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a%2 HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a%zz HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a%20b HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a\\b HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a;b HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /a?b=<c> HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(status_of("GET /%41b HTTP/1.1\r\n\r\n"), 200);
	assert_string_equal(req.path, "/Ab");
	assert_int_equal(status_of("GET /a.b-c_d~e?x=1&y=/ HTTP/1.1\r\n\r\n"), 200);
	assert_string_equal(req.path, "/a.b-c_d~e");
}

static void test_headers(void **state)
{
	(void)state;
	assert_int_equal(status_of("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\r\nX : y\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\r\n: y\r\n\r\n"), 400);
	assert_int_equal(status_of("GET / HTTP/1.1\r\nX: y\r\n z\r\n\r\n"), 400);
	assert_int_equal(
		status_of("GET / HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n"), 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n"
				   "\r\nx"),
			 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx"), 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length: 0x1\r\n\r\nx"), 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
				   "chunked\r\n\r\n"),
			 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n"),
			 400);
}

static void test_limits(void **state)
{
	static char s[HTTP_HEAD_MAX * 2];
	size_t n;

	(void)state;
	/* The request line: 1024 bytes pass, 1025 are 414. */
	n = (size_t)sprintf(s, "GET /");
	memset(s + n, 'a', HTTP_LINE_MAX - n - 9);
	strcpy(s + HTTP_LINE_MAX - 9, " HTTP/1.1\r\n\r\n");
	assert_int_equal(strlen(s), HTTP_LINE_MAX + 4);
	assert_int_equal(status_of(s), 200);
	n = (size_t)sprintf(s, "GET /");
	memset(s + n, 'a', HTTP_LINE_MAX - n - 8);
	strcpy(s + HTTP_LINE_MAX - 8, " HTTP/1.1\r\n\r\n");
	assert_int_equal(status_of(s), 414);
	/* 64 header lines pass, 65 are 431. */
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)sprintf(s + n, "X-%d: y\r\n", i);
	strcpy(s + n, "\r\n");
	assert_int_equal(status_of(s), 200);
	strcpy(s + n, "X: y\r\n\r\n");
	assert_int_equal(status_of(s), 431);
	/* The head: 8192 bytes pass, 8193 are 431. */
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\nX: ");
	memset(s + n, 'b', HTTP_HEAD_MAX - n - 4);
	strcpy(s + HTTP_HEAD_MAX - 4, "\r\n\r\n");
	assert_int_equal(strlen(s), HTTP_HEAD_MAX);
	assert_int_equal(status_of(s), 200);
	memset(s + n, 'b', HTTP_HEAD_MAX - n - 3);
	strcpy(s + HTTP_HEAD_MAX - 3, "\r\n\r\n");
	assert_int_equal(status_of(s), 431);
	/* Thousands of headers: refused at the 65th, never read to the end. */
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\n");
	while (n < sizeof(s) - 8)
		n += (size_t)sprintf(s + n, "A: b\r\n");
	assert_true(feed(s) < 65 * 6 + 20);
	assert_int_equal(req.status, 431);
}

static void test_body_limits(void **state)
{
	static char s[HTTP_BODY_MAX + 256];
	size_t n;

	(void)state;
	n = (size_t)sprintf(s, "POST / HTTP/1.1\r\nContent-Length: 4096\r\n\r\n");
	memset(s + n, 'x', HTTP_BODY_MAX);
	s[n + HTTP_BODY_MAX] = '\0';
	assert_int_equal(status_of(s), 200);
	assert_int_equal(req.body_len, HTTP_BODY_MAX);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length: 4097\r\n\r\n"), 413);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n"
				   "\r\n"),
			 413);
	/* Chunks: 4096 in all pass, one more byte over two chunks is 413. */
	n = (size_t)sprintf(s, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n");
	memset(s + n, 'x', 0x800);
	n += 0x800;
	n += (size_t)sprintf(s + n, "\r\n800\r\n");
	memset(s + n, 'y', 0x800);
	n += 0x800;
	strcpy(s + n, "\r\n0\r\n\r\n");
	assert_int_equal(status_of(s), 200);
	assert_int_equal(req.body_len, HTTP_BODY_MAX);
	s[n - 0x800 - 3] = '1'; /* "801" */
	assert_int_equal(status_of(s), 413);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "fffffffffffffffffffff\r\n"),
			 413);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "00000000000000000003\r\nabc\r\n0\r\n\r\n"),
			 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "10000\r\n"),
			 413);
}

static void test_bad_chunks(void **state)
{
	static const char *const bad[] = {
		"\r\n",				 /* no size */
		"g\r\n",			 /* not hex */
		"3;ext=1\r\nabc\r\n0\r\n\r\n",	 /* extensions are not taken */
		"3\nabc\r\n0\r\n\r\n",		 /* LF alone */
		"3\r\nabcd\r\n0\r\n\r\n",	 /* longer than said */
		"3\r\nabc\r\n0\r\nX: y\r\n\r\n", /* trailers */
		"3\r\nabc\r\n0\r\n\n",
		"-1\r\n",
	};
	static char s[256];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(s, sizeof(s), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s",
			 bad[i]);
		assert_int_equal(status_of(s), 400);
		assert_non_null(req.message);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),	   cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_connection), cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_paths),	   cmocka_unit_test(test_headers),
		cmocka_unit_test(test_limits),	   cmocka_unit_test(test_body_limits),
		cmocka_unit_test(test_bad_chunks),
	};

	return unit_run(tests);
}
