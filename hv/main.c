/*
 * hv_main(): the hypervisor's boot sequence, in the order the pieces depend on each other.
 * The command line and the console it chooses first (so everything after can complain),
 * then CPU tables (so a fault prints instead of resetting), then the handoff checks,
 * memory, paging, and the reports.
 */
#include <boot/handoff.h>
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/config.h>
#include <hv/console.h>
#include <hv/console_input.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/hw.h>
#include <hv/log.h>
#include <hv/log_ring.h>
#include <hv/mgmt.h>
#include <hv/mm.h>
#include <hv/net/auth.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/wallclock.h>

struct hv_options hv_options = { .log_level = LOG_INFO };
uint64_t hv_entry_cycles;

/* The loader's handoff, copied before any frame is handed out (it may live in one). */
static struct handoff boot;

/*
 * shunt.cfg, when a loader passed one (module "/shunt.cfg"): then the VMs are its vm lines and
 * the other modules the guest files they name. Without it each module is a VM (a GRUB menu
 * of the admin's own, with options on each module2 line).
 */
static struct config config;
static int config_module = -1;
static int key_module = -1; /* the management key (/shunt.key): never a VM */
_Static_assert(CONFIG_VMS_MAX == VM_MAX, "a vm line for every VM Shunt can run");
/* Problems of shunt.cfg that cost no VM (lines ignored, bad shunt words): still exit code 1. */
static uint32_t config_problems;
/* The guests ran and all stopped: the admin may start one again over the management API. */
static int guests_may_resume;

static int run_guests_again(void);

static int any_vm_running(void)
{
	return vm_count_running() != 0;
}

/* The last line of every run ("shunt: halted (exit code 0)") and how it ends, by
 * on-all-stopped. */
static const char *const stop_words[] = { [HV_STOPPED_HALT] = "halted",
					  [HV_STOPPED_POWEROFF] = "powering off",
					  [HV_STOPPED_REBOOT] = "rebooting" };
static const enum arch_stop_mode stop_modes[] = { [HV_STOPPED_HALT] = ARCH_STOP_HALT,
						  [HV_STOPPED_POWEROFF] = ARCH_STOP_POWER_OFF,
						  [HV_STOPPED_REBOOT] = ARCH_STOP_REBOOT };

void hv_stop(int exit_code)
{
	console_stop_async(); /* what is queued goes out first */
	/* The last line of every run, whatever ended it: tools/run returns its exit code. */
	log_info("shunt: %s (exit code %d)\n", stop_words[hv_options.on_all_stopped], exit_code);
	if (hv_options.on_all_stopped == HV_STOPPED_HALT && mgmt_is_up() && !guests_may_resume)
		mgmt_serve_forever(); /* a halted machine stays reachable */
	while (hv_options.on_all_stopped == HV_STOPPED_HALT && mgmt_is_up()) {
		/* Until the admin starts a VM again: then it runs, and this ends as the first did. */
		mgmt_serve_until(any_vm_running);
		exit_code = run_guests_again();
		console_stop_async();
		log_info("shunt: %s (exit code %d)\n", stop_words[hv_options.on_all_stopped],
			 exit_code);
	}
	arch_stop(stop_modes[hv_options.on_all_stopped], exit_code);
}

static unsigned int fatal_others, fatal_stopped; /* hv_stop_other_cpus() */

void hv_stop_other_cpus(void)
{
	fatal_others = smp_up_count() ? smp_up_count() - 1 : 0;
	fatal_stopped = arch_stop_other_cpus(fatal_others);
}

void hv_stop_fatal(int exit_code)
{
	hv_stop_other_cpus(); /* done already, as a rule: then it only counts again */
	console_stop_async();
	if (fatal_others)
		log_info("shunt: %u of %u other CPU%s stopped, with the VMs they ran\n",
			 fatal_stopped, fatal_others, fatal_others == 1 ? "" : "s");
	log_info("shunt: %s (exit code %d)\n", stop_words[hv_options.on_all_stopped], exit_code);
	arch_stop(stop_modes[hv_options.on_all_stopped], exit_code);
}

