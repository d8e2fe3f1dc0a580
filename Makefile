# Shunt's build. `make` builds the hypervisor (build/shunt.elf), its UEFI loader
# (build/BOOTX64.EFI), the bootable hybrid image (build/shunt.iso) and a USB stick image
# (build/stick.img); `make test` runs the unit and system tests; `make run` boots the image in
# an emulator. See README.md.

VERSION   := 0.1.0
comma     := ,
BUILD     := build
FIRMWARE  ?= bios

# Tools. Any C11 compiler that speaks GCC's dialect (gcc, clang) builds the hypervisor;
# the UEFI loader is built with gcc, which is what Debian's gnu-efi is made for.
CC        ?= cc
EFI_CC    := gcc
HOST_CC   ?= $(CC)
OBJCOPY   ?= objcopy

WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wvla -Wswitch-default \
             -Wstrict-prototypes -Wno-unused-parameter
INCLUDES  := -Iboot/include -Ihv/include -Iarch/x86_64/include -Ipv-abi/include

# --- The hypervisor: freestanding, no FPU/SSE state, identity-mapped at its link address.
HV_CFLAGS := -std=c11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
             -mno-mmx -mno-sse -mno-sse2 -mno-avx \
             -fno-asynchronous-unwind-tables -O2 -g $(WARNINGS) $(INCLUDES) \
             -DSHUNT_VERSION='"$(VERSION)"' -MMD -MP $(HV_EXTRA_CFLAGS)
HV_ASFLAGS := $(INCLUDES) -MMD -MP -g $(HV_EXTRA_CFLAGS)
HV_LDFLAGS := -nostdlib -static -Wl,-T,linker.ld -Wl,--build-id=none \
              -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack

