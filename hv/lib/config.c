/*
 * The shunt.cfg parser (see hv/config.h), shared by the hypervisor, the UEFI loader and the
 * host validator. Every problem is recorded against its line; none stops the parse.
 */
#include <hv/config.h>
#include <hv/fmt.h>

#include <stdarg.h>

/* A line of the file without its line end. */
struct line {
	const char *text;
	size_t len;
	uint32_t number; /* 1-based */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_blanks(const struct line *l, size_t i)
{
	while (i < l->len && is_blank(l->text[i]))
		i++;
	return i;
}

static size_t skip_word(const struct line *l, size_t i)
{
	while (i < l->len && !is_blank(l->text[i]))
		i++;
	return i;
}

static int word_is(const struct line *l, size_t at, size_t end, const char *word)
{
	size_t i;

	for (i = 0; at + i < end; i++)
		if (!word[i] || word[i] != l->text[at + i])
			return 0;
	return word[i] == '\0';
}

/* Copies len bytes and a NUL into dst of size bytes, as many as fit. */
static void copy_str(char *dst, size_t size, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < size; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static int is_file_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

__attribute__((format(printf, 3, 4))) static void line_problem(struct config *cfg, uint32_t line,
							       const char *fmt, ...)
{
	va_list ap;

	/* Counted past what is kept, so that the total stays true. */
	if (cfg->problem_count < CONFIG_PROBLEMS_MAX) {
		cfg->problems[cfg->problem_count].line = line;
		va_start(ap, fmt);
		fmt_vsnprintf(cfg->problems[cfg->problem_count].text, CONFIG_PROBLEM_MAX, fmt, ap);
		va_end(ap);
	}
	cfg->problem_count++;
}

/* Only printable ASCII and tabs: the file's words end up on the console and in options. */
static int bad_byte(const struct line *l, char *why, size_t size)
{
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->text[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e)) {
			fmt_snprintf(why, size, "byte 0x%02x in column %zu is not printable ASCII",
				     c, i + 1);
			return 1;
		}
	}
	if (l->len > CONFIG_LINE_MAX) {
		fmt_snprintf(why, size, "line is %zu bytes long, at most %u", l->len,
			     (unsigned int)CONFIG_LINE_MAX);
		return 1;
	}
	return 0;
}

/*
 * The file of an initrd=FILE option before "--" (the last one wins, as vm_options_parse
 * takes it), which the UEFI loader loads beside the kernel: a bad name is the line's problem.
 */
static void parse_initrd(struct config_vm *vm)
{
	const char *p = vm->cmdline;

	vm->initrd[0] = '\0';
	while (*p) {
		const char *w;
		size_t len = 0, i;

		while (*p == ' ' || *p == '\t')
			p++;
		for (w = p; *p && *p != ' ' && *p != '\t'; p++)
			len++;
		if (len == 2 && w[0] == '-' && w[1] == '-')
			return;
		if (len < 7 || w[0] != 'i' || w[1] != 'n' || w[2] != 'i' || w[3] != 't' ||
		    w[4] != 'r' || w[5] != 'd' || w[6] != '=')
			continue;
		for (i = 7; i < len && is_file_char(w[i]); i++)
			;
		if (len == 7 || i < len || len - 7 >= CONFIG_FILE_MAX) {
			fmt_snprintf(vm->problem, sizeof(vm->problem),
				     "initrd=: name a file directly in /guests/, with letters, "
				     "digits and ._+- only, at most %u characters",
				     CONFIG_FILE_MAX - 1);
			vm->initrd[0] = '\0';
			return;
		}
		copy_str(vm->initrd, sizeof(vm->initrd), w + 7, len - 7);
	}
}

