# cli/: the command line. Everything but main() is in a library, so tests
# and benchmarks link the same code the binary runs.
noinst_LIBRARIES += libcli.a
libcli_a_SOURCES = \
	cli/app.c cli/app.h \
	cli/cfgedit.c cli/cfgedit.h \
	cli/cli.c cli/cli.h \
	cli/client.c cli/client.h \
	cli/exitcode.c cli/exitcode.h \
	cli/cmd_server.c \
	cli/cmd_console.c \
	cli/cmd_init.c \
	cli/cmd_shift.c \
	cli/cmd_status.c \
	cli/cmd_replay.c \
	cli/timeline_path.c cli/timeline_path.h \
	cli/commands.h \
	cli/demo.c \
	cli/demo_console.c \
	cli/remote.c cli/remote.h \
	cli/sample.c cli/sample.h \
	cli/sandbox.c cli/sandbox.h \
	cli/snippets.c cli/snippets.h \
	$(CMD_STATS_FILES) $(PREFLIGHT_CLI_FILES)
libcli_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS)

bin_PROGRAMS += cutover
cutover_SOURCES = cli/main.c
cutover_LDADD = libcli.a libtui.a libserver.a libbackends.a libcore.a $(LIBUV_LIBS) $(CURL_LIBS) \
	$(CJSON_LIBS) $(NCURSES_LIBS)
