# core/server_core.mk: the server's pure parts (the client protocol and the
# control lock), their unit tests and the protocol's fuzz target.
libcore_a_SOURCES += core/protocol.c core/protocol.h core/control.c core/control.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_protocol tests/unit/test_control
TESTS += tests/unit/test_protocol tests/unit/test_control

tests_unit_test_protocol_SOURCES = tests/unit/test_protocol.c
tests_unit_test_protocol_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_protocol_LDADD = libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS)

tests_unit_test_control_SOURCES = tests/unit/test_control.c
tests_unit_test_control_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_control_LDADD = libcore.a $(CMOCKA_LIBS) -lm
endif
EXTRA_DIST += tests/fuzz/fuzz_protocol.c

# `make fuzz-protocol`: the decoder's libFuzzer target (clang; FUZZ_CC and
# FUZZ_FLAGS come from core/logparse.mk). See tests/fuzz/README.md.
FUZZ_PROTOCOL_SRC = $(top_srcdir)/tests/fuzz/fuzz_protocol.c \
	$(top_srcdir)/core/protocol.c $(top_srcdir)/core/color.c
fuzz_protocol$(EXEEXT): $(FUZZ_PROTOCOL_SRC) $(top_srcdir)/core/protocol.h
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz-protocol: $(FUZZ_CC) not found (apt-get install clang)"; exit 1; }
	$(FUZZ_CC) -std=c11 $(FUZZ_FLAGS) -I$(top_srcdir) $(CJSON_CFLAGS) -o $@ \
		$(FUZZ_PROTOCOL_SRC) $(CJSON_LIBS) -lm
fuzz-protocol: fuzz_protocol$(EXEEXT)
.PHONY: fuzz-protocol
CLEANFILES += fuzz_protocol$(EXEEXT)
