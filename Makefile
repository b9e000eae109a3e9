# berth: one plain Makefile.  Libraries come from pkg-config.
#
#   make            build the library, the programs and the tests
#   make run        a single node in the foreground (see README.md)
#   make start/stop the same node in the background
#   make test       every test; the last line is "N passed, N failed"
#   make sanitize   ASan+UBSan build running the unit and FastCGI tests
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

all: $(LIB) $(PROGS) $(UNIT) $(TESTBIN)

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

$(BUILD) $(BUILD)/lib $(BUILD)/tests:
	mkdir -p $@

# Everything below needs the Debian packages; deps installs them when
# run as root and they are missing.
deps:
	@deploy/install-deps

test: deps all
	BUILD=$(BUILD) tests/run all

sanitize: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer \
	    -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	    HARDEN= LDFLAGS="-fsanitize=address,undefined" all
	BUILD=build-san tests/run unit fcgi

run: deps all
	deploy/node run

start: deps all
	deploy/node start

stop:
	deploy/node stop

clean:
	rm -rf build build-san

.PHONY: all deps test sanitize run start stop clean