static const char *firmware_name(uint32_t firmware)
{
	switch (firmware) {
	case HANDOFF_FW_BIOS_MULTIBOOT2:
		return "BIOS/multiboot2";
	case HANDOFF_FW_UEFI_MULTIBOOT2:
		return "UEFI/multiboot2";
	case HANDOFF_FW_UEFI_SHUNT:
		return "UEFI/shunt-loader";
	default:
		return "unknown";
	}
}

/* 1 if the handoff is of the layout this hypervisor was built for. */
static int handoff_header_matches(void)
{
	return boot.magic == HANDOFF_MAGIC && boot.version == HANDOFF_VERSION;
}

/* The handoff is input like any other: check it before believing any of it. */
static int check_handoff_header(void)
{
	if (!handoff_header_matches()) {
		log_error("boot: handoff has magic 0x%llx version %u, expected 0x%llx version %u: "
			  "loader and hypervisor do not match\n",
			  (unsigned long long)boot.magic, boot.version,
			  (unsigned long long)HANDOFF_MAGIC, HANDOFF_VERSION);
		return -EINVAL;
	}
	boot.boot_error[sizeof(boot.boot_error) - 1] = '\0';
	boot.cmdline[sizeof(boot.cmdline) - 1] = '\0';
	boot.loader_name[sizeof(boot.loader_name) - 1] = '\0';
	return 0;
}

static int check_handoff_contents(void)
{
	if (boot.boot_error[0]) {
		log_error("boot: %s\n", boot.boot_error);
		return -EINVAL;
	}
	if (boot.mem_count > HANDOFF_MAX_MEM || boot.module_count > HANDOFF_MAX_MODULES ||
	    boot.rsdp_length > HANDOFF_RSDP_MAX ||
	    (boot.modules_dropped && boot.module_count != HANDOFF_MAX_MODULES)) {
		log_error("boot: handoff counts out of range (mem %u, modules %u and %u dropped, "
			  "rsdp %u)\n",
			  boot.mem_count, boot.module_count, boot.modules_dropped,
			  boot.rsdp_length);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < boot.module_count; i++)
		boot.modules[i].cmdline[HANDOFF_MODULE_CMDLINE_MAX - 1] = '\0';
	return 0;
}

static struct cmdline_problems cmdline_problems, config_word_problems;
static unsigned int cmdline_problem_count, config_word_problem_count;

/* Index of the module whose command line is name, or -1. */
static int find_module(const char *name)
{
	for (uint32_t i = 0; i < boot.module_count; i++)
		if (!strcmp(boot.modules[i].cmdline, name))
			return (int)i;
	return -1;
}

/*
 * Finds and parses shunt.cfg before anything is printed, so that the console its shunt line
 * chooses gets every line. Loaders place modules below 4 GiB, which the boot page tables map;
 * one that is not, or not whole, is not read here (nor used later: read_config() says why).
 */
static void find_config(void)
{
	const struct handoff_module *m;

	if (boot.module_count > HANDOFF_MAX_MODULES)
		return; /* check_handoff_contents() reports it */
	for (uint32_t i = 0; i < boot.module_count; i++)
		boot.modules[i].cmdline[HANDOFF_MODULE_CMDLINE_MAX - 1] = '\0';
	config_module = find_module(CONFIG_MODULE_NAME);
	if (config_module < 0)
		return;
	m = &boot.modules[config_module];
	if (m->refused == HANDOFF_MODULE_OK && m->base + m->length >= m->base &&
	    m->base + m->length <= 4 * GIB)
		config_parse(phys_to_virt(m->base), m->length, &config);
}

/*
 * Reads the command line before anything is printed, so that the console it chooses is the
 * one every line goes to: shunt.cfg's shunt line first, then the loader's words, which win.
 * A handoff of another layout leaves the defaults (reported later).
 */
static void parse_cmdline(void)
{
	static struct cmdline_problems ignored;
	static char words[CONFIG_CMDLINE_MAX + HANDOFF_CMDLINE_MAX];

	if (!handoff_header_matches())
		return;
	boot.cmdline[sizeof(boot.cmdline) - 1] = '\0';
	find_config();
	cmdline_problem_count = cmdline_parse(boot.cmdline, &hv_options, &cmdline_problems);
	if (!config.shunt_line)
		return;
	config_word_problem_count =
		cmdline_parse(config.cmdline, &hv_options, &config_word_problems);
	fmt_snprintf(words, sizeof(words), "%s %s", config.cmdline, boot.cmdline);
	cmdline_parse(words, &hv_options, &ignored); /* each part's problems are told above */
}

