# dagd - build, test, demo, bench, install.
# `make` builds build/dagd and build/dagd-job; `make test` installs missing
# Debian packages (as root), builds and runs every suite; `make san` does the
# same with ASan+UBSan. V=1 shows full commands.

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
PKGS      = libuv libmicrohttpd yaml-0.1 jansson libpq sqlite3
SANITIZER ?=

ifeq ($(V),1)
Q =
else
Q = @
endif

WARN      = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-missing-field-initializers
ifeq ($(SANITIZER),)
OPT       = -O2 -D_FORTIFY_SOURCE=2
else ifeq ($(SANITIZER),address)
OPT       = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
SANLDFLAGS = -fsanitize=address,undefined
else
$(error SANITIZER must be empty or 'address', not '$(SANITIZER)')
endif
ifneq ($(CI),)
WERROR    = -Werror
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE -g $(OPT) $(WARN) $(WERROR) -MMD -MP \
             -iquote daemon -iquote jobs $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANLDFLAGS) $(LDFLAGS)

# The daemon's modules, one per line (main.c is linked separately so tests
# and fuzzers can link the rest).
DAEMON_SRCS += daemon/util.c
DAEMON_SRCS += daemon/log.c
DAEMON_SRCS += daemon/duration.c
DAEMON_SRCS += daemon/tz.c
DAEMON_SRCS += daemon/cron.c
DAEMON_SRCS += daemon/template.c
DAEMON_SRCS += daemon/diag.c
DAEMON_SRCS += daemon/yaml_doc.c
DAEMON_SRCS += daemon/dag.c
DAEMON_SRCS += daemon/dag_parse.c
DAEMON_SRCS += daemon/dag_task.c
DAEMON_SRCS += daemon/dag_validate.c
DAEMON_SRCS += daemon/config.c
DAEMON_SRCS += daemon/cli.c
DAEMON_SRCS += daemon/cli_check.c
DAEMON_SRCS += daemon/cli_next.c
DAEMON_SRCS += daemon/cli_render.c
DAEMON_SRCS += daemon/render.c
DAEMON_SRCS += daemon/interval.c
DAEMON_SRCS += daemon/state.c
DAEMON_SRCS += daemon/trigger.c
DAEMON_SRCS += daemon/metrics.c
DAEMON_SRCS += daemon/timefmt.c
DAEMON_SRCS += daemon/store_sqlite.c
DAEMON_SRCS += daemon/store_sqlite_read.c
DAEMON_SRCS += daemon/store_sqlite_audit.c
DAEMON_SRCS += daemon/store_sqlite_grid.c
# The migrations sql/schema/*/*.sql, generated into C (daemon/schema.h);
# a source here so the fuzz rule compiles it too (object: $(BUILD)/$(BUILD)/gen/).
DAEMON_SRCS += $(BUILD)/gen/schema.c
DAEMON_SRCS += daemon/registry.c
DAEMON_SRCS += daemon/engine.c
DAEMON_SRCS += daemon/sched.c
DAEMON_SRCS += daemon/dispatch.c
DAEMON_SRCS += daemon/adopt.c
DAEMON_SRCS += daemon/clear.c
DAEMON_SRCS += daemon/backfill.c
DAEMON_SRCS += daemon/sensor.c
DAEMON_SRCS += daemon/dispatch_spec.c
DAEMON_SRCS += daemon/proc_info.c
DAEMON_SRCS += daemon/keeper_link.c
DAEMON_SRCS += daemon/serve.c
DAEMON_SRCS += daemon/cli_run.c
DAEMON_SRCS += daemon/cli_test.c
DAEMON_SRCS += daemon/http_client.c
DAEMON_SRCS += daemon/cli_client.c
DAEMON_SRCS += daemon/cli_client_logs.c
DAEMON_SRCS += daemon/cli_client_fmt.c
DAEMON_SRCS += daemon/router.c
DAEMON_SRCS += daemon/http.c
DAEMON_SRCS += daemon/http_reply.c
DAEMON_SRCS += daemon/http_etag.c
DAEMON_SRCS += daemon/api.c
DAEMON_SRCS += daemon/api_logs.c
DAEMON_SRCS += daemon/api_misc.c
DAEMON_SRCS += daemon/api_metrics.c
DAEMON_SRCS += daemon/api_openapi.c
DAEMON_SRCS += $(BUILD)/gen/openapi.c
DAEMON_SRCS += daemon/api_grid.c
DAEMON_SRCS += daemon/api_web.c
# The dashboard web/*, generated into C (daemon/web_assets.h), like schema.c.
DAEMON_SRCS += $(BUILD)/gen/web.c