HV_SRCS := $(wildcard boot/multiboot2/*.c boot/multiboot2/*.S \
             arch/x86_64/*.c arch/x86_64/*.S arch/x86_64/vmx/*.c arch/x86_64/vmx/*.S \
             arch/x86_64/svm/*.c arch/x86_64/svm/*.S \
             hv/*.c hv/lib/*.c hv/devices/*.c hv/net/*.c)
# The screen console's font: a Debian console font (package console-setup-linux) converted
# by tools/psf2c into build/font/ (never committed): C for the hypervisor, raw glyphs for
# the tests that read the screen back.
FONT_PSF := /usr/share/consolefonts/Lat15-Fixed16.psf.gz
FONT_C   := $(BUILD)/font/screen_font.c
FONT_BIN := $(BUILD)/font/screen_font.bin
# The web dashboard (hv/net/dashboard/, README.md "The dashboard"): its files as a C table in
# shunt.elf, written by tools/embed-files into $(BUILD)/dashboard/ (never committed). The
# folder is a prerequisite too, so that adding or removing a file writes the table again.
DASHBOARD_FILES := $(sort $(wildcard hv/net/dashboard/*))
DASHBOARD_C := $(BUILD)/dashboard/dashboard_files.c
HV_OBJS := $(patsubst %,$(BUILD)/hv-obj/%.o,$(HV_SRCS) $(FONT_C) $(DASHBOARD_C))

# lwIP (README.md, "Management network"): Debian's source package, fetched by
# tools/fetch-lwip into $(LWIP_DIR) (never committed) and built freestanding with Shunt's
# flags and its own lwipopts.h and arch/cc.h (hv/net/include). Its warnings are its own:
# it is built as it comes, without -Werror. hv/net/'s glue sees its headers.
LWIP_DIR  ?= $(BUILD)/lwip
LWIP_SRC  := $(LWIP_DIR)/lwip/src
LWIP_STAMP := $(LWIP_DIR)/.fetched
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
              core/netif.c core/pbuf.c core/raw.c core/stats.c core/tcp.c core/tcp_in.c \
              core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/dhcp.c core/ipv4/etharp.c \
              core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c netif/ethernet.c
LWIP_INCLUDES := -Ihv/net/include -Ihv/net/libc -I$(LWIP_SRC)/include
LWIP_CFLAGS := $(filter-out $(WARNINGS) -MMD -MP,$(HV_CFLAGS)) -w $(LWIP_INCLUDES)
LWIP_OBJS := $(patsubst %.c,$(BUILD)/lwip-obj/%.o,$(LWIP_FILES))

# mbedTLS (README.md, "Management network"): Debian's source package, fetched by
# tools/fetch-mbedtls into $(MBEDTLS_DIR) (never committed), of which only SHA-256, the md
# layer (HMAC) and HMAC_DRBG are built, freestanding, with hv/net/include/
# shunt_mbedtls_config.h: no file system, no C library, allocations from hv/net/crypto.c's
# fixed pool. Built as it comes, like lwIP; hv/net/'s glue sees its headers.
MBEDTLS_DIR ?= $(BUILD)/mbedtls
MBEDTLS_SRC := $(MBEDTLS_DIR)/mbedtls
MBEDTLS_STAMP := $(MBEDTLS_DIR)/.fetched
MBEDTLS_FILES := sha256.c md.c hmac_drbg.c platform.c platform_util.c
MBEDTLS_INCLUDES := -Ihv/net/include -Ihv/net/libc -I$(MBEDTLS_SRC)/include \
                    -DMBEDTLS_CONFIG_FILE='"shunt_mbedtls_config.h"'
MBEDTLS_CFLAGS := $(filter-out $(WARNINGS) -MMD -MP,$(HV_CFLAGS)) -w $(MBEDTLS_INCLUDES)
MBEDTLS_OBJS := $(patsubst %.c,$(BUILD)/mbedtls-obj/%.o,$(MBEDTLS_FILES))

# --- The UEFI loader: a gnu-efi application (see ../shared/TESTBED.md for the flags).
EFI_LIB   := /usr/lib
EFI_CFLAGS := -std=c11 -ffreestanding -fpic -fshort-wchar -fno-stack-protector -mno-red-zone \
              -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI -O2 -g $(WARNINGS) \
              -Wno-strict-prototypes -Iboot/include -Ihv/include -Iarch/x86_64/include \
              -I/usr/include/efi \
              -I/usr/include/efi/x86_64 -DSHUNT_VERSION='"$(VERSION)"' -MMD -MP
EFI_SRCS := $(wildcard boot/efi/*.c) hv/lib/elf64.c hv/lib/fmt.c hv/lib/config.c
EFI_OBJS := $(patsubst %,$(BUILD)/efi-obj/%.o,$(EFI_SRCS))

# --- Test guests: tiny kernels built only from guest-kit (plus an entry stub).
GUEST_CFLAGS := -std=c11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
                -mno-mmx -mno-sse -mno-sse2 -mno-avx -O2 -g $(WARNINGS) -Iguest-kit/include \
                -Ipv-abi/include
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,tests/guests/guest.ld -Wl,--build-id=none \
                 -Wl,--no-warn-rwx-segments \
                 -Wl,-z,noexecstack
GUESTS := hello counter badcalls triplefault oob bench negotiate clock events ring hwuart startstate smp \
          hwbad hwmmio flooder worker fpu victim flood cpuid cr0 fuzz regkeep halt busy ptimer \
          lifecycle throttle hwcheck sleeper svminsn
LOADER_REFUSED := highload splitload # tests/guests/*.ld the loader must refuse hello.c by
GUEST_ELFS := $(patsubst %,$(BUILD)/guests/%.elf,$(GUESTS)) $(BUILD)/guests/abi10.elf \
              $(BUILD)/guests/lowload.elf $(patsubst %,$(BUILD)/guests/hello-%.elf,$(LOADER_REFUSED)) \
              $(BUILD)/guests/hello-pie.elf $(BUILD)/guests/mb1.elf $(BUILD)/guests/mb1-badsum.elf
GUEST_COMMON := tests/guests/start.S tests/guests/traps.S

DEPS_STAMP := $(BUILD)/.deps-installed

# The admin's shunt.cfg checker (tools/shunt-config.c): hv's own parsers, built for the host.
SHUNT_CONFIG_SRCS := tools/shunt-config.c hv/lib/config.c hv/lib/fmt.c hv/lib/elf64.c hv/lib/pvh.c \
                     hv/lib/bzimage.c hv/lib/multiboot1.c \
                     hv/lib/parse.c hv/lib/div128.c hv/cmdline.c hv/log.c hv/log_ring.c hv/vm_options.c \
                     hv/hw_rules.c hv/ratelimit.c hv/serial.c hv/net/mgmt_options.c

.PHONY: all deps linux test unit-test abi-test clang-build fuzz-smoke fuzz system-test ui-test \
	boot-test run run-linux run-mgmt bench clean \
	format format-check spec-table install example walkthrough-test mutation mutation-smoke \
	bench-counting

PREFIX ?= /usr/local
ABI_VERSION := $(shell sed -n 's/^\#define PV_ABI_MAJOR \([0-9]*\)$$/\1/p' \
                 pv-abi/include/pvabi/pvabi.h).$(shell sed -n \
                 's/^\#define PV_ABI_MINOR \([0-9]*\)$$/\1/p' pv-abi/include/pvabi/pvabi.h)
all: $(BUILD)/shunt.elf $(BUILD)/BOOTX64.EFI $(GUEST_ELFS) $(BUILD)/shunt.iso $(BUILD)/shunt-config \
	$(BUILD)/stick.img

# Installs the Debian packages once per checkout (and again when the list changes).
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/install-deps
	tools/install-deps
	@mkdir -p $(@D) && touch $@

$(FONT_C) $(FONT_BIN) &: tools/psf2c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  FONT    $(FONT_C) from $(FONT_PSF)"
	@tools/psf2c $(FONT_PSF) $(FONT_C) $(FONT_BIN)

$(DASHBOARD_C): tools/embed-files $(DASHBOARD_FILES) hv/net/dashboard
	@echo "  EMBED   $@"
	@tools/embed-files $@ $(DASHBOARD_FILES)
# (The folder is a file to make, never made: an empty recipe keeps the built-in rule of
# dashboard.c -> dashboard away from it.)
hv/net/dashboard: ;

$(BUILD)/hv-obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -c $< -o $@

$(LWIP_STAMP): tools/fetch-lwip | $(DEPS_STAMP)
	@echo "  FETCH   Debian's lwip source package into $(LWIP_DIR)"
	@tools/fetch-lwip $(LWIP_DIR) >/dev/null
	@touch $@

$(BUILD)/lwip-obj/%.o: $(LWIP_STAMP) hv/net/include/lwipopts.h hv/net/include/arch/cc.h
	@mkdir -p $(@D)
	@echo "  CC      lwip/$*.c"
	@$(CC) $(LWIP_CFLAGS) -c $(LWIP_SRC)/$*.c -o $@

$(MBEDTLS_STAMP): tools/fetch-mbedtls | $(DEPS_STAMP)
	@echo "  FETCH   Debian's mbedtls source package into $(MBEDTLS_DIR)"
	@tools/fetch-mbedtls $(MBEDTLS_DIR) >/dev/null
	@touch $@

$(BUILD)/mbedtls-obj/%.o: $(MBEDTLS_STAMP) hv/net/include/shunt_mbedtls_config.h \
		hv/net/libc/assert.h
	@mkdir -p $(@D)
	@echo "  CC      mbedtls/$*.c"
	@$(CC) $(MBEDTLS_CFLAGS) -c $(MBEDTLS_SRC)/library/$*.c -o $@

# The glue to lwIP and mbedTLS (and only it) sees their headers.
$(BUILD)/hv-obj/hv/net/%.c.o: HV_CFLAGS += $(LWIP_INCLUDES) $(MBEDTLS_INCLUDES)
# (The objects named, not a pattern: a pattern rule without a recipe adds no prerequisite.)
$(filter $(BUILD)/hv-obj/hv/net/%,$(HV_OBJS)): | $(LWIP_STAMP) $(MBEDTLS_STAMP)

$(BUILD)/hv-obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -c $< -o $@

$(BUILD)/shunt.elf: $(HV_OBJS) $(LWIP_OBJS) $(MBEDTLS_OBJS) linker.ld
	@echo "  LD      $@"
	@$(CC) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(LWIP_OBJS) $(MBEDTLS_OBJS)

$(BUILD)/shunt-config: $(SHUNT_CONFIG_SRCS) $(wildcard hv/include/hv/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(HOST_CC) -std=c11 -O2 $(WARNINGS) $(INCLUDES) -o $@ $(SHUNT_CONFIG_SRCS)

$(BUILD)/efi-obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC-EFI  $<"
	@$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/BOOTX64.so: $(EFI_OBJS)
	@echo "  LD-EFI  $@"
	@ld -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		-L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ -lefi -lgnuefi

$(BUILD)/BOOTX64.EFI: $(BUILD)/BOOTX64.so
	@echo "  EFI     $@"
	@$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

$(BUILD)/guests/%.elf: tests/guests/%.c $(GUEST_COMMON) tests/guests/guest.ld \
		tests/guests/guest.h $(wildcard guest-kit/include/gk/*.h pv-abi/include/pvabi/*.h)
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) $<

# The hypercall fuzzer is several files: its oracle, its random calls, its VMCALL in assembly.
FUZZ_GUEST_SRCS := tests/guests/fuzz.c tests/guests/fuzz_gen.c tests/guests/fuzz_cpu.S
$(BUILD)/guests/fuzz.elf: $(FUZZ_GUEST_SRCS) tests/guests/fuzz.h tests/guests/fuzz_oracle.h \
		$(GUEST_COMMON) tests/guests/guest.ld tests/guests/guest.h \
		$(wildcard guest-kit/include/gk/*.h pv-abi/include/pvabi/*.h)
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) $(FUZZ_GUEST_SRCS)

# The register keeper probes registers from assembly, around each kind of exit.
REGKEEP_SRCS := tests/guests/regkeep.c tests/guests/regkeep_cpu.S
$(BUILD)/guests/regkeep.elf: $(REGKEEP_SRCS) $(GUEST_COMMON) tests/guests/guest.ld \
		tests/guests/guest.h $(wildcard guest-kit/include/gk/*.h pv-abi/include/pvabi/*.h)
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) $(REGKEEP_SRCS)

# The hardware example driver runs as three VMs with different grants; image files need
# distinct names.

# hello.c linked into the guest boot area: the loader must refuse it.
$(BUILD)/guests/lowload.elf: tests/guests/hello.c $(GUEST_COMMON) tests/guests/lowload.ld \
		tests/guests/guest.h
	@mkdir -p $(@D)
	@echo "  GUEST   $@ (linked where guests may not load)"
	@$(CC) $(GUEST_CFLAGS) $(filter-out -Wl$(comma)-T$(comma)tests/guests/guest.ld,$(GUEST_LDFLAGS)) \
		-Wl,-T,tests/guests/lowload.ld -o $@ $(GUEST_COMMON) $<

# hello.c linked past the end of a 4 MiB VM's RAM, and linked at one address but loaded at
# another: the loader must refuse both (SPEC §8).
$(BUILD)/guests/hello-%.elf: tests/guests/hello.c $(GUEST_COMMON) tests/guests/%.ld \
		tests/guests/guest.h
	@mkdir -p $(@D)
	@echo "  GUEST   $@ (linked by $*.ld: the loader must refuse it)"
	@$(CC) $(GUEST_CFLAGS) $(filter-out -Wl$(comma)-T$(comma)tests/guests/guest.ld,$(GUEST_LDFLAGS)) \
		-Wl,-T,tests/guests/$*.ld -o $@ $(GUEST_COMMON) $<

# hello.c compiled and linked as a compiler does by default, a PIE (ET_DYN), without the
# guest-kit linker script: the loader must refuse it and say how to link it.
$(BUILD)/guests/hello-pie.elf: tests/guests/hello.c $(GUEST_COMMON) tests/guests/guest.h
	@mkdir -p $(@D)
	@echo "  GUEST   $@ (a PIE: the loader must refuse it)"
	@$(CC) $(filter-out -fno-pic -fno-pie,$(GUEST_CFLAGS)) -fpie -nostdlib -pie \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack -o $@ \
		$(GUEST_COMMON) $<

# A guest built against the frozen ABI 1.0 headers only (tests/abi/v1.0): it must keep
# working on every later 1.x Shunt.
$(BUILD)/guests/abi10.elf: tests/guests/abi10.c tests/guests/start.S tests/guests/guest.ld \
		$(wildcard tests/abi/v1.0/include/*/*.h)
	@mkdir -p $(@D)
	@echo "  GUEST   $@ (ABI 1.0 headers)"
	@$(CC) $(filter-out -Iguest-kit/include -Ipv-abi/include,$(GUEST_CFLAGS)) \
		-Itests/abi/v1.0/include $(GUEST_LDFLAGS) -o $@ tests/guests/start.S $<

