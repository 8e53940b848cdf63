# scenarios/: drills for `cutover demo --scenario NAME`. The scenarios are
# data (installed in $(pkgdatadir)/scenarios); the parser is pure core
# (core/scenario.c), the driver runs on the demo's loop (cli/drill.c).
scenariosdir = $(pkgdatadir)/scenarios
dist_scenarios_DATA = \
	scenarios/good.scenario \
	scenarios/slow-green.scenario \
	scenarios/failing-green.scenario \
	scenarios/failing-stream.scenario \
	scenarios/flapping.scenario
