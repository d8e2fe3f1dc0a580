/*
 * Prints the hypercall table of pv-abi/SPEC.md from PV_CALL_LIST, the one list of calls, so
 * that `make spec-table` can write it and tests/abi/check-spec can compare it.
 */
#include <pvabi/pvabi.h>
#include <stdio.h>

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
	default:
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
	default:
		return "?";
	}
}

int main(void)
{
	puts("| nr | name | arguments | result | class | rate limit | since |");
	puts("|---|---|---|---|---|---|---|");
#define ROW(nr, NAME, name, nargs, args, result, perm, rate, major, minor)                      \
	printf("| %d | `PV_CALL_%s` | %s | %s | %s | %s | %d.%d |\n", nr, #NAME, args, result,    \
	       class_name(perm), rate_name(rate), major, minor);
	PV_CALL_LIST(ROW)
#undef ROW
	return 0;
}
