# berth: one plain Makefile.  Libraries come from pkg-config.
#
#   make            build the library, the programs and the tests
#   make run        a single node in the foreground (see README.md)
#   make start/stop the same node in the background
#   make test       every test; the last line is "N passed, N failed"
#   make sanitize   ASan+UBSan build running every suite once more, with
#                   debug logs everywhere: fails on any sanitizer report
#                   and on any secret in a log (build-san/gate/)
#
# BUILD selects the output directory so that the sanitizer build lives
# beside the normal one without a clean in between.

BUILD	?= build
CC	?= cc
PKGS	 = fcgi libcrypto libpq jansson libxcrypt

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wwrite-strings -Wformat=2 -Wimplicit-fallthrough \
	   -Wvla -Wno-unused-parameter
ifeq ($(CI),true)
WARN	+= -Werror
endif
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) -Ilib
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
LDLIBS	+= $(PKG_LIBS) -lm

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
LIB	 = $(BUILD)/libberth.a

PROGS	 = $(patsubst cgi-bin/%.c,$(BUILD)/berth-%,$(wildcard cgi-bin/*.c)) \
	   $(patsubst tools/%.c,$(BUILD)/%,$(wildcard tools/*.c))
UNIT	 = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
TESTBIN	 = $(patsubst tests/fcgi/%.c,$(BUILD)/tests/%,$(wildcard tests/fcgi/*.c))
SHIMS	 = $(patsubst tests/fault/%.c,$(BUILD)/tests/%.so,$(wildcard tests/fault/*.c))

all: lint $(LIB) $(PROGS) $(UNIT) $(TESTBIN) $(SHIMS)

# Secrets are compared only through lib/ct.c (tests/lint/ct-compare); the
# fixture proves the check still catches what it must.
lint:
	@tests/lint/ct-compare
	@want=$$(grep -n 'LINT:' tests/lint/ct-bad.c | cut -d: -f1 | tr '\n' ' '); \
	got=$$(tests/lint/ct-compare tests/lint/ct-bad.c | cut -d: -f2 | tr '\n' ' '); \
	[ "$$want" = "$$got" ] || { echo "lint: ct-compare self-test:" \
	    "want lines $$want, got $$got" >&2; exit 1; }

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(BUILD)/lib
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/berth-%: cgi-bin/%.c $(LIB) | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/%: tools/%.c $(LIB) | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/t.h $(LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/fcgi/%.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# LD_PRELOAD shims (tests/fault): plain -O2, never the sanitizers of
# OPT, which must come first in the process and cannot be preloaded.
$(BUILD)/tests/%.so: tests/fault/%.c | $(BUILD)/tests
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC -shared \
	    $(PKG_CFLAGS) -o $@ $< -ldl

$(BUILD) $(BUILD)/lib $(BUILD)/tests:
	mkdir -p $@

# Everything below needs the Debian packages; deps installs them when
# run as root and they are missing.
deps:
	@deploy/install-deps

test: deps all
	BUILD=$(BUILD) tests/run all

# The gate runs the e2e suite once, through nginx: make test runs it
# through Apache too, and tests/int/apache.sh leaves Apache's logs here.
sanitize: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	    HARDEN= LDFLAGS="-fsanitize=address,undefined" all
	rm -rf build-san/gate
	BUILD=build-san BERTH_SAN_REPORTS=build-san/gate/sanitizer \
	    BERTH_KEEP_LOGS=build-san/gate/logs BERTH_E2E_WEB=nginx \
	    tests/run unit fcgi int e2e

run: deps all
	deploy/node run

start: deps all
	deploy/node start

stop:
	deploy/node stop

clean:
	rm -rf build build-san build-fuzz

.PHONY: all lint deps test sanitize run start stop clean

# libFuzzer targets for every parser of untrusted bytes (tests/fuzz);
# each runs FUZZ_SECONDS from its seed corpus and fails on a crash.
FUZZ_SECONDS	?= 30
FUZZ_TARGETS	 = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS	 = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
		   -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -Ilib
FUZZ_LIBSRC	 = $(filter-out lib/app.c,$(LIB_SRC))

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(wildcard lib/*.h)
	mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIBSRC) $(PKG_LIBS) -lm

# One rule per target, so that `make -j2 fuzz` runs two at a time: each
# still gets its FUZZ_SECONDS of one core.
fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: build-fuzz/fuzz_% | deps
	@mkdir -p build-fuzz/corpus-$*
	@echo "fuzz: $* for $(FUZZ_SECONDS) s"
	@build-fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=8192 -print_final_stats=0 \
	    build-fuzz/corpus-$* tests/fuzz/corpus/$* \
	    >build-fuzz/$*.log 2>&1 || { tail -n 40 build-fuzz/$*.log; \
	    echo "fuzz: $* FAILED (log in build-fuzz/$*.log)"; exit 1; }
	@echo "fuzz: $* $$(grep -E '^#[0-9]+.*DONE' build-fuzz/$*.log | tail -n 1)"

.PHONY: fuzz $(FUZZ_TARGETS:%=fuzz-run-%)

# make bench: berth against the ceiling of its own stack (bench/run,
# BENCHMARKS.md).  Not part of make test: no benchmark figure is ever
# asserted.
$(BUILD)/bench/ceiling: bench/ceiling.c $(LIB) | $(BUILD)
	mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/hashrate: bench/hashrate.c $(LIB) | $(BUILD)
	mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: deps all $(BUILD)/bench/ceiling $(BUILD)/bench/hashrate
	@BERTH_EXTRA_PKGS=wrk deploy/install-deps
	BUILD=$(BUILD) bench/run

.PHONY: bench

# make install [DESTDIR=staging] [PREFIX=/usr]: programs, berthctl,
# migrations and migrate, the sample configuration (never over an
# existing one), web server and registry examples, systemd units and the
# spawn-fcgi script.  tests/int/install.sh checks the layout.
PREFIX		?= /usr
SYSCONFDIR	?= /etc
LIBEXECDIR	?= $(PREFIX)/lib/berth
SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share/berth
UNITDIR		?= /lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
SUBST		 = sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
		       -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(DATADIR)/sql $(DESTDIR)$(DATADIR)/nginx \
	    $(DESTDIR)$(DATADIR)/apache $(DESTDIR)$(DATADIR)/registry \
	    $(DESTDIR)$(SYSCONFDIR)/berth $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(PREFIX)/share/doc/berth
	install -m 0755 $(filter $(BUILD)/berth-%,$(PROGS)) $(DESTDIR)$(LIBEXECDIR)/
	install -m 0755 $(BUILD)/berthctl $(DESTDIR)$(SBINDIR)/berthctl
	install -m 0755 deploy/migrate $(DESTDIR)$(SBINDIR)/berth-migrate
	install -m 0644 sql/*.sql $(DESTDIR)$(DATADIR)/sql/
	install -m 0644 deploy/nginx/berth-locations.conf \
	    deploy/nginx/berth-site.conf $(DESTDIR)$(DATADIR)/nginx/
	install -m 0644 deploy/apache/berth-locations.conf \
	    deploy/apache/berth-site.conf $(DESTDIR)$(DATADIR)/apache/
	install -m 0644 deploy/registry/config.yml $(DESTDIR)$(DATADIR)/registry/
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/berth/
	test -e $(DESTDIR)$(SYSCONFDIR)/berth/berth.conf || \
	    install -m 0640 deploy/berth.conf.sample \
	    $(DESTDIR)$(SYSCONFDIR)/berth/berth.conf
	install -m 0644 deploy/berth.conf.sample $(DESTDIR)$(DATADIR)/berth.conf.sample
	for f in deploy/systemd/*.socket deploy/systemd/*.service; do \
		$(SUBST) $$f >$(DESTDIR)$(UNITDIR)/$$(basename $$f) && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$f) || exit 1; \
	done
	install -m 0644 deploy/systemd/berth.sysusers $(DESTDIR)$(SYSUSERSDIR)/berth.conf
	$(SUBST) deploy/systemd/berth-spawn-fcgi >$(DESTDIR)$(SBINDIR)/berth-spawn-fcgi
	chmod 0755 $(DESTDIR)$(SBINDIR)/berth-spawn-fcgi

.PHONY: install
