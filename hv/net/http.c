/*
 * The management API's HTTP/1.1 request parser (see hv/net/http.h): a byte-at-a-time state
 * machine. The head is kept whole, checked as it comes (line lengths, line count, bytes that
 * may appear), and parsed when its empty line arrives; the body is then read by
 * Content-Length or by chunks, never past HTTP_BODY_MAX.
 */
#include <hv/net/http.h>
#include <hv/string.h>

enum {
	SUB_HEAD = 0,
	SUB_BODY,	/* Content-Length bytes */
	SUB_CHUNK_SIZE, /* hex digits, then CR */
	SUB_CHUNK_LF,	/* after the size's CR */
	SUB_CHUNK_DATA, /* chunk_left bytes */
	SUB_DATA_CR,	/* after a chunk's data */
	SUB_DATA_LF,
	SUB_TRAILER_CR, /* after the last chunk: no trailers, only CRLF */
	SUB_TRAILER_LF,
};

void http_request_init(struct http_request *r, char *head, uint8_t *body)
{
	memset(r, 0, sizeof(*r));
	r->head = head;
	r->body = body;
}

static size_t refuse(struct http_request *r, int status, const char *message, size_t taken)
{
	r->state = HTTP_ERROR;
	r->status = status;
	r->message = message;
	return taken;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* 1 if s (n bytes) is word, case-insensitively. */
static int equals_nocase(const char *s, size_t n, const char *word)
{
	size_t i = 0;

	for (; i < n && word[i]; i++)
		if (lower((unsigned char)s[i]) != word[i])
			return 0;
	return i == n && !word[i];
}

static int in_set(int c, const char *set)
{
	for (; *set; set++)
		if (*set == c)
			return 1;
	return 0;
}

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 9110's token characters: header names and methods. */
static int is_tchar(int c)
{
	return is_alnum(c) || (c && in_set(c, "!#$%&'*+-.^_`|~"));
}

static int is_unreserved(int c)
{
	return is_alnum(c) || (c && in_set(c, "-._~"));
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The target: origin-form, bytes of A-Za-z0-9-._~/?=& and %-escapes of unreserved bytes
 * only; its path decoded into r->path, which may hold neither ".." nor "//".
 */
static int parse_target(struct http_request *r)
{
	const char *t = r->target;
	size_t n = r->target_len, i, out = 0;

	if (!n || t[0] != '/')
		return -1;
	for (i = 0; i < n && t[i] != '?'; i++) {
		int c = (unsigned char)t[i];

		if (c == '%') {
			int hi = i + 2 < n ? hex_value(t[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value(t[i + 2]) : -1;

			if (hi < 0 || lo < 0 || !is_unreserved(hi << 4 | lo))
				return -1;
			c = hi << 4 | lo;
			i += 2;
		} else if (!is_unreserved(c) && c != '/') {
			return -1;
		}
		if (out && ((c == '/' && r->path[out - 1] == '/') ||
			    (c == '.' && r->path[out - 1] == '.')))
			return -1;
		r->path[out++] = (char)c;
	}
	r->path[out] = '\0';
	if (i < n) {
		r->query = t + i + 1;
		r->query_len = n - i - 1;
		for (size_t k = 0; k < r->query_len; k++)
			if (!is_unreserved((unsigned char)r->query[k]) &&
			    !in_set(r->query[k], "/?=&"))
				return -1;
	}
	return 0;
}

/* "METHOD SP TARGET SP HTTP/1.x", len bytes at line (its CRLF not included). */
static int parse_request_line(struct http_request *r, const char *line, size_t len)
{
	size_t i = 0, start;

	while (i < len && is_tchar((unsigned char)line[i]))
		i++;
	if (i == 0 || i > HTTP_METHOD_MAX || i == len || line[i] != ' ')
		return -1;
	r->method = line;
	r->method_len = i;
	start = ++i;
	while (i < len && line[i] != ' ')
		i++;
	if (i == len)
		return -1;
	r->target = line + start;
	r->target_len = i - start;
	i++;
	if (len - i != 8 || memcmp(line + i, "HTTP/1.", 7) ||
	    (line[i + 7] != '0' && line[i + 7] != '1'))
		return -1;
	r->minor = line[i + 7] - '0';
	r->keep_alive = r->minor == 1;
	return parse_target(r);
}

/* Content-Length: decimal digits only, once; past HTTP_BODY_MAX is 413. */
static int header_content_length(struct http_request *r, const char *v, size_t n)
{
	uint64_t value = 0;

	if (r->has_length || !n)
		return 400;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 400;
		if (value > HTTP_BODY_MAX)
			return 413; /* no overflow: it is already too large */
		value = value * 10 + (uint64_t)(v[i] - '0');
	}
	if (value > HTTP_BODY_MAX)
		return 413;
	r->has_length = 1;
	r->content_length = value;
	return 0;
}

/* 1 if the comma-separated list v holds the token word. */
static int list_has(const char *v, size_t n, const char *word)
{
	size_t i = 0;

	while (i < n) {
		size_t start, end;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end > start && equals_nocase(v + start, end - start, word))
			return 1;
	}
	return 0;
}

/* One header line "Name: value": 0, or the status that refuses it. */
static int parse_header(struct http_request *r, const char *line, size_t len)
{
	size_t i = 0, vs, ve;

	while (i < len && is_tchar((unsigned char)line[i]))
		i++;
	if (i == 0 || i == len || line[i] != ':')
		return 400; /* no name, no colon, or space before it (RFC 9112 5.1) */
	vs = i + 1;
	ve = len;
	while (vs < ve && (line[vs] == ' ' || line[vs] == '\t'))
		vs++;
	while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
		ve--;
	if (equals_nocase(line, i, "content-length"))
		return header_content_length(r, line + vs, ve - vs);
	if (equals_nocase(line, i, "transfer-encoding")) {
		if (r->chunked || !equals_nocase(line + vs, ve - vs, "chunked"))
			return 400;
		r->chunked = 1;
	} else if (equals_nocase(line, i, "connection")) {
		if (list_has(line + vs, ve - vs, "close"))
			r->keep_alive = 0;
	} else if (equals_nocase(line, i, "authorization")) {
		if (r->authorization)
			return 400;
		r->authorization = line + vs;
		r->authorization_len = ve - vs;
	}
	return 0;
}

static const char *message_of(int status)
{
	switch (status) {
	case 413:
		return "the body is larger than 4096 bytes";
	default:
		return "malformed header";
	}
}

/* The head is complete (head_len bytes, its empty line included): parse it. */
static void head_complete(struct http_request *r)
{
	size_t pos = 0;
	int status;

	for (unsigned int l = 0; l < r->lines; l++) {
		size_t end = pos;

		while (r->head[end] != '\r')
			end++;
		if (l == 0) {
			if (parse_request_line(r, r->head, end)) {
				refuse(r, 400, "malformed request line or target", 0);
				return;
			}
		} else if (r->head[pos] == ' ' || r->head[pos] == '\t') {
			refuse(r, 400, "folded header lines are not accepted", 0);
			return;
		} else if ((status = parse_header(r, r->head + pos, end - pos)) != 0) {
			refuse(r, status, message_of(status), 0);
			return;
		}
		pos = end + 2;
	}
	if (r->chunked && r->has_length) {
		refuse(r, 400, "both Content-Length and Transfer-Encoding", 0);
		return;
	}
	if (r->chunked)
		r->sub = SUB_CHUNK_SIZE;
	else if (r->content_length)
		r->sub = SUB_BODY;
	else
		r->state = HTTP_DONE;
}

/* One byte of the head. */
static void head_byte(struct http_request *r, uint8_t c)
{
	char prev = r->head_len ? r->head[r->head_len - 1] : 0;
	size_t line_len = r->head_len - r->line_start;

	if (prev == '\r' && c != '\n') {
		refuse(r, 400, "a CR not followed by LF in the head", 0);
		return;
	}
	if (c == '\n' && prev != '\r') {
		refuse(r, 400, "lines must end with CRLF", 0);
		return;
	}
	if (c != '\r' && c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e)) {
		refuse(r, 400, "a byte outside printable ASCII in the head", 0);
		return;
	}
	if (r->lines == 0 && c != '\r' && c != '\n' && line_len >= HTTP_LINE_MAX) {
		refuse(r, 414, "the request line is longer than 1024 bytes", 0);
		return;
	}
	if (r->head_len == HTTP_HEAD_MAX) {
		refuse(r, 431, "the head is larger than 8192 bytes", 0);
		return;
	}
	r->head[r->head_len++] = (char)c;
	if (c != '\n')
		return;
	if (line_len == 1) { /* the empty line: just its CR before this LF */
		if (r->lines == 0)
			refuse(r, 400, "an empty request line", 0);
		else
			head_complete(r);
		return;
	}
	r->lines++;
	r->line_start = r->head_len;
	if (r->lines > 1 + HTTP_HEADERS_MAX)
		refuse(r, 431, "more than 64 header lines", 0);
}

/* One byte of a chunked body's framing (the chunks' data is taken in bulk). */
static void chunk_byte(struct http_request *r, uint8_t c)
{
	int v;

	switch (r->sub) {
	case SUB_CHUNK_SIZE:
		if (c == '\r' && r->chunk_digits) {
			r->sub = SUB_CHUNK_LF;
			return;
		}
		v = hex_value(c);
		if (v < 0 || ++r->chunk_digits > HTTP_CHUNK_LINE_MAX) {
			refuse(r, 400, "malformed chunk size", 0);
			return;
		}
		if (r->chunk_left > HTTP_BODY_MAX) {
			refuse(r, 413, "the body is larger than 4096 bytes", 0);
			return;
		}
		r->chunk_left = r->chunk_left * 16 + (size_t)v;
		return;
	case SUB_CHUNK_LF:
		if (c != '\n') {
			refuse(r, 400, "malformed chunk size", 0);
			return;
		}
		if (r->chunk_left > HTTP_BODY_MAX - r->body_len) {
			refuse(r, 413, "the body is larger than 4096 bytes", 0);
			return;
		}
		r->sub = r->chunk_left ? SUB_CHUNK_DATA : SUB_TRAILER_CR;
		return;
	case SUB_DATA_CR:
	case SUB_TRAILER_CR:
		if (c != '\r') {
			refuse(r, 400,
			       r->sub == SUB_TRAILER_CR ? "trailers are not accepted"
							: "a chunk not followed by CRLF",
			       0);
			return;
		}
		r->sub++;
		return;
	case SUB_DATA_LF:
	case SUB_TRAILER_LF:
		if (c != '\n') {
			refuse(r, 400, "a chunk not followed by CRLF", 0);
			return;
		}
		if (r->sub == SUB_TRAILER_LF) {
			r->state = HTTP_DONE;
			return;
		}
		r->sub = SUB_CHUNK_SIZE;
		r->chunk_digits = 0;
		return;
	default:
		refuse(r, 400, "malformed chunk", 0);
	}
}

size_t http_feed(struct http_request *r, const uint8_t *data, size_t n)
{
	size_t i = 0;

	while (i < n && r->state == HTTP_MORE) {
		size_t want, take;

		switch (r->sub) {
		case SUB_HEAD:
			head_byte(r, data[i++]);
			break;
		case SUB_BODY:
		case SUB_CHUNK_DATA:
			want = r->sub == SUB_BODY ? r->content_length - r->body_len : r->chunk_left;
			take = MIN(want, n - i);
			memcpy(r->body + r->body_len, data + i, take);
			r->body_len += take;
			i += take;
			if (r->sub == SUB_BODY && r->body_len == r->content_length)
				r->state = HTTP_DONE;
			if (r->sub == SUB_CHUNK_DATA) {
				r->chunk_left -= take;
				if (!r->chunk_left)
					r->sub = SUB_DATA_CR;
			}
			break;
		default:
			chunk_byte(r, data[i++]);
		}
	}
	return i;
}

int http_method_is(const struct http_request *r, const char *m)
{
	size_t n = strlen(m);

	return r->method_len == n && !memcmp(r->method, m, n);
}
