/* grid: a terminal-independent character grid that panels draw into. Each
 * cell holds one UTF-8 glyph (one column wide) and a semantic role; the
 * console maps roles to colors through the theme and blits the grid to
 * ncurses, and tests read the grid back as text. The caller owns the grid
 * (grid_new / grid_free); drawing never allocates. */
#ifndef CUTOVER_VIEW_GRID_H
#define CUTOVER_VIEW_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum grid_role {
    ROLE_TEXT = 0,
    ROLE_DIM,
    ROLE_TITLE,
    ROLE_BLUE,
    ROLE_GREEN,
    ROLE_BOTH,      /* a chart cell where blue and green overlap */
    ROLE_OK,
    ROLE_WARN,
    ROLE_ALERT,
    ROLE_MARKER,
    ROLE_AXIS,
    ROLE_COUNT
};

#define GRID_GLYPH_MAX 5   /* up to 4 UTF-8 bytes and a NUL */

struct grid_cell {
    char glyph[GRID_GLYPH_MAX];
    unsigned char role;     /* an enum grid_role */
};

struct grid;

/* NULL on out-of-memory or a size below 1x1. Starts blank (spaces, TEXT). */
struct grid *grid_new(int width, int height);
void grid_free(struct grid *g);
/* Changes the size and blanks the grid; -1 (grid unchanged) on failure. */
int grid_resize(struct grid *g, int width, int height);
int grid_width(const struct grid *g);
int grid_height(const struct grid *g);

/* Every cell back to a blank TEXT space. */
void grid_clear(struct grid *g);
/* The cell at x, y, or NULL outside the grid. */
const struct grid_cell *grid_cell(const struct grid *g, int x, int y);
/* One glyph (the first UTF-8 character of `glyph`) at x, y; outside the
 * grid it is dropped. */
void grid_put(struct grid *g, int x, int y, const char *glyph, enum grid_role role);
/* Only the role of a cell. */
void grid_set_role(struct grid *g, int x, int y, enum grid_role role);
/* UTF-8 text from x, y, one column per character, clipped at the grid's
 * right edge and at x + maxw (maxw < 0: no limit). Control characters and
 * invalid bytes become '?'; zero-width ones (grid_zero_width) take no
 * column and are dropped. Returns the columns written. */
int grid_put_text(struct grid *g, int x, int y, const char *text, int maxw, enum grid_role role);
/* Fills the rectangle (clipped) with one glyph. */
void grid_fill(struct grid *g, int x, int y, int w, int h, const char *glyph, enum grid_role role);

/* The glyphs as text, rows joined by '\n' (trailing spaces kept);
 * malloc'd, the caller frees. NULL on out-of-memory. */
char *grid_dump(const struct grid *g);
/* One character per cell naming its role ("tdTbgBowaMx" for the roles in
 * order), rows joined by '\n'; malloc'd. For tests and debugging. */
char *grid_dump_roles(const struct grid *g);

/* The length of the UTF-8 character at s (1-4), or 0 when s does not start
 * a valid one. */
int grid_utf8_len(const char *s);
/* The bytes grid_put_text steps over for the character at s: its length,
 * or 1 for a broken byte (drawn as '?'). */
int grid_char_bytes(const char *s);
/* Its code point; U+FFFD when s does not start a valid one. */
uint32_t grid_utf8_code(const char *s);
/* Whether the character at s draws nothing on its own (a combining mark, a
 * variation selector, a zero-width joiner): it takes no column. */
bool grid_zero_width(const char *s);

#endif
