# backends/sockets.mk: connection counts per color port and listening
# addresses. The parsers are pure (core), so their table tests need no sockets.
libcore_a_SOURCES += \
	core/procnet.c core/procnet.h \
	core/lsofparse.c core/lsofparse.h

libbackends_a_SOURCES += \
	backends/sockets.c backends/sockets.h \
	backends/sockets_lsof.c
# /proc/net/tcp exists only on Linux; sockets.c picks it under __linux__.
if PLATFORM_LINUX
libbackends_a_SOURCES += backends/sockets_procnet.c
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_sockets
TESTS += tests/unit/test_sockets
tests_unit_test_sockets_SOURCES = tests/unit/test_sockets.c
tests_unit_test_sockets_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sockets_LDADD = libbackends.a libcore.a $(LIBUV_LIBS) $(CMOCKA_LIBS)
endif
