/*
 * Parsing of a VM's boot-module options (see hv/vm_options.h). Pure code, host-tested.
 */
#include <hv/fmt.h>
#include <hv/parse.h>
#include <hv/ratelimit.h>
#include <hv/string.h>
#include <hv/vm_options.h>

#define WORD_MAX 128

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* name[VM_OPTIONS_NAME_MAX] = the len bytes at text, if they make a valid name. */
static int set_name(char *name, const char *text, size_t len)
{
	if (len == 0 || len >= VM_OPTIONS_NAME_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(text[i]))
			return -1;
	memcpy(name, text, len);
	name[len] = '\0';
	return 0;
}

void vm_options_fallback_name(char *buf, size_t size, const char *name, const char *unnamed,
			      unsigned int number)
{
	fmt_snprintf(buf, size, "%s#%u", name ? name : unnamed, number);
}

/* "name" from ".../name.elf" (len bytes at file): the default VM name of an image file. */
static int name_from_file(char *name, const char *file, size_t len)
{
	const char *base = file, *dot = NULL;

	for (const char *p = file; p < file + len; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (const char *p = base; p < file + len; p++)
		if (*p == '.')
			dot = p;
	return set_name(name, base,
			dot && dot > base ? (size_t)(dot - base) : (size_t)(file + len - base));
}

int vm_options_file_name(const char *cmdline, char *name)
{
	size_t w = parse_word(&cmdline);

	for (size_t i = 0; i < w; i++)
		if (cmdline[i] == '=')
			return -1;
	if (w == 0 || (w == 2 && !strncmp(cmdline, "--", 2)))
		return -1;
	return name_from_file(name, cmdline, w);
}

static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v, unit = 1;

	if (parse_uint(&s, 10, UINT64_MAX, &v))
		return -1;
	if (*s == 'K' || *s == 'k')
		unit = KIB;
	else if (*s == 'M' || *s == 'm')
		unit = MIB;
	else if (*s == 'G' || *s == 'g')
		unit = GIB;
	else if (*s)
		return -1;
	if (unit != 1 && s[1])
		return -1;
	if (v > UINT64_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

static int has_equals(const char *w)
{
	for (; *w; w++)
		if (*w == '=')
			return 1;
	return 0;
}

#define RATE_TEXT_MAX 9999999999ull /* rates and bursts are written in at most 10 digits */

/* rate=CLASS:RATE:BURST, CLASS one of console (bytes), other, hw (calls); RATE 0: unlimited. */
static int parse_rate(struct vm_options *o, const char *w, char *err, size_t n)
{
	static const struct {
		const char *name;
		unsigned int rate_class;
	} classes[] = { { "console", PV_RATE_CONSOLE },
			{ "other", PV_RATE_OTHER },
			{ "hw", PV_RATE_HW } };
	const char *p = w + 5;
	uint64_t rate = 0, burst = 0;
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(classes); c++) {
		size_t len = strlen(classes[c].name);

		if (!strncmp(p, classes[c].name, len) && p[len] == ':') {
			p += len + 1;
			break;
		}
	}
	if (c == ARRAY_SIZE(classes) || parse_uint(&p, 10, RATE_TEXT_MAX, &rate) || *p++ != ':' ||
	    parse_uint(&p, 10, RATE_TEXT_MAX, &burst) || *p || rate > RATELIMIT_MAX_RATE ||
	    burst == 0 || burst > RATELIMIT_MAX_RATE) {
		fmt_snprintf(err, n,
			     "\"%s\": rate=CLASS:RATE:BURST, CLASS console, other or hw, "
			     "RATE 0 (unlimited) to %u per second, BURST 1 to %u",
			     w, RATELIMIT_MAX_RATE, RATELIMIT_MAX_RATE);
		return -EINVAL;
	}
	o->rate[classes[c].rate_class] = (uint32_t)rate;
	o->burst[classes[c].rate_class] = (uint32_t)burst;
	return 0;
}

static int apply_word(struct vm_options *o, const char *w, int first, char *err, size_t n)
{
	uint64_t mem;

	if (!strncmp(w, "name=", 5)) {
		if (set_name(o->name, w + 5, strlen(w + 5))) {
			fmt_snprintf(err, n,
				     "\"%s\": a name is 1-%u letters, digits, '-', '_' or '.'", w,
				     VM_OPTIONS_NAME_MAX - 1);
			return -EINVAL;
		}
	} else if (!strncmp(w, "mem=", 4)) {
		if (parse_size(w + 4, &mem) || mem < VM_MEM_MIN || mem > VM_MEM_MAX) {
			fmt_snprintf(err, n, "\"%s\": memory is a size from 2M to 1G, e.g. mem=16M",
				     w);
			return -EINVAL;
		}
		o->mem = ALIGN_UP(mem, 2 * MIB);
	} else if (!strncmp(w, "grant=", 6)) {
		if (o->grant_count == VM_OPTIONS_GRANTS_MAX) {
			fmt_snprintf(err, n, "\"%s\": at most %u grants per VM", w,
				     VM_OPTIONS_GRANTS_MAX);
			return -EINVAL;
		}
		if (hw_grant_parse(w + 6, &o->grants[o->grant_count], err, n))
			return -EINVAL;
		o->grant_count++;
	} else if (!strncmp(w, "rate=", 5)) {
		return parse_rate(o, w, err, n);
	} else if (!strncmp(w, "initrd=", 7)) {
		size_t len = strlen(w + 7);

		for (size_t i = 0; i < len; i++)
			if (!is_name_char(w[7 + i]) && w[7 + i] != '+')
				len = 0;
		if (len == 0 || len >= VM_OPTIONS_FILE_MAX) {
			fmt_snprintf(err, n,
				     "\"%s\": initrd= names a file in /guests/ (letters, digits, "
				     "._+-, at most %u)",
				     w, VM_OPTIONS_FILE_MAX - 1);
			return -EINVAL;
		}
		memcpy(o->initrd, w + 7, len + 1);
	} else if (!strncmp(w, "reboots=", 8)) {
		const char *p = w + 8;
		uint64_t reboots;

		if (parse_uint(&p, 10, VM_REBOOTS_MAX, &reboots) || *p) {
			fmt_snprintf(err, n,
				     "\"%s\": reboots= is how many quick resets in a row restart "
				     "the VM, 0 to %u",
				     w, VM_REBOOTS_MAX);
			return -EINVAL;
		}
		o->reboots = (uint32_t)reboots;
	} else if (!strncmp(w, "vcpus=", 6)) {
		const char *p = w + 6;
		uint64_t vcpus;

		if (parse_uint(&p, 10, VM_VCPUS_LIMIT, &vcpus) || *p || vcpus == 0) {
			fmt_snprintf(err, n, "\"%s\": vcpus= is a number of vCPUs from 1 to %u", w,
				     VM_VCPUS_LIMIT);
			return -EINVAL;
		}
		o->vcpus = (uint32_t)vcpus;
	} else if (!strncmp(w, "cpus=", 5)) {
		if (parse_cpu_list(w + 5, VM_CPUS_LIMIT, &o->cpus)) {
			fmt_snprintf(err, n,
				     "\"%s\": cpus= lists CPU numbers from 0 to %u and ranges, "
				     "e.g. cpus=1,3-4, none twice",
				     w, VM_CPUS_LIMIT - 1);
			return -EINVAL;
		}
	} else if (!strncmp(w, "console=", 8)) {
		static const char *const policies[] = { [VM_CONSOLE_PRINT] = "print",
							[VM_CONSOLE_LOSSY] = "lossy",
							[VM_CONSOLE_DISCARD] = "discard" };
		unsigned int p = 0;

		while (p < ARRAY_SIZE(policies) && strcmp(w + 8, policies[p]))
			p++;
		if (p == ARRAY_SIZE(policies)) {
			fmt_snprintf(err, n, "\"%s\": console is print, lossy or discard", w);
			return -EINVAL;
		}
		o->console = (enum vm_console_policy)p;
	} else if (first && !has_equals(w)) {
		name_from_file(o->name, w, strlen(w));
	} else {
		fmt_snprintf(err, n,
			     "unknown option \"%s\" (known: name=, mem=, console=, grant=, rate=, "
			     "initrd=, reboots=, vcpus=, cpus=, -- guest args)",
			     w);
		return -EINVAL;
	}
	return 0;
}

/* Joins the words after "--" with single spaces into the guest's command line. */
static int set_guest_cmdline(struct vm_options *o, const char *rest, char *err, size_t n)
{
	size_t len = 0;

	for (size_t w; (w = parse_word(&rest)) != 0; rest += w) {
		if (len + (len ? 1 : 0) + w >= sizeof(o->guest_cmdline)) {
			fmt_snprintf(err, n,
				     "guest command line after \"--\" is longer than %u bytes",
				     VM_OPTIONS_CMDLINE_MAX - 1);
			return -EINVAL;
		}
		if (len)
			o->guest_cmdline[len++] = ' ';
		memcpy(o->guest_cmdline + len, rest, w);
		len += w;
	}
	o->guest_cmdline[len] = '\0';
	return 0;
}

int vm_options_parse(const char *cmdline, struct vm_options *o, char *err, size_t err_size)
{
	char word[WORD_MAX];
	int first = 1;

	*o = (struct vm_options){
		.mem = VM_MEM_DEFAULT,
		.reboots = VM_REBOOTS_DEFAULT,
		.vcpus = 1,
		.rate = { 0, VM_RATE_CONSOLE_DEFAULT, VM_RATE_OTHER_DEFAULT, VM_RATE_HW_DEFAULT },
		.burst = { 1, VM_BURST_CONSOLE_DEFAULT, VM_BURST_OTHER_DEFAULT,
			   VM_BURST_HW_DEFAULT },
	};
	err[0] = '\0';
	for (size_t w; (w = parse_word(&cmdline)) != 0; cmdline += w) {
		if (w == 2 && !strncmp(cmdline, "--", 2)) {
			if (set_guest_cmdline(o, cmdline + 2, err, err_size))
				return -EINVAL;
			break;
		}
		if (w >= sizeof(word)) {
			fmt_snprintf(err, err_size, "option \"%.24s...\" is longer than %u bytes",
				     cmdline, WORD_MAX - 1);
			return -EINVAL;
		}
		memcpy(word, cmdline, w);
		word[w] = '\0';
		if (apply_word(o, word, first, err, err_size))
			return -EINVAL;
		first = 0;
	}
	if (!o->name[0]) {
		fmt_snprintf(err, err_size, "no usable VM name: give name=NAME");
		return -EINVAL;
	}
	return 0;
}

/* 1 if cmdline has word as a word of its own (words as parse_word() reads them). */
static int has_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (size_t w; (w = parse_word(&cmdline)) != 0; cmdline += w)
		if (w == n && !strncmp(cmdline, word, n))
			return 1;
	return 0;
}

const char *vm_options_platform_cmdline(const char *cmdline, char *buf, size_t size)
{
	if (has_word(cmdline, VM_PLATFORM_CMDLINE_WORD))
		return cmdline;
	fmt_snprintf(buf, size, "%s%s%s", cmdline, cmdline[0] ? " " : "", VM_PLATFORM_CMDLINE_WORD);
	return buf;
}
