/*
 * The wall clock (hv/wallclock.h): the date read once at boot, carried forward by the cycle
 * counter so that no device is touched again. The calendar is hv/lib/wall_date.c.
 */
#include <hv/arch.h>
#include <hv/log.h>
#include <hv/wallclock.h>

static struct {
	uint64_t boot_unix;   /* the RTC's date at boot; 0: unknown */
	uint64_t boot_cycles; /* arch_cycles() when it was read */
} clock;

void wall_clock_init(unsigned int century_index)
{
	struct wall_date d;
	char date[24];
	int err = arch_rtc_read(&d, century_index);

	if (err) {
		log_warn("clock: unknown: %s; the management API refuses signed requests\n",
			 err == -EIO ? "the real-time clock never stops updating"
				     : "the real-time clock holds no date");
		return;
	}
	wall_date_format(date, sizeof(date), &d);
	if (!wall_date_is_valid(&d)) {
		log_warn("clock: unknown: the real-time clock says %s, not a date from %u to %u; "
			 "the management API refuses signed requests\n",
			 date, WALL_YEAR_MIN, WALL_YEAR_MAX);
		return;
	}
	clock.boot_cycles = arch_cycles();
	clock.boot_unix = wall_date_to_unix(&d);
	log_info("clock: %s UTC (CMOS RTC)\n", date);
}

uint64_t wall_clock_now(void)
{
	if (!clock.boot_unix)
		return 0;
	return clock.boot_unix + (arch_cycles() - clock.boot_cycles) / arch_tsc_hz();
}
