# core/logparse.mk: the access-log parser, `cutover stats`, their tests, the
# parser's fuzz target and the stats benchmark.
libcore_a_SOURCES += core/logparse.c core/logparse.h
# cli/local.mk appends these to libcli_a_SOURCES: it sets that variable with
# '=' after this file is included, and automake refuses '+=' before '='.
CMD_STATS_FILES = cli/cmd_stats.c cli/cmd_stats.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_logparse
TESTS += tests/unit/test_logparse
tests_unit_test_logparse_SOURCES = tests/unit/test_logparse.c
tests_unit_test_logparse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_logparse_LDADD = libcore.a $(CMOCKA_LIBS)
endif

# gen_log writes a realistic log by seed: test_stats.sh needs it, so it is
# built with the checks; the benchmark itself never runs in `make check`.
check_PROGRAMS += bench/gen_log
bench_gen_log_SOURCES = bench/gen_log.c
TESTS += tests/integration/test_stats.sh
EXTRA_DIST += bench/bench_stats.sh bench/README.md \
	tests/fuzz/fuzz_logparse.c tests/fuzz/README.md

# `make fuzz`: the libFuzzer target (clang only; see tests/fuzz/README.md).
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz_logparse$(EXEEXT): $(top_srcdir)/tests/fuzz/fuzz_logparse.c \
		$(top_srcdir)/core/logparse.c $(top_srcdir)/core/logparse.h
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz: $(FUZZ_CC) not found (apt-get install clang)"; exit 1; }
	$(FUZZ_CC) -std=c11 $(FUZZ_FLAGS) -I$(top_srcdir) -o $@ \
		$(top_srcdir)/tests/fuzz/fuzz_logparse.c $(top_srcdir)/core/logparse.c
fuzz: fuzz_logparse$(EXEEXT)
.PHONY: fuzz
CLEANFILES += fuzz_logparse$(EXEEXT)
