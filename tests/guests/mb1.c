/*
 * A multiboot (v1) test kernel, 32-bit and freestanding (no guest-kit: it runs on the PC-like
 * platform Shunt gives multiboot kernels, not Shunt's own ABI). It checks what it was handed
 * (the boot magic, memory sizes and a memory map that matches them, its command line's words,
 * the module when asked for one), prints one line per check and a GUEST-PASS/GUEST-FAIL line
 * through the emulated 16550 at COM1, then powers off through the ACPI PM1a control register
 * (S5: exit code 0). On failure it halts with interrupts off instead.
 */
#include <stdint.h>

#define COM1 0x3f8
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define PM1A_CNT 0x604			  /* hv/vm_acpi.h: the VM's PM1a control register */
#define PM1A_S5 ((5u << 10) | (1u << 13)) /* SLP_TYP 5 (the DSDT's \_S5), SLP_EN */
#define BOOT_MAGIC 0x2badb002u
#define INFO_MEMORY (1u << 0)
#define INFO_CMDLINE (1u << 2)
#define INFO_MODS (1u << 3)
#define INFO_MMAP (1u << 6)

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb1_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb1_module {
	uint32_t start, end, string, reserved;
};

void mb1_main(uint32_t magic, const struct mb1_info *info);

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putu(uint64_t v)
{
	char buf[24];
	int n = 0;

	do
		buf[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 23);
	while (n)
		putc(buf[--n]);
}

static int failures;

static void check(int ok, const char *what)
{
	puts(ok ? "mb1: ok: " : "mb1: FAILED: ");
	puts(what);
	putc('\n');
	failures += !ok;
}

/* Is word (a whole, space-separated word) on the command line? */
static int has_word(const char *line, const char *word)
{
	while (*line) {
		const char *w = word, *l = line;

		while (*w && *l == *w)
			w++, l++;
		if (!*w && (*l == ' ' || !*l))
			return 1;
		while (*line && *line != ' ')
			line++;
		while (*line == ' ')
			line++;
	}
	return 0;
}

/* The map: RAM at 0 of mem_lower KiB, RAM at 1 MiB of mem_upper KiB, nothing overlapping. */
static void check_mmap(const struct mb1_info *info)
{
	uint64_t low = 0, high = 0, total = 0, prev_end = 0;
	uint32_t off = 0;
	int ordered = 1, entries = 0;

	while (off + 4 <= info->mmap_length && entries < 32) {
		const struct mb1_mmap *e = (const void *)(uintptr_t)(info->mmap_addr + off);

		if (e->addr < prev_end)
			ordered = 0;
		prev_end = e->addr + e->len;
		if (e->type == 1) {
			total += e->len;
			if (e->addr == 0)
				low = e->len;
			if (e->addr == 0x100000)
				high = e->len;
		}
		puts("mb1: mmap ");
		putu(e->addr);
		puts(" +");
		putu(e->len);
		puts(" type ");
		putu(e->type);
		putc('\n');
		off += e->size + 4;
		entries++;
	}
	check(entries >= 2 && ordered, "memory map in order, without overlaps");
	check(low == (uint64_t)info->mem_lower * 1024, "low RAM matches mem_lower");
	check(high == (uint64_t)info->mem_upper * 1024, "RAM from 1 MiB matches mem_upper");
	puts("mb1: RAM ");
	putu(total >> 10);
	puts(" KiB\n");
}

void mb1_main(uint32_t magic, const struct mb1_info *info)
{
	const char *cmdline;

	puts("mb1: multiboot test kernel started\n");
	check(magic == BOOT_MAGIC, "boot magic 0x2badb002 in EAX");
	check(info->flags & INFO_MEMORY, "memory sizes given");
	check(info->mem_lower == 640, "mem_lower 640 KiB");
	check(info->flags & INFO_MMAP, "memory map given");
	if (info->flags & INFO_MMAP)
		check_mmap(info);
	check(info->flags & INFO_CMDLINE, "command line given");
	cmdline = (info->flags & INFO_CMDLINE) ? (const char *)(uintptr_t)info->cmdline : "";
	puts("mb1: command line \"");
	puts(cmdline);
	puts("\"\n");
	check(has_word(cmdline, "mb1.word=one") && has_word(cmdline, "two"),
	      "command line words mb1.word=one and two");
	if (has_word(cmdline, "mb1.module=cpio")) {
		const struct mb1_module *m = (const void *)(uintptr_t)info->mods_addr;
		const char *data = (const char *)(uintptr_t)m->start;

		check((info->flags & INFO_MODS) && info->mods_count == 1, "one module");
		check(m->start % 4096 == 0 && m->end > m->start, "module page-aligned, not empty");
		check(data[0] == '0' && data[1] == '7' && data[2] == '0' && data[3] == '7' &&
			      data[4] == '0' && data[5] == '1',
		      "module starts with the newc cpio magic 070701");
		puts("mb1: module ");
		putu(m->end - m->start);
		puts(" bytes: ");
		puts((const char *)(uintptr_t)m->string);
		putc('\n');
	}
	if (failures) {
		puts("GUEST-FAIL mb1\n");
		return; /* mb1_start halts */
	}
	puts("GUEST-PASS mb1\n");
	outw(PM1A_CNT, PM1A_S5);
}
