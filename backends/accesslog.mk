# backends/accesslog.mk: filled in by its owner
