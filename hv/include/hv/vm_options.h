/*
 * A VM's options, as written on its boot module's command line (GRUB `module2 FILE
 * OPTIONS`, or `module FILE OPTIONS` in the UEFI loader's boot.cfg):
 *   [FILE] [name=NAME] [mem=SIZE[K|M|G]] [console=print|lossy|discard]
 *          [grant=pci:BB:DD.F:MODE | grant=ports:FIRST-LAST:MODE]...
 *          [rate=CLASS:RATE:BURST]... [initrd=FILE] [reboots=N] [vcpus=N] [cpus=LIST]
 *          [-- GUEST COMMAND LINE]
 * A leading word without '=' is the image's file name; its base name is the default VM
 * name. Every other word is checked here; an unknown one refuses the VM, with the reason.
 */
#ifndef HV_VM_OPTIONS_H
#define HV_VM_OPTIONS_H

#include <hv/hw.h>
#include <hv/types.h>

#define VM_OPTIONS_NAME_MAX 32
#define VM_OPTIONS_CMDLINE_MAX 256
#define VM_OPTIONS_FILE_MAX 64 /* a file of /guests/ with its NUL (CONFIG_FILE_MAX) */
#define VM_MEM_DEFAULT (4 * MIB)
#define VM_MEM_MIN (2 * MIB)
#define VM_MEM_MAX (1 * GIB)
#define VM_OPTIONS_GRANTS_MAX 8
#define VM_REBOOTS_DEFAULT 3 /* restarts after quick resets in a row (VM_QUICK_RESET_SECONDS) */
#define VM_REBOOTS_MAX 100
#define VM_VCPUS_LIMIT 8 /* vcpus=N: 1..VM_VCPUS_LIMIT (struct vm's VM_VCPUS_MAX) */
#define VM_CPUS_LIMIT 64 /* cpus=LIST names CPUs 0..VM_CPUS_LIMIT-1 (CPU_MAX) */
_Static_assert(VM_OPTIONS_GRANTS_MAX *HW_BARS_MAX <= HW_MAX_WINDOWS, "every grant's ports fit");
#define VM_OPTIONS_RATE_CLASSES 4 /* PV_RATE_* */

/*
 * Default rate limits (per second, burst) per PV_RATE_* class; 0 = unlimited. The console
 * class counts bytes, the others calls. The serial line itself carries about 11 KiB/s.
 */
#define VM_RATE_CONSOLE_DEFAULT 65536u
#define VM_BURST_CONSOLE_DEFAULT 16384u
#define VM_RATE_OTHER_DEFAULT 100000u
#define VM_BURST_OTHER_DEFAULT 1000u
#define VM_RATE_HW_DEFAULT 20000u
#define VM_BURST_HW_DEFAULT 64u

/* What happens to a VM's console output (its console= option). */
enum vm_console_policy {
	VM_CONSOLE_PRINT = 0, /* printed; a full buffer makes writers wait (PV_ETHROTTLED) */
	VM_CONSOLE_LOSSY,     /* printed; what does not fit the buffer is dropped and counted */
	VM_CONSOLE_DISCARD,   /* counted, never printed */
};

struct vm_options {
	char name[VM_OPTIONS_NAME_MAX];
	uint64_t mem;			/* bytes, a multiple of 2 MiB */
	enum vm_console_policy console; /* console=print|lossy|discard */
	struct hw_grant_spec grants[VM_OPTIONS_GRANTS_MAX];
	unsigned int grant_count;
	uint32_t rate[VM_OPTIONS_RATE_CLASSES]; /* per second (console: bytes), 0 = unlimited */
	uint32_t burst[VM_OPTIONS_RATE_CLASSES];
	char guest_cmdline[VM_OPTIONS_CMDLINE_MAX];
	char initrd[VM_OPTIONS_FILE_MAX]; /* initrd=FILE: a file of /guests/, "" for none */
	uint32_t reboots; /* reboots=N: quick resets in a row it is restarted after; 0: none */
	uint32_t vcpus;	  /* vcpus=N: its vCPUs (default 1) */
	uint64_t cpus;	  /* cpus=LIST: bit n, CPU n may run its vCPUs; 0: any (the default) */
};

/* Returns 0, or -EINVAL with a one-line reason in err. */
int vm_options_parse(const char *cmdline, struct vm_options *opts, char *err, size_t err_size);

/*
 * The default VM name of a command line whose first word is an image file ("dir/hello.elf
 * mem=4M" gives "hello") into name[VM_OPTIONS_NAME_MAX]: 0, or -1 when the first word is no
 * file or makes no valid name. Refused VMs are named this way before their options are read.
 */
int vm_options_file_name(const char *cmdline, char *name);

/* Room for any name vm_options_fallback_name() writes: a name, '#' and a number. */
#define VM_OPTIONS_FALLBACK_NAME_MAX (VM_OPTIONS_NAME_MAX + 11)

/*
 * The name a VM is known by in the log and the summary when it has no name it may keep:
 * "NAME#N" when the name NAME it asked for (or its file's) is another VM's, "UNNAMED#N"
 * (name NULL) when it has no usable name at all; N numbers where the VM came from (its
 * shunt.cfg line, or its boot module) and unnamed says which ("line", "module"). '#' is never
 * in a name option or file name, and N differs between VMs, so a fallback name never equals
 * a given name nor another VM's fallback name. size of at least VM_OPTIONS_FALLBACK_NAME_MAX
 * never cuts it.
 */
void vm_options_fallback_name(char *buf, size_t size, const char *name, const char *unnamed,
			      unsigned int number);

/*
 * The word Shunt adds to a Linux VM's command line, and the line with it (into buf,
 * unless the VM's own has it already): "noapic", so that Linux, which finds no I/O APIC
 * in the MADT, routes the 8259A's interrupts through LINT0 in ExtINT mode rather than
 * masking it (README.md, "Linux guests"). Here, with the options, so that shunt-config
 * checks the line the kernel will get.
 */
#define VM_PLATFORM_CMDLINE_WORD "noapic"
const char *vm_options_platform_cmdline(const char *cmdline, char *buf, size_t size);

#endif
