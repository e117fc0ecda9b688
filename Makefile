# esprit — XDP dataplane for ESP Echo, RISAV and DSCP-aware SA selection.
#
#   make            build build/esprit, the BPF objects and the man pages
#                   (says which Debian packages are missing, installs none)
#   make deps       install the Debian packages everything needs (root)
#   make test       install what is missing, build, run every test suite
#   make demo       install what is missing, build, run the demo
#   make bench      install what is missing, build, print the benchmark tables
#   make install    binary, objects, man pages, completion, unit, config
#   make deb        the Debian package (build/deb/), checked with lintian
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS (default 60),
#                   then FUZZ_PACKETS mutated packets (default 10^7)
#   make vmlinux    regenerate vmlinux.h from the running kernel's BTF

BUILD ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
SCDOC ?= scdoc
PREFIX ?= /usr/local
DESTDIR ?=
V ?= 0

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps check-deps test demo bench install deb fuzz vmlinux \
	clean format _build _test _demo _bench _install _fuzz

all: check-deps
	$(Q)$(MAKE) --no-print-directory _build
test: deps
	$(Q)$(MAKE) --no-print-directory _test
demo: deps
	$(Q)$(MAKE) --no-print-directory _demo
bench: deps
	$(Q)$(MAKE) --no-print-directory _bench
install: check-deps
	$(Q)$(MAKE) --no-print-directory _install
deb: deps
	$(Q)scripts/deb.sh $(BUILD)/deb
fuzz: deps
	$(Q)FUZZ_PACKETS=$${FUZZ_PACKETS:-10000000} $(MAKE) --no-print-directory _fuzz

deps:
	$(Q)scripts/deps.sh
check-deps:
	$(Q)scripts/deps.sh --check

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# Lazily evaluated: only the inner make (after the check) expands these.
PKGS = libbpf libxdp jansson yaml-0.1 libmicrohttpd libsystemd libcrypto rtrlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lelf -lz -lm
CLANG_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

WARN := -Wall -Wextra -Werror
# The version lives in one place: the first line of debian/changelog.
VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version)

# CPPFLAGS, CFLAGS and LDFLAGS from the environment (dpkg-buildpackage's
# hardening flags) apply to user space, never to BPF.
USER_CFLAGS = -std=gnu11 -g -O2 $(WARN) -D_GNU_SOURCE -Iheaders -Iuser \
	-I$(BUILD) $(PKG_CFLAGS) -DESPRIT_VERSION='"$(VERSION)"' -MMD -MP \
	$(CPPFLAGS) $(CFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) $(WARN) \
	-Wno-unused-function -I. -Iheaders -Ibpf $(CLANG_SYS_INCLUDES) -MMD -MP

