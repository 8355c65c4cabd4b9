# modelfacts: `make` builds bin/modelfactsd and bin/modelfacts, `make run`
# serves the registry on its embedded PostgreSQL, `make test` runs every test.
# Sources are found by folder, so adding a module needs no edit here.

.DEFAULT_GOAL := all
SHELL := /bin/sh

PORT ?= 8080
VARIANT ?= release
B := build/$(VARIANT)

PKGS := libpq libmicrohttpd openssl jansson libgit2 zlib libpcre2-8 libcmark \
	yaml-0.1 libcurl

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
WERROR ?=
CC ?= cc
CFLAGS_release := -O2 -g
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
LDFLAGS_asan := -fsanitize=address,undefined
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) $(WERROR) $(CFLAGS_$(VARIANT)) \
	-I. -I$(B)/gen -MMD -MP $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
ALL_LDLIBS = $(LDFLAGS_$(VARIANT)) $(shell pkg-config --libs $(PKGS)) \
	-lpthread $(LDFLAGS) $(LDLIBS)

# Pure modules (no I/O libraries) go into libmf.a, which the server, the
# CLI and the unit tests link; server/ is the only place that does I/O.
LIB_DIRS := common envelope validators scoring log labels importers
LIB_SRC := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
CLI_SRC := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
EMBED_FILES := $(sort $(wildcard migrations/*.sql schema/*.json \
	schema/*/*.json web/static/*))

LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/embedded.o
SERVER_OBJ := $(SERVER_SRC:%.c=$(B)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all deps test-deps run test unit-tests format format-check clean \
	distclean fuzz bench

all: deps bin/modelfactsd bin/modelfacts

deps:
	@scripts/deps.sh build
test-deps:
	@scripts/deps.sh test

$(B)/libmf.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^
$(B)/libmfserver.a: $(SERVER_OBJ)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^

# bin/ always holds the release build; other variants stay under build/.
$(B)/modelfactsd: $(B)/obj/server/main.o $(B)/libmfserver.a $(B)/libmf.a
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(ALL_LDLIBS)
$(B)/modelfacts: $(CLI_OBJ) $(B)/libmfserver.a $(B)/libmf.a
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(ALL_LDLIBS)
bin/%: build/release/%
	@mkdir -p bin
	@cp $< $@.tmp && mv -f $@.tmp $@

# Objects depend on the flags they were built with, so `make test`
# (-Werror) really recompiles what a plain `make` built.
$(B)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS)' > $@
FORCE:

$(B)/obj/%.o: %.c $(B)/flags
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/obj/gen/embedded.o: $(B)/gen/embedded.c $(B)/flags
	@mkdir -p $(@D)
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Migrations, schemas and web assets are compiled into the binaries, so a
# binary always knows exactly which migrations and schemas it was built with.
$(B)/embed-list: FORCE
	@mkdir -p $(@D)
	@echo '$(EMBED_FILES)' | cmp -s - $@ || echo '$(EMBED_FILES)' > $@
$(B)/gen/embedded.c: $(B)/tools/embed $(EMBED_FILES) $(B)/embed-list
	@mkdir -p $(@D)
	@echo "  EMBED   $(words $(EMBED_FILES)) files"
	@$(B)/tools/embed $(EMBED_FILES) > $@.tmp && mv $@.tmp $@
$(B)/tools/embed: scripts/embed.c
	@mkdir -p $(@D)
	@$(CC) -std=c11 -O1 -Wall -o $@ $<

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/libmfserver.a $(B)/libmf.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ $(ALL_LDLIBS) -lcmocka

unit-tests: $(UNIT_BIN)

run: all
	@PORT=$(PORT) scripts/run.sh

test: test-deps
	@$(MAKE) --no-print-directory WERROR=-Werror all unit-tests
	@$(MAKE) --no-print-directory WERROR=-Werror VARIANT=asan unit-tests
	@scripts/test.sh

format:
	clang-format -i $(LIB_SRC) $(SERVER_SRC) server/main.c $(CLI_SRC) \
		$(UNIT_SRC) $(wildcard */*.h)
format-check:
	clang-format --dry-run --Werror $(LIB_SRC) $(SERVER_SRC) \
		server/main.c $(CLI_SRC) $(UNIT_SRC) $(wildcard */*.h)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- JSON Schema validator (validators/jsonschema*): libm, fuzzing ----
# multipleOf and integer checks use fmod/floor from libm.
ALL_LDLIBS += -lm
# `make fuzz` builds the libFuzzer target; `make fuzz-run FUZZ_SECONDS=60`
# runs it on a corpus seeded at run time from tests/fuzz/corpus/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.
FUZZ_DEPS := common/buf.c common/error.c common/json.c common/json_parse.c \
	common/timeutil.c \
	$(wildcard validators/jsonschema*.c)

fuzz: build/fuzz/fuzz_jsonschema
build/fuzz/fuzz_jsonschema: tests/fuzz/fuzz_jsonschema.c $(FUZZ_DEPS) \
		$(wildcard validators/*.h common/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_jsonschema.c \
		$(FUZZ_DEPS) $(shell pkg-config --cflags --libs jansson \
		libpcre2-8) -lpthread -lm
fuzz-run: build/fuzz/fuzz_jsonschema
	rm -rf build/fuzz/corpus && mkdir -p build/fuzz/corpus
	tests/fuzz/make_corpus.sh tests/fuzz/corpus build/fuzz/corpus
	build/fuzz/fuzz_jsonschema -max_total_time=$(FUZZ_SECONDS) \
		-max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=build/fuzz/ build/fuzz/corpus
.PHONY: fuzz-run
