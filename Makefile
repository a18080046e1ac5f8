# SPDX-License-Identifier: GPL-2.0
#
# ebph: pH (process homeostasis) on eBPF.
#
#   make            build ebph and ebph_kern.o (says what is missing)
#   sudo make run   install missing packages, build, run ebph on profiles/
#   sudo make test  install missing packages, build, run every test
#   make inspect    sections, relocations and disassembly of ebph_kern.o
#   sudo make install   ebph in $(PREFIX)/sbin (PREFIX=/usr/local), its
#                   BPF object, ebph.service and ebph(8); DESTDIR= stages
#   make fuzz       build the libFuzzer targets and run each FUZZ_TIME
#                   seconds (default 60) over its corpus
#   sudo make test SANITIZE=1   the tests, ebph and its library built
#                   with ASan and UBSan
#   make V=1        show the commands
#
# KERNEL_DIR=path builds against a kernel tree's exported headers
# (the output of `make headers_install`, i.e. KERNEL_DIR/usr/include)
# instead of the system's /usr/include.

CC	?= cc
CLANG	?= clang
LLVM_OBJDUMP ?= llvm-objdump
LLVM_OBJCOPY ?= llvm-objcopy
READELF	?= readelf

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg := @printf '  %-7s %s\n'
endif

# Headers: the kernel tree's exported ones, or the system's.  clang
# -target bpf does not search the multiarch directory that holds asm/,
# so name it.
ifneq ($(KERNEL_DIR),)
UAPI_INC := -I$(KERNEL_DIR)/usr/include
else
UAPI_INC := -I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)
endif

CFLAGS	?= -O2 -g
CFLAGS	+= -Wall -Wextra -Wno-unused-parameter -std=gnu11 -I. \
	   $(if $(KERNEL_DIR),-I$(KERNEL_DIR)/usr/include)
LDLIBS	:= -lelf -pthread

# SANITIZE=1: every user-space object, ebph and the tests built with ASan
# and UBSan, and any finding fatal (-fno-sanitize-recover), so that
# `make test SANITIZE=1` fails on it.  .sanitize remembers what the
# objects in the tree were built with: switching either way rebuilds
# them, as .libdir does for LIBDIR.  The BPF objects are not affected.
ifeq ($(SANITIZE),1)
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
endif
CFLAGS	+= $(SAN_CFLAGS)

BPF_CFLAGS := -O2 -g -target bpf -Wall -Wno-unused-function -I. $(UAPI_INC)

# The loader and what it stands on, each file one job: bpf_load (ELF
# objects), bpf_sys (raw bpf(2)), bpf_dirs (mounts, private
# directories), btf_blob (kernel BTF), btf_obj (the object's own BTF),
# perf_reader (perf rings).
LOADER_SRCS := bpf_load.c btf_obj.c bpf_sys.c bpf_dirs.c btf_blob.c perf_reader.c
LOADER_HDRS := bpf_load.h btf_obj.h bpf_sys.h bpf_dirs.h btf_blob.h perf_reader.h
LIB_OBJS := $(LOADER_SRCS:.c=.o) profile_store.o syscall_names.o ebph_maps.o ebph_log.o ebph_origin.o \
	    sha256.o profile_portable.o
HDRS	 := ebph.h $(LOADER_HDRS) bpf_helpers.h profile_store.h syscall_names.h ebph_maps.h ebph_replay.h \
	   ebph_cmd.h ebph_state.h ebph_log.h ebph_origin.h ebph_run.h ebph_util.h ebph_notify.h \
	   sha256.h profile_portable.h ebph_seccomp.h
# `ebph run`: its life cycle (ebph_user.c) and the files of its steps.
RUN_OBJS := ebph_user.o ebph_print.o ebph_incident.o ebph_persist.o ebph_audit.o ebph_quota.o \
	    ebph_options.o ebph_notify.o ebph_metrics_file.o ebph_journal.o ebph_delay.o
# `ebph export` and `ebph import`: portable profiles, seccomp allow-lists.
EXPORT_OBJS := ebph_export.o ebph_seccomp.o

TEST_BINS := $(patsubst %.c,%,$(wildcard tests/test_*.c))
FIXTURES  := $(patsubst %.c,%.o,$(wildcard tests/fixture_*.c))
FUZZ_BINS := tests/fuzz_profile tests/fuzz_elf
TEST_DEPS := $(TEST_BINS) $(FIXTURES) tests/demo tests/replay_prog $(FUZZ_BINS)