# The multiboot (v1) test kernel: 32-bit, freestanding, on the PC-like platform (no
# guest-kit), and a copy whose header checksum is off by one, which Shunt must refuse.
MB1_CFLAGS := -m32 -std=c11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-mmx \
              -mno-sse -mno-sse2 -O2 -g $(WARNINGS)
MB1_LDFLAGS := -nostdlib -static -no-pie -Wl,-melf_i386 -Wl,-T,tests/guests/mb1.ld \
               -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack
$(BUILD)/guests/mb1.elf $(BUILD)/guests/mb1-badsum.elf: tests/guests/mb1.c \
		tests/guests/mb1_start.S tests/guests/mb1.ld
	@mkdir -p $(@D)
	@echo "  GUEST   $@ (multiboot v1, ELF32)"
	@$(CC) $(MB1_CFLAGS) $(if $(findstring badsum,$@),-DBAD_CHECKSUM) $(MB1_LDFLAGS) -o $@ \
		tests/guests/mb1_start.S tests/guests/mb1.c

# The image users boot: Shunt with two demonstration guests.
$(BUILD)/shunt.iso: $(BUILD)/shunt.elf $(BUILD)/BOOTX64.EFI $(BUILD)/guests/hello.elf \
		$(BUILD)/guests/counter.elf tools/mkimage tools/mkimage-xorriso tools/stick.py
	@echo "  IMAGE   $@"
	@tools/mkimage --out $@ --elf $(BUILD)/shunt.elf --efi $(BUILD)/BOOTX64.EFI \
		--module $(BUILD)/guests/hello.elf "hello.elf mem=4M -- demo" \
		--module $(BUILD)/guests/counter.elf "counter.elf mem=4M"

