# SPDX-License-Identifier: GPL-3.0-or-later
# mailtls-plugins: one GNU Makefile. `make` builds the plugins, `make check`
# installs what is missing (as root), builds and runs every test, `make demo`
# runs the plugins against the loopback lab's demo domain.

PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/lib/nagios/plugins
MANDIR ?= $(PREFIX)/share/man
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
DESTDIR ?=

VERSION := 0.1.0
B ?= build

PKGS := gnutls libunbound libcurl
# check_tlsrpt_reports alone reads JSON, gzip and MIME: jansson, zlib and
# GMime 3 are linked into it (and its tests and fuzzers) only, so the
# other plugins' peak RSS and load time stay as they are (bench/README.md).
REPORT_PKGS := jansson zlib gmime-3.0
CC ?= cc
WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS ?= -O2 -g
SAN ?=
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DMAILTLS_VERSION='"$(VERSION)"' \
	$(WARN) $(CFLAGS) $(SAN) -Icommon \
	$(shell pkg-config --cflags $(PKGS) $(REPORT_PKGS) 2>/dev/null)
# libcurl: headers only; common/https.c loads it with dlopen() at the first
# fetch, so runs that fetch nothing do not load its twenty-odd libraries.
LDLIBS_ALL = $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) \
	2>/dev/null) -lpthread -lm
ALL_LDFLAGS = $(LDFLAGS) $(SAN)
REPORT_LIBS = $(shell pkg-config --libs $(REPORT_PKGS) 2>/dev/null)
# mailtls_exporter alone serves HTTP (libmicrohttpd) and reads YAML
# (libyaml): linked into it and its unit tests only, never into a plugin.
EXPORTER_PKGS := libmicrohttpd yaml-0.1
EXPORTER_CFLAGS = $(shell pkg-config --cflags $(EXPORTER_PKGS) 2>/dev/null) \
	-Iexporter
EXPORTER_LIBS = $(shell pkg-config --libs $(EXPORTER_PKGS) 2>/dev/null) \
	-lpthread -lm
# Set per target below: the report plugin, its tests (test_rpt_*) and its
# fuzzers (fuzz_rpt_*).
EXTRA_LIBS =

