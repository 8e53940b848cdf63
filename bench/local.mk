# bench/: the live-tail benchmark. live_writer is built with the checks so it
# keeps compiling; bench/bench_live.sh runs it, `make check` never does.
# clockshift.c is an LD_PRELOAD library the script builds itself with $(CC)
# -shared (automake without libtool makes no shared objects).
check_PROGRAMS += bench/live_writer
bench_live_writer_SOURCES = bench/live_writer.c
EXTRA_DIST += bench/bench_live.sh bench/clockshift.c bench/local.mk
