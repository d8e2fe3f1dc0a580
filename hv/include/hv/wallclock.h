/*
 * The wall clock: the date read from the machine's real-time clock once at boot, taken to be
 * UTC, carried forward by arch_cycles(). The management API checks its requests' timestamps
 * against it. The date arithmetic is pure code, tested on the host (tests/unit/test_wallclock.c).
 */
#ifndef HV_WALLCLOCK_H
#define HV_WALLCLOCK_H

#include <hv/types.h>

/* A calendar date and time of day, UTC. */
struct wall_date {
	uint16_t year; /* e.g. 2026 */
	uint8_t month; /* 1-12 */
	uint8_t day;   /* 1-31 */
	uint8_t hour;  /* 0-23 */
	uint8_t minute;
	uint8_t second;
};

/* The earliest and latest years the clock accepts: an RTC outside them is not believed. */
#define WALL_YEAR_MIN 1970
#define WALL_YEAR_MAX 2199

/* 1 if d is a real date and time within WALL_YEAR_MIN..WALL_YEAR_MAX (leap years counted). */
int wall_date_is_valid(const struct wall_date *d);
/* d (valid) as Unix seconds. */
uint64_t wall_date_to_unix(const struct wall_date *d);
/* Unix seconds as a date (years past WALL_YEAR_MAX come out as they are). */
void wall_date_from_unix(uint64_t t, struct wall_date *d);
/* "2026-11-29 20:31:07" into buf (at least 20 bytes). */
void wall_date_format(char *buf, size_t size, const struct wall_date *d);

/*
 * Reads the real-time clock (arch_rtc_read), whose century register, when the firmware
 * names one (ACPI FADT), is century_index (0: none), and prints the boot's clock: line.
 * A date that does not make sense leaves the clock unknown, with the reason on that line.
 */
void wall_clock_init(unsigned int century_index);
/* Now, in Unix seconds; 0 while the clock is unknown. */
uint64_t wall_clock_now(void);

#endif
