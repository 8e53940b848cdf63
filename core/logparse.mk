# core/logparse.mk: filled in by its owner
