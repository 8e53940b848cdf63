# scenarios/scenarios.mk: drills for `cutover demo --scenario NAME`. The
# scenarios are data (installed in $(pkgdatadir)/scenarios); the parser is
# pure core, the driver runs on the demo's loop. An uninstalled build reads
# them from the source tree (cli/drill.c tells the two apart by where the
# binary sits).
libcore_a_SOURCES += core/scenario.c core/scenario.h
libcli_a_SOURCES += cli/drill.c cli/drill.h
libcli_a_CFLAGS += \
	-DCUTOVER_PKGDATADIR='"$(pkgdatadir)"' \
	-DCUTOVER_SRCDIR='"$(abs_top_srcdir)"' \
	-DCUTOVER_BUILDDIR='"$(abs_top_builddir)"'

scenariosdir = $(pkgdatadir)/scenarios
dist_scenarios_DATA = \
	scenarios/good.scenario \
	scenarios/slow-green.scenario \
	scenarios/failing-green.scenario \
	scenarios/flapping.scenario

TESTS += tests/integration/test_drills.sh
EXTRA_DIST += tests/integration/test_drills.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_scenario
TESTS += tests/unit/test_scenario
tests_unit_test_scenario_SOURCES = tests/unit/test_scenario.c
tests_unit_test_scenario_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_scenario_LDADD = libcore.a $(CMOCKA_LIBS)
endif
