/* wrap: a sentence broken into lines of a given width at spaces, so that
 * a verdict, a refusal or a drill's text is shown whole in a narrow place
 * instead of cut. Pure; nothing allocates: lines are spans of the caller's
 * text, valid while the text is. Widths count UTF-8 characters (one column
 * each, as view/grid draws them). */
#ifndef CUTOVER_VIEW_WRAP_H
#define CUTOVER_VIEW_WRAP_H

#include <stddef.h>

struct wrap_line {
    const char *start;      /* into the text; not NUL-terminated */
    int len;                /* bytes */
};

/* Breaks `text` into lines of at most `width` columns: at spaces (which are
 * dropped at a break), a word longer than a line split where it must.
 * "\n" in the text forces a break. Fills up to `max` lines and returns how
 * many the whole text needs (more than max: the rest did not fit), 0 for an
 * empty text or width < 1. */
int wrap_text(const char *text, int width, struct wrap_line *out, int max);

/* Columns the text takes on one line. */
int wrap_columns(const char *text, size_t len);

#endif
