# sim: cutover-sim, the simulated gateway, load generator and control client (self-contained:
# libuv, libcurl and cJSON only, nothing from core/ or backends/).
bin_PROGRAMS += cutover-sim
cutover_sim_SOURCES = \
	sim/main.c sim/sim.c sim/sim.h \
	sim/opt.c sim/opt.h \
	sim/serve.c sim/serve.h \
	sim/gateway.c sim/gateway.h \
	sim/chat.c sim/chat.h \
	sim/httpd.c sim/httpd.h \
	sim/httpparse.c sim/httpparse.h \
	sim/hostport.c sim/hostport.h \
	sim/tunables.c sim/tunables.h \
	sim/rng.c sim/rng.h \
	sim/simlog.c sim/simlog.h \
	sim/oclog.c sim/oclog.h \
	sim/loadgen.c sim/loadgen.h \
	sim/loadstats.c sim/loadstats.h \
	sim/loadsse.c sim/loadsse.h \
	sim/ctl.c sim/ctl.h
cutover_sim_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS)
cutover_sim_LDADD = $(LIBUV_LIBS) $(CURL_LIBS) $(CJSON_LIBS) -lm

TESTS += tests/integration/test_sim.sh
EXTRA_DIST += tests/integration/test_sim.sh