# The worker, dagd-job: runs one task try (jobs/), links libc only, and
# statically (exec skips the dynamic loader; not with a sanitizer).
# jobs/result.c, the result record, is shared: it is in $(LIB) as well.
DAEMON_SRCS += jobs/result.c
DAEMON_SRCS += jobs/keeper_proto.c
JOBS_SRCS += jobs/job_main.c
JOBS_SRCS += jobs/job_proc.c
JOBS_SRCS += jobs/job_run.c
JOBS_SRCS += jobs/job_outputs.c
JOBS_SRCS += jobs/job_omap.c
JOBS_SRCS += jobs/job_json.c
JOBS_SRCS += jobs/job_util.c
JOBS_SRCS += jobs/job_keeper.c
JOBS_OBJS = $(JOBS_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/jobs/result.o $(BUILD)/jobs/keeper_proto.o
ifeq ($(SANITIZER),)
JOB_STATIC = -static
endif

# dagd-sql: the program a try of a data task (sql, load, file and sql
# sensors) runs, started by the keeper like a task command. It links
# libpq, jansson and zlib, so it is its own binary, apart from dagd-job.
SQL_PKGS  = libpq jansson zlib
SQL_SRCS += jobs/sql_main.c
SQL_SRCS += jobs/sql_spec.c
SQL_SRCS += jobs/sql_util.c
SQL_SRCS += jobs/sql_log.c
SQL_SRCS += jobs/sql_cancel.c
SQL_SRCS += jobs/sql_conn.c
SQL_SRCS += jobs/sql_split.c
SQL_SRCS += jobs/sql_exec.c
SQL_SRCS += jobs/sql_result.c
SQL_SRCS += jobs/sql_copy_out.c
SQL_SRCS += jobs/load.c
SQL_SRCS += jobs/load_table.c
SQL_SRCS += jobs/load_src.c
SQL_SRCS += jobs/load_copy.c
SQL_SRCS += jobs/load_csv.c
SQL_SRCS += jobs/load_text.c
SQL_SRCS += jobs/load_json.c
SQL_SRCS += jobs/load_jparse.c
SQL_SRCS += jobs/load_from.c
SQL_SRCS += jobs/sensor.c
SQL_OBJS  = $(SQL_SRCS:%.c=$(BUILD)/%.o)
SQL_PKG_CFLAGS := $(shell pkg-config --cflags $(SQL_PKGS) 2>/dev/null)
SQL_PKG_LIBS   := $(shell pkg-config --libs $(SQL_PKGS) 2>/dev/null)
$(SQL_OBJS): ALL_CFLAGS += $(SQL_PKG_CFLAGS)

DAEMON_OBJS = $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
LIB         = $(BUILD)/libdagd.a

UNIT_SRCS  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
FUZZ_SRCS  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all test unit integration fuzz fuzz-build san deps demo bench install clean

all: $(BUILD)/dagd $(BUILD)/dagd-job $(BUILD)/dagd-sql

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(DAEMON_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# Embedded store migrations: daemon/embed.sh needs only sh, od and awk.
SCHEMA_SQL = $(sort $(wildcard sql/schema/*/*.sql))
$(BUILD)/gen/schema.c: $(SCHEMA_SQL) daemon/embed.sh
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)sh daemon/embed.sh $@ $(SCHEMA_SQL)

# Embedded dashboard: web/ is flat; the folder itself is a prerequisite so
# that adding or removing a file regenerates the table.
WEB_FILES = $(sort $(wildcard web/*))
$(BUILD)/gen/web.c: $(WEB_FILES) web daemon/embed_web.sh
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)sh daemon/embed_web.sh $@ $(WEB_FILES)

$(BUILD)/dagd: $(BUILD)/daemon/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/dagd-job: $(JOBS_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(JOB_STATIC) -o $@ $^

$(BUILD)/dagd-sql: $(SQL_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SQL_PKG_LIBS)

# test_job runs the worker binary
$(BUILD)/tests/unit/test_job: $(BUILD)/dagd-job
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIB) \
		$(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka -lm

# libFuzzer harnesses: clang, ASan+UBSan, linked with the daemon sources
# compiled again for instrumentation.
FUZZ_CC     = clang
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
              -iquote daemon -iquote jobs $(PKG_CFLAGS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(DAEMON_SRCS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(DAEMON_SRCS) $(PKG_LIBS) -lm

# The OpenAPI document, embedded as a C string.
$(BUILD)/gen/openapi.c: daemon/openapi.json daemon/embed_text.sh
	@mkdir -p $(dir $@)
	$(Q)sh daemon/embed_text.sh $@ openapi_json daemon/openapi.json

unit: $(UNIT_BINS)
fuzz-build: $(FUZZ_BINS)

deps:
	@sh tests/tools/deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all unit fuzz-build
	$(Q)BUILD=$(BUILD) bash tests/run.sh

san: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-san SANITIZER=address all unit
	$(Q)BUILD=build-san SUITES="unit integration" bash tests/run.sh

demo: deps all
	$(Q)sh config/demo.sh

$(BUILD)/bench/spawn_ref: tests/bench/spawn_ref.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -o $@ $<

bench: deps all $(BUILD)/bench/spawn_ref
	$(Q)BUILD=$(BUILD) bash tests/bench/run.sh

# make install: the binaries in $(PREFIX)/bin; the unit (its paths rewritten
# to $(PREFIX)/bin) and the sysusers file under $(PREFIX)/lib, which systemd
# searches for /usr/local and /usr (set UNITDIR and SYSUSERSDIR for another
# PREFIX); /etc/dagd/dagd.yaml (where `dagd` looks under systemd) only when
# absent, never overwritten; the example DAGs with their SQL, laid out as in
# the repository, in $(PREFIX)/share/dagd/examples. As root without DESTDIR
# it also creates the dagd user (systemd-sysusers).
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SHAREDIR    ?= $(PREFIX)/share/dagd
install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/dagd $(DESTDIR)$(PREFIX)/bin/dagd
	install -m 755 $(BUILD)/dagd-job $(DESTDIR)$(PREFIX)/bin/dagd-job
	install -m 755 $(BUILD)/dagd-sql $(DESTDIR)$(PREFIX)/bin/dagd-sql
	@mkdir -p $(BUILD)/systemd
	sed 's|/usr/local/|$(PREFIX)/|g' systemd/dagd.service >$(BUILD)/systemd/dagd.service
	install -D -m 644 $(BUILD)/systemd/dagd.service $(DESTDIR)$(UNITDIR)/dagd.service
	install -D -m 644 systemd/dagd.sysusers $(DESTDIR)$(SYSUSERSDIR)/dagd.conf
	install -d -m 755 $(DESTDIR)/etc/dagd/dags
	test -e $(DESTDIR)/etc/dagd/dagd.yaml || \
		install -m 644 systemd/dagd.yaml $(DESTDIR)/etc/dagd/dagd.yaml
	install -D -m 644 systemd/dagd.yaml $(DESTDIR)$(SHAREDIR)/dagd.yaml
	install -D -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/dagd/README.md
	for f in $$(find config/dags sql/etl -type f | sort); do \
		install -D -m 644 $$f $(DESTDIR)$(SHAREDIR)/examples/$$f || exit 1; done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; \
	then systemd-sysusers $(SYSUSERSDIR)/dagd.conf; fi

clean:
	rm -rf build build-san

-include $(DAEMON_OBJS:.o=.d) $(BUILD)/daemon/main.d
-include $(JOBS_SRCS:%.c=$(BUILD)/%.d)
-include $(SQL_SRCS:%.c=$(BUILD)/%.d)