# BPF: one object per entry program; each depends on what it includes.
BPF_PROGS := $(patsubst bpf/%.bpf.c,%,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(BPF_PROGS:%=$(BUILD)/%.bpf.o)
SKELS := $(BPF_PROGS:%=$(BUILD)/%.skel.h)

# User space: the library everything links, and the commands.
LIB_SRCS := $(wildcard user/lib/*.c user/echo/*.c user/risav/*.c \
	user/daemon/*.c)
CMD_SRCS := $(filter-out user/cmd/main.c,$(wildcard user/cmd/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libesprit.a
CMD_LIB := $(BUILD)/libesprit-cmd.a

# Fuzzing: libFuzzer harnesses (tests/fuzz) on the library built again
# with clang, its coverage instrumentation and the sanitizers.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/fuzz/%.o)
FUZZ_LIB := $(BUILD)/fuzz/libesprit.a
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
# libmicrohttpd built the same way from Debian's source (scripts/fuzz_mhd.sh)
FUZZ_MHD := $(BUILD)/fuzz/mhd/libmicrohttpd.a

TEST_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/test/%.o)
TEST_CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/test/%.o)
TEST_LIB := $(BUILD)/test/libesprit.a
TEST_CMD_LIB := $(BUILD)/test/libesprit-cmd.a

TEST_SRCS := $(wildcard tests/unit/*.c tests/bpf/*.c tests/lib/*.c \
	tests/netns/*.c tests/*.c)
TEST_SRCS := $(filter-out %.bpf.c,$(TEST_SRCS))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/test/%.o)
TEST_BPF_PROGS := $(patsubst tests/bpf/%.bpf.c,%,$(wildcard tests/bpf/*.bpf.c))
TEST_SKELS := $(TEST_BPF_PROGS:%=$(BUILD)/test/%.skel.h)
TEST_BPF_OBJS := $(TEST_BPF_PROGS:%=$(BUILD)/test/%.bpf.o)

MAN_SRCS := $(wildcard docs/man/*.scd)
MANS := $(MAN_SRCS:docs/man/%.scd=$(BUILD)/man/%)

_build: $(BUILD)/esprit $(BPF_OBJS) $(MANS)

$(BUILD) $(BUILD)/test $(BUILD)/bench $(BUILD)/man:
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/test/%.bpf.o: tests/bpf/%.bpf.c | $(BUILD)/test
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/bpf -c $< -o $@

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibench -c $< -o $@

# A skeleton is rewritten only when it changes, so its includers are not
# recompiled for a BPF edit that leaves the object's interface as it was.
%.skel.h: %.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
$(CMD_LIB): $(CMD_OBJS)
$(TEST_LIB): $(TEST_LIB_OBJS)
$(TEST_CMD_LIB): $(TEST_CMD_OBJS)
$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
$(LIB) $(CMD_LIB) $(TEST_LIB) $(TEST_CMD_LIB) $(FUZZ_LIB):
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/user/cmd/main.o $(BUILD)/test/user/cmd/main.o: debian/changelog

$(BUILD)/esprit: $(BUILD)/user/cmd/main.o $(CMD_LIB) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Test build: the same library with sanitizers, plus the suites.
$(BUILD)/test/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/test/tests/%.o: tests/%.c | $(SKELS) $(TEST_SKELS)
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -Itests -Itests/lib -I$(BUILD)/test \
		-DESPRIT_SRC_DIR='"$(abspath .)"' -c $< -o $@

$(BUILD)/test/esprit: $(BUILD)/test/user/cmd/main.o $(TEST_CMD_LIB) $(TEST_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/test/esprit_tests: $(TEST_OBJS) $(TEST_CMD_LIB) $(TEST_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lcunit -lssl -lcrypto

$(BUILD)/fuzz/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(USER_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		-c $< -o $@

$(FUZZ_MHD): scripts/fuzz_mhd.sh
	$(call msg,MHD-FUZZ,$@)
	$(Q)scripts/fuzz_mhd.sh $(dir $@)

# the HTTP parser the metrics harness drives is instrumented too
$(BUILD)/fuzz/fuzz_metrics: $(FUZZ_MHD)
$(BUILD)/fuzz/fuzz_metrics: FUZZ_STATIC_LIBS = $(FUZZ_MHD)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	$(call msg,LINK-FUZZ,$@)
	$(Q)$(CLANG) $(USER_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ \
		$< $(FUZZ_LIB) $(FUZZ_STATIC_LIBS) $(PKG_LIBS)

_fuzz: $(FUZZ_BINS) $(BUILD)/test/esprit_tests
	$(Q)ESPRIT_BUILD=$(abspath $(BUILD)) scripts/fuzz.sh $(BUILD)/fuzz

TEST_BINS := $(BUILD)/esprit $(BUILD)/test/esprit $(BUILD)/test/esprit_tests \
	$(BPF_OBJS) $(TEST_BPF_OBJS) $(MANS) $(FUZZ_BINS)

_test: $(TEST_BINS)
	$(Q)ESPRIT_BUILD=$(abspath $(BUILD)) $(BUILD)/test/esprit_tests $(TESTS)

_demo: _build
	$(Q)ESPRIT_BUILD=$(abspath $(BUILD)) scripts/demo.sh

BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BPF_PROGS := $(patsubst bench/%.bpf.c,%,$(wildcard bench/*.bpf.c))
# esprit_xdp with the reply timestamp and ring buffer compiled out: the
# baseline of bench/ring_cost.c.
BENCH_BPF_PROGS += esprit_xdp_notelemetry
BENCH_SKELS := $(BENCH_BPF_PROGS:%=$(BUILD)/bench/%.skel.h)
BENCH_BPF_OBJS := $(BENCH_BPF_PROGS:%=$(BUILD)/bench/%.bpf.o)
BENCH_OBJS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/obj/%.o) \
	$(BUILD)/bench/obj/pkt.o
BENCH_CFLAGS = $(USER_CFLAGS) -Ibench -Itests/lib -I$(BUILD)/bench

$(BUILD)/bench/obj/%.o: bench/%.c | $(SKELS) $(BENCH_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(BUILD)/bench/esprit_xdp_notelemetry.bpf.o: bpf/esprit_xdp.bpf.c \
		| $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DESPRIT_NO_TELEMETRY -c $< -o $@

# The tests' packet builder, without sanitizers.
$(BUILD)/bench/obj/pkt.o: tests/lib/pkt.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(BUILD)/bench/esprit_bench: $(BENCH_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(PKG_LIBS) -lssl -lcrypto

_bench: _build $(BUILD)/bench/esprit_bench $(BENCH_BPF_OBJS)
	$(Q)ESPRIT_BUILD=$(abspath $(BUILD)) bench/run.sh

# Man pages: scdoc sources in docs/man, rendered into build/man.
$(BUILD)/man/%: docs/man/%.scd | $(BUILD)/man
	$(call msg,SCDOC,$@)
	$(Q)$(SCDOC) < $< > $@

SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib/esprit
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/esprit
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/esprit
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc

# The configuration is installed only where none exists: an operator's
# file is never overwritten (the example also goes to DOCDIR).
_install: _build
	install -D -m 0755 $(BUILD)/esprit $(DESTDIR)$(SBINDIR)/esprit
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(LIBDIR)/
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/esprit $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' etc/esprit.service.in \
		> $(DESTDIR)$(UNITDIR)/esprit.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/esprit.service
	install -m 0644 $(filter %.5,$(MANS)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MANS)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 etc/bash-completion/esprit $(DESTDIR)$(COMPLETIONDIR)/esprit
	install -m 0644 etc/esprit.yaml $(DESTDIR)$(DOCDIR)/esprit.yaml.example
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/grafana
	install -m 0644 etc/prometheus/esprit-rules.yml \
		$(DESTDIR)$(DATADIR)/prometheus/
	install -m 0644 etc/grafana/esprit-dashboard.json \
		etc/grafana/esprit-dashboards.yaml $(DESTDIR)$(DATADIR)/grafana/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/esprit/esprit.yaml ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/esprit/esprit.yaml"; \
	else \
		install -m 0644 etc/esprit.yaml \
			$(DESTDIR)$(SYSCONFDIR)/esprit/esprit.yaml; \
	fi

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

format:
	clang-format -i $$(git ls-files '*.[ch]' ':!vmlinux.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
