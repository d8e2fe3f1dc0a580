# Host unit tests of Shunt's pure code (STYLE.md, "Tests"), run by `make unit-test`.
# Each tests/unit/test_NAME.c is linked with the sources it tests (src_NAME below) and
# hv/lib/fmt.c under ASan and UBSan into $(BUILD)/unit/test_NAME; then every binary runs,
# even after one fails, and the cmocka results are added up into "N passed, N failed".

BUILD   ?= build
HOST_CC ?= cc
UNIT    := $(BUILD)/unit

UNIT_CFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all -Wall -Wextra -Werror \
               -Iboot/include -Ihv/include -Iarch/x86_64/include -Iarch/x86_64/vmx \
               -Iarch/x86_64/svm \
               -Iboot/multiboot2 -Iboot/efi -Ipv-abi/include
UNIT_LIBS   := -lcmocka
DASHBOARD_C := $(BUILD)/dashboard/dashboard_files.c

# The code under test of each test_NAME.c. hv/lib/string.c is linked only through
# tests/unit/hv_string.c, which renames its functions: the rest uses the host libc's.
src_acpi     := hv/acpi.c
src_madt     := hv/madt.c
src_sched_place := hv/sched_place.c
src_sched    := hv/sched.c
src_spinlock :=
src_console  := hv/console.c hv/vm_console.c hv/screen.c hv/ratelimit.c hv/lib/div128.c \
                hv/devices/uart16550.c
src_serial   := hv/serial.c hv/lib/parse.c
src_console_input := hv/console_focus.c
src_screen   := hv/screen.c
src_cmdline  := hv/cmdline.c hv/serial.c hv/log.c hv/log_ring.c hv/lib/parse.c hv/net/mgmt_options.c \
                tests/unit/hv_string.c
src_elf64    := hv/lib/elf64.c
src_pvh      := hv/lib/pvh.c hv/lib/elf64.c hv/lib/bzimage.c hv/lib/multiboot1.c
src_bzimage  := hv/lib/bzimage.c hv/lib/pvh.c hv/lib/elf64.c hv/lib/multiboot1.c
src_multiboot1 := hv/lib/multiboot1.c hv/lib/pvh.c hv/lib/elf64.c hv/lib/bzimage.c
src_vm_acpi  := hv/vm_acpi.c
src_lapic    := hv/devices/lapic.c
src_i8259    := hv/devices/i8259.c
src_fmt      :=
src_frame    := hv/frame.c hv/memmap.c
src_mb2      := boot/multiboot2/mb2_parse.c
src_memmap   := hv/memmap.c
src_pt       := arch/x86_64/pt.c
src_string   := tests/unit/hv_string.c
src_cpuid_policy := arch/x86_64/cpuid_policy.c
src_vmx_caps := arch/x86_64/vmx/vmx_caps.c
src_vmx_adjust := arch/x86_64/vmx/vmx_caps.c
src_svm_caps := arch/x86_64/svm/svm_caps.c
src_svm_decode := arch/x86_64/svm/svm_decode.c
src_guest_walk := arch/x86_64/guest_walk.c
src_vm_options := hv/vm_options.c hv/hw_rules.c hv/ratelimit.c hv/lib/div128.c hv/lib/parse.c
src_uart16550 := hv/devices/uart16550.c
src_parse    := hv/lib/parse.c
src_pvclock := hv/pvclock.c hv/lib/div128.c
src_ratelimit := hv/ratelimit.c hv/lib/div128.c
src_hw_rules := hv/hw_rules.c hv/lib/parse.c
src_loadopts := boot/efi/loadopts.c
src_config   := hv/lib/config.c
src_devpath  := boot/efi/devpath.c
src_memmap_efi := boot/efi/memmap_efi.c
src_guestkit := tests/unit/gk_other_tu.c
src_gk_hw :=
src_e1000_ring := hv/net/e1000_ring.c
src_mgmt_options := hv/net/mgmt_options.c hv/lib/parse.c
src_echo     := hv/net/echo.c
src_metrics_text := hv/net/metrics_text.c hv/lib/div128.c
src_json     := hv/lib/json.c
src_log_ring := hv/log_ring.c
src_http     := hv/net/http.c
src_wall_date := hv/lib/wall_date.c arch/x86_64/rtc_decode.c
src_dashboard := hv/net/dashboard.c $(DASHBOARD_C)

# mbedTLS (Makefile, MBEDTLS_DIR: fetched there by the top Makefile before this runs), built
# for the host with the sanitizers and Shunt's configuration, for the tests of the crypto.
MBEDTLS_DIR   ?= $(BUILD)/mbedtls
MBEDTLS_SRC   := $(MBEDTLS_DIR)/mbedtls
MBEDTLS_HOST  := $(patsubst %,$(UNIT)/mbedtls/%.o,sha256 md hmac_drbg platform platform_util)
MBEDTLS_FLAGS := -Ihv/net/include -I$(MBEDTLS_SRC)/include \
                 -DMBEDTLS_CONFIG_FILE='"shunt_mbedtls_config.h"'
