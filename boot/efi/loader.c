/*
 * Shunt's UEFI loader (BOOTX64.EFI): reads shunt.elf, shunt.cfg and the guest files shunt.cfg
 * names from its boot medium, fills the struct handoff, leaves boot services and enters the
 * hypervisor. It passes the files as GRUB's menu does (README.md, "The boot medium"): the
 * config as module "/shunt.cfg", each guest file as "/guests/<file>"; the hypervisor reads the
 * config itself. This file holds the order of those steps and the handoff they fill.
 */
#include <efi.h>
#include <efilib.h>

#include <boot/handoff.h>
#include <hv/config.h>
#include <hv/fmt.h>

#include "console.h"
#include "file.h"
#include "hvimage.h"
#include "loadopts.h"
#include "memmap_efi.h"

#define LOADER_NAME "Shunt UEFI loader " SHUNT_VERSION
#define PAGE_SIZE 4096
#define BELOW_4G 0xffffffffull /* the handoff and modules must be reachable with 32 bits */
#define EXIT_ATTEMPTS 8	       /* ExitBootServices tries before giving up on the map key */
#define MAP_HEADROOM 16	       /* descriptors the map may grow by before its last read */
#define RSDP_V1_LENGTH 20

_Static_assert(sizeof(LOADER_NAME) <= HANDOFF_LOADER_NAME_MAX, "loader name too long");

/* shunt.elf's entry: 64-bit code, System V convention, handoff in RDI, never returns. */
typedef void (*hv_entry_fn)(const struct handoff *handoff) __attribute__((sysv_abi, noreturn));

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

static struct config cfg;

static void copy_string(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* The hypervisor's command line: the load options' words (shunt.cfg's come first, in hv). */
static EFI_STATUS set_cmdline(EFI_HANDLE image, struct handoff *h)
{
	EFI_LOADED_IMAGE *li;
	char err[128];
	EFI_STATUS st;

	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st)) {
		console_error("no LoadedImage protocol on the loader's handle: %s",
			      console_status_name(st));
		return st;
	}
	switch (loadopts_parse(li->LoadOptions, li->LoadOptionsSize, h->cmdline, sizeof(h->cmdline),
			       err, sizeof(err))) {
	case LOADOPTS_CMDLINE:
		console_info("command line (from load options): %s", h->cmdline);
		return EFI_SUCCESS;
	case LOADOPTS_NOT_TEXT:
		console_info("ignoring %u bytes of load options that are not text",
			     (unsigned int)li->LoadOptionsSize);
		return EFI_SUCCESS;
	case LOADOPTS_NONE:
		return EFI_SUCCESS;
	default:
		console_error("load options: %s", err);
		return EFI_INVALID_PARAMETER;
	}
}

static void free_modules(struct handoff *h)
{
	for (uint32_t i = 0; i < h->module_count; i++)
		if (h->modules[i].refused == HANDOFF_MODULE_OK)
			file_free((void *)(UINTN)h->modules[i].base, h->modules[i].length);
	h->module_count = 0;
}

/*
 * Reads path into the next module, named name. One that can not be read is passed refused,
 * so that it costs that file alone and hv can name it. Returns 0, or -1 when the module
 * table is full (the file is counted in modules_dropped).
 */
static int add_module(struct volume *vol, struct handoff *h, const char *path, const char *name)
{
	struct handoff_module *hm;
	void *data;
	UINT64 size;

	if (h->module_count == HANDOFF_MAX_MODULES) {
		h->modules_dropped++;
		return -1;
	}
	hm = &h->modules[h->module_count++];
	*hm = (struct handoff_module){ 0 };
	copy_string(hm->cmdline, name, sizeof(hm->cmdline));
	while (name[hm->cmdline_length])
		hm->cmdline_length++;
	if (EFI_ERROR(file_read(vol, path, 0, &data, &size))) {
		hm->refused = HANDOFF_MODULE_NOT_LOADED;
		return 0;
	}
	hm->refused = HANDOFF_MODULE_OK;
	hm->base = (UINTN)data;
	hm->length = size;
	console_info("%s: %llu bytes at 0x%llx", name, (unsigned long long)size,
		     (unsigned long long)hm->base);
	return 0;
}