COMMON_SRC := $(sort $(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/%.o)
LIB := $(B)/libmailtls.a

PLUGIN_SRC := $(sort $(wildcard plugins/check_*.c))
PLUGINS := $(PLUGIN_SRC:%.c=$(B)/%)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS := $(UNIT_SRC:%.c=$(B)/%)
# The exporter's unit tests link its modules, not the plugins' libraries.
EXP_UNITS := $(filter $(B)/tests/unit/test_exporter_%,$(UNITS))
CORE_UNITS := $(filter-out $(EXP_UNITS),$(UNITS))

# mailtls_exporter (exporter/): its modules, then main().
EXP_SRC := $(sort $(filter-out exporter/mailtls_exporter.c,\
	$(wildcard exporter/*.c)))
EXP_OBJ := $(EXP_SRC:%.c=$(B)/%.o)
EXPORTER := $(B)/exporter/mailtls_exporter

# Test drivers of common/ modules that integration cases run (not installed).
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOLS := $(TOOL_SRC:%.c=$(B)/%)

.PHONY: all all-tests deps check unit integration demo sanitize sanitize-build \
	install clean \
	fuzzers fuzz bench bench-reports
all: $(PLUGINS) $(EXPORTER)

deps:
	@sh scripts/deps.sh

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/plugins/%: $(B)/plugins/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(EXTRA_LIBS) $(LDLIBS_ALL)

$(B)/exporter/%.o: ALL_CFLAGS += $(EXPORTER_CFLAGS)
$(B)/tests/unit/test_exporter_%.o: ALL_CFLAGS += $(EXPORTER_CFLAGS)

$(EXPORTER): $(B)/exporter/mailtls_exporter.o $(EXP_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(EXP_OBJ) $(LIB) $(EXPORTER_LIBS)

$(B)/plugins/check_tlsrpt_reports: EXTRA_LIBS = $(REPORT_LIBS)
$(filter $(B)/tests/unit/test_rpt_%,$(UNITS)): EXTRA_LIBS = $(REPORT_LIBS)

$(B)/tests/tools/%: $(B)/tests/tools/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)

$(EXP_UNITS): $(B)/tests/unit/%: $(B)/tests/unit/%.o $(EXP_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(EXP_OBJ) $(LIB) $(EXPORTER_LIBS) \
		-lcmocka

$(CORE_UNITS): $(B)/tests/unit/%: $(B)/tests/unit/%.o $(B)/tests/unit/corpus.o \
		$(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/tests/unit/corpus.o $(LIB) \
		$(EXTRA_LIBS) $(LDLIBS_ALL) -lcmocka

# Unit tests, then the loopback lab and the integration cases; one total.
check: deps
	@$(MAKE) --no-print-directory all-tests fuzzers sanitize-build
	@B=$(B) sh tests/run.sh

all-tests: $(PLUGINS) $(EXPORTER) $(UNITS) $(TOOLS)

unit: all-tests
	@B=$(B) SUITES=unit sh tests/run.sh

integration: all-tests
	@B=$(B) SUITES=integration sh tests/run.sh

# The unit, meta and integration suites under AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer (make check runs them too).
sanitize-build:
	@$(MAKE) --no-print-directory B=build-san CFLAGS='-O1 -g' \
		SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		all-tests

sanitize: deps sanitize-build
	@B=build-san ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		SUITES="unit meta integration" sh tests/run.sh

# libFuzzer harnesses (fuzz/fuzz_*.c), built with clang, ASan and UBSan
# into build-fuzz/. `make fuzz` runs each for FUZZ_SECONDS (default 300);
# `make check` runs each for FUZZ_CHECK_SECONDS, default 20 (tests/run.sh).
FZ := build-fuzz
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZERS := $(FUZZ_SRC:fuzz/%.c=$(FZ)/%)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_SECONDS ?= 300

fuzzers:
	@$(MAKE) --no-print-directory B=$(FZ) CC=clang CFLAGS='-O1 -g' \
		SAN='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' $(FZ)/libmailtls.a
	@$(MAKE) --no-print-directory $(FUZZERS)

$(FZ)/fuzz_%: fuzz/fuzz_%.c $(FZ)/libmailtls.a
	clang -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g $(FUZZ_SAN) \
		-fsanitize=fuzzer -Icommon \
		$(shell pkg-config --cflags $(PKGS) $(REPORT_PKGS) 2>/dev/null) \
		-o $@ $< $(FZ)/libmailtls.a $(EXTRA_LIBS) $(LDLIBS_ALL)

$(FZ)/fuzz_rpt_%: EXTRA_LIBS = $(REPORT_LIBS)

fuzz: deps fuzzers
	@sh tests/fuzz.sh $(FUZZ_SECONDS)

# Ours against the tools users would otherwise run, on the lab; writes
# docs/performance.md (bench/README.md).
bench: all
	@sh scripts/deps.sh bench
	@B=$(B) sh bench/bench.sh

# check_tlsrpt_reports on a Maildir of 10,000 reports; needs no lab.
bench-reports: all
	@python3 bench/reports.py $(B)/plugins

demo: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh tests/demo.sh

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PLUGINS) $(DESTDIR)$(LIBEXECDIR)/
	for p in $(PLUGINS); do n=$$(basename $$p); \
		install -m 644 docs/$$n.1 $(DESTDIR)$(MANDIR)/man1/$$n.1; done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/mailtls-plugins \
		$(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 755 $(EXPORTER) $(DESTDIR)$(BINDIR)/
	install -m 644 docs/mailtls_exporter.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 contrib/exporter/exporter.yml \
		$(DESTDIR)$(SYSCONFDIR)/mailtls-plugins/exporter.yml
	install -m 644 contrib/exporter/mailtls-exporter.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/mailtls-exporter.service

clean:
	rm -rf build build-san build-fuzz

-include $(COMMON_OBJ:.o=.d) $(PLUGINS:=.d) $(UNITS:=.d) $(TOOLS:=.d) \
	$(EXP_OBJ:.o=.d) $(EXPORTER).d \
	$(B)/tests/unit/corpus.d
