/* theme: parse theme text into role styles and chart glyphs; the built-in
 * four are compiled in (the same text as the .theme files beside this one;
 * test_theme checks that the two never drift apart). */
#include "themes/theme.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char builtin_default[] =
    "# default: blue and green in their own hues on the terminal's background.\n"
    "# role = fg bg [bold|dim|reverse|underline]; colors by name or 0-255.\n"
    "text   = default default\n"
    "dim    = default default dim\n"
    "title  = default default bold\n"
    "blue   = 39 default\n"
    "green  = 41 default\n"
    "both   = 87 default bold\n"
    "ok     = green default\n"
    "warn   = yellow default bold\n"
    "alert  = white 160 bold\n"
    "marker = magenta default bold\n"
    "axis   = default default dim\n"
    "# ASCII chart glyphs (used when the terminal is not UTF-8)\n"
    "glyph.blue   = *\n"
    "glyph.green  = o\n"
    "glyph.both   = #\n"
    "glyph.marker = |\n";

static const char builtin_colorblind[] =
    "# colorblind: blue and orange (Okabe-Ito hues), safe for red-green colour\n"
    "# blindness; alerts never rely on red alone (reverse video as well).\n"
    "text   = default default\n"
    "dim    = default default dim\n"
    "title  = default default bold\n"
    "blue   = 25 default bold\n"
    "green  = 214 default\n"
    "both   = 231 default bold\n"
    "ok     = 74 default\n"
    "warn   = 214 default bold\n"
    "alert  = 166 default reverse bold\n"
    "marker = 182 default bold\n"
    "axis   = default default dim\n"
    "glyph.blue   = *\n"
    "glyph.green  = o\n"
    "glyph.both   = #\n"
    "glyph.marker = |\n";

static const char builtin_mono[] =
    "# mono: no color at all (for recordings and NO_COLOR); the colors differ\n"
    "# by attribute and by chart glyph.\n"
    "text   = default default\n"
    "dim    = default default dim\n"
    "title  = default default bold\n"
    "blue   = default default bold\n"
    "green  = default default\n"
    "both   = default default reverse\n"
    "ok     = default default\n"
    "warn   = default default bold underline\n"
    "alert  = default default reverse bold\n"
    "marker = default default bold\n"
    "axis   = default default dim\n"
    "glyph.blue   = *\n"
    "glyph.green  = o\n"
    "glyph.both   = @\n"
    "glyph.marker = |\n";

static const char builtin_high_contrast[] =
    "# high-contrast: bright, bold hues on black, alerts in reverse video.\n"
    "text   = white black\n"
    "dim    = 250 black\n"
    "title  = white black bold underline\n"
    "blue   = 51 black bold\n"
    "green  = 46 black bold\n"
    "both   = white black bold reverse\n"
    "ok     = white black bold\n"
    "warn   = black 226 bold\n"
    "alert  = white 196 bold\n"
    "marker = 201 black bold\n"
    "axis   = white black\n"
    "glyph.blue   = *\n"
    "glyph.green  = o\n"
    "glyph.both   = #\n"
    "glyph.marker = |\n";

struct builtin {
    const char *name;
    const char *text;
};

static const struct builtin builtins[] = {
    {"default", builtin_default},
    {"colorblind", builtin_colorblind},
    {"mono", builtin_mono},
    {"high-contrast", builtin_high_contrast},
};
#define BUILTIN_COUNT (sizeof builtins / sizeof builtins[0])

static const char *const builtin_names[] = {
    "default", "colorblind", "mono", "high-contrast", NULL
};

/* Indexed by enum grid_role. */
static const char *const role_names[ROLE_COUNT] = {
    "text", "dim", "title", "blue", "green", "both",
    "ok", "warn", "alert", "marker", "axis",
};

static const char *const glyph_names[THEME_GLYPH_COUNT] = {
    "blue", "green", "both", "marker",
};

/* In ANSI order, so the index is the color number. */
static const char *const color_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", THEME_BOLD},
    {"dim", THEME_DIM},
    {"reverse", THEME_REVERSE},
    {"underline", THEME_UNDERLINE},
};

#define LINE_MAX_LEN 256
#define FILE_MAX_LEN (64 * 1024)

static void base_theme(struct theme *t, const char *name)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    for (int r = 0; r < ROLE_COUNT; r++) {
        t->role[r].fg = THEME_COLOR_DEFAULT;
        t->role[r].bg = THEME_COLOR_DEFAULT;
    }
    static const char fallback[THEME_GLYPH_COUNT] = {'*', 'o', '#', '|'};
    for (int i = 0; i < THEME_GLYPH_COUNT; i++)
        t->glyph[i][0] = fallback[i];
}

static int lookup(const char *word, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(word, names[i]) == 0)
            return i;
    return -1;
}

/* "default", a name, or 0-255; -2 when it is none of them. */
static int parse_color(const char *word)
{
    if (strcmp(word, "default") == 0)
        return THEME_COLOR_DEFAULT;
    int i = lookup(word, color_names, 8);
    if (i >= 0)
        return i;
    if (word[0] < '0' || word[0] > '9')
        return -2;
    char *end;
    errno = 0;
    long v = strtol(word, &end, 10);
    if (errno || *end || v < 0 || v > 255)
        return -2;
    return (int)v;
}

static int parse_attr(const char *word)
{
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
        if (strcmp(word, attr_names[i].name) == 0)
            return (int)attr_names[i].bit;
    return -1;
}

