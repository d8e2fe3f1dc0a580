/*
 * Fuzz target: the multiboot2 tag parser (boot/multiboot2/mb2_parse.c) on arbitrary boot
 * information. The parser's contract lets it read total_size bytes, so the header's size
 * is set to the input's; every other byte is the fuzzer's. It must never read outside the
 * buffer, and on success the handoff must be consistent: counts within their tables,
 * strings terminated, a module refused exactly when its command line did not fit (then cut
 * to the longest prefix that does), modules dropped only past a full table.
 */
#include "mb2.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_module(const struct handoff_module *m)
{
	const char *end = memchr(m->cmdline, 0, sizeof(m->cmdline));
	int too_long = m->cmdline_length >= HANDOFF_MODULE_CMDLINE_MAX;

	if (!end || m->refused != (too_long ? HANDOFF_MODULE_CMDLINE_TOO_LONG : HANDOFF_MODULE_OK))
		abort();
	if ((size_t)(end - m->cmdline) !=
	    (too_long ? HANDOFF_MODULE_CMDLINE_MAX - 1 : m->cmdline_length))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct handoff out;
	uint64_t *buf;
	uint32_t total;

	if (size < 8 || size > MB2_INFO_MAX_SIZE)
		return 0;
	buf = malloc((size + 7) & ~(size_t)7); /* 8-aligned, exactly as long as the input */
	memcpy(buf, data, size);
	total = (uint32_t)size;
	memcpy(buf, &total, 4);
	if (mb2_parse(0x36d76289u, buf, &out) == 0) {
		if (out.mem_count == 0 || out.mem_count > HANDOFF_MAX_MEM ||
		    out.module_count > HANDOFF_MAX_MODULES || out.rsdp_length > HANDOFF_RSDP_MAX ||
		    !memchr(out.cmdline, 0, sizeof(out.cmdline)) ||
		    (out.modules_dropped && out.module_count != HANDOFF_MAX_MODULES))
			abort();
		for (uint32_t i = 0; i < out.module_count; i++)
			check_module(&out.modules[i]);
	} else if (!out.boot_error[0]) {
		abort(); /* a refusal always says why */
	}
	free(buf);
	return 0;
}
