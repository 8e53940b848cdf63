# bench/: benchmark programs and scripts, built with the checks so they keep
# compiling; `make check` never runs a benchmark (bench/README.md).
# gen_log writes a realistic log by seed; test_stats.sh needs it too.
check_PROGRAMS += bench/gen_log bench/live_writer bench/bench_window bench/bench_decisions
bench_gen_log_SOURCES = bench/gen_log.c
# live_writer feeds bench/bench_live.sh. clockshift.c is an LD_PRELOAD
# library the script builds itself with $(CC) -shared (automake without
# libtool makes no shared objects).
bench_live_writer_SOURCES = bench/live_writer.c
# The window's memory and speed: `make bench-window` runs it.
bench_bench_window_SOURCES = bench/bench_window.c tests/unit/feed.h
bench_bench_window_LDADD = libcore.a

# The TTFT verdict's error rates on simulated probe streams: `make
# bench-decisions` runs it (minutes: thousands of trials per case).
bench_bench_decisions_SOURCES = bench/bench_decisions.c
bench_bench_decisions_LDADD = libcore.a -lm

bench-decisions: bench/bench_decisions$(EXEEXT)
	./bench/bench_decisions$(EXEEXT)
.PHONY: bench-decisions

bench-window: bench/bench_window$(EXEEXT)
	./bench/bench_window$(EXEEXT)
.PHONY: bench-window
EXTRA_DIST += bench/bench_live.sh bench/bench_stats.sh bench/clockshift.c \
	bench/README.md bench/local.mk
