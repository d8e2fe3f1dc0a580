/*
 * Prints the hypercall table of pv-abi/SPEC.md from PV_CALL_LIST, the one list of calls, so
 * that `make spec-table` can write it and tests/abi/check-spec can compare it.
 */
#include <pvabi/pvabi.h>
#include <stdio.h>

static int unknown; /* classes this program has no name for: a new one must be added here */

static const char *class_name(unsigned int perm)
{
	switch (perm) {
	case PV_PERM_BASE:
		return "base";
	case PV_PERM_CONSOLE:
		return "console";
	case PV_PERM_TIME:
		return "time";
	case PV_PERM_EVENTS:
		return "events";
	case PV_PERM_HW:
		return "hw";
	default:
		unknown++;
		return "?";
	}
}

static const char *rate_name(unsigned int rate)
{
	switch (rate) {
	case PV_RATE_NONE:
		return "none";
	case PV_RATE_CONSOLE:
		return "console";
	case PV_RATE_OTHER:
		return "other";
	case PV_RATE_HW:
		return "hw";
	default:
		unknown++;
		return "?";
	}
}

int main(void)
{
	puts("| nr | name | arguments | result | class | rate limit | since |");
	puts("|---|---|---|---|---|---|---|");
#define ROW(nr, NAME, name, nargs, args, result, perm, rate, major, minor)                         \
	printf("| %d | `PV_CALL_%s` | %s | %s | %s | %s | %d.%d |\n", nr, #NAME, args, result,     \
	       class_name(perm), rate_name(rate), major, minor);
	PV_CALL_LIST(ROW)
#undef ROW
	if (unknown)
		fprintf(stderr, "spec_table: %d permission or rate classes without a name\n",
			unknown);
	return unknown ? 1 : 0;
}
