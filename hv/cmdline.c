/*
 * Hypervisor command-line parsing (see hv/cmdline.h). Pure code, tested on the host.
 */
#include <hv/cmdline.h>
#include <hv/fmt.h>
#include <hv/mgmt.h>
#include <hv/parse.h>
#include <hv/string.h>
#include <hv/types.h>

#include <stdarg.h>
#include <stddef.h>

#define WORD_MAX 64

/* The test words that name a CPU other than the boot CPU (1..CPU_MAX-1), and their fields. */
static const struct {
	const char *name;
	size_t field; /* offset of a uint32_t in struct hv_options */
} cpu_test_words[] = {
	{ "smp.fail", offsetof(struct hv_options, smp_fail) },
	{ "smp.fault", offsetof(struct hv_options, smp_fault) },
	{ "crashtest", offsetof(struct hv_options, crash_cpu) },
	{ "crashtest.stack", offsetof(struct hv_options, crash_stack_cpu) },
};

__attribute__((format(printf, 2, 3))) static void problem(struct cmdline_problems *p,
							  const char *fmt, ...)
{
	va_list ap;

	if (p->count < CMDLINE_MAX_PROBLEMS) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->text[p->count], CMDLINE_PROBLEM_MAX, fmt, ap);
		va_end(ap);
	}
	p->count++;
}

static void apply_word(const char *word, struct hv_options *opts, struct cmdline_problems *p)
{
	char why[CMDLINE_PROBLEM_MAX];
	const char *eq = NULL;
	int r = mgmt_option_apply(word, &opts->mgmt, why, sizeof(why));

	if (r <= 0) { /* a management word (hv/net/mgmt_options.c) */
		if (r)
			problem(p, "%s", why);
		return;
	}

	for (const char *c = word; *c; c++)
		if (*c == '=') {
			eq = c;
			break;
		}
	if (!eq) {
		if (!strcmp(word, "test"))
			opts->on_all_stopped =
				HV_STOPPED_POWEROFF; /* the tests' runs end by themselves */
		else if (!strcmp(word, "crashtest"))
			opts->crash_test = 1;
		else
			problem(p, "unknown option \"%s\"", word);
		return;
	}
	if (eq - word == 8 && !strncmp(word, "hwbudget", 8)) {
		uint64_t v;
		const char *d = eq + 1;

		if (parse_uint(&d, 10, CMDLINE_HW_BUDGET_MAX, &v) || *d)
			problem(p, "\"%s\": hwbudget is a number of calls per second (0: no cap)",
				word);
		else
			opts->hw_budget = (uint32_t)v;
		return;
	}
	if (eq - word == 14 && !strncmp(word, "on-all-stopped", 14)) {
		static const char *const modes[] = { [HV_STOPPED_HALT] = "halt",
						     [HV_STOPPED_POWEROFF] = "poweroff",
						     [HV_STOPPED_REBOOT] = "reboot" };
		unsigned int m = 0;

		while (m < ARRAY_SIZE(modes) && strcmp(eq + 1, modes[m]))
			m++;
		if (m == ARRAY_SIZE(modes))
			problem(p, "\"%s\": on-all-stopped is one of halt, poweroff, reboot", word);
		else
			opts->on_all_stopped = (enum hv_on_all_stopped)m;
		return;
	}
	if (eq - word == 7 && !strncmp(word, "console", 7)) {
		/* A bad value leaves the default console, so the report is seen where it was. */
		if (serial_parse(eq + 1, &opts->console, why, sizeof(why)))
			problem(p, "\"%s\": %s", word, why);
		return;
	}
	if (eq - word == 6 && !strncmp(word, "screen", 6)) {
		if (!strcmp(eq + 1, "on"))
			opts->screen = HV_SCREEN_ON;
		else if (!strcmp(eq + 1, "off"))
			opts->screen = HV_SCREEN_OFF;
		else
			problem(p, "\"%s\": screen is on or off", word);
		return;
	}
	if (eq - word == 4 && !strncmp(word, "cpus", 4)) {
		uint64_t v;
		const char *d = eq + 1;

		if (parse_uint(&d, 10, CPU_MAX, &v) || *d || v == 0)
			problem(p, "\"%s\": cpus is a number of CPUs from 1 to %u", word, CPU_MAX);
		else
			opts->cpus = (uint32_t)v;
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(cpu_test_words); i++) {
		const char *name = cpu_test_words[i].name;
		uint64_t v;
		const char *d = eq + 1;

		if ((size_t)(eq - word) != strlen(name) || strncmp(word, name, strlen(name)))
			continue;
		if (parse_uint(&d, 10, CPU_MAX - 1, &v) || *d || v == 0)
			problem(p,
				"\"%s\": %s is the number of a CPU other than the boot CPU, "
				"from 1 to %u",
				word, name, CPU_MAX - 1);
		else
			*(uint32_t *)((char *)opts + cpu_test_words[i].field) = (uint32_t)v;
		return;
	}
	if (!strncmp(word, "loglevel", (size_t)(eq - word)) && eq - word == 8) {
		if (log_level_from_name(eq + 1, &opts->log_level))
			problem(p, "\"%s\": loglevel is one of error, warn, info, debug", word);
		return;
	}
	problem(p, "unknown option \"%s\"", word);
}

unsigned int cmdline_parse(const char *cmdline, struct hv_options *opts,
			   struct cmdline_problems *problems)
{
	char word[WORD_MAX];

	*opts = (struct hv_options){ .log_level = LOG_INFO,
				     .hw_budget = CMDLINE_HW_BUDGET_DEFAULT };
	serial_default(&opts->console);
	mgmt_options_default(&opts->mgmt);
	problems->count = 0;
	for (size_t n; (n = parse_word(&cmdline)) != 0; cmdline += n) {
		if (n >= sizeof(word)) {
			problem(problems, "option \"%.20s...\" is longer than %u characters",
				cmdline, (unsigned int)sizeof(word) - 1);
		} else {
			memcpy(word, cmdline, n);
			word[n] = '\0';
			apply_word(word, opts, problems);
		}
	}
	return problems->count;
}
