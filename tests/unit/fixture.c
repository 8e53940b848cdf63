/* fixture: read a recorded fixture file, relative to $top_srcdir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tests/unit/fixture.h"

char *fixture_read(const char *name)
{
    const char *dir = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/unit/fixtures/%s", dir ? dir : ".", name);
    return fixture_read_path(path);
}

char *fixture_read_path(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}
