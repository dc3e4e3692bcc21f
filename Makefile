# btfgen - reduced BTF for eBPF CO-RE, libc only.
#
#   make                 static ./btfgen (CC=musl-gcc for a small one)
#   make check           install test deps if missing, unit + end-to-end tests
#   make check-asan      unit tests + e2e under ASan+UBSan, allocation-failure
#                        loops, fuzz crasher replay (part of check)
#   make check-musl      quick e2e against the static musl binary (part of check)
#   make check-tsan      archive's worker threads under ThreadSanitizer (part of check)
#   make demo            reduce the running kernel's BTF for the example programs
#   make check-valgrind  quick e2e suites with every run under valgrind memcheck
#   make bench           btfgen vs bpftool, same inputs, same run
#   make fuzz            libFuzzer targets (clang-19) + seeds in build-fuzz/
#   make fuzz-run        run each fuzz target FUZZ_TIME seconds (default 60)
#   make install         PREFIX=/usr/local DESTDIR= (btfgen, the runtime library,
#                        its header and pkg-config file)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g
EXTRA_CFLAGS ?=
LDFLAGS ?=
VERSION := 0.1.0

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Wpointer-arith -Wcast-qual -Wno-unused-parameter
# project headers are included by their qualified path: "btf/btf.h"
INC := -I.
ALL_CFLAGS := -std=c11 $(WARN) $(INC) -ffunction-sections -fdata-sections \
	-DBTFGEN_VERSION='"$(VERSION)"' -pthread -MMD -MP $(CFLAGS) $(EXTRA_CFLAGS)

BUILD ?= build
# the library: every module but the command line; util/util.c is built
# twice, as the product has it and with fault injection (tests, btfgen-fi)
LIB_DIRS := util btf elf core xz tar hub http serve runtime
LIB_SRCS := $(filter-out util/util.c,$(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libbtfgen.a
UTIL_OBJ := $(BUILD)/util/util.o
UTIL_FI_OBJ := $(BUILD)/util/util-fi.o
# the runtime library (runtime/runtime.h): only what picking needs, never
# the CO-RE core, built with every symbol but btfgen_rt_* hidden, so that it
# can't clash with an application's own (xmalloc, ...)
RT_SRCS := runtime/runtime.c util/util.c util/fileio.c btf/btf.c elf/elf.c xz/xz_dec.c \
	xz/xz_check.c tar/tar.c hub/key.c hub/walk.c hub/host.c hub/collection.c hub/match.c \
	hub/unpack.c
RT_OBJS := $(RT_SRCS:%.c=$(BUILD)/rt/%.o)
RT_LIB := $(BUILD)/libbtfgen-runtime.a
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
CLI_FI_OBJS := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJS)) $(BUILD)/cli/main-fi.o

TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)
TEST_BIN := $(BUILD)/unit_tests
CRITERION_LIBS := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all check test e2e check-asan check-musl check-tsan demo bench install install-strip \
	uninstall clean distclean deps fuzz fuzz-run fuzz-regress check-valgrind

all: btfgen $(RT_LIB)

btfgen: $(BUILD)/btfgen-static
	$(Q)cp $< $@

$(BUILD)/btfgen-static: $(CLI_OBJS) $(UTIL_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) -static -pthread -Wl,--gc-sections $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/rt/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (runtime)"
	$(Q)$(CC) $(ALL_CFLAGS) -fvisibility=hidden -c $< -o $@

$(RT_LIB): $(RT_OBJS)
	@echo "  AR      $@"
	$(Q)ld -r -o $(BUILD)/rt/btfgen-runtime.o $^ && \
		objcopy --localize-hidden $(BUILD)/rt/btfgen-runtime.o && \
		rm -f $@ && ar rcs $@ $(BUILD)/rt/btfgen-runtime.o

$(BUILD)/btfgen-runtime.pc: Makefile
	@printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: btfgen-runtime\nDescription: %s\nVersion: %s\nLibs: -L$${libdir} -lbtfgen-runtime\nLibs.private: -pthread\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' \
		'the reduced BTF this kernel needs, picked from an embedded collection (btfgen)' \
		'$(VERSION)' >$@

$(LIB): $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(UTIL_FI_OBJ): util/util.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fault injection)"
	$(Q)$(CC) $(ALL_CFLAGS) -DBTFGEN_FAULT_INJECTION -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -D_GNU_SOURCE -c $< -o $@

