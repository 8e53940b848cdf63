# cli/: the command line, the top layer. Everything but main() is in a
# library, so tests and benchmarks link the same code the binary runs.
noinst_LIBRARIES += libcli.a
libcli_a_SOURCES = \
	cli/app.c cli/app.h \
	cli/cfgedit.c cli/cfgedit.h \
	cli/cli.c cli/cli.h \
	cli/client.c cli/client.h \
	cli/cmd_check.c cli/cmd_check.h \
	cli/cmd_console.c \
	cli/cmd_init.c \
	cli/cmd_reconcile.c \
	cli/cmd_replay.c \
	cli/cmd_report.c \
	cli/cmd_server.c \
	cli/cmd_shift.c \
	cli/cmd_stats.c cli/cmd_stats.h \
	cli/cmd_status.c \
	cli/commands.h \
	cli/datadir.c cli/datadir.h \
	cli/demo.c \
	cli/demo_console.c \
	cli/demo_openclaw.c cli/demo_openclaw.h \
	cli/drill.c cli/drill.h \
	cli/exitcode.c cli/exitcode.h \
	cli/remote.c cli/remote.h \
	cli/sample.c cli/sample.h \
	cli/sandbox.c cli/sandbox.h \
	cli/snippets.c cli/snippets.h \
	cli/tlfile.c cli/tlfile.h \
	cli/tlpath.c cli/tlpath.h
# The drills (scenarios/) and scripts/openclaw.sh (`demo --gateway
# openclaw`) are read from $(pkgdatadir) once installed and from the source
# tree in a build (cli/datadir.c tells the two apart by where the binary sits).
libcli_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CJSON_CFLAGS) $(CURL_CFLAGS) \
	-DCUTOVER_PKGDATADIR='"$(pkgdatadir)"' \
	-DCUTOVER_SRCDIR='"$(abs_top_srcdir)"' \
	-DCUTOVER_BUILDDIR='"$(abs_top_builddir)"'

# The folder libraries in layer order, highest first, as a static link wants.
CUTOVER_LIBS = libcli.a libtui.a libpanels.a libthemes.a libview.a \
	libserver.a libruntime.a libbackends.a libcore.a

bin_PROGRAMS += cutover
cutover_SOURCES = cli/main.c
cutover_LDADD = $(CUTOVER_LIBS) $(LIBUV_LIBS) $(CURL_LIBS) $(CJSON_LIBS) $(NCURSES_LIBS)

# The real gateway's installer and runner, for `cutover demo --gateway openclaw`.
pkgdatascriptsdir = $(pkgdatadir)/scripts
dist_pkgdatascripts_SCRIPTS = scripts/openclaw.sh
