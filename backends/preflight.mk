# backends/preflight.mk: `cutover check`, the runbook's preflight. The pure
# parts are in core (nginx -T analysis, SHA-256) with their unit tests; the
# checks are in backends/preflight*.c; the command in cli/cmd_check.c.
libcore_a_SOURCES += \
	core/nginxconf.c core/nginxconf.h \
	core/sha256.c core/sha256.h

libbackends_a_SOURCES += \
	backends/preflight.c backends/preflight.h \
	backends/preflight_net.c \
	backends/preflight_nginx.c \
	backends/preflight_secrets.c \
	backends/preflight_nofile.c
# Another process's open-files limit is readable only through Linux's /proc.
if PLATFORM_LINUX
libbackends_a_SOURCES += backends/preflight_nofile_linux.c
else
libbackends_a_SOURCES += backends/preflight_nofile_other.c
endif

# cli/local.mk appends these to libcli_a_SOURCES (it sets that variable with
# '=' after this file is included, and automake refuses '+=' before '=').
PREFLIGHT_CLI_FILES = cli/cmd_check.c cli/cmd_check.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_nginxconf tests/unit/test_sha256
TESTS += tests/unit/test_nginxconf tests/unit/test_sha256
tests_unit_test_nginxconf_SOURCES = tests/unit/test_nginxconf.c
tests_unit_test_nginxconf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_nginxconf_LDADD = libcore.a $(CMOCKA_LIBS)
tests_unit_test_sha256_SOURCES = tests/unit/test_sha256.c
tests_unit_test_sha256_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sha256_LDADD = libcore.a $(CMOCKA_LIBS)
endif

TESTS += tests/integration/test_check.sh
