# core/server_core.mk: filled in by its owner
