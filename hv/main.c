/*
 * hv_main(): the hypervisor's boot sequence, in the order the pieces depend on each other.
 * The command line and the console it chooses first (so everything after can complain),
 * then CPU tables (so a fault prints instead of resetting), then the handoff checks,
 * memory, paging, and the reports.
 */
#include <boot/handoff.h>
#include <hv/acpi.h>
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/hv.h>
#include <hv/hw.h>
#include <hv/log.h>
#include <hv/mm.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>

struct hv_options hv_options = { .log_level = LOG_INFO };

/* The loader's handoff, copied before any frame is handed out (it may live in one). */
static struct handoff boot;

void hv_stop(int exit_code)
{
	static const char *const what[] = { [HV_STOPPED_HALT] = "halted",
					    [HV_STOPPED_POWEROFF] = "powering off",
					    [HV_STOPPED_REBOOT] = "rebooting" };
	static const enum arch_stop_mode mode[] = { [HV_STOPPED_HALT] = ARCH_STOP_HALT,
						    [HV_STOPPED_POWEROFF] = ARCH_STOP_POWER_OFF,
						    [HV_STOPPED_REBOOT] = ARCH_STOP_REBOOT };

	console_stop_async(); /* what is queued goes out first */
	/* The last line of every run, whatever ended it: tools/run returns its exit code. */
	log_info("shunt: %s (exit code %d)\n", what[hv_options.on_all_stopped], exit_code);
	arch_stop(mode[hv_options.on_all_stopped], exit_code);
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

static struct cmdline_problems cmdline_problems;
static unsigned int cmdline_problem_count;

/*
 * Reads the command line before anything is printed, so that the console it chooses is the
 * one every line goes to; a handoff of another layout leaves the defaults (reported later).
 */
static void parse_cmdline(void)
{
	if (!handoff_header_matches())
		return;
	boot.cmdline[sizeof(boot.cmdline) - 1] = '\0';
	cmdline_problem_count = cmdline_parse(boot.cmdline, &hv_options, &cmdline_problems);
}

static void apply_cmdline(void)
{
	unsigned int n = cmdline_problem_count;
	char text[2 * CMDLINE_PROBLEM_MAX];

	log_set_level(hv_options.log_level);
	/* The words are the loader's bytes: escaped, so none reach the console raw. */
	for (unsigned int i = 0; i < n && i < CMDLINE_MAX_PROBLEMS; i++) {
		const char *problem = cmdline_problems.text[i];

		fmt_escape(text, sizeof(text), problem);
		log_warn("cmdline: %s (ignored)\n", text);
	}
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

static void build_vms(void)
{
	char why[96], label[64], detail[VM_STOP_DETAIL_MAX];

	for (uint32_t i = 0; i < boot.module_count; i++) {
		const struct handoff_module *m = &boot.modules[i];

		if (module_problem(i, why, sizeof(why)) == 0) {
			vm_create_from_module(i, m->cmdline, phys_to_virt(m->base), m->length);
			continue;
		}
		fmt_escape(label, sizeof(label), m->cmdline);
		log_error("boot module %u (\"%s\"): %s: no VM is built from it\n", i, label, why);
		fmt_snprintf(detail, sizeof(detail), "boot module %u: %s", i, why);
		vm_record_refused_module(i, m->cmdline, detail);
	}
}

/*
 * Runs the guests; returns the run's exit code: 0 when every boot module became a VM that
 * ended by its own PV_CALL_EXIT with code 0 (or there were none), 1 otherwise.
 */
static int run_guests(int virt_ready)
{
	unsigned int failed;

	if (boot.modules_dropped)
		log_error("boot: %u module%s past the %uth ignored: Shunt takes at most %u\n",
			  boot.modules_dropped, boot.modules_dropped == 1 ? "" : "s",
			  HANDOFF_MAX_MODULES, HANDOFF_MAX_MODULES);
	if (boot.module_count == 0) {
		log_info("shunt: no guests configured; %llu MiB free\n",
			 (unsigned long long)(mm_free_bytes() / MIB));
		return boot.modules_dropped ? 1 : 0;
	}
	if (!virt_ready || arch_virt_enable()) {
		log_error("shunt: %u guests not started: hardware virtualization is not usable\n",
			  boot.module_count);
		return 1;
	}
	arch_tsc_hz(); /* measured here, once, not inside a guest's first timed call */
	build_vms();
	vm_share_hw_budget(hv_options.hw_budget);
	log_info("shunt: running %u VMs, %llu MiB free\n", vm_count(),
		 (unsigned long long)(mm_free_bytes() / MIB));
	/* While guests run, nothing waits for the serial line and no guest floods the log. */
	console_start_async();
	log_set_storm_guard(1);
	sched_run();
	log_set_storm_guard(0);
	console_stop_async();
	vm_print_summary();
	failed = vm_count_failed() + boot.modules_dropped;
	if (failed)
		log_info("shunt: %u of %u VMs did not end cleanly (refused, stopped by Shunt, or "
			 "exited with a code other than 0)\n",
			 failed, vm_count() + boot.modules_dropped);
	else
		log_info("shunt: all %u VMs exited cleanly\n", vm_count());
	return failed ? 1 : 0;
}

void hv_main(const struct handoff *handoff)
{
	int virt_ready;

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
	hw_inventory_init();
	virt_ready = arch_virt_probe();

	if (hv_options.crash_test) {
		log_info("shunt: crashtest: raising #UD on purpose\n");
		__builtin_trap();
	}
	hv_stop(run_guests(virt_ready));
}
