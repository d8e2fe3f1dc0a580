/*
 * The hardware Shunt can hand out (see hv/hw.h): the inventory, the compatibility table,
 * and grants. A grant is checked once, at VM creation; its verdict is what the guest sees
 * in PV_CALL_HW_QUERY, and what Shunt logs with the device's IDs.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/fmt.h>
#include <hv/hw.h>
#include <hv/log.h>
#include <hv/pci.h>
#include <hv/serial.h>
#include <hv/string.h>
#include <hv/vm.h>

/* Legacy UARTs Shunt looks for; the one its console uses (COM1 by default) stays its own. */
static const struct {
	uint16_t base;
	const char *name;
} legacy_uarts[] = { { 0x3f8, "COM1" }, { 0x2f8, "COM2" }, { 0x3e8, "COM3" }, { 0x2e8, "COM4" } };

/* Ports Shunt drives itself; a grant overlapping them is refused, and says why. */
static const struct {
	uint16_t first, last;
	const char *why;
} shunt_ports[] = {
	{ 0xcf8, 0xcff, "PCI configuration ports belong to Shunt" },
	{ 0x20, 0x21, "the interrupt controller belongs to Shunt" },
	{ 0xa0, 0xa1, "the interrupt controller belongs to Shunt" },
	{ 0x40, 0x43, "the timer (PIT) belongs to Shunt" },
	{ 0x61, 0x61, "the timer gate belongs to Shunt" },
};

/* No IOMMU driver yet: DMA-capable devices can not be confined, so they are refused. */
static const int dma_confinement = 0;

static struct hw_resource resources[HW_MAX_RESOURCES];
static unsigned int resource_count;

/* What Shunt's console occupies (hw_console_conflict), and why a grant of it is refused. */
static struct hw_console_use console_use;
static char console_why[64];

static void find_console_use(void)
{
	uint32_t bdf;
	const struct serial_spec *s = console_serial_device(&bdf);

	console_use = (struct hw_console_use){ .name = s->name };
	if (s->kind == SERIAL_PORT) {
		console_use.has_ports = 1;
		console_use.port_first = (uint16_t)s->addr;
		console_use.port_last = serial_port_last(s);
	} else if (s->kind == SERIAL_MMIO) {
		console_use.has_mmio = 1;
		console_use.mmio_first = s->addr;
		console_use.mmio_last = s->addr + SERIAL_REGS * s->reg_width - 1;
	}
	console_use.has_bdf = bdf != UINT32_MAX;
	console_use.bdf = bdf;
}

/* The inventory's own verdict: a device that is (or decodes) Shunt's console. */
static void mark_console(struct hw_resource *r)
{
	struct hw_grant_spec spec = { .kind = r->kind, .bdf = r->bdf };

	if (r->kind == PV_HW_KIND_PORTS) {
		spec.port_first = r->port_base;
		spec.port_last = (uint16_t)(r->port_base + r->port_count - 1);
	}
	if (hw_console_conflict(&console_use, &spec, r->kind == PV_HW_KIND_PCI ? r->bars : NULL,
				console_why, sizeof(console_why)))
		r->reserved_by = console_why;
}

static int uart_present(uint16_t base)
{
	arch_port_write((uint16_t)(base + 7), 1, 0x5a);
	if (arch_port_read((uint16_t)(base + 7), 1) != 0x5a)
		return 0;
	arch_port_write((uint16_t)(base + 7), 1, 0xa5);
	return arch_port_read((uint16_t)(base + 7), 1) == 0xa5;
}