# Debian packages the build and the tests need.
DEBIAN_PKGS := make gcc clang llvm libelf-dev
# ...and what only the tests use: tmux (ebph top in a real terminal),
# python3-prometheus-client (a parser of the Prometheus text format, to
# judge the metrics), man-db (man -l ebph.8), linux-headers-amd64 (a
# kernel headers tree to test KERNEL_DIR with) and systemd
# (systemd-analyze, to verify and score ebph.service).
ifneq ($(filter test,$(MAKECMDGOALS)),)
DEBIAN_PKGS += tmux python3-prometheus-client man-db linux-headers-amd64 systemd
endif
# ...python3 for the tests (a JSON parser to judge --json) and the
# evaluations' reports; strace, which finds evaluate-live's programs,
# and git, which its workload runs.
ifneq ($(filter test evaluate evaluate-live,$(MAKECMDGOALS)),)
DEBIAN_PKGS += python3
endif
ifneq ($(filter test evaluate-live,$(MAKECMDGOALS)),)
DEBIAN_PKGS += strace git
endif
# ...and clang's runtime for libFuzzer and the sanitizers, for the
# fuzz targets (which the tests run briefly): the one of the clang
# installed, or of Debian's default clang on a machine without one yet.
CLANG_MAJOR := $(shell $(CLANG) -dumpversion 2>/dev/null | cut -d. -f1)
ifneq ($(filter test fuzz,$(MAKECMDGOALS)),)
DEBIAN_PKGS += $(if $(CLANG_MAJOR),libclang-rt-$(CLANG_MAJOR)-dev,libclang-rt-dev)
endif

# Where `make install` puts things.  The binary looks for ebph_kern.o
# beside itself (the tree), then in LIBDIR, which it is built with.
PREFIX	?= /usr/local
SBINDIR	 = $(PREFIX)/sbin
LIBDIR	 = $(PREFIX)/lib/ebph
MAN8DIR	 = $(PREFIX)/share/man/man8
UNITDIR	?= $(PREFIX)/lib/systemd/system
# The config file's directory: /etc whatever PREFIX, as the binary reads
# EBPH_CONFIG_FILE (ebph_run.h) there; the tests stage it elsewhere.
CONFDIR	?= /etc/ebph

.DELETE_ON_ERROR:
.PHONY: all check-tools deps need-root run test bench inspect clean \
	install uninstall fuzz fuzz-seeds FORCE

all: check-tools ebph ebph_kern.o

# Say in words what is missing, before a compiler says it in riddles.
check-tools:
	@command -v $(CLANG) >/dev/null 2>&1 || { \
	  echo "ebph: '$(CLANG)' not found: install clang (sudo make deps)" >&2; exit 1; }
	@$(CLANG) -print-targets 2>/dev/null | grep -qw bpf || { \
	  echo "ebph: $(CLANG) cannot target bpf: install a clang built with the BPF backend" >&2; exit 1; }
	@printf '#include <libelf.h>\n#include <gelf.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 || { \
	  echo "ebph: libelf headers not found: install libelf-dev (sudo make deps)" >&2; exit 1; }

