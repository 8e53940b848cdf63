/* theme: the console's colors as data, indexed by the grid's semantic roles.
 * A theme file is text, one setting a line:
 *     role = fg bg [bold] [dim] [reverse] [underline]
 *     glyph.blue = *
 * colors by name (default black red green yellow blue magenta cyan white) or
 * 0-255; `#` starts a comment. The four built-in themes are compiled in, so a
 * missing themes folder never leaves the console without one. A struct theme
 * is plain data the caller owns; nothing here allocates beyond a call. */
#ifndef CUTOVER_THEMES_THEME_H
#define CUTOVER_THEMES_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include "view/grid.h"

#define THEME_COLOR_DEFAULT (-1)   /* the terminal's own fg/bg */

enum theme_attr {
    THEME_BOLD = 1u << 0,
    THEME_DIM = 1u << 1,
    THEME_REVERSE = 1u << 2,
    THEME_UNDERLINE = 1u << 3,
};

struct theme_style {
    short fg, bg;       /* THEME_COLOR_DEFAULT or 0-255 */
    unsigned attrs;     /* enum theme_attr bits */
};

/* ASCII glyphs the chart uses when the terminal is not UTF-8 (and the mono
 * theme's way to tell the colors apart). */
enum theme_glyph {
    THEME_GLYPH_BLUE,
    THEME_GLYPH_GREEN,
    THEME_GLYPH_BOTH,
    THEME_GLYPH_MARKER,
    THEME_GLYPH_COUNT
};

#define THEME_NAME_MAX 128

struct theme {
    char name[THEME_NAME_MAX];      /* built-in name or the path it came from */
    bool color;                     /* false: no role sets a color (attributes only) */
    struct theme_style role[ROLE_COUNT];
    char glyph[THEME_GLYPH_COUNT][2];   /* one printable ASCII character */
};

/* Parses theme text. `name` labels errors ("colorblind.theme:7: unknown
 * role 'bleu'") and is stored in t->name. Roles not set keep a plain base
 * (terminal colors, no attributes). 0, or -1 with err filled and *t holding
 * the built-in default theme. */
int theme_parse(const char *text, const char *name, struct theme *t, char *err, size_t errlen);

/* A built-in name (see theme_builtin_names) or a path to a theme file (any
 * argument containing '/' or ending in ".theme"). NULL or "" picks the
 * default, or mono when NO_COLOR is set and not empty (https://no-color.org:
 * an explicit choice overrides NO_COLOR, so pass NULL unless the user chose).
 * On error: -1, err says why, and *t is the default theme, ready to use. */
int theme_load(const char *name_or_path, struct theme *t, char *err, size_t errlen);

/* The theme name NULL stands for, given the value of NO_COLOR (may be NULL). */
const char *theme_default_name(const char *no_color);

/* The built-in theme after `name` in order, wrapping; "default" after a
 * path or an unknown name. For the `t` key. */
const char *theme_next(const char *name);

/* NULL-terminated list: default, colorblind, mono, high-contrast. */
const char *const *theme_builtin_names(void);

#endif