/* A resource's name as grants and the inventory write it: pci:BB:DD.F or ports:0xA-0xB. */
static void format_label(char *out, size_t size, uint16_t kind, uint32_t bdf, uint32_t first,
			 uint32_t last)
{
	if (kind == PV_HW_KIND_PCI)
		fmt_snprintf(out, size, "pci:%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
	else
		fmt_snprintf(out, size, "ports:0x%x-0x%x", first, last);
}

static struct hw_resource *add_port_resource(uint16_t base, uint16_t count, uint32_t class_code)
{
	struct hw_resource *r;

	if (resource_count == HW_MAX_RESOURCES)
		return NULL;
	r = &resources[resource_count++];
	memset(r, 0, sizeof(*r));
	r->kind = PV_HW_KIND_PORTS;
	r->port_base = base;
	r->port_count = count;
	r->class_code = class_code;
	r->compat = hw_compat_find(PV_HW_KIND_PORTS, class_code);
	format_label(r->label, sizeof(r->label), PV_HW_KIND_PORTS, 0, base, base + count - 1u);
	return r;
}

/* The Bochs/QEMU VBE display interface: index 0 (its ID) reads 0xB0C0-0xB0CF. */
static int vbe_dispi_present(void)
{
	arch_port_write(0x1ce, 2, 0);
	return (arch_port_read(0x1cf, 2) & 0xfff0) == 0xb0c0;
}

static void add_legacy_devices(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(legacy_uarts); i++) {
		struct hw_resource *r;

		if (!uart_present(legacy_uarts[i].base))
			continue;
		r = add_port_resource(legacy_uarts[i].base, 8, HW_CLASS_UART_16550);
		if (r)
			mark_console(r);
	}
	/* Index at 0x1CE, 16-bit data at 0x1CF: the device decodes 0x1CE-0x1D0. */
	if (vbe_dispi_present())
		add_port_resource(0x1ce, 3, HW_CLASS_VBE_DISPI);
}

static void add_pci(void)
{
	static struct pci_function fns[HW_MAX_RESOURCES];
	unsigned int n = pci_enumerate(fns, HW_MAX_RESOURCES);

	if (n > HW_MAX_RESOURCES)
		log_warn("hw: %u PCI functions, only the first %u are listed\n", n,
			 HW_MAX_RESOURCES);
	for (unsigned int i = 0; i < n && i < HW_MAX_RESOURCES && resource_count < HW_MAX_RESOURCES;
	     i++) {
		struct hw_resource *r = &resources[resource_count++];

		memset(r, 0, sizeof(*r));
		r->kind = PV_HW_KIND_PCI;
		r->bdf = fns[i].bdf;
		r->vendor = fns[i].vendor;
		r->device = fns[i].device;
		r->class_code = fns[i].class_code;
		r->header_type = fns[i].header_type;
		memcpy(r->bars, fns[i].bars, sizeof(r->bars));
		r->compat = r->header_type == 0
				    ? hw_compat_find_device(r->vendor, r->device, r->class_code)
				    : NULL;
		format_label(r->label, sizeof(r->label), PV_HW_KIND_PCI, r->bdf, 0, 0);
		mark_console(r);
	}
}

static void print_resource(const struct hw_resource *r)
{
	const char *verdict = r->reserved_by ? "Shunt's own"
			      : !r->compat   ? "foreign: not grantable"
			      : (r->compat->dma_capable && !dma_confinement)
				      ? "DMA-capable: not grantable without an IOMMU"
				      : "grantable";

	if (r->kind == PV_HW_KIND_PORTS) {
		log_info("hw: %-18s %-22s %s\n", r->label, r->compat->name, verdict);
		return;
	}
	log_info("hw: %-18s %04x:%04x class %06x %-18s %s\n", r->label, r->vendor, r->device,
		 r->class_code, r->compat ? r->compat->name : "?", verdict);
	for (unsigned int b = 0; b < 6; b++)
		if (r->bars[b].size)
			log_info("hw:   BAR%u %s 0x%llx size 0x%llx\n", b,
				 (r->bars[b].flags & PV_HW_BAR_IO) ? "io " : "mem",
				 (unsigned long long)r->bars[b].base,
				 (unsigned long long)r->bars[b].size);
}

void hw_inventory_init(void)
{
	resource_count = 0;
	find_console_use();
	add_pci();
	add_legacy_devices();
}

void hw_inventory_print(void)
{
	log_info("hw: %u devices found\n", resource_count);
	for (unsigned int i = 0; i < resource_count; i++)
		print_resource(&resources[i]);
}

unsigned int hw_resource_count(void)
{
	return resource_count;
}

struct hw_resource *hw_resource_at(unsigned int i)
{
	return i < resource_count ? &resources[i] : NULL;
}

void hw_reserve(struct hw_resource *r, const char *why)
{
	r->reserved_by = why;
}

