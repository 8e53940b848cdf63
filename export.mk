# export.mk: the numbers beyond the terminal (server/export: the export
# file, the Prometheus endpoint in server/prom, Grafana annotations in
# server/grafana) and their tests.
libserver_a_SOURCES += \
	server/export.c server/export.h \
	server/prom.c server/prom.h \
	server/grafana.c server/grafana.h

TESTS += \
	tests/integration/test_export.sh \
	tests/integration/test_prometheus.sh \
	tests/integration/test_grafana.sh
EXTRA_DIST += tests/integration/grafana_listener.py

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_prom
TESTS += tests/unit/test_prom
tests_unit_test_prom_SOURCES = tests/unit/test_prom.c
tests_unit_test_prom_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_prom_LDADD = libserver.a libbackends.a libcore.a $(LIBUV_LIBS) $(CURL_LIBS) $(CJSON_LIBS) $(CMOCKA_LIBS) -lm -lpthread
endif
