/*
 * shunt-config: checks a shunt.cfg on the admin's machine, before a server is rebooted with
 * it, with the same code the hypervisor runs at boot (hv/lib/config.c, hv/cmdline.c,
 * hv/vm_options.c, hv/lib/elf64.c), so that what passes here is what Shunt accepts.
 *
 *	shunt-config check [--guests DIR]... FILE
 *
 * Prints one "FILE:LINE: problem" line per problem and a last line with the verdict; exits 0
 * when there is none, 1 when there are, 2 on a usage error or an unreadable FILE. Guest files
 * are looked up in each DIR in turn (default: the guests/ folder beside FILE, as on a stick)
 * and checked as Shunt's loader checks them: an ELF64 guest whose segments fit the VM's RAM.
 * Built by `make build/shunt-config`; `tools/mkimage --check FILE` runs it.
 */
#include <hv/cmdline.h>
#include <hv/config.h>
#include <hv/elf64.h>
#include <hv/guest_layout.h>
#include <hv/pvh.h>
#include <hv/vm_options.h>

/* hv/types.h spells ENOTSUP 95 for the freestanding hypervisor, glibc EOPNOTSUPP (95 too). */
#undef ENOTSUP
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROG "shunt-config"
#define GUEST_DIRS_MAX 16
#define FILE_SIZE_MAX (1ull << 30) /* no guest image is bigger than a VM's largest RAM */

#define PROBLEMS_MAX 256

static const char *cfg_path;
static unsigned int problems;
/* Found in any order, printed in line order (a line's own problems in the order found). */
static struct found {
	uint32_t line, order;
	char text[300];
} found[PROBLEMS_MAX];

__attribute__((format(printf, 2, 3))) static void problem(uint32_t line, const char *fmt, ...)
{
	va_list ap;

	if (problems < PROBLEMS_MAX) {
		found[problems] = (struct found){ .line = line, .order = problems };
		va_start(ap, fmt);
		vsnprintf(found[problems].text, sizeof(found[problems].text), fmt, ap);
		va_end(ap);
	}
	problems++;
}

static int by_line(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : 1;
}

static void print_problems(void)
{
	unsigned int n = problems < PROBLEMS_MAX ? problems : PROBLEMS_MAX;

	qsort(found, n, sizeof(found[0]), by_line);
	for (unsigned int i = 0; i < n; i++) {
		if (found[i].line)
			printf("%s:%u: %s\n", cfg_path, found[i].line, found[i].text);
		else
			printf("%s: %s\n", cfg_path, found[i].text);
	}
}

/* The whole file at path into *data (NUL-terminated for convenience), or NULL with errno. */
static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    (unsigned long long)len <= FILE_SIZE_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len + 1)) != NULL) {
		if (fread(data, 1, (size_t)len, f) == (size_t)len) {
			data[len] = '\0';
			*size = (size_t)len;
		} else {
			free(data);
			data = NULL;
			errno = EIO;
		}
	} else if (!data) {
		errno = errno ? errno : EFBIG;
	}
	fclose(f);
	return data;
}

/* The shunt line's words, as hv/cmdline.c reads them at boot. */
static void check_cmdline(const struct config *cfg)
{
	static struct cmdline_problems words;
	struct hv_options opts;
	unsigned int n;

	if (!cfg->shunt_line)
		return;
	n = cmdline_parse(cfg->cmdline, &opts, &words);
	for (unsigned int i = 0; i < n && i < CMDLINE_MAX_PROBLEMS; i++)
		problem(cfg->shunt_line, "%s", words.text[i]);
}

/* The size of the file at path, or -1. */
static long long initrd_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* The guest image as Shunt's loader checks it (hv/loader.c), for a VM of mem bytes. */
static void check_image(const struct config_vm *vm, const char *path, uint64_t mem,
			const char *cmdline, const char *initrd)
{
	static struct kernel_image kernel;
	static char linux_cmdline[VM_OPTIONS_CMDLINE_MAX + 1 + sizeof(VM_PLATFORM_CMDLINE_WORD)];
	char err[ELF64_ERR_MAX];
	size_t size;
	char *data = read_file(path, &size);

	if (!data) {
		problem(vm->line, "guests/%s: can not be read: %s", vm->file, strerror(errno));
		return;
	}
	if (size == 0) {
		problem(vm->line, "guests/%s: empty file", vm->file);
	} else if (kernel_image_check(data, size, mem, &kernel, err, sizeof(err))) {
		problem(vm->line, "guests/%s: bad guest image: %s", vm->file, err);
	} else if (kernel.kind == KERNEL_SHUNT && initrd) {
		problem(vm->line, "initrd=%s: only a Linux kernel takes an initrd", vm->initrd);
	} else if (kernel.kind != KERNEL_SHUNT &&
		   kernel_cmdline_check(
			   &kernel,
			   kernel.kind == KERNEL_MULTIBOOT1
				   ? cmdline /* a Linux kernel's gets the platform's word */
				   : vm_options_platform_cmdline(cmdline, linux_cmdline,
								 sizeof(linux_cmdline)),
			   err, sizeof(err))) {
		problem(vm->line, "%s", err);
	} else if (initrd) {
		uint64_t at;

		if (pvh_place_initrd(kernel_initrd_top(&kernel, mem), kernel.elf.highest_paddr,
				     (uint64_t)initrd_size(initrd), &at, err, sizeof(err)))
			problem(vm->line, "initrd=%s: %s", vm->initrd, err);
	}
	free(data);
}

