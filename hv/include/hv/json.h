/*
 * A JSON writer (RFC 8259) into a bounded buffer, for the management API's answers: objects,
 * arrays, strings, integers, booleans and null, with commas placed by the writer. Strings are
 * escaped as JSON asks and bytes that are not UTF-8 become \ufffd. Nothing is written past
 * the buffer: an answer that does not fit sets the overflow flag (the caller then answers
 * 503, never truncated JSON). Pure code (hv/lib/json.c), host-tested and fuzzed.
 */
#ifndef HV_JSON_H
#define HV_JSON_H

#include <hv/types.h>

#define JSON_DEPTH_MAX 16 /* objects and arrays open at once */

struct json {
	char *buf;
	size_t size, len;
	int overflow; /* something did not fit (or nesting past JSON_DEPTH_MAX, or misuse) */
	unsigned int depth;
	/* Per open level: 1 when the next value needs a comma before it. */
	uint8_t need_comma[JSON_DEPTH_MAX + 1];
	uint8_t after_key; /* a key was written: its value comes next, without a comma */
};

void json_init(struct json *j, char *buf, size_t size);

/* Containers; a key names the next value (inside an object). */
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);

/* Values. s of len bytes may hold any bytes; json_string() takes a C string (NULL: null). */
void json_string_n(struct json *j, const char *s, size_t len);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* A key and its value, in one call. */
void json_key_u64(struct json *j, const char *key, uint64_t v);
void json_key_string(struct json *j, const char *key, const char *s);

/* The length written, or -1 if it overflowed or is not complete (a container left open). */
long json_finish(struct json *j);

#endif