/* "vm <file> [options...]": the rest of the line from rest to end (blanks trimmed). */
static void parse_vm(struct config *cfg, const struct line *l, size_t rest, size_t end,
		     const char *bad)
{
	struct config_vm *vm;
	size_t file_end = skip_word(l, rest), file_len = file_end - rest;
	char shown[40];
	size_t i;

	if (cfg->vm_count == CONFIG_VMS_MAX) {
		if (!cfg->vms_dropped++)
			cfg->dropped_line = l->number;
		return;
	}
	vm = &cfg->vms[cfg->vm_count++];
	vm->line = l->number;
	vm->file[0] = vm->cmdline[0] = vm->problem[0] = vm->initrd[0] = '\0';

	for (i = 0; i < file_len && is_file_char(l->text[rest + i]); i++)
		;
	if (file_len && i == file_len && file_len < CONFIG_FILE_MAX)
		copy_str(vm->file, sizeof(vm->file), l->text + rest, file_len);

	if (bad)
		copy_str(vm->problem, sizeof(vm->problem), bad, CONFIG_PROBLEM_MAX);
	else if (file_len == 0)
		fmt_snprintf(vm->problem, sizeof(vm->problem),
			     "'vm' needs a guest file name (a file in /guests/)");
	else if (i < file_len) {
		copy_str(shown, sizeof(shown), l->text + rest, file_len);
		fmt_snprintf(vm->problem, sizeof(vm->problem),
			     "guest file \"%s\": name a file directly in /guests/, with letters, "
			     "digits and ._+- only",
			     shown);
	} else if (file_len >= CONFIG_FILE_MAX)
		fmt_snprintf(vm->problem, sizeof(vm->problem),
			     "guest file name is %zu characters, at most %u", file_len,
			     CONFIG_FILE_MAX - 1);
	else if (end - rest >= CONFIG_VM_CMDLINE_MAX)
		fmt_snprintf(vm->problem, sizeof(vm->problem),
			     "the VM's file and options are %zu characters, at most %u", end - rest,
			     CONFIG_VM_CMDLINE_MAX - 1);
	else {
		copy_str(vm->cmdline, sizeof(vm->cmdline), l->text + rest, end - rest);
		parse_initrd(vm);
	}
}

static void parse_line(struct config *cfg, const struct line *l)
{
	size_t kw = skip_blanks(l, 0), kw_end = skip_word(l, kw), rest, end = l->len;
	char bad[CONFIG_PROBLEM_MAX], word[24];
	int is_bad = bad_byte(l, bad, sizeof(bad));

	while (end > kw && is_blank(l->text[end - 1]))
		end--;
	rest = skip_blanks(l, kw_end);
	if (rest > end)
		rest = end;
	if (kw == end || l->text[kw] == '#')
		return;
	if (word_is(l, kw, kw_end, "vm")) {
		parse_vm(cfg, l, rest, end, is_bad ? bad : NULL);
		return;
	}
	if (is_bad) {
		line_problem(cfg, l->number, "%s (line ignored)", bad);
	} else if (word_is(l, kw, kw_end, "shunt")) {
		if (cfg->shunt_line) {
			line_problem(cfg, l->number,
				     "a second 'shunt' line (the first is line %u) is ignored",
				     cfg->shunt_line);
		} else {
			copy_str(cfg->cmdline, sizeof(cfg->cmdline), l->text + rest, end - rest);
			cfg->shunt_line = l->number;
		}
	} else {
		copy_str(word, sizeof(word), l->text + kw, kw_end - kw);
		line_problem(cfg, l->number,
			     "unknown directive '%s' (expected 'shunt', 'vm' or a '#' comment): "
			     "line ignored",
			     word);
	}
}

void config_parse(const char *text, size_t size, struct config *cfg)
{
	struct line l = { .number = 0 };
	size_t start = 0;

	cfg->shunt_line = 0;
	cfg->cmdline[0] = '\0';
	cfg->vm_count = cfg->vms_dropped = cfg->dropped_line = 0;
	cfg->problem_count = 0;
	/* Editors on some systems write UTF-8 files with a byte order mark: skip it. */
	if (size >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf)
		start = 3;
	while (start < size) {
		size_t end = start;

		while (end < size && text[end] != '\n')
			end++;
		l.text = text + start;
		l.len = end - start;
		l.number++;
		if (l.len && l.text[l.len - 1] == '\r')
			l.len--;
		parse_line(cfg, &l);
		start = end + 1;
	}
}

uint32_t config_problem_total(const struct config *cfg)
{
	uint32_t n = cfg->problem_count + cfg->vms_dropped;

	for (uint32_t i = 0; i < cfg->vm_count; i++)
		n += cfg->vms[i].problem[0] != '\0';
	return n;
}

const struct config_vm *config_find_file(const struct config *cfg, const char *file)
{
	for (uint32_t i = 0; i < cfg->vm_count; i++) {
		const char *a = cfg->vms[i].file, *b = file;

		while (*a && *a == *b)
			a++, b++;
		if (cfg->vms[i].file[0] && *a == '\0' && *b == '\0')
			return &cfg->vms[i];
	}
	return NULL;
}