static struct hw_resource *find_resource(const struct hw_grant_spec *g)
{
	for (unsigned int i = 0; i < resource_count; i++) {
		struct hw_resource *r = &resources[i];

		if (g->kind == PV_HW_KIND_PCI && r->kind == PV_HW_KIND_PCI && r->bdf == g->bdf)
			return r;
		if (g->kind == PV_HW_KIND_PORTS && r->kind == PV_HW_KIND_PORTS &&
		    r->port_base == g->port_first &&
		    r->port_base + r->port_count - 1 == g->port_last)
			return r;
	}
	return NULL;
}

static const char *shunt_port_owner(uint16_t first, uint16_t last)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(shunt_ports); i++)
		if (first <= shunt_ports[i].last && shunt_ports[i].first <= last)
			return shunt_ports[i].why;
	return NULL;
}

/* The port ranges a resource decodes: its legacy range, or its PCI I/O BARs. */
static unsigned int resource_ports(const struct hw_resource *r, struct hw_port_window *out)
{
	unsigned int n = 0;

	if (r->kind == PV_HW_KIND_PORTS) {
		out[n++] = (struct hw_port_window){ r->port_base,
						    (uint16_t)(r->port_base + r->port_count - 1) };
		return n;
	}
	for (unsigned int b = 0; b < HW_BARS_MAX; b++)
		if ((r->bars[b].flags & PV_HW_BAR_IO) && r->bars[b].size)
			out[n++] = (struct hw_port_window){ (uint16_t)r->bars[b].base,
							    (uint16_t)(r->bars[b].base +
								       r->bars[b].size - 1) };
	return n;
}

/*
 * Why r's ports can not be granted, or NULL: Shunt's own ports, or ports another device of
 * the inventory decodes too (a legacy UART and a PCI UART on the same addresses).
 */
static const char *ports_conflict(const struct hw_resource *r, char *why, size_t why_size)
{
	struct hw_port_window mine[HW_BARS_MAX], theirs[HW_BARS_MAX];
	unsigned int n = resource_ports(r, mine);

	for (unsigned int i = 0; i < n; i++) {
		const char *owner = shunt_port_owner(mine[i].first, mine[i].last);

		if (owner)
			return owner;
		for (unsigned int k = 0; k < resource_count; k++) {
			unsigned int m;

			if (&resources[k] == r)
				continue;
			m = resource_ports(&resources[k], theirs);
			for (unsigned int j = 0; j < m; j++) {
				if (mine[i].first <= theirs[j].last &&
				    theirs[j].first <= mine[i].last) {
					fmt_snprintf(why, why_size, "its ports overlap those of %s",
						     resources[k].label);
					return why;
				}
			}
		}
	}
	return NULL;
}

/* The verdict on one grant, with the reason logged where it is refused. */
static int32_t judge_grant(struct vm *vm, struct hw_grant *g, char *label, size_t label_size)
{
	const struct hw_grant_spec *s = &g->spec;
	const struct hw_resource *r = g->resource;
	const char *owner;
	char why[80];

	format_label(label, label_size, s->kind, s->bdf, s->port_first, s->port_last);
	owner = hw_console_conflict(&console_use, s, r ? r->bars : NULL, why, sizeof(why));
	if (!owner && s->kind == PV_HW_KIND_PORTS)
		owner = shunt_port_owner(s->port_first, s->port_last);
	if (owner || (r && r->reserved_by)) {
		log_error("vm %s: grant %s refused: %s\n", vm->name, label,
			  owner ? owner : r->reserved_by);
		return PV_EACCES;
	}
	if (!r) {
		log_error("vm %s: grant %s refused: no such device on this machine\n", vm->name,
			  label);
		return PV_ENODEV;
	}
	if (!r->compat) {
		log_error("vm %s: grant %s refused: foreign hardware (%04x:%04x class %06x) that "
			  "Shunt can not vouch for\n",
			  vm->name, label, r->vendor, r->device, r->class_code);
		return PV_ENODEV;
	}
	if (!(r->compat->modes & (1u << s->mode))) {
		log_error("vm %s: grant %s refused: a %s does not allow that access mode\n",
			  vm->name, label, r->compat->name);
		return PV_EOPNOTSUPP;
	}
	if (r->compat->dma_capable && !dma_confinement) {
		log_error("vm %s: grant %s refused: %s (%04x:%04x) can do DMA and Shunt can not "
			  "confine it (no IOMMU)\n",
			  vm->name, label, r->compat->name, r->vendor, r->device);
		return PV_EDMA;
	}
	if (r->owner) {
		log_error("vm %s: grant %s refused: already granted to vm %s\n", vm->name, label,
			  r->owner->name);
		return PV_EBUSY;
	}
	if (s->mode != PV_HW_MODE_MMIO && (owner = ports_conflict(r, why, sizeof(why)))) {
		log_error("vm %s: grant %s refused: %s\n", vm->name, label, owner);
		return PV_EACCES;
	}
	return 0;
}

