# tests/unit: one cmocka program per module, each printing TAP. Each links
# the folder libraries of its module's layer and those below it, highest
# first. The three without a tests/unit/ prefix keep their old names.
if HAVE_CMOCKA
UNIT_CORE_TESTS = \
	tests/unit/test_config \
	tests/unit/test_upstream \
	tests/unit/test_rollout \
	tests/unit/test_journal \
	tests/unit/test_intent \
	tests/unit/test_hist \
	tests/unit/test_window \
	tests/unit/test_gwlog \
	tests/unit/test_gwlook \
	tests/unit/test_logparse \
	tests/unit/test_protocol \
	tests/unit/test_control \
	tests/unit/test_guards \
	tests/unit/test_proportion \
	tests/unit/test_sample_ring \
	tests/unit/test_sse \
	tests/unit/test_nginxconf \
	tests/unit/test_json5 \
	tests/unit/test_cfgdiff \
	tests/unit/test_sha256 \
	tests/unit/test_scenario \
	tests/unit/test_report \
	tests/unit/test_metric \
	tests/unit/test_median_shift
UNIT_TESTS = $(UNIT_CORE_TESTS) \
	test_spawn test_atomicfile tests/unit/test_balancer \
	tests/unit/test_sockets tests/unit/test_accesslog tests/unit/test_probe \
	tests/unit/test_timeline tests/unit/test_timeline_replay tests/unit/test_statedir \
	tests/unit/test_conn tests/unit/test_prom \
	tests/unit/test_model \
	tests/unit/test_chart tests/unit/test_panels \
	tests/unit/test_wrap tests/unit/test_chartmarks tests/unit/test_announce \
	tests/unit/test_castmark \
	tests/unit/test_theme \
	tests/unit/test_cast tests/unit/test_replay tests/unit/test_screen \
	tests/unit/test_keymap tests/unit/test_layout
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(CMOCKA_CFLAGS)
UV_UNIT_CFLAGS = $(UNIT_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS)
CORE_LDADD = libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS) -lm
BACKENDS_LDADD = libbackends.a libcore.a $(LIBUV_LIBS) $(CURL_LIBS) \
	$(CJSON_LIBS) $(CMOCKA_LIBS) -lm
VIEW_LDADD = libview.a libcore.a $(CJSON_LIBS) $(CMOCKA_LIBS) -lm

# core: pure, so only libcore.a.
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = $(CORE_LDADD)
tests_unit_test_upstream_SOURCES = tests/unit/test_upstream.c
tests_unit_test_upstream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_upstream_LDADD = $(CORE_LDADD)
tests_unit_test_rollout_SOURCES = tests/unit/test_rollout.c
tests_unit_test_rollout_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rollout_LDADD = $(CORE_LDADD)
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c
tests_unit_test_journal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_journal_LDADD = $(CORE_LDADD)
tests_unit_test_intent_SOURCES = tests/unit/test_intent.c
tests_unit_test_intent_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_intent_LDADD = $(CORE_LDADD)
tests_unit_test_hist_SOURCES = tests/unit/test_hist.c
tests_unit_test_hist_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hist_LDADD = $(CORE_LDADD)
tests_unit_test_window_SOURCES = tests/unit/test_window.c tests/unit/feed.h
tests_unit_test_window_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_window_LDADD = $(CORE_LDADD)
tests_unit_test_metric_SOURCES = tests/unit/test_metric.c
tests_unit_test_metric_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_metric_LDADD = $(CORE_LDADD)
tests_unit_test_median_shift_SOURCES = tests/unit/test_median_shift.c
tests_unit_test_median_shift_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_median_shift_LDADD = $(CORE_LDADD)
tests_unit_test_gwlog_SOURCES = tests/unit/test_gwlog.c
tests_unit_test_gwlog_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gwlog_LDADD = $(CORE_LDADD)
tests_unit_test_gwlook_SOURCES = tests/unit/test_gwlook.c
tests_unit_test_gwlook_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_gwlook_LDADD = $(CORE_LDADD)