# A USB stick image (README.md, "Making a USB stick"): the default config, which admins copy,
# and the demo guests it names, on a FAT32 partition they can edit.
$(BUILD)/stick.img: boot/stick/shunt.cfg $(BUILD)/shunt.elf $(BUILD)/BOOTX64.EFI \
		$(BUILD)/guests/hello.elf $(BUILD)/guests/counter.elf $(BUILD)/shunt-config \
		tools/mkimage tools/stick.py
	@echo "  STICK   $@"
	@tools/mkimage --out $@ --config boot/stick/shunt.cfg --guest-dir $(BUILD)/guests \
		--elf $(BUILD)/shunt.elf --efi $(BUILD)/BOOTX64.EFI

# --- The Linux test guest (README.md, "Linux guests"): Debian's cloud kernel and busybox,
# fetched into $(BUILD)/linux/ (never committed, never installed), the vmlinux inside the
# bzImage (entered through PVH), and an initramfs whose /init reports what Linux found (and,
# with shunt.module on the kernel's command line, loads and exercises the shunt module).
LINUX_DIR := $(BUILD)/linux
LINUX_VMLINUX := $(LINUX_DIR)/vmlinux
LINUX_INITRD := $(LINUX_DIR)/initramfs.cpio
LINUX_BZ_BAD := $(patsubst %,$(LINUX_DIR)/bzImage-%,truncated protocol-2.11 no64)
linux: $(LINUX_VMLINUX) $(LINUX_INITRD) $(LINUX_DIR)/vmlinux-truncated $(LINUX_BZ_BAD)

