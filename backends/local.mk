# backends/: I/O adapters on the libuv loop (the balancer seam with nginx its
# one implementation, access log, sockets, probes, processes, preflight
# checks), above core. Programs linking
# libbackends.a also link libcore.a, libuv and, for the probe, libcurl.
noinst_LIBRARIES += libbackends.a
libbackends_a_SOURCES = \
	backends/accesslog.c backends/accesslog.h \
	backends/atomicfile.c backends/atomicfile.h \
	backends/children.h \
	backends/curluv.c backends/curluv.h \
	backends/balancer.c backends/balancer.h \
	backends/balancer_nginx.c backends/balancer_nginx.h \
	backends/balancer_nginx_ops.c \
	backends/preflight.c backends/preflight.h \
	backends/preflight_logs.c \
	backends/preflight_gateway.c \
	backends/preflight_gwconfig.c \
	backends/preflight_net.c \
	backends/preflight_nginx.c \
	backends/preflight_nofile.c \
	backends/preflight_secrets.c \
	backends/probe.c backends/probe.h \
	backends/probe_headers.c backends/probe_headers.h \
	backends/proc.c backends/proc.h \
	backends/sockets.c backends/sockets.h \
	backends/sockets_lsof.c \
	backends/spawn.c backends/spawn.h
# Linux reads /proc (a process's children, another process's open-files
# limit, /proc/net/tcp); elsewhere pgrep, no limit, and lsof only.
# sockets.c picks the /proc/net/tcp reader under __linux__.
if PLATFORM_LINUX
libbackends_a_SOURCES += \
	backends/children_linux.c \
	backends/preflight_nofile_linux.c \
	backends/sockets_procnet.c
else
libbackends_a_SOURCES += \
	backends/children_other.c \
	backends/preflight_nofile_other.c
endif
EXTRA_DIST += backends/children_linux.c backends/children_other.c
libbackends_a_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS) $(CURL_CFLAGS)
