# server/sock.mk: filled in by its owner
