/*
 * Parsing of the loader's UEFI LoadOptions (see loadopts.h). Pure C over a UCS-2 buffer with
 * an explicit length: nothing here trusts a terminator or calls firmware.
 */
#include "loadopts.h"

#include <hv/fmt.h>

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

int loadopts_parse(const uint16_t *options, size_t size, char *cmdline, size_t cmdline_size,
		   char *err, size_t err_size)
{
	size_t len = 0, start, word_end, end;

	if (err && err_size)
		err[0] = '\0';
	if (cmdline && cmdline_size)
		cmdline[0] = '\0';
	if (!options || size < sizeof(uint16_t))
		return LOADOPTS_NONE;
	if (size % sizeof(uint16_t))
		return LOADOPTS_NOT_TEXT;

	/* The text ends at a NUL or at the end of the buffer, whichever comes first. */
	while (len < size / sizeof(uint16_t) && options[len]) {
		if (!option_is_text(options[len]))
			return LOADOPTS_NOT_TEXT;
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
		return LOADOPTS_NONE;

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
	return LOADOPTS_CMDLINE;
}