src_auth     := hv/net/auth.c hv/net/auth_key.c hv/net/auth_sig.c hv/net/auth_replay.c \
                hv/net/auth_peers.c hv/net/crypto.c \
                $(MBEDTLS_HOST)
cflags_auth  := $(MBEDTLS_FLAGS)
hdrs_auth    := hv/net/include/shunt_mbedtls_config.h

# Extra compiler flags and headers of a test whose code lives outside hv's include paths.
cflags_guestkit := -DGK_MOCK -Iguest-kit/include -Ipv-abi/include
cflags_gk_hw := $(cflags_guestkit)
hdrs_guestkit   := $(wildcard guest-kit/include/gk/*.h pv-abi/include/pvabi/*.h)
hdrs_gk_hw   := $(hdrs_guestkit)

UNIT_NAMES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_NAMES:%=$(UNIT)/test_%)
UNIT_HDRS  := $(wildcard boot/include/boot/*.h boot/multiboot2/*.h boot/efi/*.h hv/include/hv/*.h \
                hv/include/hv/devices/*.h hv/include/hv/net/*.h \
                arch/x86_64/include/arch/*.h arch/x86_64/vmx/*.h arch/x86_64/svm/svm_caps.h \
                arch/x86_64/svm/svm_decode.h tests/unit/*.h)

# The dashboard's table, generated as the Makefile does (test_dashboard.c checks it against
# the folder).
$(DASHBOARD_C): tools/embed-files $(sort $(wildcard hv/net/dashboard/*)) hv/net/dashboard
	@tools/embed-files $@ $(sort $(wildcard hv/net/dashboard/*))
hv/net/dashboard: ;

.DEFAULT_GOAL := unit-run
.PHONY: unit-run unit-build FORCE

unit-build: $(UNIT_BINS)

# cmocka prints "[  PASSED  ] k test(s)." and, when some fail, "[  FAILED  ] k test(s), ...".
# A binary that exits non-zero without a FAILED line (a sanitizer report, a crash) counts
# as one failed test.
unit-run: $(UNIT_BINS)
	@passed=0; failed=0; failing=; \
	for t in $(UNIT_BINS); do \
		echo "=== $$t"; \
		{ CMOCKA_MESSAGE_OUTPUT=STDOUT CMOCKA_TEST_ABORT= $$t; echo $$? >$$t.rc; } 2>&1 | \
			tee $$t.log; \
		rc=$$(cat $$t.rc); \
		p=$$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' $$t.log | tail -n1); \
		f=$$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' $$t.log | tail -n1); \
		p=$${p:-0}; f=$${f:-0}; \
		if [ "$$rc" != 0 ] && [ "$$f" = 0 ]; then \
			echo "$$t: exited with status $$rc without reporting a failed test"; f=1; \
		fi; \
		if [ "$$f" != 0 ]; then failing="$$failing $${t##*/}"; fi; \
		passed=$$((passed + p)); failed=$$((failed + f)); \
	done; \
	echo; \
	if [ -n "$$failing" ]; then echo "failing binaries:$$failing"; fi; \
	echo "$$passed passed, $$failed failed"; \
	[ "$$failed" = 0 ]

# Rebuild everything when the compiler or the flags change (e.g. HOST_CC=clang after gcc).
$(UNIT)/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(HOST_CC) $(UNIT_CFLAGS) $(UNIT_LIBS)' | cmp -s - $@ || \
		echo '$(HOST_CC) $(UNIT_CFLAGS) $(UNIT_LIBS)' >$@

# mbedTLS's own code, as it comes: its warnings are not ours to fix (-w). Kept between runs.
.SECONDARY: $(MBEDTLS_HOST)
$(UNIT)/mbedtls/%.o: $(MBEDTLS_SRC)/library/%.c hv/net/include/shunt_mbedtls_config.h \
		$(UNIT)/cflags
	@mkdir -p $(@D)
	$(HOST_CC) $(filter-out -Werror,$(UNIT_CFLAGS)) -w $(MBEDTLS_FLAGS) -c $< -o $@

.SECONDEXPANSION:
$(UNIT)/test_%: tests/unit/test_%.c $$(src_$$*) hv/lib/fmt.c tests/unit/hv_string.c \
		hv/lib/string.c $(UNIT_HDRS) $$(hdrs_$$*) $(UNIT)/cflags
	$(HOST_CC) $(UNIT_CFLAGS) $(cflags_$*) -o $@ $< $(src_$*) hv/lib/fmt.c $(UNIT_LIBS)
