/*
 * Fuzz target: the dashboard's lookup (hv/net/dashboard.c) of a request's path, as the
 * management API's router hands it on. Whatever the bytes, a file is found only for a path
 * (up to a '?') that is exactly one of the table's, or "/", and what it gives lies inside
 * that file.
 */
#include <hv/net/dashboard.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any overread */
	const void *file = NULL;
	const char *type = NULL;
	size_t len = 0, path_len = size;
	int found = 0;

	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '?') {
			path_len = i;
			break;
		}
	}
	if (dashboard_find(copy, size, &file, &len, &type) == 0) {
		const char *path = (const char *)data;

		if (path_len == 1 && path[0] == '/') {
			path = "/index.html";
			path_len = strlen(path);
		}
		for (size_t i = 0; i < dashboard_file_count; i++) {
			const struct dashboard_file *f = &dashboard_files[i];

			if (strlen(f->path) == path_len && memcmp(f->path, path, path_len) == 0 &&
			    file == f->data && len == f->len && type)
				found = 1;
		}
		if (!found)
			abort();
	}
	free(copy);
	return 0;
}
