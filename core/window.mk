# core/window.mk: filled in by its owner
