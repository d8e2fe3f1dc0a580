/*
 * Parsing of boot.cfg and of the loader's UEFI LoadOptions (see bootcfg.h). Pure C over byte
 * and UCS-2 buffers with explicit lengths: nothing here trusts a terminator or calls firmware.
 */
#include "bootcfg.h"

#include <stdarg.h>

#include <hv/fmt.h>

/* A line of boot.cfg without its line end. */
struct cfg_line {
	const char *text;
	size_t len;
	uint32_t number; /* 1-based */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_blanks(const char *s, size_t i, size_t len)
{
	while (i < len && is_blank(s[i]))
		i++;
	return i;
}

static size_t skip_word(const char *s, size_t i, size_t len)
{
	while (i < len && !is_blank(s[i]))
		i++;
	return i;
}

/* Copies len bytes and a NUL; the caller has checked that they fit. */
static void copy_str(char *dst, const char *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
	dst[len] = '\0';
}

static int word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] != s[i])
			return 0;
	return word[i] == '\0';
}

static int fail(char *err, size_t err_size, const char *name, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t err_size, const char *name, uint32_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !err_size)
		return -1;
	n = fmt_snprintf(err, err_size, "%s:%u: ", name, line);
	if (n >= 0 && (size_t)n < err_size) {
		va_start(ap, fmt);
		fmt_vsnprintf(err + n, err_size - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void bootcfg_init(struct bootcfg *cfg)
{
	cfg->cmdline_line = 0;
	cfg->module_count = 0;
	cfg->modules_dropped = 0;
	cfg->dropped_line = 0;
	cfg->cmdline[0] = '\0';
}

/* Only printable ASCII and tabs: boot.cfg ends up in command lines that hv parses. */
static int check_bytes(const struct cfg_line *l, const char *name, char *err, size_t err_size)
{
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->text[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return fail(err, err_size, name, l->number,
				    "byte 0x%02x in column %zu is not printable ASCII", c, i + 1);
	}
	return 0;
}

/* "cmdline <words...>": the rest of the line, as written. */
static int parse_cmdline(struct bootcfg *cfg, const struct cfg_line *l, size_t rest, size_t end,
			 const char *name, char *err, size_t err_size)
{
	if (cfg->cmdline_line)
		return fail(err, err_size, name, l->number,
			    "second 'cmdline' line (the first is line %u)", cfg->cmdline_line);
	/* check_bytes() bounds the line, so this can only fail if the limits drift apart. */
	if (end - rest >= sizeof(cfg->cmdline))
		return fail(err, err_size, name, l->number, "command line is longer than %zu bytes",
			    sizeof(cfg->cmdline) - 1);
	copy_str(cfg->cmdline, l->text + rest, end - rest);
	cfg->cmdline_line = l->number;
	return 0;
}

/* Appends len bytes of src to dst at *at, as far as they fit with a NUL in size bytes. */
static void append_str(char *dst, size_t size, size_t *at, const char *src, size_t len)
{
	for (size_t i = 0; i < len && *at + 1 < size; i++)
		dst[(*at)++] = src[i];
	dst[*at] = '\0';
}

/*
 * "module <file> <words...>": the module's command line becomes "<file> <words...>". A
 * well-formed line that Shunt can not take whole (its command line or file name too long,
 * or past the HANDOFF_MAX_MODULES-th) refuses that module alone; see bootcfg.h.
 */
static int parse_module(struct bootcfg *cfg, const struct cfg_line *l, size_t rest, size_t end,
			const char *name, char *err, size_t err_size)
{
	struct bootcfg_module *m;
	size_t file_end = skip_word(l->text, rest, end);
	size_t file_len = file_end - rest;
	size_t args = skip_blanks(l->text, file_end, end);
	size_t args_len = end - args;
	size_t total = file_len + (args_len ? 1 + args_len : 0), at = 0;

	if (file_len == 0)
		return fail(err, err_size, name, l->number, "'module' needs a file name");
	if (l->text[rest] == '/' || l->text[rest] == '\\')
		return fail(err, err_size, name, l->number,
			    "module file must be relative to the loader's directory");
	if (cfg->module_count == HANDOFF_MAX_MODULES) {
		if (!cfg->modules_dropped++)
			cfg->dropped_line = l->number;
		return 0;
	}

	m = &cfg->modules[cfg->module_count++];
	m->line = l->number;
	m->cmdline_length = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	m->refused = HANDOFF_MODULE_OK;
	append_str(m->cmdline, sizeof(m->cmdline), &at, l->text + rest, file_len);
	if (args_len) {
		append_str(m->cmdline, sizeof(m->cmdline), &at, " ", 1);
		append_str(m->cmdline, sizeof(m->cmdline), &at, l->text + args, args_len);
	}
	if (total >= HANDOFF_MODULE_CMDLINE_MAX)
		m->refused = HANDOFF_MODULE_CMDLINE_TOO_LONG;
	else if (file_len >= BOOTCFG_FILE_MAX)
		m->refused = HANDOFF_MODULE_NOT_LOADED;
	if (m->refused)
		m->file[0] = '\0';
	else
		copy_str(m->file, l->text + rest, file_len);
	return 0;
}

static int parse_line(struct bootcfg *cfg, const struct cfg_line *l, const char *name, char *err,
		      size_t err_size)
{
	size_t kw, kw_end, rest, len, end = l->len;
	char shown[24];

	if (check_bytes(l, name, err, err_size))
		return -1;
	kw = skip_blanks(l->text, 0, end);
	while (end > kw && is_blank(l->text[end - 1]))
		end--;
	kw_end = skip_word(l->text, kw, end);
	rest = skip_blanks(l->text, kw_end, end);

	/* A module line has limits of its own: one too long refuses that module, not the boot. */
	if (word_is(l->text + kw, kw_end - kw, "module"))
		return parse_module(cfg, l, rest, end, name, err, err_size);
	if (l->len > BOOTCFG_LINE_MAX)
		return fail(err, err_size, name, l->number, "line is longer than %u bytes",
			    (unsigned int)BOOTCFG_LINE_MAX);
	if (kw == end || l->text[kw] == '#')
		return 0;
	if (word_is(l->text + kw, kw_end - kw, "cmdline"))
		return parse_cmdline(cfg, l, rest, end, name, err, err_size);

	len = kw_end - kw < sizeof(shown) ? kw_end - kw : sizeof(shown) - 1;
	copy_str(shown, l->text + kw, len);
	return fail(err, err_size, name, l->number,
		    "unknown directive '%s' (expected 'cmdline', 'module' or a '#' comment)",
		    shown);
}

int bootcfg_parse(const char *text, size_t size, const char *name, struct bootcfg *cfg, char *err,
		  size_t err_size)
{
	struct cfg_line l = { .number = 0 };
	size_t start = 0;

	if (err && err_size)
		err[0] = '\0';
	/* Editors on some systems open UTF-8 files with a byte order mark: skip it. */
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
		if (parse_line(cfg, &l, name, err, err_size))
			return -1;
		start = end + 1;
	}
	return 0;
}

static int option_is_blank(uint16_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int option_is_text(uint16_t c)
{
	return option_is_blank(c) || (c >= 0x20 && c <= 0x7e);
}

static int lower(uint16_t c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ends_in_efi(const uint16_t *word, size_t len)
{
	return len >= 4 && word[len - 4] == '.' && lower(word[len - 3]) == 'e' &&
	       lower(word[len - 2]) == 'f' && lower(word[len - 1]) == 'i';
}

int bootcfg_parse_load_options(const uint16_t *options, size_t size, char *cmdline,
			       size_t cmdline_size, char *err, size_t err_size)
{
	size_t len = 0, start, word_end, end;

	if (err && err_size)
		err[0] = '\0';
	if (cmdline && cmdline_size)
		cmdline[0] = '\0';
	if (!options || size < sizeof(uint16_t))
		return BOOTCFG_OPTIONS_NONE;
	if (size % sizeof(uint16_t))
		return BOOTCFG_OPTIONS_NOT_TEXT;

	/* The text ends at a NUL or at the end of the buffer, whichever comes first. */
	while (len < size / sizeof(uint16_t) && options[len]) {
		if (!option_is_text(options[len]))
			return BOOTCFG_OPTIONS_NOT_TEXT;
		len++;
	}

	start = 0;
	while (start < len && option_is_blank(options[start]))
		start++;
	word_end = start;
	while (word_end < len && !option_is_blank(options[word_end]))
		word_end++;
	if (ends_in_efi(options + start, word_end - start)) {
		start = word_end;
		while (start < len && option_is_blank(options[start]))
			start++;
	}
	end = len;
	while (end > start && option_is_blank(options[end - 1]))
		end--;
	if (start == end)
		return BOOTCFG_OPTIONS_NONE;

	if (!cmdline || end - start >= cmdline_size) {
		if (err && err_size)
			fmt_snprintf(err, err_size,
				     "load options of %zu characters do not fit in %zu bytes",
				     end - start, cmdline_size);
		return -1;
	}
	for (size_t i = start; i < end; i++)
		cmdline[i - start] = option_is_blank(options[i]) ? ' ' : (char)options[i];
	cmdline[end - start] = '\0';
	return BOOTCFG_OPTIONS_CMDLINE;
}