# Install what is missing, on Debian and its derivatives.
deps:
	@missing=""; for p in $(DEBIAN_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  command -v apt-get >/dev/null || { echo "ebph: please install:$$missing" >&2; exit 1; }; \
	  [ "$$(id -u)" = 0 ] || { echo "ebph: installing$$missing needs root: run with sudo" >&2; exit 1; }; \
	  echo "  APT    $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

ebph: $(RUN_OBJS) $(EXPORT_OBJS) ebph_replay.o ebph_cmd.o ebph_metrics.o ebph_top.o ebph_state.o ebph_util.o $(LIB_OBJS)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

%.o: %.c $(HDRS) .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# LIBDIR is compiled in, where ebph_kern.o is looked for (ebph_util.o)
# and in ebph -h (ebph_user.o): both are rebuilt when it changes (a
# `make install PREFIX=/usr` after a plain `make`).
ebph_user.o ebph_util.o: CFLAGS += -DEBPH_LIBDIR='"$(LIBDIR)"'
ebph_user.o ebph_util.o: .libdir
.libdir: FORCE
	@echo '$(LIBDIR)' | cmp -s - $@ 2>/dev/null || echo '$(LIBDIR)' >$@
.sanitize: FORCE
	@echo '$(SAN_CFLAGS)' | cmp -s - $@ 2>/dev/null || echo '$(SAN_CFLAGS)' >$@

ebph_kern.o: ebph_kern.c ebph.h bpf_helpers.h
	$(msg) CLANG $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

# The bench's yardsticks: one object per program, both from bench_kern.c.
bench_floor_kern.o: bench_kern.c bpf_helpers.h
	$(msg) CLANG $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -DBENCH_FLOOR -c -o $@ $<

bench_count_kern.o: bench_kern.c bpf_helpers.h
	$(msg) CLANG $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -DBENCH_COUNT -c -o $@ $<

ebph_bench: ebph_bench.o $(LIB_OBJS)
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tests/fixture_%.o: tests/fixture_%.c bpf_helpers.h
	$(msg) CLANG $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

# ebph_kern.o with a tasks map of 64 entries, which test_signals fills.
TEST_DEPS += tests/kern_tasks64.o
tests/kern_tasks64.o: ebph_kern.c ebph.h bpf_helpers.h
	$(msg) CLANG $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -DEBPH_MAX_TASKS=64 -c -o $@ $<

tests/test_%: tests/test_%.c tests/test.h $(LIB_OBJS) $(HDRS) .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The rules of the state changes, as the kernel, the commands and replay
# apply them: cmd_apply() and what it calls too.
tests/test_rules: tests/test_rules.c tests/test.h ebph_cmd.o ebph_metrics.o ebph_state.o ebph_util.o \
		  $(LIB_OBJS) $(HDRS) .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< ebph_cmd.o ebph_metrics.o ebph_state.o ebph_util.o $(LIB_OBJS) $(LDLIBS)

# A workload the tests trace, not code under test: never sanitized, so
# its system calls are the same in either build.
tests/demo: tests/demo.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $<

# Writes the config map behind ebph's back (test_audit.sh).
tests/config_poke: tests/config_poke.c $(LIB_OBJS) $(HDRS)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# Static and without libc: the same system calls on every run.
tests/replay_prog: tests/replay_prog.c
	$(msg) CC $@
	$(Q)$(CC) -O2 -static -nostdlib -fno-stack-protector -fno-pie -no-pie -o $@ $<

# Static and not PIE: its i386 call passes pointers below 4 GiB.
tests/i386_exec: tests/i386_exec.c
	$(msg) CC $@
	$(Q)$(CC) -O2 -static -fno-pie -no-pie -o $@ $<

# Helpers of the shell tests: test_crash.sh, test_stress.sh, test_i386.sh,
# test_audit.sh, test_unnamed.sh, test_io_uring.sh, test_frames.sh, test_incident.sh,
# test_export.sh, test_delay.sh, test_enforce.sh, test_evaluate_live.sh.
TEST_HELPERS := tests/killsave tests/threads tests/i386_exec tests/config_poke tests/memfd_exec tests/uring_nop \
		tests/sigstorm tests/lfc tests/export_prog tests/seccomp_run tests/slow tests/execve_try \
		tests/evaluate_live_jit
TEST_DEPS += $(TEST_HELPERS)

tests/killsave: tests/killsave.c ebph_state.o ebph_state.h bpf_dirs.o
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< ebph_state.o bpf_dirs.o $(LDLIBS)

# A workload, as the demo: never sanitized.
tests/lfc: tests/lfc.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $<

# A workload, as the demo: never sanitized.
tests/export_prog: tests/export_prog.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $<

# Installs the exported allow-list and execs a program: the names to
# numbers as ebph writes them (syscall_names.c).  Never sanitized: under
# its own filter a sanitizer's report file cannot be opened, which
# turns the refused exec it must report (126) into a sanitizer error.
tests/seccomp_run: tests/seccomp_run.c syscall_names.c syscall_names.h .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $< syscall_names.c

tests/slow: tests/slow.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $<

tests/execve_try: tests/execve_try.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $<

tests/memfd_exec: tests/memfd_exec.c
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $<

tests/evaluate_live_jit: tests/evaluate_live_jit.c
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $<

tests/uring_nop: tests/uring_nop.c
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $<

# A workload, as tests/demo: its calls the same in either build.
tests/sigstorm: tests/sigstorm.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $<

tests/threads: tests/threads.c .sanitize
	$(msg) CC $@
	$(Q)$(CC) $(filter-out $(SAN_CFLAGS),$(CFLAGS)) -o $@ $< -pthread

# ---- fuzzing ------------------------------------------------------------
#
# One libFuzzer target per parser of hostile bytes, each built by clang
# straight from the sources (with coverage, ASan and UBSan; the tree's
# objects are left alone): tests/fuzz_profile (profile_parse(), what
# profile_load() runs on a file's bytes) and tests/fuzz_elf (the loader
# up to map creation: bpf_load.c, its BTF parsing btf_obj.c and the
# files they call into, FUZZ_ELF_SRCS).  `make fuzz` runs each for FUZZ_TIME seconds, one
# after the other, from its committed seeds in tests/corpus_NAME/;
# what a run learns goes to tests/fuzz_NAME.out/ (not committed), a
# crashing input to tests/fuzz_NAME.out/crash-*, and the run fails.
# tests/test_fuzz.sh runs both briefly in `make test`.
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	       -Wall -Wextra -Wno-unused-parameter -std=gnu11 -I. \
	       $(if $(KERNEL_DIR),-I$(KERNEL_DIR)/usr/include)

tests/fuzz_profile: tests/fuzz_profile.c profile_store.c $(HDRS)
	$(msg) FUZZ $@
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< profile_store.c -pthread

FUZZ_ELF_SRCS := bpf_load.c btf_obj.c btf_blob.c bpf_sys.c bpf_dirs.c
tests/fuzz_elf: tests/fuzz_elf.c $(FUZZ_ELF_SRCS) $(HDRS)
	$(msg) FUZZ $@
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_ELF_SRCS) -lelf

