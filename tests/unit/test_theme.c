/* test_theme: theme text parsing, the built-ins, errors naming the line,
 * NO_COLOR and the fallback to the default theme. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "themes/theme.h"

static bool same_styles(const struct theme *a, const struct theme *b)
{
    return a->color == b->color && memcmp(a->role, b->role, sizeof a->role) == 0 &&
           memcmp(a->glyph, b->glyph, sizeof a->glyph) == 0;
}

static void test_builtins_parse(void **state)
{
    (void)state;
    const char *const *names = theme_builtin_names();
    int n = 0;
    for (; names[n]; n++) {
        struct theme t;
        char err[256] = "";
        assert_int_equal(theme_load(names[n], &t, err, sizeof err), 0);
        assert_string_equal(err, "");
        assert_string_equal(t.name, names[n]);
        /* Blue and green must differ in every theme, or the chart lies. */
        assert_true(memcmp(&t.role[ROLE_BLUE], &t.role[ROLE_GREEN], sizeof t.role[0]) != 0);
        assert_true(strcmp(t.glyph[THEME_GLYPH_BLUE], t.glyph[THEME_GLYPH_GREEN]) != 0);
        assert_true(strcmp(t.glyph[THEME_GLYPH_BOTH], t.glyph[THEME_GLYPH_BLUE]) != 0);
        assert_true(strcmp(t.glyph[THEME_GLYPH_BOTH], t.glyph[THEME_GLYPH_GREEN]) != 0);
    }
    assert_int_equal(n, 4);
}

/* The shipped .theme files and the compiled-in text must not drift apart. */
static void test_files_match_builtins(void **state)
{
    (void)state;
    const char *src = getenv("top_srcdir");
    if (!src)
        src = ".";
    const char *const *names = theme_builtin_names();
    for (int i = 0; names[i]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/themes/%s.theme", src, names[i]);
        struct theme from_file, builtin;
        char err[512] = "";
        int rc = theme_load(path, &from_file, err, sizeof err);
        if (rc)
            fail_msg("%s", err);
        assert_int_equal(theme_load(names[i], &builtin, err, sizeof err), 0);
        assert_true(same_styles(&from_file, &builtin));
        assert_string_equal(from_file.name, path);
    }
}

static void test_parse_values(void **state)
{
    (void)state;
    const char *text =
        "# a comment\n"
        "\n"
        "  blue = 33 default bold underline  \r\n"
        "green=yellow 235\n"
        "alert = white red reverse\n"
        "glyph.both = #\n"
        "glyph.green = x";
    struct theme t;
    char err[256] = "";
    assert_int_equal(theme_parse(text, "t.theme", &t, err, sizeof err), 0);
    assert_int_equal(t.role[ROLE_BLUE].fg, 33);
    assert_int_equal(t.role[ROLE_BLUE].bg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.role[ROLE_BLUE].attrs, THEME_BOLD | THEME_UNDERLINE);
    assert_int_equal(t.role[ROLE_GREEN].fg, 3);
    assert_int_equal(t.role[ROLE_GREEN].bg, 235);
    assert_int_equal(t.role[ROLE_ALERT].fg, 7);
    assert_int_equal(t.role[ROLE_ALERT].bg, 1);
    assert_int_equal(t.role[ROLE_ALERT].attrs, THEME_REVERSE);
    /* A role not named keeps the terminal's colors. */
    assert_int_equal(t.role[ROLE_TEXT].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.role[ROLE_TEXT].attrs, 0);
    assert_string_equal(t.glyph[THEME_GLYPH_BOTH], "#");
    assert_string_equal(t.glyph[THEME_GLYPH_GREEN], "x");
    assert_true(t.color);
}

static void test_mono_has_no_color(void **state)
{
    (void)state;
    struct theme t;
    char err[256];
    assert_int_equal(theme_load("mono", &t, err, sizeof err), 0);
    assert_false(t.color);
    assert_int_equal(theme_load("colorblind", &t, err, sizeof err), 0);
    assert_true(t.color);
}

struct bad {
    const char *text;
    const char *err;
};

