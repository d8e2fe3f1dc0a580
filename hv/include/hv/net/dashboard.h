/*
 * The web dashboard's files (hv/net/dashboard/), built into shunt.elf by tools/embed-files,
 * and their lookup by a request's path for the management API's router. Pure code
 * (hv/net/dashboard.c), host-tested.
 */
#ifndef HV_NET_DASHBOARD_H
#define HV_NET_DASHBOARD_H

#include <hv/types.h>

/* One served file: its path ("/" + its name in hv/net/dashboard/) and its bytes. */
struct dashboard_file {
	const char *path;
	const uint8_t *data;
	size_t len;
};

/* The table the build generates (build/dashboard/dashboard_files.c). */
extern const struct dashboard_file dashboard_files[];
extern const size_t dashboard_file_count;

/*
 * Finds the file a GET of path (path_len bytes, not NUL-terminated; a query after '?' is
 * ignored; "/" is "/index.html") serves: 0 with data, len and content_type (a static
 * string for Content-Type) filled in, or -ENOENT when no file has exactly that path.
 */
int dashboard_find(const char *path, size_t path_len, const void **data, size_t *len,
		   const char **content_type);

/* The Content-Type of a file by its name's extension (application/octet-stream if unknown). */
const char *dashboard_content_type(const char *path, size_t path_len);

#endif