fuzz: deps check-tools $(FUZZ_BINS)
	$(Q)for t in profile elf; do \
	  mkdir -p tests/fuzz_$$t.out/corpus && \
	  echo "  FUZZ    tests/fuzz_$$t, $(FUZZ_TIME) s" && \
	  tests/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz_$$t.out/ $(FUZZ_ARGS) \
	    tests/fuzz_$$t.out/corpus tests/corpus_$$t || exit 1; \
	done

# The seed corpora, rewritten: profiles profile_save() writes, and the
# BPF objects without the sections the loader never reads (debug info),
# most without their BTF too, which would only slow the fuzzer down;
# three small ones keep .BTF and .BTF.ext (NAME-btf), for the BTF
# parsing (btf_obj.c).  Inputs a run found stay.
FUZZ_SEED_OBJS := $(FIXTURES) ebph_kern.o
FUZZ_SEED_BTF := tests/fixture_good.o tests/fixture_subprog.o tests/fixture_map_types.o
tests/fuzz_seeds: tests/fuzz_seeds.c $(LIB_OBJS) $(HDRS)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

fuzz-seeds: tests/fuzz_seeds $(FUZZ_SEED_OBJS)
	$(Q)mkdir -p tests/corpus_profile tests/corpus_elf
	$(Q)tests/fuzz_seeds tests/corpus_profile
	$(Q)for o in $(FUZZ_SEED_OBJS); do \
	  n=$$(basename $$o .o); \
	  $(LLVM_OBJCOPY) --strip-debug --remove-section=.BTF --remove-section=.BTF.ext \
	    --remove-section=.rel.BTF --remove-section=.rel.BTF.ext $$o tests/corpus_elf/$$n || exit 1; \
	done
	$(Q)for o in $(FUZZ_SEED_BTF); do \
	  $(LLVM_OBJCOPY) --strip-debug $$o tests/corpus_elf/$$(basename $$o .o)-btf || exit 1; \
	done

need-root:
	@[ "$$(id -u)" = 0 ] || { echo "ebph: this loads BPF programs: run it as root (sudo make $(MAKECMDGOALS))" >&2; exit 1; }

# profiles/ must be root's and private, or ebph refuses it (docs/DESIGN.md, Profile files).
run: need-root deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)install -d -m 0700 -o root -g root profiles
	./ebph run --profile-dir profiles $(ARGS)

test: need-root deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_DEPS) ebph_bench bench_floor_kern.o bench_count_kern.o
ifeq ($(SANITIZE),1)
	$(Q)$(SAN_TEST)
else
	$(Q)tests/run
endif

