# themes/: the theme loader (colors per grid role, so it sits beside view/).
# The four built-in themes are compiled into theme.c, so the console always
# has one; the .theme files are installed as examples to copy and edit
# (test_theme checks they match the compiled-in text).
noinst_LIBRARIES += libthemes.a
libthemes_a_SOURCES = themes/theme.c themes/theme.h
libthemes_a_CFLAGS = $(AM_CFLAGS)

themesdir = $(pkgdatadir)/themes
dist_themes_DATA = \
	themes/default.theme \
	themes/colorblind.theme \
	themes/mono.theme \
	themes/high-contrast.theme