static void report_cmdline_problems(const struct cmdline_problems *problems, unsigned int n,
				    const char *where)
{
	char text[2 * CMDLINE_PROBLEM_MAX];

	/* The words are the loader's bytes: escaped, so none reach the console raw. */
	for (unsigned int i = 0; i < n && i < CMDLINE_MAX_PROBLEMS; i++) {
		fmt_escape(text, sizeof(text), problems->text[i]);
		log_warn("%s: %s (ignored)\n", where, text);
	}
}

static void apply_cmdline(void)
{
	log_set_level(hv_options.log_level);
	report_cmdline_problems(&cmdline_problems, cmdline_problem_count, "cmdline");
}

static void print_memory_map(void)
{
	const struct memmap *map = mm_memmap();

	for (uint32_t i = 0; i < map->count; i++)
		log_debug("mem:   [0x%012llx, 0x%012llx) %s\n",
			  (unsigned long long)map->regions[i].base,
			  (unsigned long long)map->regions[i].end,
			  memmap_type_name(map->regions[i].type));
}

static void print_banner(void)
{
	const struct memmap *map = mm_memmap();
	static char cmdline[HANDOFF_CMDLINE_MAX];
	char loader[HANDOFF_LOADER_NAME_MAX];
	char cpu[160];

	fmt_escape(cmdline, sizeof(cmdline), boot.cmdline);
	fmt_escape(loader, sizeof(loader), boot.loader_name);
	log_info("boot: firmware=%s loader=\"%s\" cmdline=\"%s\"\n", firmware_name(boot.firmware),
		 loader, cmdline);
	log_info("mem: usable %llu MiB in %u regions, %u modules, hypervisor image %llu KiB\n",
		 (unsigned long long)((memmap_total(map, HANDOFF_MEM_USABLE) +
				       memmap_total(map, MEMMAP_HV_DATA)) /
				      MIB),
		 memmap_count(map, HANDOFF_MEM_USABLE), boot.module_count,
		 (unsigned long long)(memmap_total(map, MEMMAP_HV_IMAGE) / KIB));
	print_memory_map();
	arch_cpu_describe(cpu, sizeof(cpu));
	log_info("cpu: %s\n", cpu);
}

static void init_acpi(void)
{
	if (acpi_init(boot.rsdp, boot.rsdp_length, mm_is_readable))
		log_warn("%s\n", acpi_error());
}

/*
 * Why boot module i can not become a VM (the reason into why), or 0 if it can. A module the
 * loader refused, or one Shunt can not read, costs that module alone, never the others.
 */
static int module_problem(uint32_t i, char *why, size_t size)
{
	const struct handoff_module *m = &boot.modules[i];

	switch (m->refused) {
	case HANDOFF_MODULE_OK:
		break;
	case HANDOFF_MODULE_CMDLINE_TOO_LONG:
		fmt_snprintf(why, size, "command line is %u bytes, at most %u", m->cmdline_length,
			     HANDOFF_MODULE_CMDLINE_MAX - 1);
		return -EINVAL;
	case HANDOFF_MODULE_NOT_LOADED:
		fmt_snprintf(why, size, "the loader could not read the file");
		return -EINVAL;
	default:
		fmt_snprintf(why, size, "the loader refused it (reason %u)", m->refused);
		return -EINVAL;
	}
	/* Checked first: mm claims no RAM for an empty module, but "not in RAM" would mislead. */
	if (!m->length) {
		fmt_snprintf(why, size, "empty file");
		return -EINVAL;
	}
	if (!mm_module_is_usable(i)) {
		fmt_snprintf(why, size, "not in RAM");
		return -EINVAL;
	}
	return 0;
}

