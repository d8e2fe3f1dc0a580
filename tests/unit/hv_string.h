/* The functions of hv/lib/string.c as tests/unit/hv_string.c renames them. */
#ifndef TESTS_HV_STRING_H
#define TESTS_HV_STRING_H

#include <stddef.h>

void *hv_memcpy(void *dst, const void *src, size_t n);
void *hv_memmove(void *dst, const void *src, size_t n);
void *hv_memset(void *dst, int c, size_t n);
int hv_memcmp(const void *a, const void *b, size_t n);
size_t hv_strlen(const char *s);
size_t hv_strnlen(const char *s, size_t max);
int hv_strcmp(const char *a, const char *b);
int hv_strncmp(const char *a, const char *b, size_t n);
size_t hv_strlcpy(char *dst, const char *src, size_t size);

#endif