static int same_string(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Loads /guests/file as module "/guests/file", unless an earlier line had it loaded. */
static void add_guest_file(struct volume *vol, struct handoff *h, const char *file)
{
	char path[CONFIG_FILE_MAX + 16], name[CONFIG_FILE_MAX + 16];

	fmt_snprintf(path, sizeof(path), FILE_GUEST_DIR "%s", file);
	fmt_snprintf(name, sizeof(name), CONFIG_GUEST_DIR "%s", file);
	for (uint32_t i = 0; i < h->module_count; i++)
		if (same_string(h->modules[i].cmdline, name))
			return;
	add_module(vol, h, path, name);
}

/*
 * \shunt.key, the management key, when the medium has one: a module of its own, named as
 * GRUB names it, which hv hands to the access check and never makes a VM. Loaded right after
 * the config, so that a medium with more guest files than the table takes keeps its key.
 */
static void load_key(struct volume *vol, struct handoff *h)
{
	struct handoff_module *hm;
	void *data;
	UINT64 size;
	EFI_STATUS st;

	if (h->module_count == HANDOFF_MAX_MODULES)
		return;
	st = file_read(vol, FILE_KEY, 1, &data, &size);
	if (st == EFI_NOT_FOUND)
		return; /* hv says the API has no key */
	hm = &h->modules[h->module_count++];
	*hm = (struct handoff_module){ .cmdline = FILE_KEY_MODULE,
				       .cmdline_length = sizeof(FILE_KEY_MODULE) - 1 };
	if (EFI_ERROR(st)) {
		hm->refused = HANDOFF_MODULE_NOT_LOADED; /* file_read said why, hv says so too */
		return;
	}
	hm->base = (UINTN)data;
	hm->length = size;
	console_info(FILE_KEY ": %llu bytes", (unsigned long long)size);
}

/*
 * Loads \shunt.cfg and each guest file its vm lines name (once, however many VMs share it).
 * Problems in the file are the hypervisor's to report, with their line numbers: here a line
 * that names no usable file only loads nothing.
 */
static void load_modules(struct volume *vol, struct handoff *h)
{
	void *text;
	UINT64 size;
	EFI_STATUS st;

	st = file_read(vol, FILE_CONFIG, 1, &text, &size);
	if (st == EFI_NOT_FOUND) {
		console_info("no \\" FILE_CONFIG ": no guests");
		load_key(vol, h);
		return;
	}
	if (EFI_ERROR(st)) {
		load_key(vol, h);
		return; /* file_read said why; hv says there are no guests */
	}
	config_parse(text, size, &cfg);
	h->modules[0] = (struct handoff_module){ .base = (UINTN)text,
						 .length = size,
						 .cmdline = CONFIG_MODULE_NAME,
						 .cmdline_length = sizeof(CONFIG_MODULE_NAME) - 1 };
	h->module_count = 1;
	load_key(vol, h);
	for (uint32_t i = 0; i < cfg.vm_count; i++) {
		const struct config_vm *vm = &cfg.vms[i];

		if (!vm->file[0] || vm->problem[0])
			continue;
		add_guest_file(vol, h, vm->file);
		if (vm->initrd[0]) /* a Linux VM's initrd=FILE: a file of /guests/ too */
			add_guest_file(vol, h, vm->initrd);
	}
}

static const UINT8 *find_config_table(EFI_GUID guid)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &guid) == 0)
			return ST->ConfigurationTable[i].VendorTable;
	return NULL;
}

/* A copy of the ACPI RSDP: 36 bytes for ACPI 2.0+ (revision >= 2), 20 for ACPI 1.0. */
static void copy_rsdp(struct handoff *h)
{
	static const char signature[8] = "RSD PTR ";
	const UINT8 *rsdp = find_config_table((EFI_GUID)ACPI_20_TABLE_GUID);
	uint32_t len;

	if (!rsdp)
		rsdp = find_config_table((EFI_GUID)ACPI_TABLE_GUID);
	if (!rsdp) {
		console_info("the firmware publishes no ACPI RSDP");
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (rsdp[i] != (UINT8)signature[i]) {
			console_info("ignoring an ACPI RSDP at 0x%llx without its signature",
				     (unsigned long long)(UINTN)rsdp);
			return;
		}
	}
	len = rsdp[15] >= 2 ? HANDOFF_RSDP_MAX : RSDP_V1_LENGTH;
	CopyMem(h->rsdp, (void *)rsdp, len);
	h->rsdp_length = len;
	console_info("ACPI RSDP revision %u at 0x%llx", rsdp[15], (unsigned long long)(UINTN)rsdp);
}

