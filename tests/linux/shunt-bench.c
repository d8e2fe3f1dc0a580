/*
 * The Linux test VM's measuring tool (in its initramfs as /bin/shunt-bench), a static
 * program with no C library: Linux system calls made directly and the TSC read with RDTSC,
 * so in Bochs (1 tick = 1 instruction) it counts what a write or a clock read costs.
 *   shunt-bench clock N              ticks per clock_gettime(CLOCK_MONOTONIC) through the vDSO
 *   shunt-bench write DEV BYTES      ticks to write BYTES to the tty DEV (raw) and drain it
 *   shunt-bench flood DEV SECONDS    writes DEV as fast as it can for SECONDS (a flooder)
 *   shunt-bench poll DEV             makes the 8250 port DEV polled (IRQ 0): Shunt's PC platform
 *                                    has no interrupt controller to raise its IRQ
 *   shunt-bench uart TEXT            writes TEXT and a newline to the 16550 at 0x3f8 itself
 *                                    (IOPL 3), for a kernel that has no console to say it
 * Each prints one line "SHUNT-LINUX: bench ...", the figure for make bench.
 */
#include <linux/serial.h> /* struct serial_struct: a kernel interface header, no libc */
#include <stddef.h>
#include <stdint.h>

#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_ioctl 16
#define SYS_exit 60
#define SYS_iopl 172
#define SYS_clock_gettime 228
#define O_WRONLY 1
#define O_NOCTTY 0400
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSBRK 0x5409
#define TIOCGSERIAL 0x541e
#define TIOCSSERIAL 0x541f
#define CBAUD 0010017
#define B115200 0010002
#define CLOCK_MONOTONIC 1
#define AT_SYSINFO_EHDR 33

struct timespec {
	long tv_sec, tv_nsec;
};

/* struct termios as the kernel's TCGETS/TCSETS take it (asm-generic/termbits.h). */
struct termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line, c_cc[19];
};

static long syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint64_t number(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/*
 * Output is gathered a line at a time and written with one write(): /init's output may be
 * /dev/kmsg, where every write is a log record of its own.
 */
static char line[256];
static size_t line_len;

static void say(const char *s)
{
	while (*s) {
		if (line_len < sizeof(line))
			line[line_len++] = *s;
		if (*s++ == '\n' || line_len == sizeof(line)) {
			syscall3(SYS_write, 1, (long)line, (long)line_len);
			line_len = 0;
		}
	}
}

static void say_num(uint64_t v)
{
	char buf[24];
	int i = 23;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	say(buf + i);
}

/* --- The vDSO's clock_gettime, found through its ELF dynamic symbol table. --- */
struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct elf_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};
struct elf_sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

typedef int (*vdso_clock_fn)(int clock, struct timespec *ts);

static vdso_clock_fn vdso_lookup(const uint8_t *base, const char *want)
{
	const struct elf_ehdr *eh = (const struct elf_ehdr *)base;
	const struct elf_phdr *ph = (const struct elf_phdr *)(base + eh->phoff);
	const struct elf_shdr *sh = (const struct elf_shdr *)(base + eh->shoff);
	uint64_t load = 0;
	int i;

	for (i = 0; i < eh->phnum; i++)
		if (ph[i].type == 1) { /* PT_LOAD */
			load = ph[i].vaddr - ph[i].offset;
			break;
		}
	for (i = 0; i < eh->shnum; i++) {
		const struct elf_sym *sym;
		const char *names;
		uint64_t n, k;

		if (sh[i].type != 11) /* SHT_DYNSYM */
			continue;
		sym = (const struct elf_sym *)(base + sh[i].offset);
		names = (const char *)(base + sh[sh[i].link].offset);
		n = sh[i].size / sizeof(*sym);
		for (k = 0; k < n; k++)
			if (sym[k].shndx && same(names + sym[k].name, want))
				return (vdso_clock_fn)(uintptr_t)(base + sym[k].value - load);
	}
	return 0;
}

static int bench_clock(const uint64_t *auxv, uint64_t n)
{
	const uint8_t *vdso = 0;
	vdso_clock_fn fn;
	struct timespec ts;
	uint64_t t0, t1, i, empty;

	for (; auxv[0]; auxv += 2)
		if (auxv[0] == AT_SYSINFO_EHDR)
			vdso = (const uint8_t *)(uintptr_t)auxv[1];
	fn = vdso ? vdso_lookup(vdso, "__vdso_clock_gettime") : 0;
	if (!fn) {
		say("SHUNT-LINUX: bench clock: no vDSO clock_gettime\n");
		return 1;
	}
	fn(CLOCK_MONOTONIC, &ts); /* warm */
	t0 = rdtsc();
	t1 = rdtsc();
	empty = t1 - t0;
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		fn(CLOCK_MONOTONIC, &ts);
	t1 = rdtsc();
	say("SHUNT-LINUX: bench clock_read ");
	say_num((t1 - t0 - empty) / (n ? n : 1));
	say(" ticks per clock_gettime(CLOCK_MONOTONIC) (vDSO, ");
	say_num(n);
	say(" reads)\n");
	return 0;
}

