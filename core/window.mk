# core/window.mk: the latency histogram and the per-second signal window.
libcore_a_SOURCES += core/hist.c core/hist.h core/window.c core/window.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_hist tests/unit/test_window
TESTS += tests/unit/test_hist tests/unit/test_window

tests_unit_test_hist_SOURCES = tests/unit/test_hist.c
tests_unit_test_hist_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hist_LDADD = libcore.a $(CMOCKA_LIBS)

tests_unit_test_window_SOURCES = tests/unit/test_window.c tests/unit/feed.h
tests_unit_test_window_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_window_LDADD = libcore.a $(CMOCKA_LIBS)
endif

# Memory and speed check for the window: built with the checks so it keeps
# compiling, never run by `make check`; `make bench-window` runs it.
check_PROGRAMS += bench/bench_window
bench_bench_window_SOURCES = bench/bench_window.c tests/unit/feed.h
bench_bench_window_LDADD = libcore.a

bench-window: bench/bench_window$(EXEEXT)
	./bench/bench_window$(EXEEXT)
.PHONY: bench-window
