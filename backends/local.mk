# backends: I/O adapters on the libuv loop. The balancer seam (balancer.h,
# its table; nginx its one implementation) reads its settings from the config
# and renders through core, so a program using it links libcore.a after this.
noinst_LIBRARIES += libbackends.a
libbackends_a_SOURCES = \
	backends/spawn.c backends/spawn.h \
	backends/atomicfile.c backends/atomicfile.h \
	backends/balancer.c backends/balancer.h \
	backends/balancer_nginx.c backends/balancer_nginx.h \
	backends/balancer_nginx_ops.c \
	backends/proc.c backends/proc.h \
	backends/children.h
# Reading a process's children without pgrep is Linux's /proc; elsewhere pgrep.
if PLATFORM_LINUX
libbackends_a_SOURCES += backends/children_linux.c
else
libbackends_a_SOURCES += backends/children_other.c
endif
EXTRA_DIST += backends/children_linux.c backends/children_other.c
libbackends_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS)

if HAVE_CMOCKA
check_PROGRAMS += test_spawn test_atomicfile test_nginx_backend tests/unit/test_balancer
TESTS += test_spawn test_atomicfile test_nginx_backend tests/unit/test_balancer

test_spawn_SOURCES = tests/unit/test_spawn.c
test_spawn_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
test_spawn_LDADD = libbackends.a $(LIBUV_LIBS) $(CMOCKA_LIBS)

test_atomicfile_SOURCES = tests/unit/test_atomicfile.c
test_atomicfile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
test_atomicfile_LDADD = libbackends.a $(CMOCKA_LIBS)

test_nginx_backend_SOURCES = tests/integration/test_nginx_backend.c
test_nginx_backend_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
test_nginx_backend_LDADD = libbackends.a libcore.a $(LIBUV_LIBS) $(CMOCKA_LIBS)

tests_unit_test_balancer_SOURCES = tests/unit/test_balancer.c
tests_unit_test_balancer_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_balancer_LDADD = libbackends.a libcore.a $(LIBUV_LIBS) $(CJSON_LIBS) $(CMOCKA_LIBS)
endif
