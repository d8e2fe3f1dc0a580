/*
 * The dashboard's files (hv/net/dashboard.c and the table tools/embed-files generates): every
 * file of hv/net/dashboard/ is served byte for byte at its exact path, "/" is index.html, and
 * paths that are near misses (case, a trailing slash, a prefix, "..", a NUL) are not found.
 */
#include "unit.h"

#include <dirent.h>
#include <stdlib.h>

#include <hv/net/dashboard.h>

#define DIR_PATH "hv/net/dashboard"

/* The bytes of hv/net/dashboard/NAME (the tests run from the top of the tree); NULL if none. */
static uint8_t *read_source(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	uint8_t *buf;
	long size;

	snprintf(path, sizeof(path), "%s/%s", DIR_PATH, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

static int find(const char *path, const void **data, size_t *len, const char **type)
{
	return dashboard_find(path, strlen(path), data, len, type);
}

static void check_served(const char *path, const char *file, const char *type)
{
	const void *data = NULL;
	const char *ctype = NULL;
	size_t len = 0, want_len;
	uint8_t *want = read_source(file, &want_len);

	assert_non_null(want);
	assert_int_equal(find(path, &data, &len, &ctype), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(data, want, len);
	assert_string_equal(ctype, type);
	free(want);
}

static void test_pages(void **state)
{
	(void)state;
	check_served("/", "index.html", "text/html; charset=utf-8");
	check_served("/index.html", "index.html", "text/html; charset=utf-8");
	check_served("/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8");
	check_served("/dashboard.css", "dashboard.css", "text/css; charset=utf-8");
	/* A query names no file. */
	check_served("/?reload=1", "index.html", "text/html; charset=utf-8");
	check_served("/dashboard.js?v=2", "dashboard.js", "text/javascript; charset=utf-8");
}

/* Every file of the folder is in the table with its bytes, and the table holds nothing else. */
static void test_table_is_the_folder(void **state)
{
	(void)state;
	DIR *d = opendir(DIR_PATH);
	struct dirent *e;
	size_t files = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300];
		size_t want_len;
		uint8_t *want;
		int found = 0;

		if (e->d_name[0] == '.')
			continue;
		files++;
		want = read_source(e->d_name, &want_len);
		assert_non_null(want);
		snprintf(path, sizeof(path), "/%s", e->d_name);
		for (size_t i = 0; i < dashboard_file_count; i++) {
			if (strcmp(dashboard_files[i].path, path) != 0)
				continue;
			assert_int_equal(dashboard_files[i].len, want_len);
			assert_memory_equal(dashboard_files[i].data, want, want_len);
			found = 1;
		}
		if (!found)
			fail_msg("%s is not in the generated table", path);
		free(want);
	}
	closedir(d);
	assert_int_equal(dashboard_file_count, files);
}

static void test_near_misses(void **state)
{
	(void)state;
	static const char *const misses[] = {
		"",
		"/index",
		"/Index.html",
		"/DASHBOARD.JS",
		"/dashboard.js/",
		"/dashboard.j",
		"/dashboard.jsx",
		"//dashboard.js",
		"/../dashboard.js",
		"/./dashboard.js",
		"dashboard.js",
		"/api/v1/vms",
		"/dashboard.c",
		"?",
		"/?",
	};
	const void *data = (const void *)1;
	const char *type = "untouched";
	size_t len = 7;

	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		/* "/?" is "/" with a query: index.html, not a miss. */
		if (strcmp(misses[i], "/?") == 0) {
			assert_int_equal(find(misses[i], &data, &len, &type), 0);
			continue;
		}
		if (find(misses[i], &data, &len, &type) != -ENOENT)
			fail_msg("\"%s\" was found", misses[i]);
	}
	data = (const void *)1;
	len = 7;
	type = "untouched";
	assert_int_equal(dashboard_find(NULL, 0, &data, &len, &type), -ENOENT);
	/* A NUL inside the path is part of it: no file is named that. */
	assert_int_equal(dashboard_find("/dashboard.js\0x", 15, &data, &len, &type), -ENOENT);
	/* A miss leaves the outputs alone. */
	assert_ptr_equal(data, (const void *)1);
	assert_int_equal(len, 7);
	assert_string_equal(type, "untouched");
}

/* Only path_len bytes are the path: what follows them is not read as part of it. */
static void test_length_bounds_the_path(void **state)
{
	(void)state;
	const void *data;
	const char *type;
	size_t len;

	assert_int_equal(dashboard_find("/dashboard.cssXYZ", 14, &data, &len, &type), 0);
	assert_string_equal(type, "text/css; charset=utf-8");
	assert_int_equal(dashboard_find("/dashboard.css", 13, &data, &len, &type), -ENOENT);
	assert_int_equal(dashboard_find("/x", 1, &data, &len, &type), 0); /* "/" */
	assert_string_equal(type, "text/html; charset=utf-8");
}

static void test_content_types(void **state)
{
	(void)state;
	assert_string_equal(dashboard_content_type("/a.html", 7), "text/html; charset=utf-8");
	assert_string_equal(dashboard_content_type("/a.svg", 6), "image/svg+xml");
	assert_string_equal(dashboard_content_type("/a.txt", 6), "text/plain; charset=utf-8");
	assert_string_equal(dashboard_content_type("/a.bin", 6), "application/octet-stream");
	assert_string_equal(dashboard_content_type("/js", 3), "application/octet-stream");
	assert_string_equal(dashboard_content_type("", 0), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),	      cmocka_unit_test(test_table_is_the_folder),
		cmocka_unit_test(test_near_misses),   cmocka_unit_test(test_length_bounds_the_path),
		cmocka_unit_test(test_content_types),
	};
	return unit_run(tests);
}
