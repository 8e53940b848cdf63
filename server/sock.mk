# server/sock.mk: the server's socket layer (listener, per-client conns with
# line framing and bounded output, peer credentials) and the blocking
# connect helper the CLI uses to reach a running server.
libserver_a_SOURCES += \
	server/sockpath.c server/sockpath.h \
	server/listener.c server/listener.h \
	server/conn.c server/conn.h \
	server/peercred.h
# SO_PEERCRED is Linux's; macOS and the BSDs have getpeereid.
if PLATFORM_LINUX
libserver_a_SOURCES += server/peercred_linux.c
else
libserver_a_SOURCES += server/peercred_bsd.c
endif
EXTRA_DIST += server/peercred_linux.c server/peercred_bsd.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_conn
TESTS += tests/unit/test_conn
tests_unit_test_conn_SOURCES = tests/unit/test_conn.c
tests_unit_test_conn_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_conn_LDADD = libserver.a $(LIBUV_LIBS) $(CMOCKA_LIBS)
endif