/* Adds the ports a usable io/passthrough grant reaches to vm's windows. */
static void add_windows(struct vm *vm, const struct hw_grant *g)
{
	struct hw_port_window w[HW_BARS_MAX];
	unsigned int n;

	if (g->spec.mode == PV_HW_MODE_MMIO)
		return;
	n = resource_ports(g->resource, w);
	for (unsigned int i = 0; i < n; i++) /* fits: see HW_MAX_WINDOWS */
		vm->windows[vm->window_count++] = w[i];
}

/*
 * No DMA behind Shunt's back: bus mastering off on a granted PCI function, read back and
 * logged as the device has it (the system tests check that line).
 */
static void bus_master_off(const struct vm *vm, const struct hw_resource *r, const char *label)
{
	uint16_t command;

	pci_command_write(r->bdf, hw_pci_command_granted(pci_command_read(r->bdf)));
	command = pci_command_read(r->bdf);
	if (command & PCI_COMMAND_BUS_MASTER)
		log_error("vm %s: grant %s: bus mastering is still on (PCI command 0x%04x)\n",
			  vm->name, label, command);
	else
		log_info("vm %s: grant %s: bus mastering off (PCI command 0x%04x)\n", vm->name,
			 label, command);
}

/* The guest drives the display from now on: Shunt stops drawing on it, and says so. */
static void release_screen(const struct vm *vm, const char *label)
{
	char why[128];

	fmt_snprintf(why, sizeof(why),
		     "console: the screen is off from here on: its display (%s) is granted to "
		     "vm %s",
		     label, vm->name);
	console_screen_release(why);
}

void hw_grants_resolve(struct vm *vm)
{
	char label[32];

	for (unsigned int i = 0; i < vm->grant_count; i++) {
		struct hw_grant *g = &vm->grants[i];

		g->resource = find_resource(&g->spec);
		g->verdict = judge_grant(vm, g, label, sizeof(label));
		if (g->verdict)
			continue;
		g->resource->owner = vm;
		if (g->resource->kind == PV_HW_KIND_PCI)
			bus_master_off(vm, g->resource, label);
		g->window_first = (uint8_t)vm->window_count;
		add_windows(vm, g);
		g->window_count = (uint8_t)(vm->window_count - g->window_first);
		if (g->spec.mode == PV_HW_MODE_PASSTHROUGH)
			for (unsigned int w = g->window_first; w < vm->window_count; w++)
				arch_vm_open_ports(
					vm, vm->windows[w].first,
					(uint16_t)(vm->windows[w].last - vm->windows[w].first + 1));
		log_info("vm %s: granted %s (%s) for %s\n", vm->name, label,
			 g->resource->compat->name,
			 g->spec.mode == PV_HW_MODE_IO	   ? "port I/O"
			 : g->spec.mode == PV_HW_MODE_MMIO ? "MMIO"
							   : "passthrough");
		if (console_screen_is_on() &&
		    hw_grant_is_display(&g->spec, g->resource->class_code))
			release_screen(vm, label);
	}
}

void hw_grants_release(struct vm *vm)
{
	/* A VM refused before its grants were judged has grants with no resource. */
	for (unsigned int i = 0; i < vm->grant_count; i++)
		if (vm->grants[i].resource && !vm->grants[i].verdict &&
		    vm->grants[i].resource->owner == vm)
			vm->grants[i].resource->owner = NULL;
}

int hw_other_bar_overlaps(const struct hw_resource *self, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < resource_count; i++) {
		const struct hw_resource *r = &resources[i];

		for (unsigned int b = 0; r != self && b < 6; b++)
			if ((r->bars[b].flags & PV_HW_BAR_MEM) && r->bars[b].size &&
			    base < r->bars[b].base + r->bars[b].size &&
			    r->bars[b].base < base + size)
				return 1;
	}
	return 0;
}