$(LINUX_DIR)/bzImage $(LINUX_DIR)/busybox &: tools/fetch-linux | $(DEPS_STAMP)
	@echo "  FETCH   Debian's linux-image-cloud-amd64 and busybox-static into $(LINUX_DIR)"
	@tools/fetch-linux $(LINUX_DIR) >/dev/null

$(LINUX_VMLINUX): $(LINUX_DIR)/bzImage tools/extract-vmlinux
	@echo "  VMLINUX $@"
	@tools/extract-vmlinux $< $@.tmp >/dev/null && strip -s $@.tmp && mv $@.tmp $@

# A vmlinux cut short, which Shunt must refuse (bios-linux-refused-bochs).
$(LINUX_DIR)/vmlinux-truncated: $(LINUX_VMLINUX)
	@head -c 4M $< > $@

# bzImages Shunt must refuse (bios-linux-refused-bochs), patched copies of Debian's: cut
# short, boot protocol 2.11 (the version at 0x206), no 64-bit entry (XLF_KERNEL_64, bit 0 of
# xloadflags at 0x236, cleared).
$(LINUX_DIR)/bzImage-truncated: $(LINUX_DIR)/bzImage
	@head -c 4M $< > $@
$(LINUX_DIR)/bzImage-protocol-2.11: $(LINUX_DIR)/bzImage
	@cp $< $@.tmp && printf '\013\002' | dd of=$@.tmp bs=1 seek=518 conv=notrunc status=none \
		&& mv $@.tmp $@
$(LINUX_DIR)/bzImage-no64: $(LINUX_DIR)/bzImage
	@cp $< $@.tmp && b=$$(od -An -tu1 -j566 -N1 $< | tr -d ' ') && \
		printf "\\$$(printf %o $$((b & 254)))" | \
		dd of=$@.tmp bs=1 seek=566 conv=notrunc status=none && mv $@.tmp $@

