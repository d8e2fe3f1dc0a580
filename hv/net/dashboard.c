/*
 * The web dashboard's files as the management API serves them: the exact path a request
 * names, looked up in the table the build generated from hv/net/dashboard/, with the
 * Content-Type that its extension says. Nothing else of the request reaches the table.
 */
#include <hv/net/dashboard.h>
#include <hv/string.h>

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },     { ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" }, { ".svg", "image/svg+xml" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static int has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

const char *dashboard_content_type(const char *path, size_t path_len)
{
	for (size_t i = 0; i < ARRAY_SIZE(content_types); i++) {
		if (has_suffix(path, path_len, content_types[i].ext))
			return content_types[i].type;
	}
	return "application/octet-stream";
}

int dashboard_find(const char *path, size_t path_len, const void **data, size_t *len,
		   const char **content_type)
{
	static const char index_path[] = "/index.html";

	if (!path)
		return -ENOENT;
	/* The query is the page's own business (a reload with ?x): it never names a file. */
	for (size_t i = 0; i < path_len; i++) {
		if (path[i] == '?') {
			path_len = i;
			break;
		}
	}
	if (path_len == 1 && path[0] == '/') {
		path = index_path;
		path_len = sizeof(index_path) - 1;
	}
	for (size_t i = 0; i < dashboard_file_count; i++) {
		const struct dashboard_file *f = &dashboard_files[i];

		if (strlen(f->path) != path_len || memcmp(f->path, path, path_len) != 0)
			continue;
		*data = f->data;
		*len = f->len;
		*content_type = dashboard_content_type(f->path, path_len);
		return 0;
	}
	return -ENOENT;
}