$(BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Wno-unused-function -D_GNU_SOURCE -c $< -o $@

$(TEST_BIN): $(TEST_OBJS) $(UTIL_FI_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) -pthread $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $^ $(CRITERION_LIBS)

# Installs what the tests need (apt-get, as root) when something is missing.
deps:
	@sh tests/deps.sh

# --verbose so skipped tests say why; only skips, failures and the summary are shown
test: deps $(TEST_BIN)
	@$(TEST_BIN) --jobs 2 --timeout 300 --verbose >$(BUILD)/unit_tests.log 2>&1; rc=$$?; \
	grep -E '^\[(SKIP|FAIL|----|====)\]' $(BUILD)/unit_tests.log; exit $$rc

# end-to-end suites, each ends with its own "NAME: N passed, M failed, K skipped" line
E2E_SCRIPTS := tests/e2e/run.sh tests/e2e/relocs_verify.sh tests/e2e/archive.sh tests/e2e/hostile.sh \
	tests/e2e/select.sh tests/e2e/serve.sh
run_e2e = rc=0; for s in $(E2E_SCRIPTS); do $(1) sh $$s $(2) || rc=1; done; exit $$rc

# the target-machine proof (tests/e2e/pick_ns.sh: a private mount namespace
# hiding the kernel's BTF, libbpf-tools and a libbpf loader with the runtime
# library) runs once, against the product build
e2e: deps btfgen $(RT_LIB)
	@($(call run_e2e,,./btfgen)); rc=$$?; sh tests/e2e/pick_ns.sh ./btfgen || rc=1; exit $$rc

# the shipped artifact: a static musl build, run through the quick e2e set
check-musl: deps
	$(MAKE) BUILD=build-musl CC=musl-gcc CFLAGS="-O2" build-musl/btfgen-static
	@$(call run_e2e,BTFGEN_E2E_QUICK=1,build-musl/btfgen-static)

# CI's time is bounded (30 min on 2 cores): each fuzz target gets CHECK_FUZZ_TIME
# there; longer runs are `make fuzz-run FUZZ_TIME=600`
CHECK_FUZZ_TIME ?= 30
check: test e2e check-musl check-asan check-tsan
	@$(MAKE) --no-print-directory fuzz-run FUZZ_TIME=$(CHECK_FUZZ_TIME)

check-asan: deps
	$(MAKE) BUILD=build-asan CC=gcc \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		build-asan/unit_tests build-asan/btfgen-asan build-asan/btfgen-fi
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp build-asan/unit_tests --jobs 2 \
		--timeout 600 --verbose >build-asan/unit_tests.log 2>&1; rc=$$?; \
	grep -E '^\[(SKIP|FAIL|----|====)\]|Sanitizer|runtime error' build-asan/unit_tests.log; exit $$rc
	@$(call run_e2e,,build-asan/btfgen-asan)
	@sh tests/e2e/allocfail.sh build-asan/btfgen-fi
	@$(MAKE) --no-print-directory fuzz-regress

# ThreadSanitizer on the threaded code: archive's workers, with the
# fault-injection build (its allocation counter is shared by the workers)
# and the product build (tests/e2e/tsan.sh)
check-tsan: deps
	$(MAKE) BUILD=build-tsan CC=gcc CFLAGS="-O1 -g -fsanitize=thread" \
		build-tsan/btfgen-asan build-tsan/btfgen-fi
	@sh tests/e2e/tsan.sh build-tsan/btfgen-asan build-tsan/btfgen-fi

# ---- fuzzing (tests/fuzz) ----
# keep the fuzz target objects that pattern rules build on the way
.SECONDARY:
FUZZ_TARGETS := elf btf btf_ext core xz tar min_core_btf json manifest pick http multipart
FUZZ_CC ?= clang-19
FUZZ_TIME ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# libFuzzer binaries, the fixed inputs and the seed corpora, in build-fuzz/
fuzz: deps btfgen
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		$(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	@sh tests/fuzz/prepare.sh ./btfgen build-fuzz

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(UTIL_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) -pthread $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^

# every target for FUZZ_TIME seconds, two at a time; fails on any finding
fuzz-run: fuzz
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

# the kept crashers (tests/fuzz/regress) and the seeds, replayed without
# libFuzzer under ASan+UBSan (clang, whose UBSan also checks pointer
# arithmetic on NULL): a regression test of every finding
$(BUILD)/fuzz_%-replay: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/driver.o $(UTIL_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) -pthread $(CFLAGS) $(LDFLAGS) -o $@ $^

fuzz-regress: deps btfgen
	$(MAKE) BUILD=build-fuzz/replay CC=$(FUZZ_CC) CFLAGS="-O1 -g $(FUZZ_SAN)" \
		$(FUZZ_TARGETS:%=build-fuzz/replay/fuzz_%-replay)
	@sh tests/fuzz/prepare.sh ./btfgen build-fuzz/replay
	@rc=0; for t in $(FUZZ_TARGETS); do \
		BTFGEN_FUZZ_DATA=build-fuzz/replay/data build-fuzz/replay/fuzz_$$t-replay \
			tests/fuzz/regress/$$t build-fuzz/replay/seeds/$$t || rc=1; \
	done; exit $$rc

# fault injection: BTFGEN_FAIL_ALLOC=N makes the Nth allocation fail
$(BUILD)/cli/main-fi.o: cli/main.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fault injection)"
	$(Q)$(CC) $(ALL_CFLAGS) -DBTFGEN_FAULT_INJECTION -c $< -o $@

$(BUILD)/btfgen-fi: $(CLI_FI_OBJS) $(UTIL_FI_OBJ) $(LIB)
	$(Q)$(CC) -pthread $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $^

# the end-to-end suites (quick sets) with every btfgen run under valgrind
# memcheck: a memory error or a definite leak fails the run (exit 99)
check-valgrind: deps
	$(MAKE) BUILD=build-vg CC=gcc CFLAGS="-O1 -g" build-vg/btfgen-asan
	@rm -rf build-vg/vg && mkdir -p build-vg/vg
	@rc=0; for s in tests/e2e/hostile.sh tests/e2e/run.sh tests/e2e/relocs_verify.sh; do \
		BTFGEN_VG_BIN=$(CURDIR)/build-vg/btfgen-asan BTFGEN_VG_LOG=$(CURDIR)/build-vg/vg/log \
		BTFGEN_E2E_QUICK=1 BTFGEN_E2E_TIMEOUT=600 sh $$s tests/tools/valgrind-btfgen.sh \
			>build-vg/vg/$$(basename $$s).out 2>&1 || rc=1; \
		tail -n 1 build-vg/vg/$$(basename $$s).out; grep '^FAIL' build-vg/vg/$$(basename $$s).out; \
	done; \
	n=$$(ls build-vg/vg | grep -c '^log'); bad=$$(find build-vg/vg -name 'log*' -size +0 | wc -l); \
	echo "valgrind: $$n btfgen runs, $$bad with a memcheck report"; \
	[ $$bad -eq 0 ] || { find build-vg/vg -name 'log*' -size +0 | head -n 3 | xargs cat; rc=1; }; exit $$rc

# the sanitizers can't link -static: a dynamic build of the same sources
$(BUILD)/btfgen-asan: $(CLI_OBJS) $(UTIL_OBJ) $(LIB)
	$(Q)$(CC) -pthread $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $^

demo: btfgen
	@sh tests/demo.sh ./btfgen

bench: deps btfgen $(RT_LIB)
	@sh tests/bench.sh ./btfgen
	@sh tests/bench_archive.sh ./btfgen
	@sh tests/bench_pick.sh ./btfgen
	@sh tests/bench_serve.sh ./btfgen

install: btfgen $(RT_LIB) $(BUILD)/btfgen-runtime.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/btfgen \
		$(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 btfgen $(DESTDIR)$(BINDIR)/btfgen
	install -m 0644 $(RT_LIB) $(DESTDIR)$(LIBDIR)/libbtfgen-runtime.a
	install -m 0644 runtime/runtime.h $(DESTDIR)$(INCLUDEDIR)/btfgen/runtime.h
	install -m 0644 $(BUILD)/btfgen-runtime.pc $(DESTDIR)$(PKGCONFIGDIR)/btfgen-runtime.pc

install-strip: install
	strip $(DESTDIR)$(BINDIR)/btfgen
	strip --strip-debug $(DESTDIR)$(LIBDIR)/libbtfgen-runtime.a

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/btfgen $(DESTDIR)$(LIBDIR)/libbtfgen-runtime.a \
		$(DESTDIR)$(INCLUDEDIR)/btfgen/runtime.h $(DESTDIR)$(PKGCONFIGDIR)/btfgen-runtime.pc
	-rmdir $(DESTDIR)$(INCLUDEDIR)/btfgen 2>/dev/null

clean:
	rm -rf build build-asan build-musl build-tsan build-fuzz build-vg btfgen

distclean: clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
