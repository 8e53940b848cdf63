# backends/sockets.mk: filled in by its owner