# The shunt module (guest-kit/examples/linux-shunt: Linux on Shunt's ABI, from guest-kit alone),
# built by kbuild against Debian's headers of exactly the fetched kernel (tools/install-deps
# installs them), in a copy under $(LINUX_DIR)/module; kbuild runs with none of this make's
# variables (a CC= given here is not the kernel's compiler).
LINUX_MODULE := $(LINUX_DIR)/shunt.ko
LINUX_MODULE_SRCS := guest-kit/examples/linux-shunt/Kbuild \
		     $(wildcard guest-kit/examples/linux-shunt/*.[ch])
$(LINUX_MODULE): $(LINUX_MODULE_SRCS) $(LINUX_DIR)/bzImage tools/linux-version \
		$(wildcard guest-kit/include/gk/*.h pv-abi/include/pvabi/*.h) | $(DEPS_STAMP)
	@release=$$(tools/linux-version $(LINUX_DIR)) && echo "  KBUILD  $@ (Linux $$release)" && \
	rm -rf $(LINUX_DIR)/module && mkdir -p $(LINUX_DIR)/module && \
	cp $(LINUX_MODULE_SRCS) $(LINUX_DIR)/module/ && \
	if env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C /usr/src/linux-headers-$$release \
		M=$(abspath $(LINUX_DIR)/module) W=1 \
		GK_INCLUDE="$(abspath guest-kit/include) $(abspath pv-abi/include)" modules \
		>$(LINUX_DIR)/module/build.log 2>&1; then strip --strip-debug -o $@ $(LINUX_DIR)/module/shunt.ko; \
	else grep -v '^Skipping BTF' $(LINUX_DIR)/module/build.log; exit 1; fi

# The VM's measuring tool: static, no C library (tests/linux/shunt-bench.c).
$(LINUX_DIR)/shunt-bench: tests/linux/shunt-bench.c | $(DEPS_STAMP)
	@echo "  CC      $@"
	@gcc -static -nostdlib -ffreestanding -fno-stack-protector -fno-pic -no-pie -O2 -Wall \
		-Wextra -Werror -o $@ $<

$(LINUX_INITRD): $(LINUX_DIR)/busybox tests/linux/init tools/mkinitramfs $(LINUX_MODULE) \
		$(LINUX_DIR)/shunt-bench
	@echo "  INITRD  $@"
	@tools/mkinitramfs $@ $(LINUX_DIR)/busybox tests/linux/init lib/shunt.ko=$(LINUX_MODULE) \
		bin/shunt-bench=$(LINUX_DIR)/shunt-bench >/dev/null

# --- Tests: host unit tests first (fast, sanitized), then the emulator boots. On 2 cores the
# UI tests (a browser against mocks, mostly waiting, then one emulator at a time) run beside
# the unit tests, ABI checks and clang build (one compiler at a time); the UI tests' output is
# shown when they end. Then the fuzzing (two fuzzers at a time) and the boot tests.
test: format-check all linux $(BUILD)/example/minimal-kernel.elf | $(DEPS_STAMP) $(MBEDTLS_STAMP)
	@$(MAKE) -s ui-test >$(BUILD)/ui-test.log 2>&1 & ui=$$!; \
	$(MAKE) unit-test abi-test clang-build; rc=$$?; \
	wait $$ui || rc=1; echo "make ui-test:"; cat $(BUILD)/ui-test.log; \
	test $$rc = 0
	@$(MAKE) fuzz-smoke boot-test walkthrough-test mutation-smoke bench

# Every parser of untrusted input under libFuzzer for a few seconds (tests/fuzz/fuzz.mk), two
# at a time (each fuzzer is one process on one core: each still has a core for its seconds).
# `make fuzz` runs them longer, then the hypercall fuzzer guest for a million calls (the
# bios-fuzz-long-bochs scenario; make test runs it for 100,000 in bios-fuzz-bochs).
FUZZ_NAMES := $(shell sed -n 's/^FUZZ_NAMES *:= *//p' tests/fuzz/fuzz.mk)
FUZZ_HALF := $(shell expr $(words $(FUZZ_NAMES)) / 2)
FUZZ_SMOKE = $(MAKE) -s -f tests/fuzz/fuzz.mk BUILD=$(BUILD) MBEDTLS_DIR=$(MBEDTLS_DIR) \
	FUZZ_SECONDS=5
fuzz-smoke: | $(DEPS_STAMP) $(MBEDTLS_STAMP)
	@$(FUZZ_SMOKE) fuzz-build
	@$(FUZZ_SMOKE) FUZZ_NAMES="$(wordlist $(FUZZ_HALF),99,$(wordlist 2,99,$(FUZZ_NAMES)))" \
		fuzz-run >$(BUILD)/fuzz-smoke-2.log 2>&1 & second=$$!; \
	$(FUZZ_SMOKE) FUZZ_NAMES="$(wordlist 1,$(FUZZ_HALF),$(FUZZ_NAMES))" \
		fuzz-run; rc=$$?; wait $$second || rc=1; cat $(BUILD)/fuzz-smoke-2.log; test $$rc = 0
fuzz: all | $(DEPS_STAMP)
	@$(MAKE) -s -f tests/fuzz/fuzz.mk BUILD=$(BUILD) MBEDTLS_DIR=$(MBEDTLS_DIR) FUZZ_SECONDS=$(or $(FUZZ_SECONDS),300) fuzz-run
	tests/system/run-all --build $(BUILD) bios-fuzz-long-bochs

# STYLE.md: gcc and clang both build the hypervisor (gcc builds the default one).
clang-build: | $(DEPS_STAMP)
	@$(MAKE) -s CC=clang BUILD=$(BUILD)/clang DEPS_STAMP=$(DEPS_STAMP) LWIP_DIR=$(LWIP_DIR) \
		MBEDTLS_DIR=$(MBEDTLS_DIR) $(BUILD)/clang/shunt.elf
	@echo "clang-build: PASS: shunt.elf builds with clang"

# The ABI's promises: SPEC.md's call table matches PV_CALL_LIST, every public header
# compiles on its own wherever a kernel is built (gcc/clang; C11, C99, gnu89, C++11/17;
# -nostdinc; guest-kit's mock backend; a Linux kbuild module against the test kernel's headers).
abi-test: | $(DEPS_STAMP)
	@BUILD=$(BUILD) HOST_CC=$(HOST_CC) tests/abi/check-spec
	@BUILD=$(BUILD) tests/abi/check-headers

# guest-kit for guest kernels, under $(PREFIX): the headers, a pkg-config file whose flags build
# a bootable guest, and in share/shunt-guest-kit/ the entry stub (crt0.S) and linker script it
# names, with the example kernels to copy from (guest-kit/README.md, "Building a guest").
GK_DATADIR := $(PREFIX)/share/shunt-guest-kit
GK_EXAMPLES := $(notdir $(wildcard guest-kit/examples/*))
install:
	install -d $(DESTDIR)$(PREFIX)/include/pvabi $(DESTDIR)$(PREFIX)/include/gk \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(patsubst %,$(DESTDIR)$(GK_DATADIR)/examples/%,$(GK_EXAMPLES))
	install -m 644 pv-abi/include/pvabi/*.h $(DESTDIR)$(PREFIX)/include/pvabi/
	install -m 644 guest-kit/include/gk/*.h $(DESTDIR)$(PREFIX)/include/gk/
	install -m 644 guest-kit/link/crt0.S guest-kit/link/shunt-guest.ld $(DESTDIR)$(GK_DATADIR)/
	$(foreach e,$(GK_EXAMPLES),install -m 644 guest-kit/examples/$(e)/* \
		$(DESTDIR)$(GK_DATADIR)/examples/$(e)/;)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@ABI@|$(ABI_VERSION)|' guest-kit/shunt-guest-kit.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/shunt-guest-kit.pc

# The example guest kernel, built as a user would: install the kit, copy the example from the
# kit's examplesdir, build it there with the kit's flags, entry stub and linker script.
EXAMPLE_STAGE := $(abspath $(BUILD))/stage
$(BUILD)/example/minimal-kernel.elf: $(wildcard guest-kit/examples/minimal-kernel/* guest-kit/link/*) \
		guest-kit/shunt-guest-kit.pc.in \
		$(wildcard guest-kit/include/gk/*.h pv-abi/include/pvabi/*.h) | $(DEPS_STAMP)
	@echo "  EXAMPLE $@ (installed kit via pkg-config)"
	@rm -rf $(EXAMPLE_STAGE) $(@D)
	@$(MAKE) -s install PREFIX=$(EXAMPLE_STAGE) >/dev/null
	@mkdir -p $(@D)
	@cp -r "$$(PKG_CONFIG_PATH=$(EXAMPLE_STAGE)/lib/pkgconfig pkg-config \
		--variable=examplesdir shunt-guest-kit)/minimal-kernel" $(@D)/src
	@PKG_CONFIG_PATH=$(EXAMPLE_STAGE)/lib/pkgconfig $(MAKE) -s -C $(@D)/src CC=$(CC) \
		OUT=$(abspath $@)
example: $(BUILD)/example/minimal-kernel.elf

# Rewrites the call table in pv-abi/SPEC.md from PV_CALL_LIST.
spec-table:
	@BUILD=$(BUILD) HOST_CC=$(HOST_CC) tests/abi/check-spec --write

unit-test: | $(DEPS_STAMP) $(MBEDTLS_STAMP)
	$(MAKE) -f tests/unit/unit.mk BUILD=$(BUILD) HOST_CC=$(HOST_CC) MBEDTLS_DIR=$(MBEDTLS_DIR)

# The system tests: the UI's (shuntctl and the dashboard), then the boots.
system-test: ui-test boot-test

ui-test: all
	@# shuntctl's test (a mock Shunt, mostly waiting) beside the dashboard's (emulators)
	@tests/tools/shuntctl-test >$(BUILD)/shuntctl-test.log 2>&1 & ctl=$$!; \
	tests/system/dashboard-test --build $(BUILD) --shunt qemu,bochs; dash=$$?; \
	wait $$ctl; ctlrc=$$?; echo "tests/tools/shuntctl-test:"; cat $(BUILD)/shuntctl-test.log; \
	test $$dash = 0 && test $$ctlrc = 0

boot-test: all linux $(BUILD)/example/minimal-kernel.elf
	tests/tools/shunt-config-test --build $(BUILD)
	tests/system/run-all --build $(BUILD)
	tests/system/run-exit-codes --build $(BUILD)
	tests/system/stick --build $(BUILD)
	tests/system/readme-sample --build $(BUILD)

# guest-kit/README.md's "Building a guest", its commands run as they stand outside the tree
# (they name this tree's build/, so it is built there whatever BUILD says) and the guest's
# lines checked in Bochs.
walkthrough-test: | $(DEPS_STAMP)
	@$(MAKE) -s BUILD=build DEPS_STAMP=$(DEPS_STAMP) build/shunt.elf build/BOOTX64.EFI
	@tests/system/walkthrough

# Mutation testing (tests/mutation, README.md): every one-line bug of the catalogue applied
# alone to a scratch copy of the tree, which the suite must notice. The runner works on
# build/ (it copies it), whatever BUILD says. mutation-smoke runs a few cheap entries, one
# killed by a unit test and one by a scenario, so that the runner itself keeps working.
MUTATION_SMOKE := mb2-tag-past-end hw-dma-check-inverted
mutation: | $(DEPS_STAMP)
	tests/mutation/run
mutation-smoke: | $(DEPS_STAMP)
	tests/mutation/run --no-baseline --results build/mutation/smoke.txt $(MUTATION_SMOKE)

# The USB stick image, booted as a disk: what an admin writes to a stick (README.md).
run: all
	tools/run --firmware $(FIRMWARE) --image $(BUILD)/stick.img

# Shunt with its management network, to try shuntctl and the dashboard (README.md, "Management
# network"): the demo guests and one that computes for an hour, in QEMU (its clock is the
# host's, which signatures need), Shunt's API at 127.0.0.1:$(MGMT_PORT), signed with a key made
# for it once (build/run-mgmt.key). It stays up after the guests end, until Ctrl-A X.
MGMT_PORT ?= 8880
RUN_MGMT_KEY := $(BUILD)/run-mgmt.key
RUN_MGMT_ISO := $(BUILD)/run-mgmt.iso
$(RUN_MGMT_KEY): | tools/shuntctl
	@tools/shuntctl keygen --out $@ >/dev/null
$(RUN_MGMT_ISO): $(BUILD)/shunt.elf $(BUILD)/BOOTX64.EFI $(BUILD)/guests/hello.elf \
		$(BUILD)/guests/counter.elf $(BUILD)/guests/busy.elf $(RUN_MGMT_KEY) tools/mkimage
	@echo "  IMAGE   $@"
	@tools/mkimage --out $@ --elf $(BUILD)/shunt.elf --efi $(BUILD)/BOOTX64.EFI \
		--cmdline "on-all-stopped=halt" --key $(RUN_MGMT_KEY) \
		--module $(BUILD)/guests/hello.elf "hello.elf mem=4M -- demo" \
		--module $(BUILD)/guests/counter.elf "counter.elf mem=4M" \
		--module $(BUILD)/guests/busy.elf "busy.elf mem=4M -- ms=3600000"
run-mgmt: all $(RUN_MGMT_ISO)
	@echo "run-mgmt: Shunt's API at 127.0.0.1:$(MGMT_PORT); in another terminal:"
	@echo "  tools/shuntctl --host 127.0.0.1:$(MGMT_PORT) --key $(RUN_MGMT_KEY) vms"
	@echo "  tools/shuntctl --host 127.0.0.1:$(MGMT_PORT) --key $(RUN_MGMT_KEY) proxy" \
		"  # then open http://127.0.0.1:8080/"
	@echo "run-mgmt: Ctrl-A X ends the run"
	tools/run --firmware bios --emulator qemu --mgmt-port $(MGMT_PORT) --image $(RUN_MGMT_ISO)

# The Linux VM with a shell on Shunt's console, the terminal connected both ways (README.md,
# "An interactive Linux shell"): beside the hello guest, ending when the shell powers off.
LINUX_SHELL_ISO := $(BUILD)/linux-shell.iso
LINUX_SHELL_VM := vmlinux name=linux mem=128M initrd=initramfs.cpio -- console=ttyS0 panic=-1 \
	shunt.shell
$(LINUX_SHELL_ISO): $(BUILD)/shunt.elf $(BUILD)/BOOTX64.EFI $(BUILD)/guests/hello.elf \
		$(LINUX_VMLINUX) $(LINUX_INITRD) tools/mkimage
	@echo "  IMAGE   $@"
	@tools/mkimage --out $@ --elf $(BUILD)/shunt.elf --efi $(BUILD)/BOOTX64.EFI \
		--cmdline "on-all-stopped=poweroff" --add $(LINUX_INITRD) \
		--module $(LINUX_VMLINUX) "$(LINUX_SHELL_VM)" \
		--module $(BUILD)/guests/hello.elf "hello.elf mem=4M"
run-linux: all $(LINUX_SHELL_ISO)
	tools/run --firmware bios --emulator bochs --memory 384 --interactive \
		--image $(LINUX_SHELL_ISO)

# The counting build (build/bench/shunt.elf): Shunt with a counter of its VMREADs and VMWRITEs
# and two MSRs that show it and the TSC at Shunt's entry to a guest. Only `make bench` boots
# it, for the figures that need them; every other figure is the build users run.
bench-counting: | $(DEPS_STAMP)
	@$(MAKE) -s BUILD=$(BUILD)/bench DEPS_STAMP=$(DEPS_STAMP) LWIP_DIR=$(LWIP_DIR) \
		MBEDTLS_DIR=$(MBEDTLS_DIR) HV_EXTRA_CFLAGS=-DSHUNT_BENCH_COUNTERS $(BUILD)/bench/shunt.elf
bench: $(BUILD)/shunt.elf $(BUILD)/BOOTX64.EFI $(BUILD)/guests/bench.elf \
		$(BUILD)/guests/victim.elf $(BUILD)/guests/flood.elf $(BUILD)/guests/fuzz.elf $(BUILD)/guests/smp.elf \
		bench-counting linux
	@tests/system/bench --build $(BUILD) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)

# Everything but the frozen ABI 1.0 snapshot, which stays byte for byte as published.
FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' | grep -v '^tests/abi/v1.0/')
format:
	@clang-format -i $(FORMAT_SRCS)
format-check: | $(DEPS_STAMP)
	@clang-format --dry-run -Werror $(FORMAT_SRCS)
	@echo "format-check: PASS: $(words $(FORMAT_SRCS)) files follow .clang-format"

-include $(HV_OBJS:.o=.d) $(EFI_OBJS:.o=.d)