/* The first of dirs that holds file, into path; 0, or -1 when none does. */
static int find_guest(const char *const *dirs, unsigned int dir_count, const char *file, char *path,
		      size_t size)
{
	struct stat st;

	for (unsigned int i = 0; i < dir_count; i++) {
		snprintf(path, size, "%s/%s", dirs[i], file);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
	}
	return -1;
}

static void check_vms(const struct config *cfg, const char *const *dirs, unsigned int dir_count)
{
	static struct vm_options opts;
	char names[CONFIG_VMS_MAX][VM_OPTIONS_NAME_MAX];
	char err[256], path[4096], initrd[4096];

	for (uint32_t i = 0; i < cfg->vm_count; i++) {
		const struct config_vm *vm = &cfg->vms[i];

		names[i][0] = '\0';
		if (vm->problem[0]) {
			problem(vm->line, "%s", vm->problem);
			continue;
		}
		if (vm_options_parse(vm->cmdline, &opts, err, sizeof(err))) {
			problem(vm->line, "%s", err);
			continue;
		}
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(names[j], opts.name))
				problem(vm->line, "the name \"%s\" is taken by the VM of line %u",
					opts.name, cfg->vms[j].line);
		snprintf(names[i], sizeof(names[i]), "%s", opts.name);
		if (!dir_count)
			continue;
		if (find_guest(dirs, dir_count, vm->file, path, sizeof(path)))
			problem(vm->line, "guests/%s: no such file%s", vm->file,
				dir_count == 1 ? " in the guests folder" : " in the guest folders");
		else if (opts.initrd[0] &&
			 find_guest(dirs, dir_count, opts.initrd, initrd, sizeof(initrd)))
			problem(vm->line, "initrd=%s: no such file%s", opts.initrd,
				dir_count == 1 ? " in the guests folder" : " in the guest folders");
		else
			check_image(vm, path, opts.mem, opts.guest_cmdline,
				    opts.initrd[0] ? initrd : NULL);
	}
	if (cfg->vms_dropped)
		problem(cfg->dropped_line, "more than %u VMs: %u vm lines from here on are ignored",
			CONFIG_VMS_MAX, cfg->vms_dropped);
}

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " check [--guests DIR]... FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static char beside[4096];
	const char *dirs[GUEST_DIRS_MAX];
	unsigned int dir_count = 0;
	struct stat st;
	size_t size;
	char *text;
	int i;

	if (argc < 3 || strcmp(argv[1], "check"))
		return usage();
	for (i = 2; i < argc - 1; i += 2) {
		if (strcmp(argv[i], "--guests") || dir_count == GUEST_DIRS_MAX)
			return usage();
		dirs[dir_count++] = argv[i + 1];
	}
	if (i != argc - 1)
		return usage();
	cfg_path = argv[i];
	text = read_file(cfg_path, &size);
	if (!text) {
		fprintf(stderr, PROG ": %s: %s\n", cfg_path, strerror(errno));
		return 2;
	}
	if (!dir_count) {
		const char *slash = strrchr(cfg_path, '/');

		snprintf(beside, sizeof(beside), "%.*sguests",
			 slash ? (int)(slash - cfg_path + 1) : 0, cfg_path);
		if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode))
			dirs[dir_count++] = beside;
	}

	config_parse(text, size, &cfg);
	for (uint32_t p = 0; p < cfg.problem_count && p < CONFIG_PROBLEMS_MAX; p++)
		problem(cfg.problems[p].line, "%s", cfg.problems[p].text);
	if (cfg.problem_count > CONFIG_PROBLEMS_MAX)
		problem(0, "%u more lines with problems (Shunt reports the first %u)",
			cfg.problem_count - CONFIG_PROBLEMS_MAX, CONFIG_PROBLEMS_MAX);
	check_cmdline(&cfg);
	check_vms(&cfg, dirs, dir_count);
	free(text);

	print_problems();
	if (problems)
		printf("%s: %u problem%s; Shunt would refuse those VMs or ignore those lines\n",
		       cfg_path, problems, problems == 1 ? "" : "s");
	else
		printf("%s: %u VM%s, no problems%s\n", cfg_path, cfg.vm_count,
		       cfg.vm_count == 1 ? "" : "s",
		       dir_count ? "" : " (guest files not checked: no guests folder beside it)");
	return problems ? 1 : 0;
}

/*
 * What the hv code linked in needs from the hypervisor around it. hv/cmdline.c reads
 * loglevel= through hv/log.c, which would print through Shunt's console: here nothing is
 * logged, every problem is returned and printed above.
 */
int console_log_write(const char *s, size_t len);
int console_log_write(const char *s, size_t len)
{
	(void)s;
	return (int)len;
}

void console_begin_dump(void);
void console_begin_dump(void)
{
}

void arch_console_write(const char *s, size_t len);
void arch_console_write(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

void console_stop_async(void);
void console_stop_async(void)
{
}

uint64_t arch_cycles(void);
uint64_t arch_cycles(void)
{
	return 0;
}

uint64_t arch_tsc_hz(void);
uint64_t arch_tsc_hz(void)
{
	return 1;
}

void hv_stop(int exit_code);
void hv_stop(int exit_code)
{
	exit(exit_code);
}

/* panic()'s: one CPU here, nothing to stop; then out. */
void hv_stop_other_cpus(void);
void hv_stop_other_cpus(void)
{
}

void hv_stop_fatal(int exit_code);
void hv_stop_fatal(int exit_code)
{
	exit(exit_code);
}

/* glibc before 2.38 has no strlcpy, which hv's code uses. */
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