/* Opens a tty for raw output (no newline translation: every byte goes as written). */
static long open_raw(const char *dev)
{
	struct termios t;
	long fd = syscall3(SYS_open, (long)dev, O_WRONLY | O_NOCTTY, 0);

	if (fd < 0)
		return fd;
	if (syscall3(SYS_ioctl, fd, TCGETS, (long)&t) == 0) {
		t.c_oflag &= ~1u; /* OPOST */
		t.c_cflag = (t.c_cflag & ~(uint32_t)CBAUD) | B115200;
		syscall3(SYS_ioctl, fd, TCSETS, (long)&t);
	}
	return fd;
}

static int serial_poll(const char *dev)
{
	struct serial_struct ss;
	long fd = syscall3(SYS_open, (long)dev, O_WRONLY | O_NOCTTY, 0), r = -1;

	if (fd >= 0 && syscall3(SYS_ioctl, fd, TIOCGSERIAL, (long)&ss) == 0) {
		ss.irq = 0;
		r = syscall3(SYS_ioctl, fd, TIOCSSERIAL, (long)&ss);
	}
	if (fd >= 0)
		syscall3(SYS_close, fd, 0, 0);
	say(r == 0 ? "SHUNT-LINUX: polled " : "SHUNT-LINUX: could not make polled: ");
	say(dev);
	say("\n");
	return r == 0 ? 0 : 1;
}

static char block[4096];

static int bench_write(const char *dev, uint64_t bytes)
{
	uint64_t t0, t1, done = 0;
	long fd = open_raw(dev), r;
	size_t i;

	if (fd < 0) {
		say("SHUNT-LINUX: bench write: cannot open ");
		say(dev);
		say("\n");
		return 1;
	}
	/* Lines of 64 bytes, so that a console shows them as lines. */
	for (i = 0; i < sizeof(block); i++)
		block[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	t0 = rdtsc();
	while (done < bytes) {
		uint64_t chunk = bytes - done < sizeof(block) ? bytes - done : sizeof(block);

		r = syscall3(SYS_write, fd, (long)block, (long)chunk);
		if (r <= 0)
			break;
		done += (uint64_t)r;
	}
	syscall3(SYS_ioctl, fd, TCSBRK, 1); /* tcdrain: until the driver has sent it all */
	t1 = rdtsc();
	syscall3(SYS_close, fd, 0, 0);
	say("SHUNT-LINUX: bench write ");
	say(dev);
	say(" ");
	say_num(done);
	say(" bytes ");
	say_num(t1 - t0);
	say(" ticks\n");
	return done == bytes ? 0 : 1;
}

static int bench_flood(const char *dev, uint64_t seconds)
{
	struct timespec now, end;
	uint64_t done = 0;
	long fd = open_raw(dev), r;

	if (fd < 0)
		return 1;
	syscall3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&end, 0);
	end.tv_sec += (long)seconds;
	do {
		r = syscall3(SYS_write, fd, (long)block, sizeof(block));
		if (r > 0)
			done += (uint64_t)r;
		syscall3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&now, 0);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	syscall3(SYS_close, fd, 0, 0);
	say("SHUNT-LINUX: bench flood ");
	say(dev);
	say(" ");
	say_num(done);
	say(" bytes queued\n");
	return 0;
}

static void uart_putc(char c)
{
	uint8_t lsr;

	do
		__asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)0x3fd));
	while (!(lsr & 0x20));
	__asm__ volatile("outb %0, %1" ::"a"(c), "Nd"((uint16_t)0x3f8));
}

static int uart_say(const char *text)
{
	if (syscall3(SYS_iopl, 3, 0, 0) != 0)
		return 1;
	while (*text)
		uart_putc(*text++);
	uart_putc('\n');
	return 0;
}

int start_main(long *sp);

int start_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	const uint64_t *auxv;

	while (*envp)
		envp++;
	auxv = (const uint64_t *)(envp + 1);
	if (argc == 3 && same(argv[1], "clock"))
		return bench_clock(auxv, number(argv[2]));
	if (argc == 4 && same(argv[1], "write"))
		return bench_write(argv[2], number(argv[3]));
	if (argc == 4 && same(argv[1], "flood"))
		return bench_flood(argv[2], number(argv[3]));
	if (argc == 3 && same(argv[1], "poll"))
		return serial_poll(argv[2]);
	if (argc == 3 && same(argv[1], "uart"))
		return uart_say(argv[2]);
	say("usage: shunt-bench clock N | write DEV BYTES | flood DEV SECONDS | uart TEXT\n");
	return 2;
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start_main\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n"
	"	syscall\n");