/* Where a colour's bits sit in a PixelBitMask pixel. */
static void mask_field(UINT32 mask, uint8_t *shift, uint8_t *bits)
{
	*shift = *bits = 0;
	if (!mask)
		return;
	while (!(mask & 1)) {
		mask >>= 1;
		(*shift)++;
	}
	while (mask & 1) {
		mask >>= 1;
		(*bits)++;
	}
}

/*
 * The GOP framebuffer in the mode the firmware set, for Shunt's screen console. A screen
 * without a framebuffer (PixelBltOnly), or none at all, means no screen console, not an error.
 */
static void find_screen(struct handoff *h)
{
	EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	struct handoff_screen *s = &h->screen;
	UINT32 all;

	if (EFI_ERROR(BS->LocateProtocol(&guid, NULL, (void **)&gop)) || !gop || !gop->Mode ||
	    !gop->Mode->Info) {
		console_info("no graphics output (GOP): no screen console");
		return;
	}
	info = gop->Mode->Info;
	*s = (struct handoff_screen){ .base = gop->Mode->FrameBufferBase,
				      .type = HANDOFF_SCREEN_RGB,
				      .width = info->HorizontalResolution,
				      .height = info->VerticalResolution,
				      .bpp = 32 };
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		s->green_shift = 8;
		s->blue_shift = 16;
		s->red_bits = s->green_bits = s->blue_bits = 8;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		s->red_shift = 16;
		s->green_shift = 8;
		s->red_bits = s->green_bits = s->blue_bits = 8;
		break;
	case PixelBitMask:
		mask_field(info->PixelInformation.RedMask, &s->red_shift, &s->red_bits);
		mask_field(info->PixelInformation.GreenMask, &s->green_shift, &s->green_bits);
		mask_field(info->PixelInformation.BlueMask, &s->blue_shift, &s->blue_bits);
		all = info->PixelInformation.RedMask | info->PixelInformation.GreenMask |
		      info->PixelInformation.BlueMask | info->PixelInformation.ReservedMask;
		s->bpp = all >> 24 ? 32 : all >> 16 ? 24 : 16;
		break;
	default:
		*s = (struct handoff_screen){ 0 };
		console_info(
			"the screen has no framebuffer (GOP pixel format %u): no screen console",
			(unsigned int)info->PixelFormat);
		return;
	}
	s->pitch = info->PixelsPerScanLine * (s->bpp / 8u);
	console_info("screen: %ux%u framebuffer at 0x%llx", s->width, s->height,
		     (unsigned long long)s->base);
}

static EFI_STATUS create_handoff(struct handoff **out)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	struct handoff *h;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData,
			       (sizeof(*h) + PAGE_SIZE - 1) / PAGE_SIZE, &addr);
	if (EFI_ERROR(st)) {
		console_error("no memory below 4 GiB for the handoff (%u bytes): %s",
			      (unsigned int)sizeof(*h), console_status_name(st));
		return st;
	}
	h = (struct handoff *)(UINTN)addr;
	ZeroMem(h, sizeof(*h));
	h->magic = HANDOFF_MAGIC;
	h->version = HANDOFF_VERSION;
	h->firmware = HANDOFF_FW_UEFI_SHUNT;
	copy_string(h->loader_name, LOADER_NAME, sizeof(h->loader_name));
	h->efi_system_table = (UINTN)ST;
	*out = h;
	return EFI_SUCCESS;
}

static void free_handoff(struct handoff *h)
{
	BS->FreePages((UINTN)h, (sizeof(*h) + PAGE_SIZE - 1) / PAGE_SIZE);
}

