# tests/fuzz: libFuzzer targets for the two parsers that read untrusted
# bytes (clang only; see tests/fuzz/README.md). `make fuzz` builds the
# access-log parser's, `make fuzz-protocol` the client protocol decoder's.
EXTRA_DIST += tests/fuzz/README.md tests/fuzz/fuzz_logparse.c tests/fuzz/fuzz_protocol.c
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

fuzz_logparse$(EXEEXT): $(top_srcdir)/tests/fuzz/fuzz_logparse.c \
		$(top_srcdir)/core/logparse.c $(top_srcdir)/core/logparse.h
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz: $(FUZZ_CC) not found (apt-get install clang)"; exit 1; }
	$(FUZZ_CC) -std=c11 $(FUZZ_FLAGS) -I$(top_srcdir) -o $@ \
		$(top_srcdir)/tests/fuzz/fuzz_logparse.c $(top_srcdir)/core/logparse.c
fuzz: fuzz_logparse$(EXEEXT)

FUZZ_PROTOCOL_SRC = $(top_srcdir)/tests/fuzz/fuzz_protocol.c \
	$(top_srcdir)/core/protocol.c $(top_srcdir)/core/color.c
fuzz_protocol$(EXEEXT): $(FUZZ_PROTOCOL_SRC) $(top_srcdir)/core/protocol.h
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz-protocol: $(FUZZ_CC) not found (apt-get install clang)"; exit 1; }
	$(FUZZ_CC) -std=c11 $(FUZZ_FLAGS) -I$(top_srcdir) $(CJSON_CFLAGS) -o $@ \
		$(FUZZ_PROTOCOL_SRC) $(CJSON_LIBS) -lm
fuzz-protocol: fuzz_protocol$(EXEEXT)
.PHONY: fuzz fuzz-protocol
CLEANFILES += fuzz_logparse$(EXEEXT) fuzz_protocol$(EXEEXT)
