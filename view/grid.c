/* grid: cells of one glyph and one role. */
#include "view/grid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct grid {
    int width, height;
    struct grid_cell *cells;
};

static const char role_chars[ROLE_COUNT + 1] = "tdTbgBowaMx";

static void blank(struct grid_cell *c)
{
    c->glyph[0] = ' ';
    c->glyph[1] = '\0';
    c->role = ROLE_TEXT;
}

struct grid *grid_new(int width, int height)
{
    struct grid *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    if (grid_resize(g, width, height) != 0) {
        free(g);
        return NULL;
    }
    return g;
}

void grid_free(struct grid *g)
{
    if (!g)
        return;
    free(g->cells);
    free(g);
}

int grid_resize(struct grid *g, int width, int height)
{
    /* The bound keeps width * height far from overflow; no terminal is near. */
    if (width < 1 || height < 1 || width > 10000 || height > 10000)
        return -1;
    struct grid_cell *cells = malloc((size_t)width * (size_t)height * sizeof *cells);
    if (!cells)
        return -1;
    free(g->cells);
    g->cells = cells;
    g->width = width;
    g->height = height;
    grid_clear(g);
    return 0;
}

int grid_width(const struct grid *g)
{
    return g->width;
}

int grid_height(const struct grid *g)
{
    return g->height;
}

void grid_clear(struct grid *g)
{
    for (size_t i = 0; i < (size_t)g->width * (size_t)g->height; i++)
        blank(&g->cells[i]);
}

static struct grid_cell *at(struct grid *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= g->width || y >= g->height)
        return NULL;
    return &g->cells[(size_t)y * (size_t)g->width + (size_t)x];
}

const struct grid_cell *grid_cell(const struct grid *g, int x, int y)
{
    return at((struct grid *)g, x, y);
}

int grid_utf8_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    int n;
    if (u[0] < 0x80)
        return u[0] ? 1 : 0;
    if ((u[0] & 0xE0) == 0xC0 && u[0] >= 0xC2)
        n = 2;
    else if ((u[0] & 0xF0) == 0xE0)
        n = 3;
    else if ((u[0] & 0xF8) == 0xF0 && u[0] <= 0xF4)
        n = 4;
    else
        return 0;
    for (int i = 1; i < n; i++)
        if ((u[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

int grid_char_bytes(const char *s)
{
    int len = grid_utf8_len(s);
    return len ? len : 1;
}

uint32_t grid_utf8_code(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    int n = grid_utf8_len(s);
    if (n <= 0)
        return 0xFFFD;
    uint32_t cp = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
    for (int i = 1; i < n; i++)
        cp = (cp << 6) | (u[i] & 0x3Fu);
    return cp;
}

/* Code points that draw nothing on their own: combining marks, zero-width
 * spaces and joiners, variation selectors (the U+FE0F after the gateway's
 * "⚠" asking for its emoji form), skin-tone modifiers. A terminal folds
 * them into the character before; a column each showed them as '?'. */
static const struct {
    uint32_t lo, hi;
} zero_width[] = {
    {0x0300, 0x036F},   /* combining diacritical marks */
    {0x200B, 0x200F},   /* zero-width space, joiners, direction marks */
    {0x2060, 0x2064},   /* word joiner, invisible operators */
    {0x20D0, 0x20FF},   /* combining marks for symbols */
    {0xFE00, 0xFE0F},   /* variation selectors */
    {0xFE20, 0xFE2F},   /* combining half marks */
    {0xFEFF, 0xFEFF},   /* byte order mark */
    {0x1F3FB, 0x1F3FF}, /* skin-tone modifiers */
    {0xE0100, 0xE01EF}, /* variation selectors supplement */
};

bool grid_zero_width(const char *s)
{
    if (grid_utf8_len(s) < 2)
        return false;
    uint32_t cp = grid_utf8_code(s);
    for (size_t i = 0; i < sizeof zero_width / sizeof zero_width[0]; i++)
        if (cp >= zero_width[i].lo && cp <= zero_width[i].hi)
            return true;
    return false;
}

/* A control character or broken UTF-8 would move the terminal's cursor or
 * garble the line: the cell shows '?' instead. */
static void set_glyph(struct grid_cell *c, const char *glyph, int len)
{
    if (len == 0 || (len == 1 && ((unsigned char)glyph[0] < 0x20 || glyph[0] == 0x7f))) {
        c->glyph[0] = '?';
        c->glyph[1] = '\0';
        return;
    }
    memcpy(c->glyph, glyph, (size_t)len);
    c->glyph[len] = '\0';
}

void grid_put(struct grid *g, int x, int y, const char *glyph, enum grid_role role)
{
    struct grid_cell *c = at(g, x, y);
    if (!c)
        return;
    set_glyph(c, glyph, grid_utf8_len(glyph));
    c->role = (unsigned char)role;
}

void grid_set_role(struct grid *g, int x, int y, enum grid_role role)
{
    struct grid_cell *c = at(g, x, y);
    if (c)
        c->role = (unsigned char)role;
}

int grid_put_text(struct grid *g, int x, int y, const char *text, int maxw, enum grid_role role)
{
    int cols = 0;
    while (*text && (maxw < 0 || cols < maxw) && x + cols < g->width) {
        int len = grid_utf8_len(text);
        if (grid_zero_width(text)) {
            text += len;                 /* folds into the character before */
            continue;
        }
        struct grid_cell *c = at(g, x + cols, y);
        if (c) {
            set_glyph(c, text, len);
            c->role = (unsigned char)role;
        }
        text += grid_char_bytes(text);
        cols++;
    }
    return cols;
}

void grid_fill(struct grid *g, int x, int y, int w, int h, const char *glyph, enum grid_role role)
{
    for (int r = y; r < y + h; r++)
        for (int col = x; col < x + w; col++)
            grid_put(g, col, r, glyph, role);
}

static char *dump(const struct grid *g, bool roles)
{
    size_t cap = (size_t)g->width * (size_t)g->height * (GRID_GLYPH_MAX - 1) + (size_t)g->height + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t n = 0;
    for (int y = 0; y < g->height; y++) {
        for (int x = 0; x < g->width; x++) {
            const struct grid_cell *c = &g->cells[(size_t)y * (size_t)g->width + (size_t)x];
            if (roles) {
                out[n++] = c->role < ROLE_COUNT ? role_chars[c->role] : '?';
                continue;
            }
            size_t len = strlen(c->glyph);
            memcpy(out + n, c->glyph, len);
            n += len;
        }
        if (y + 1 < g->height)
            out[n++] = '\n';
    }
    out[n] = '\0';
    return out;
}

char *grid_dump(const struct grid *g)
{
    return dump(g, false);
}

char *grid_dump_roles(const struct grid *g)
{
    return dump(g, true);
}