static void __attribute__((noreturn)) halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Converts the final memory map into h and leaves boot services. Returns an error only when
 * ExitBootServices was never called, so the caller can still print and give up; from the
 * first attempt on, only GetMemoryMap and ExitBootServices may be called and nothing may be
 * allocated (UEFI 7.4, ExitBootServices), so later failures go to COM1 and halt.
 */
static EFI_STATUS exit_boot_services(EFI_HANDLE image, struct handoff *h)
{
	UINTN size = 0, capacity, key, desc_size;
	UINT32 desc_version;
	const char *step = "GetMemoryMap";
	char err[128] = "";
	int tried = 0, attempt;
	void *map = NULL;
	EFI_STATUS st;

	st = BS->GetMemoryMap(&size, NULL, &key, &desc_size, &desc_version);
	if (st != EFI_BUFFER_TOO_SMALL) {
		console_error("GetMemoryMap did not report its size: %s", console_status_name(st));
		return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
	}
	/* Allocating the buffer adds descriptors to the map it will hold: leave room. */
	capacity = size + MAP_HEADROOM * desc_size;
	st = BS->AllocatePool(EfiLoaderData, capacity, &map);
	if (EFI_ERROR(st)) {
		console_error("no memory for the memory map (%llu bytes): %s",
			      (unsigned long long)capacity, console_status_name(st));
		return st;
	}

	for (attempt = 1; attempt <= EXIT_ATTEMPTS; attempt++) {
		size = capacity;
		step = "GetMemoryMap";
		st = BS->GetMemoryMap(&size, map, &key, &desc_size, &desc_version);
		if (EFI_ERROR(st))
			break;
		if (memmap_efi_convert(map, size, desc_size, h, err, sizeof(err))) {
			st = EFI_LOAD_ERROR;
			break;
		}
		step = "ExitBootServices";
		console_detach_firmware();
		tried = 1;
		st = BS->ExitBootServices(image, key);
		/* EFI_INVALID_PARAMETER: the map changed since GetMemoryMap, read it again. */
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	if (!EFI_ERROR(st))
		return EFI_SUCCESS;

	if (err[0])
		console_error("%s", err);
	else
		console_error("%s failed (attempt %d of %d): %s", step,
			      attempt > EXIT_ATTEMPTS ? EXIT_ATTEMPTS : attempt, EXIT_ATTEMPTS,
			      console_status_name(st));
	if (!tried) {
		BS->FreePool(map);
		return st;
	}
	console_error("boot services may be half gone, so the loader can not return: halting");
	halt();
}

static void __attribute__((noreturn)) enter_hv(uint64_t entry, const struct handoff *h)
{
	hv_entry_fn hv_entry = (hv_entry_fn)(UINTN)entry;

	/* The firmware's interrupt handlers are gone with boot services: no interrupts. */
	__asm__ volatile("cli" ::: "memory");
	hv_entry(h);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct volume vol;
	struct hvimage hv;
	struct handoff *h;
	EFI_STATUS st;

	InitializeLib(image, systab);
	console_init();
	console_printf(LOADER_NAME "\n");

	st = file_open_volume(image, &vol);
	if (EFI_ERROR(st))
		goto err_out;
	st = hvimage_load(&vol, &hv);
	if (EFI_ERROR(st))
		goto err_volume;
	st = create_handoff(&h);
	if (EFI_ERROR(st))
		goto err_hv;
	st = set_cmdline(image, h);
	if (EFI_ERROR(st))
		goto err_handoff;
	load_modules(&vol, h);
	copy_rsdp(h);
	find_screen(h);
	file_close_volume(&vol);

	st = exit_boot_services(image, h);
	if (EFI_ERROR(st))
		goto err_modules;
	console_info("left boot services: %u memory regions, %u modules; entering the "
		     "hypervisor at 0x%llx",
		     h->mem_count, h->module_count, (unsigned long long)hv.entry);
	enter_hv(hv.entry, h);

err_modules:
	free_modules(h);
err_handoff:
	free_handoff(h);
err_hv:
	hvimage_unload(&hv);
err_volume:
	file_close_volume(&vol);
err_out:
	console_error("boot stopped: %s", console_status_name(st));
	return st;
}
