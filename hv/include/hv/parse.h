/*
 * Option text (Shunt's command line, VM options, grant names): words separated by blanks,
 * and numbers, decimal or hexadecimal, bounded, so that no parser rolls its own.
 */
#ifndef HV_PARSE_H
#define HV_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads the digits of an unsigned number in base 10 or 16 (no prefix) at *p and moves *p
 * past them. 0 with the value in *out, or -1 if there is no digit, the value is above max,
 * or there are more digits (leading zeros included) than max has.
 */
int parse_uint(const char **p, unsigned int base, uint64_t max, uint64_t *out);

/* Skips blanks (spaces, tabs) at *p; returns the length of the word that starts there (0: none). */
size_t parse_word(const char **p);

/*
 * A list of CPU numbers below limit (at most 64), "0,2-3": numbers and ranges separated by
 * commas, at least one, none twice. 0 with the set in *mask (bit n: CPU n), or -1.
 */
int parse_cpu_list(const char *s, unsigned int limit, uint64_t *mask);

#endif