# Under SANITIZE=1 every ASan and LSan report also goes to a file in a
# fresh directory (writable by the unprivileged user some tests run ebph
# as), and any file there fails the run: a finding in an ebph that a test
# runs in the background, or whose exit status it does not judge, is not
# lost.  gcc's UBSan ignores log_path when linked with ASan: its reports
# stay on stderr, are fatal (exit 1), and the output is searched for them.
# Leaks are checked: ebph, replay and the tests free what they allocate.
# EBPH_SANITIZE=1 tells a test what it runs (test_stress.sh does not
# judge ebph's peak memory against ASan's shadow).
SAN_TEST = d=$$(mktemp -d /tmp/ebph-sanitize.XXXXXX) && chmod 755 "$$d" && mkdir -m 1777 "$$d/logs" && \
	{ EBPH_SANITIZE=1 ASAN_OPTIONS="log_path=$$d/logs/asan:detect_leaks=1" \
	  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	  tests/run; echo $$? >"$$d/rc"; } 2>&1 | tee "$$d/out"; \
	rc=$$(cat "$$d/rc"); \
	if [ -n "$$(ls -A "$$d/logs")" ] || grep -q 'runtime error:' "$$d/out"; then \
	  echo "ebph: the sanitizers reported (SANITIZE=1):" >&2; \
	  cat "$$d"/logs/* >&2 2>/dev/null; grep -A3 'runtime error:' "$$d/out" >&2; rc=1; \
	fi; rm -rf "$$d"; exit $$rc

# Figures, not a test: prints a table (see docs/performance.md).  ARGS
# go to ebph_bench: e.g. ARGS="-r 1 -w getppid,pipe", the detectors side
# by side in a minute (ebph_bench -h).
bench: need-root deps
	$(Q)$(MAKE) --no-print-directory all ebph_bench bench_floor_kern.o bench_count_kern.o
	./ebph_bench $(ARGS)

# ebph's detection on ADFA-LD, docs/evaluation.md's tables: each detector in
# turn (a few seconds each), then STIDE as published beside them (an
# independent model, tests/evaluate_stide.py).  The data set: ../shared
# beside the checkout, or ADFA_DIR=path.  ARGS go to each replay (a --csv
# FILE would be overwritten: run ./ebph replay by hand for those).
ADFA_DIR ?= $(abspath $(CURDIR)/../shared/datasets/adfa-ld)
.PHONY: evaluate
evaluate: need-root deps
	$(Q)$(MAKE) --no-print-directory all
	./ebph replay --adfa $(ADFA_DIR) --detector pairs $(ARGS)
	@echo
	./ebph replay --adfa $(ADFA_DIR) --detector seqs $(ARGS)
	@echo
	./ebph replay --adfa $(ADFA_DIR) --detector both $(ARGS)
	@echo
	./ebph replay --adfa $(ADFA_DIR) --detector seqs7 $(ARGS)
	@echo
	python3 tests/evaluate_stide.py $(ADFA_DIR)

# ebph on a real machine, the live tables: a scripted workload trains
# each detector in turn, more of it with other inputs counts the false
# alarms, then six attack-like actions (a few minutes; a benchmark, not
# a test).  ARGS go to tests/evaluate_live.sh: e.g. ARGS=--quick, or
# ARGS="--detectors seqs --train 20 --wait 30s".
.PHONY: evaluate-live
evaluate-live: need-root deps
	$(Q)$(MAKE) --no-print-directory all tests/evaluate_live_jit
	sh tests/evaluate_live.sh $(ARGS)

# The unit names the binary by its path: /usr/local/sbin in the tree,
# SBINDIR once installed.
install: all
	$(msg) INSTALL '$(DESTDIR)$(PREFIX)'
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MAN8DIR) \
		$(DESTDIR)$(UNITDIR)
	$(Q)install -m 0755 ebph $(DESTDIR)$(SBINDIR)/ebph
	$(Q)install -m 0644 ebph_kern.o $(DESTDIR)$(LIBDIR)/ebph_kern.o
	$(Q)install -m 0644 ebph.8 $(DESTDIR)$(MAN8DIR)/ebph.8
	$(Q)sed 's|/usr/local/sbin/|$(SBINDIR)/|g' ebph.service >$(DESTDIR)$(UNITDIR)/ebph.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/ebph.service
	@# The example only where there is none: an admin's file stays.
	$(Q)install -d -m 0755 $(DESTDIR)$(CONFDIR)
	$(Q)[ -e $(DESTDIR)$(CONFDIR)/ebph.conf ] || \
		install -m 0644 ebph.conf $(DESTDIR)$(CONFDIR)/ebph.conf

# Profiles in /var/lib/ebph stay: they are what ebph learned.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ebph $(DESTDIR)$(LIBDIR)/ebph_kern.o \
		$(DESTDIR)$(MAN8DIR)/ebph.8 $(DESTDIR)$(UNITDIR)/ebph.service
	-rmdir $(DESTDIR)$(LIBDIR)
	@# The config file only as installed: an admin's changes stay.
	cmp -s ebph.conf $(DESTDIR)$(CONFDIR)/ebph.conf && rm -f $(DESTDIR)$(CONFDIR)/ebph.conf; \
		rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null; true

inspect: ebph_kern.o
	$(READELF) -S -s $<
	$(READELF) -r $<
	$(LLVM_OBJDUMP) -d -r -S --no-show-raw-insn $<

clean:
	rm -f ebph ebph_bench *.o tests/*.o $(TEST_BINS) tests/demo tests/replay_prog $(TEST_HELPERS) \
		.libdir .sanitize $(FUZZ_BINS) tests/fuzz_seeds
	rm -rf tests/fuzz_*.out