int hv_boot_file(const char *name, const void **data, uint64_t *size, char *why, size_t why_size)
{
	char path[CONFIG_FILE_MAX + sizeof(CONFIG_GUEST_DIR)];
	size_t len = strlen(name);
	int module;

	fmt_snprintf(path, sizeof(path), CONFIG_GUEST_DIR "%s", name);
	module = find_module(path);
	/* A GRUB menu of one's own names modules by their command line's first word. */
	for (uint32_t i = 0; module < 0 && config_module < 0 && i < boot.module_count; i++)
		if ((int)i != key_module && !strncmp(boot.modules[i].cmdline, name, len) &&
		    (boot.modules[i].cmdline[len] == ' ' || boot.modules[i].cmdline[len] == '\0'))
			module = (int)i;
	if (module < 0) {
		fmt_snprintf(why, why_size, "%s: %s", path + 1,
			     boot.modules_dropped ? "not loaded: more boot files than Shunt takes"
						  : "no such file on the boot medium");
		return -ENOENT;
	}
	if (module_problem((uint32_t)module, why, why_size))
		return -EINVAL;
	*data = phys_to_virt(boot.modules[module].base);
	*size = boot.modules[module].length;
	return 0;
}

static void report_config(void)
{
	char text[2 * CONFIG_PROBLEM_MAX];
	uint32_t kept = config.problem_count < CONFIG_PROBLEMS_MAX ? config.problem_count
								   : CONFIG_PROBLEMS_MAX;

	/* Problems of VM lines are told with their VM, when the VMs are built. */
	for (uint32_t i = 0; i < kept; i++) {
		fmt_escape(text, sizeof(text), config.problems[i].text);
		log_error(CONFIG_FILE_NAME ":%u: %s\n", config.problems[i].line, text);
	}
	if (config.problem_count > kept)
		log_error(CONFIG_FILE_NAME ": %u more lines ignored for problems\n",
			  config.problem_count - kept);
	if (config.vms_dropped)
		log_error(CONFIG_FILE_NAME ":%u: more than %u VMs: %u vm line%s from here on "
					   "ignored\n",
			  config.dropped_line, CONFIG_VMS_MAX, config.vms_dropped,
			  config.vms_dropped == 1 ? "" : "s");
	fmt_escape(text, sizeof(text), config.cmdline);
	log_info("config: " CONFIG_FILE_NAME ": %u VM%s, command line \"%s\"\n", config.vm_count,
		 config.vm_count == 1 ? "" : "s", text);
}

/*
 * Hands the management key file (/shunt.key, a boot module of its own) to the access check,
 * which keeps the key and wipes the module. Whatever is wrong with it, management says so
 * when it starts (mgmt_auth_report); no VM is ever made of it.
 */
static void read_key(void)
{
	const struct handoff_module *m;
	char why[96];

	key_module = find_module(AUTH_KEY_NAME);
	if (key_module < 0) {
		mgmt_auth_key_missing(NULL);
		return;
	}
	m = &boot.modules[key_module];
	if (m->refused == HANDOFF_MODULE_OK && !m->length)
		mgmt_auth_load_key(NULL, 0); /* an empty file: "no shunt-key-v1 line" */
	else if (module_problem((uint32_t)key_module, why, sizeof(why)))
		mgmt_auth_key_missing(why);
	else
		mgmt_auth_load_key(phys_to_virt(m->base), m->length);
}

/*
 * Checks the shunt.cfg that find_config() read now that memory is known, and reports what it
 * holds and its problems. One Shunt can not use (refused by the loader, not in RAM) starts no
 * VM; its shunt line was applied already, since the console had to be chosen first.
 */
static void read_config(void)
{
	static char where[32];
	const struct handoff_module *m;
	char why[96];

	if (config_module < 0)
		return;
	m = &boot.modules[config_module];
	if ((m->refused != HANDOFF_MODULE_OK || m->length) &&
	    module_problem((uint32_t)config_module, why, sizeof(why))) {
		log_error(CONFIG_FILE_NAME ": %s: no VMs are started\n", why);
		config_parse("", 0, &config);
		config_problems = 1; /* the run did not do what the admin asked */
		return;
	}
	report_config();
	fmt_snprintf(where, sizeof(where), CONFIG_FILE_NAME ":%u", config.shunt_line);
	report_cmdline_problems(&config_word_problems, config_word_problem_count, where);
	config_problems = config.problem_count + config_word_problem_count;
}

