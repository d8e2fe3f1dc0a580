# Fuzz targets (libFuzzer, clang) for everything that parses untrusted input: multiboot2
# tags, ELF images, guest kernels (bzImage, multiboot v1, PVH), shunt.cfg and UEFI
# LoadOptions, command lines and VM options, firmware memory maps, the management network's
# ICMP echo replies and NIC receive descriptors, the management key file and the API's
# Authorization header and signature check, the dashboard's path lookup, the API's HTTP
# requests and the JSON it writes from outside text, the firmware's MADT (its CPU list), a
# Linux VM's x2APIC accesses and IPIs.
# `make fuzz-smoke` (part of make test) runs each for FUZZ_SECONDS, starting from
# the regression corpus in tests/fuzz/corpus/<target>/ (small seeds that reach each check,
# written by tests/fuzz/make-seeds; new finds go to $(BUILD)/fuzz, never into the repo);
# `make fuzz FUZZ_SECONDS=600` runs longer. Crashes land in $(BUILD)/fuzz/.

BUILD        ?= build
FUZZ_SECONDS ?= 5
FUZZ         := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -Wall -Wextra -Werror -Iboot/include -Ihv/include -Iarch/x86_64/include \
                -Ipv-abi/include \
                -Iboot/multiboot2 -Iboot/efi

fsrc_mb2     := boot/multiboot2/mb2_parse.c hv/lib/fmt.c
fsrc_elf64   := hv/lib/elf64.c hv/lib/fmt.c
fsrc_config  := hv/lib/config.c boot/efi/loadopts.c hv/lib/fmt.c
fsrc_options := hv/vm_options.c hv/hw_rules.c hv/serial.c hv/ratelimit.c hv/lib/div128.c hv/lib/parse.c hv/cmdline.c \
                hv/net/mgmt_options.c \
                hv/log.c hv/log_ring.c hv/lib/fmt.c tests/unit/hv_string.c
fsrc_memmap  := hv/memmap.c hv/frame.c hv/lib/fmt.c
fsrc_kernel  := hv/lib/pvh.c hv/lib/bzimage.c hv/lib/multiboot1.c hv/lib/elf64.c hv/lib/fmt.c
fsrc_net     := hv/net/echo.c hv/net/e1000_ring.c
fsrc_madt    := hv/madt.c hv/lib/fmt.c
fsrc_http    := hv/net/http.c tests/unit/hv_string.c
fsrc_json    := hv/lib/json.c
fsrc_lapic   := hv/devices/lapic.c
# The access check with mbedTLS (fetched by the top Makefile into MBEDTLS_DIR), whose own code
# is built apart, as it comes (-w).
MBEDTLS_DIR  ?= $(BUILD)/mbedtls
MBEDTLS_FLAGS := -Ihv/net/include -I$(MBEDTLS_DIR)/mbedtls/include \
                 -DMBEDTLS_CONFIG_FILE='"shunt_mbedtls_config.h"'
MBEDTLS_FUZZ := $(patsubst %,$(FUZZ)/mbedtls/%.o,sha256 md hmac_drbg platform platform_util)
fsrc_auth    := hv/net/auth.c hv/net/auth_key.c hv/net/auth_sig.c hv/net/auth_replay.c \
                hv/net/auth_peers.c hv/net/crypto.c hv/lib/fmt.c $(MBEDTLS_FUZZ)
fflags_auth  := $(MBEDTLS_FLAGS)

fsrc_dashboard := hv/net/dashboard.c $(BUILD)/dashboard/dashboard_files.c

FUZZ_NAMES := mb2 elf64 config options memmap kernel net auth dashboard http json madt lapic
FUZZ_BINS  := $(FUZZ_NAMES:%=$(FUZZ)/fuzz_%)

# The dashboard's table, generated as the Makefile does.
$(BUILD)/dashboard/dashboard_files.c: tools/embed-files $(sort $(wildcard hv/net/dashboard/*)) \
		hv/net/dashboard
	@tools/embed-files $@ $(sort $(wildcard hv/net/dashboard/*))
hv/net/dashboard: ;

.PHONY: fuzz-build fuzz-run
fuzz-build: $(FUZZ_BINS)

$(FUZZ)/mbedtls/%.o: $(MBEDTLS_DIR)/mbedtls/library/%.c hv/net/include/shunt_mbedtls_config.h
	@mkdir -p $(@D)
	@clang $(filter-out -Werror -fsanitize=fuzzer%,$(FUZZ_CFLAGS)) -fsanitize=address,undefined \
		-w $(MBEDTLS_FLAGS) -c $< -o $@
.SECONDARY: $(MBEDTLS_FUZZ)

.SECONDEXPANSION:
$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $$(fsrc_$$*) tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	@clang $(FUZZ_CFLAGS) $(fflags_$*) -o $@ $< $(fsrc_$*)

fuzz-run: $(FUZZ_BINS)
	@failed=0; for f in $(FUZZ_BINS); do \
		name=$${f##*/}; mkdir -p $(FUZZ)/$$name.corpus; \
		seeds=tests/fuzz/corpus/$${name#fuzz_}; \
		if $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ)/$$name- \
			$(FUZZ)/$$name.corpus $$seeds >$(FUZZ)/$$name.log 2>&1; then \
			echo "fuzz: PASS: $$name ($$(ls $$seeds | wc -l) seeds," \
				"$$(grep -o 'Done [0-9]* runs' $(FUZZ)/$$name.log))"; \
		else \
			echo "fuzz: FAIL: $$name: see $(FUZZ)/$$name.log"; tail -20 $(FUZZ)/$$name.log; \
			failed=1; \
		fi; \
	done; exit $$failed