tests_unit_test_logparse_SOURCES = tests/unit/test_logparse.c
tests_unit_test_logparse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_logparse_LDADD = $(CORE_LDADD)
tests_unit_test_protocol_SOURCES = tests/unit/test_protocol.c
tests_unit_test_protocol_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_protocol_LDADD = $(CORE_LDADD)
tests_unit_test_control_SOURCES = tests/unit/test_control.c
tests_unit_test_control_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_control_LDADD = $(CORE_LDADD)
tests_unit_test_guards_SOURCES = tests/unit/test_guards.c
tests_unit_test_guards_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_guards_LDADD = $(CORE_LDADD)
tests_unit_test_proportion_SOURCES = tests/unit/test_proportion.c
tests_unit_test_proportion_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_proportion_LDADD = $(CORE_LDADD)
tests_unit_test_sample_ring_SOURCES = tests/unit/test_sample_ring.c
tests_unit_test_sample_ring_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sample_ring_LDADD = $(CORE_LDADD)
tests_unit_test_sse_SOURCES = tests/unit/test_sse.c
tests_unit_test_sse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sse_LDADD = $(CORE_LDADD)
tests_unit_test_nginxconf_SOURCES = tests/unit/test_nginxconf.c
tests_unit_test_nginxconf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_nginxconf_LDADD = $(CORE_LDADD)
tests_unit_test_json5_SOURCES = tests/unit/test_json5.c
tests_unit_test_json5_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json5_LDADD = $(CORE_LDADD)
tests_unit_test_cfgdiff_SOURCES = tests/unit/test_cfgdiff.c
tests_unit_test_cfgdiff_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cfgdiff_LDADD = $(CORE_LDADD)
tests_unit_test_sha256_SOURCES = tests/unit/test_sha256.c
tests_unit_test_sha256_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sha256_LDADD = $(CORE_LDADD)
tests_unit_test_scenario_SOURCES = tests/unit/test_scenario.c
tests_unit_test_scenario_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scenario_LDADD = $(CORE_LDADD)
tests_unit_test_report_SOURCES = tests/unit/test_report.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_report_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_report_LDADD = $(CORE_LDADD)

# backends: the loop's adapters over libcore.a.
test_spawn_SOURCES = tests/unit/test_spawn.c
test_spawn_CFLAGS = $(UV_UNIT_CFLAGS)
test_spawn_LDADD = $(BACKENDS_LDADD)
test_atomicfile_SOURCES = tests/unit/test_atomicfile.c
test_atomicfile_CFLAGS = $(UV_UNIT_CFLAGS)
test_atomicfile_LDADD = $(BACKENDS_LDADD)
tests_unit_test_sockets_SOURCES = tests/unit/test_sockets.c
tests_unit_test_sockets_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_sockets_LDADD = $(BACKENDS_LDADD)
tests_unit_test_balancer_SOURCES = tests/unit/test_balancer.c
tests_unit_test_balancer_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_balancer_LDADD = $(BACKENDS_LDADD)
tests_unit_test_accesslog_SOURCES = tests/unit/test_accesslog.c
tests_unit_test_accesslog_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_accesslog_LDADD = $(BACKENDS_LDADD)
# The probe test drives the real cutover-sim, so it is built first.
tests_unit_test_probe_SOURCES = tests/unit/test_probe.c
tests_unit_test_probe_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_probe_LDADD = $(BACKENDS_LDADD)
tests_unit_test_probe_DEPENDENCIES = libbackends.a libcore.a cutover-sim$(EXEEXT)

# runtime: the state folder's journal reader, the timeline writer.
tests_unit_test_statedir_SOURCES = tests/unit/test_statedir.c
tests_unit_test_statedir_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_statedir_LDADD = libruntime.a $(BACKENDS_LDADD)
tests_unit_test_timeline_SOURCES = tests/unit/test_timeline.c tests/unit/fixture.c tests/unit/fixture.h \
	tests/unit/feed.h
tests_unit_test_timeline_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_timeline_replay_SOURCES = tests/unit/test_timeline_replay.c
tests_unit_test_timeline_replay_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_timeline_replay_LDADD = libruntime.a $(BACKENDS_LDADD)
tests_unit_test_timeline_LDADD = libruntime.a $(BACKENDS_LDADD)

