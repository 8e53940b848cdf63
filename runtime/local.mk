# runtime/: what the server and the direct CLI both run, so a command acts
# the same with or without a server: the move path (mover), the state
# folder (statedir), the signal collector, the snapshot encoder and the
# timeline writer. Above backends, below server and cli.
noinst_LIBRARIES += libruntime.a
libruntime_a_SOURCES = \
	runtime/collector.c runtime/collector.h \
	runtime/decider.c runtime/decider.h \
	runtime/mover.c runtime/mover.h \
	runtime/snapshot.c runtime/snapshot.h \
	runtime/statedir.c runtime/statedir.h \
	runtime/timeline_dir.c runtime/timeline_priv.h \
	runtime/timeline_replay.c \
	runtime/timeline_writer.c runtime/timeline_writer.h
libruntime_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS)
