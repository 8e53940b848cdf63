# backends/probe.mk: streaming TTFT probes. core/sse finds the first content
# of a chat stream (pure); backends/curluv drives libcurl's multi interface on
# the libuv loop; backends/probe sends one request per color per interval.
# Programs linking libbackends.a with the probe need $(CURL_LIBS), and
# libcore.a with $(CJSON_LIBS) for core/sse.
libcore_a_SOURCES += core/sse.c core/sse.h

libbackends_a_SOURCES += \
	backends/curluv.c backends/curluv.h \
	backends/probe.c backends/probe.h
libbackends_a_CFLAGS += $(CURL_CFLAGS)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_sse tests/unit/test_probe
TESTS += tests/unit/test_sse tests/unit/test_probe

tests_unit_test_sse_SOURCES = tests/unit/test_sse.c
tests_unit_test_sse_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sse_LDADD = libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS)

# The probe test drives the real cutover-sim, so it is built first.
tests_unit_test_probe_SOURCES = tests/unit/test_probe.c
tests_unit_test_probe_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_probe_LDADD = libbackends.a libcore.a $(LIBUV_LIBS) $(CURL_LIBS) \
	$(CJSON_LIBS) $(CMOCKA_LIBS)
tests_unit_test_probe_DEPENDENCIES = libbackends.a libcore.a cutover-sim$(EXEEXT)
endif
