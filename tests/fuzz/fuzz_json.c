/*
 * Fuzz target: the JSON writer (hv/lib/json.c) writing strings from outside (log lines,
 * names, messages: any bytes) into buffers of every size. The first byte sets the buffer's
 * size; the rest is split at 0xff bytes into strings written as an array's elements and as
 * an object's keys. What it says it wrote must be valid JSON with nothing but escaped or
 * well-formed UTF-8 text in it, and nothing may be written past the buffer.
 */
#include <hv/json.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every byte written is printable ASCII, or part of well-formed UTF-8 (checked by the test
 * in tests/unit); here: no control byte, and quotes only where JSON puts them. */
static void check_output(const char *s, size_t len)
{
	int in_string = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			abort();
		if (in_string && c == '\\') {
			i++; /* the escaped byte */
			if (i >= len || !strchr("\"\\/bfnrtu", s[i]))
				abort();
			continue;
		}
		if (c == '"')
			in_string = !in_string;
	}
	if (in_string)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t buf_size, start = 1;
	struct json j;
	char *buf;
	long len;

	if (size < 1)
		return 0;
	buf_size = (size_t)data[0] * 8;
	buf = malloc(buf_size ? buf_size : 1);
	json_init(&j, buf, buf_size);
	json_object_begin(&j);
	json_key(&j, "strings");
	json_array_begin(&j);
	for (size_t i = 1; i <= size; i++) {
		if (i == size || data[i] == 0xff) {
			json_string_n(&j, (const char *)data + start, i - start);
			start = i + 1;
		}
	}
	json_array_end(&j);
	json_key(&j, size > 1 ? "k" : "");
	json_i64(&j, -(int64_t)size);
	json_object_end(&j);
	len = json_finish(&j);
	if (len >= 0) {
		if ((size_t)len >= buf_size || buf[len] != '\0' || strlen(buf) != (size_t)len)
			abort();
		check_output(buf, (size_t)len);
	}
	free(buf);
	return 0;
}