/* Where errors go: the label, the line number and the caller's buffer. */
struct ctx {
    const char *name;
    int line;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(const struct ctx *c, const char *fmt, ...);

static int fail(const struct ctx *c, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->err && c->errlen)
        snprintf(c->err, c->errlen, "%s:%d: %s", c->name, c->line, msg);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int parse_glyph(const struct ctx *c, struct theme *t, const char *which, const char *val)
{
    int g = lookup(which, glyph_names, THEME_GLYPH_COUNT);
    if (g < 0)
        return fail(c, "unknown glyph 'glyph.%s' (blue, green, both, marker)", which);
    /* The glyphs stand in when the terminal cannot show UTF-8, so they
     * must be plain ASCII, one column wide. */
    if (strlen(val) != 1 || val[0] <= ' ' || val[0] > '~')
        return fail(c, "glyph.%s must be one printable ASCII character, not '%s'", which, val);
    t->glyph[g][0] = val[0];
    t->glyph[g][1] = '\0';
    return 0;
}

static int parse_style(const struct ctx *c, struct theme *t, const char *role, char *val)
{
    int r = lookup(role, role_names, ROLE_COUNT);
    if (r < 0)
        return fail(c, "unknown role '%s'", role);
    struct theme_style st = {THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0};
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(val, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++) {
        if (n < 2) {
            int col = parse_color(w);
            if (col == -2)
                return fail(c, "unknown color '%s' (a name or 0-255)", w);
            *(n == 0 ? &st.fg : &st.bg) = (short)col;
            continue;
        }
        int bit = parse_attr(w);
        if (bit < 0)
            return fail(c, "unknown attribute '%s' (bold, dim, reverse, underline)", w);
        st.attrs |= (unsigned)bit;
    }
    if (n < 2)
        return fail(c, "role '%s' needs a foreground and a background color", role);
    t->role[r] = st;
    return 0;
}

static int parse_line(const struct ctx *c, struct theme *t, char *line)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(c, "expected 'role = fg bg [attrs]' or 'glyph.NAME = C'");
    *eq = '\0';
    char *key = trim(s);
    char *val = trim(eq + 1);
    if (*key == '\0')
        return fail(c, "missing role name before '='");
    if (strncmp(key, "glyph.", 6) == 0)
        return parse_glyph(c, t, key + 6, val);
    return parse_style(c, t, key, val);
}

static bool any_color(const struct theme *t)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (t->role[r].fg != THEME_COLOR_DEFAULT || t->role[r].bg != THEME_COLOR_DEFAULT)
            return true;
    return false;
}

static int parse_into(const char *text, const char *name, struct theme *t, char *err, size_t errlen)
{
    base_theme(t, name);
    struct ctx c = {name, 0, err, errlen};
    const char *p = text;
    while (*p) {
        c.line++;
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n >= LINE_MAX_LEN)
            return fail(&c, "line longer than %d bytes", LINE_MAX_LEN - 1);
        char buf[LINE_MAX_LEN];
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (memchr(buf, '\0', n))
            return fail(&c, "NUL byte in theme text");
        if (parse_line(&c, t, buf) < 0)
            return -1;
        p += n + (nl ? 1 : 0);
    }
    t->color = any_color(t);
    return 0;
}

/* The built-in default cannot fail to parse (test_theme checks it). */
static void load_default(struct theme *t)
{
    if (parse_into(builtin_default, "default", t, NULL, 0) < 0)
        abort();
}

int theme_parse(const char *text, const char *name, struct theme *t, char *err, size_t errlen)
{
    if (!name)
        name = "theme";
    if (!text) {
        load_default(t);
        snprintf(err, errlen, "%s: no theme text", name);
        return -1;
    }
    if (parse_into(text, name, t, err, errlen) == 0)
        return 0;
    load_default(t);
    return -1;
}

const char *theme_default_name(const char *no_color)
{
    return no_color && *no_color ? "mono" : "default";
}

static bool is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 6 && strcmp(s + n - 6, ".theme") == 0);
}

/* The whole file as a NUL-terminated string; NULL with err filled. */
static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(FILE_MAX_LEN + 1);
    size_t n = buf ? fread(buf, 1, FILE_MAX_LEN + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > FILE_MAX_LEN) {
        snprintf(err, errlen, "%s: %s", path, !buf ? "out of memory"
                 : bad ? "read error" : "theme file larger than 64 KiB");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static int load_path(const char *path, struct theme *t, char *err, size_t errlen)
{
    char *text = read_file(path, err, errlen);
    if (!text) {
        load_default(t);
        return -1;
    }
    int rc = theme_parse(text, path, t, err, errlen);
    free(text);
    return rc;
}

int theme_load(const char *name_or_path, struct theme *t, char *err, size_t errlen)
{
    const char *name = name_or_path;
    if (!name || !*name)
        name = theme_default_name(getenv("NO_COLOR"));
    if (is_path(name))
        return load_path(name, t, err, errlen);
    for (size_t i = 0; i < BUILTIN_COUNT; i++)
        if (strcmp(name, builtins[i].name) == 0)
            return theme_parse(builtins[i].text, builtins[i].name, t, err, errlen);
    load_default(t);
    snprintf(err, errlen, "unknown theme '%s' (default, colorblind, mono, high-contrast, "
             "or a path to a .theme file); using default", name);
    return -1;
}

const char *theme_next(const char *name)
{
    for (size_t i = 0; name && i < BUILTIN_COUNT; i++)
        if (strcmp(name, builtins[i].name) == 0)
            return builtins[(i + 1) % BUILTIN_COUNT].name;
    return builtins[0].name;
}

const char *const *theme_builtin_names(void)
{
    return builtin_names;
}