# server: the socket layer and the Prometheus/Grafana exporters.
tests_unit_test_conn_SOURCES = tests/unit/test_conn.c
tests_unit_test_conn_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_conn_LDADD = libserver.a $(BACKENDS_LDADD)
tests_unit_test_prom_SOURCES = tests/unit/test_prom.c
tests_unit_test_prom_CFLAGS = $(UV_UNIT_CFLAGS)
tests_unit_test_prom_LDADD = libserver.a libruntime.a $(BACKENDS_LDADD) -lpthread

# view, panels, themes: pure, drawn into grids without a terminal.
tests_unit_test_model_SOURCES = tests/unit/test_model.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_LDADD = $(VIEW_LDADD)
tests_unit_test_wrap_SOURCES = tests/unit/test_wrap.c
tests_unit_test_wrap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wrap_LDADD = $(VIEW_LDADD)
tests_unit_test_chartmarks_SOURCES = tests/unit/test_chartmarks.c
tests_unit_test_chartmarks_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_chartmarks_LDADD = libpanels.a $(VIEW_LDADD)
tests_unit_test_castmark_SOURCES = tests/unit/test_castmark.c
tests_unit_test_castmark_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_castmark_LDADD = $(VIEW_LDADD)
tests_unit_test_announce_SOURCES = tests/unit/test_announce.c
tests_unit_test_announce_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_announce_LDADD = libpanels.a $(VIEW_LDADD)
tests_unit_test_chart_SOURCES = tests/unit/test_chart.c
tests_unit_test_chart_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_chart_LDADD = libpanels.a $(VIEW_LDADD)
tests_unit_test_panels_SOURCES = tests/unit/test_panels.c tests/unit/fixture.c tests/unit/fixture.h
tests_unit_test_panels_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_panels_LDADD = libpanels.a $(VIEW_LDADD)
tests_unit_test_theme_SOURCES = tests/unit/test_theme.c
tests_unit_test_theme_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_theme_LDADD = libthemes.a $(VIEW_LDADD)

# tui: the recorder, replay and the ncurses screen.
TUI_UNIT_CFLAGS = $(UNIT_CFLAGS) $(NCURSES_CFLAGS) $(LIBUV_CFLAGS)
TUI_UNIT_LDADD = libtui.a libpanels.a libthemes.a libview.a libcore.a \
	$(NCURSES_LIBS) $(LIBUV_LIBS) $(CJSON_LIBS) $(CMOCKA_LIBS) -lm
tests_unit_test_cast_SOURCES = tests/unit/test_cast.c
tests_unit_test_cast_CFLAGS = $(TUI_UNIT_CFLAGS)
tests_unit_test_cast_LDADD = $(TUI_UNIT_LDADD)
tests_unit_test_replay_SOURCES = tests/unit/test_replay.c
tests_unit_test_replay_CFLAGS = $(TUI_UNIT_CFLAGS)
tests_unit_test_replay_LDADD = $(TUI_UNIT_LDADD)
tests_unit_test_screen_SOURCES = tests/unit/test_screen.c
tests_unit_test_screen_CFLAGS = $(TUI_UNIT_CFLAGS)
tests_unit_test_screen_LDADD = $(TUI_UNIT_LDADD)
# The console's pure rooms, each without a terminal.
tests_unit_test_keymap_SOURCES = tests/unit/test_keymap.c
tests_unit_test_keymap_CFLAGS = $(TUI_UNIT_CFLAGS)
tests_unit_test_keymap_LDADD = $(TUI_UNIT_LDADD)
tests_unit_test_layout_SOURCES = tests/unit/test_layout.c
tests_unit_test_layout_CFLAGS = $(TUI_UNIT_CFLAGS)
tests_unit_test_layout_LDADD = $(TUI_UNIT_LDADD)
endif
EXTRA_DIST += tests/unit/fixtures \
	tests/unit/fixtures/timeline_torn.jsonl tests/unit/fixtures/timeline_rollback.jsonl