/*
 * Builds a VM from origin and cmdline out of boot module i, or refuses it with the reason
 * (after "file: " when the module is a file the config named).
 */
static void build_vm(const struct vm_origin *origin, const char *cmdline, uint32_t i,
		     const char *file)
{
	const struct handoff_module *m = &boot.modules[i];
	char why[96], detail[160];

	if (module_problem(i, why, sizeof(why)) == 0) {
		vm_create(origin, cmdline, phys_to_virt(m->base), m->length);
		return;
	}
	fmt_snprintf(detail, sizeof(detail), "%s%s%s", file ? file : "", file ? ": " : "", why);
	vm_record_refused(origin, cmdline, detail);
}

/* 1 if a vm line names file as its initrd. */
static int is_initrd(const char *file)
{
	for (uint32_t i = 0; i < config.vm_count; i++)
		if (config.vms[i].initrd[0] && !strcmp(config.vms[i].initrd, file))
			return 1;
	return 0;
}

/* The VMs of shunt.cfg's vm lines, in their order, each from the guest file it names. */
static void build_vms_from_config(void)
{
	char name[CONFIG_FILE_MAX + sizeof(CONFIG_GUEST_DIR)], why[96];

	for (uint32_t i = 0; i < config.vm_count; i++) {
		const struct config_vm *v = &config.vms[i];
		struct vm_origin origin = { .unnamed = "line", .number = v->line };
		int module;

		fmt_snprintf(origin.where, sizeof(origin.where), CONFIG_FILE_NAME ":%u", v->line);
		if (v->problem[0]) {
			vm_record_refused(&origin, v->file, v->problem);
			continue;
		}
		fmt_snprintf(name, sizeof(name), CONFIG_GUEST_DIR "%s", v->file);
		module = find_module(name);
		if (module >= 0) {
			build_vm(&origin, v->cmdline, (uint32_t)module, name + 1);
			continue;
		}
		fmt_snprintf(why, sizeof(why), "%s: %s", name + 1,
			     boot.modules_dropped ? "not loaded: more boot files than Shunt takes"
						  : "no such file on the boot medium");
		vm_record_refused(&origin, v->cmdline, why);
	}
	for (uint32_t i = 0; i < boot.module_count; i++) {
		const char *file = boot.modules[i].cmdline;

		if ((int)i != config_module && (int)i != key_module &&
		    (strncmp(file, CONFIG_GUEST_DIR, sizeof(CONFIG_GUEST_DIR) - 1) ||
		     (!config_find_file(&config, file + sizeof(CONFIG_GUEST_DIR) - 1) &&
		      !is_initrd(file + sizeof(CONFIG_GUEST_DIR) - 1))))
			log_debug("boot: module %u is named by no vm line: not used\n", i);
	}
}

/* Without shunt.cfg: each boot module is a VM, its command line its options. */
static void build_vms_from_modules(void)
{
	for (uint32_t i = 0; i < boot.module_count; i++) {
		struct vm_origin origin = { .unnamed = "module", .number = i };

		if ((int)i == key_module)
			continue;
		fmt_snprintf(origin.where, sizeof(origin.where), "boot module %u", i);
		build_vm(&origin, boot.modules[i].cmdline, i, NULL);
	}
}

/* How many VMs the boot asked for: those the run's exit code answers for. */
static uint32_t vms_asked(void)
{
	if (config_module >= 0)
		return config.vm_count + config.vms_dropped;
	return boot.module_count - (key_module >= 0) + boot.modules_dropped;
}

static int guests_stopped(uint32_t asked);

/* A VM was started over the management API after all had stopped: they run again. */
static int run_guests_again(void)
{
	log_info("shunt: running %u VMs again, %llu MiB free\n", vm_count_running(),
		 (unsigned long long)(mm_free_bytes() / MIB));
	console_start_async();
	log_set_storm_guard(1);
	sched_run();
	return guests_stopped(vms_asked());
}

