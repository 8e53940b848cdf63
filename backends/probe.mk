# backends/probe.mk: filled in by its owner