static void test_errors_name_the_line(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"text = default default\n# c\n\nbleu = blue default\n",
         "colorblind.theme:4: unknown role 'bleu'"},
        {"blue = navy default\n", "colorblind.theme:1: unknown color 'navy' (a name or 0-255)"},
        {"blue = 256 default\n", "colorblind.theme:1: unknown color '256' (a name or 0-255)"},
        {"blue = -1 default\n", "colorblind.theme:1: unknown color '-1' (a name or 0-255)"},
        {"\nblue = 4\n", "colorblind.theme:2: role 'blue' needs a foreground and a background color"},
        {"blue = 4 0 blink\n",
         "colorblind.theme:1: unknown attribute 'blink' (bold, dim, reverse, underline)"},
        {"blue 4 0\n", "colorblind.theme:1: expected 'role = fg bg [attrs]' or 'glyph.NAME = C'"},
        {"glyph.blue = **\n",
         "colorblind.theme:1: glyph.blue must be one printable ASCII character, not '**'"},
        {"glyph.blue = \xe2\x97\x8f\n",
         "colorblind.theme:1: glyph.blue must be one printable ASCII character, not '\xe2\x97\x8f'"},
        {"glyph.bleu = *\n",
         "colorblind.theme:1: unknown glyph 'glyph.bleu' (blue, green, both, marker)"},
        {"= 1 2\n", "colorblind.theme:1: missing role name before '='"},
    };
    struct theme def;
    char err[256];
    assert_int_equal(theme_load("default", &def, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct theme t;
        memset(&t, 0xff, sizeof t);
        err[0] = '\0';
        assert_int_equal(theme_parse(cases[i].text, "colorblind.theme", &t, err, sizeof err), -1);
        assert_string_equal(err, cases[i].err);
        /* The caller can go on with the default theme. */
        assert_true(same_styles(&t, &def));
        assert_string_equal(t.name, "default");
    }
}

static void test_long_line(void **state)
{
    (void)state;
    char text[600];
    memset(text, ' ', sizeof text);
    memcpy(text + 300, "\nbleu = 1 2\n", 12);
    text[sizeof text - 1] = '\0';
    struct theme t;
    char err[256];
    assert_int_equal(theme_parse(text, "x.theme", &t, err, sizeof err), -1);
    assert_string_equal(err, "x.theme:1: line longer than 255 bytes");
}

static void test_no_color_picks_mono(void **state)
{
    (void)state;
    struct theme t;
    char err[256] = "";
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(theme_load(NULL, &t, err, sizeof err), 0);
    assert_string_equal(t.name, "mono");
    assert_false(t.color);
    /* An explicit choice overrides NO_COLOR (no-color.org). */
    assert_int_equal(theme_load("colorblind", &t, err, sizeof err), 0);
    assert_string_equal(t.name, "colorblind");
    /* Present but empty means unset. */
    setenv("NO_COLOR", "", 1);
    assert_int_equal(theme_load("", &t, err, sizeof err), 0);
    assert_string_equal(t.name, "default");
    unsetenv("NO_COLOR");
    assert_int_equal(theme_load(NULL, &t, err, sizeof err), 0);
    assert_string_equal(t.name, "default");
    assert_true(t.color);
    assert_string_equal(theme_default_name("1"), "mono");
    assert_string_equal(theme_default_name(NULL), "default");
}

static void test_unknown_falls_back(void **state)
{
    (void)state;
    struct theme t;
    char err[256] = "";
    assert_int_equal(theme_load("solarized", &t, err, sizeof err), -1);
    assert_string_equal(t.name, "default");
    assert_non_null(strstr(err, "unknown theme 'solarized'"));
    assert_non_null(strstr(err, "using default"));

    assert_int_equal(theme_load("/nonexistent/dir/x.theme", &t, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/dir/x.theme: No such file or directory");
    assert_string_equal(t.name, "default");
}

static void test_broken_file_names_line(void **state)
{
    (void)state;
    char path[] = "/tmp/test_theme_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char body[] = "text = default default\nblue = 33 default\nalert = white red flashing\n";
    assert_int_equal(write(fd, body, sizeof body - 1), (ssize_t)(sizeof body - 1));
    close(fd);
    struct theme t;
    char err[512] = "", want[600];
    assert_int_equal(theme_load(path, &t, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "%s:3: unknown attribute 'flashing' (bold, dim, reverse, underline)", path);
    assert_string_equal(err, want);
    assert_string_equal(t.name, "default");
    unlink(path);
}

static void test_next_cycles(void **state)
{
    (void)state;
    assert_string_equal(theme_next("default"), "colorblind");
    assert_string_equal(theme_next("colorblind"), "mono");
    assert_string_equal(theme_next("mono"), "high-contrast");
    assert_string_equal(theme_next("high-contrast"), "default");
    assert_string_equal(theme_next("/home/me/my.theme"), "default");
    assert_string_equal(theme_next(NULL), "default");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_parse),
        cmocka_unit_test(test_files_match_builtins),
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_mono_has_no_color),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_no_color_picks_mono),
        cmocka_unit_test(test_unknown_falls_back),
        cmocka_unit_test(test_broken_file_names_line),
        cmocka_unit_test(test_next_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