/*
 * Runs the guests; returns the run's exit code: 0 when every VM asked for ended by its own
 * PV_CALL_EXIT with code 0 (or none was asked for) and shunt.cfg had no problem, 1 otherwise.
 */
static int run_guests(int virt_ready)
{
	uint32_t asked = vms_asked();

	if (boot.modules_dropped)
		log_error("boot: %u module%s past the %uth ignored: Shunt takes at most %u\n",
			  boot.modules_dropped, boot.modules_dropped == 1 ? "" : "s",
			  HANDOFF_MAX_MODULES, HANDOFF_MAX_MODULES);
	if (asked == 0) {
		log_info("shunt: no guests configured; %llu MiB free\n",
			 (unsigned long long)(mm_free_bytes() / MIB));
		return boot.modules_dropped || config_problems ? 1 : 0;
	}
	if (!virt_ready || arch_virt_enable()) {
		log_error("shunt: %u guest%s not started: hardware virtualization is not usable\n",
			  asked, asked == 1 ? "" : "s");
		return 1;
	}
	arch_tsc_hz(); /* measured here, once, not inside a guest's first timed call */
	if (config_module >= 0)
		build_vms_from_config();
	else
		build_vms_from_modules();
	vm_share_hw_budget(hv_options.hw_budget);
	log_info("shunt: running %u VMs, %llu MiB free\n", vm_count_running(),
		 (unsigned long long)(mm_free_bytes() / MIB));
	log_ring_mark(log_recent()); /* the boot report ends here (GET /api/v1/host) */
	/* While guests run, nothing waits for the serial line and no guest floods the log. */
	console_start_async();
	console_input_start(); /* typed input to the first Linux VM, or to Shunt */
	log_set_storm_guard(1);
	sched_run();
	return guests_stopped(asked);
}

/* After sched_run(): the summary, and the run's exit code (see run_guests()). */
static int guests_stopped(uint32_t asked)
{
	uint32_t unbuilt, failed;

	log_set_storm_guard(0);
	console_stop_async();
	vm_print_summary();
	guests_may_resume = 1;
	unbuilt = asked - vm_count(); /* dropped: past a table, never a VM */
	failed = vm_count_failed() + unbuilt;
	if (failed)
		log_info("shunt: %u of %u VMs did not end cleanly (refused, stopped by Shunt, or "
			 "exited with a code other than 0)\n",
			 failed, asked);
	else if (config_problems)
		log_info("shunt: all %u VMs exited cleanly, but " CONFIG_FILE_NAME
			 " has %u problem%s\n",
			 asked, config_problems, config_problems == 1 ? "" : "s");
	else
		log_info("shunt: all %u VMs exited cleanly\n", asked);
	return failed || config_problems ? 1 : 0;
}

void hv_main(const struct handoff *handoff)
{
	int virt_ready;

	hv_entry_cycles = arch_cycles();
	boot = *handoff;
	parse_cmdline(); /* first: on-all-stopped and the console hold even after a bad handoff */
	console_setup(&hv_options, handoff_header_matches() ? &boot.screen : NULL);
	log_info("\nShunt %s (x86_64) paravirtualizing microhypervisor\n", SHUNT_VERSION);
	console_report();
	arch_cpu_init();
	if (check_handoff_header())
		hv_stop(2);
	apply_cmdline();
	if (check_handoff_contents())
		hv_stop(2);
	if (mm_init(&boot))
		hv_stop(2);
	if (arch_paging_init(mm_memmap()))
		panic("paging: could not build the hypervisor's page tables\n");
	console_map_devices(); /* at once: the console's device memory is not mapped yet */
	init_acpi();
	print_banner();
	wall_clock_init(acpi_rtc_century());
	read_config();
	read_key();
	hw_inventory_init();
	mgmt_probe(); /* before the inventory is listed: it shows the NIC as Shunt's own */
	hw_inventory_print();
	virt_ready = arch_virt_probe();
	smp_init(&hv_options, virt_ready);
	mgmt_start();

	if (hv_options.crash_test) {
		log_info("shunt: crashtest: raising #UD on purpose\n");
		__builtin_trap();
	}
	hv_stop(run_guests(virt_ready));
}
