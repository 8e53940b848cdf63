/* wrap: greedy word wrap over UTF-8 text. */
#include "view/wrap.h"
#include "view/grid.h"

#include <stdbool.h>

int wrap_columns(const char *text, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len && text[i]; i += (size_t)grid_char_bytes(text + i))
        n += !grid_zero_width(text + i);
    return n;
}

/* Bytes from p covering at most `cols` columns (up to a NUL or '\n'), as
 * grid_put_text counts them; a zero-width character stays with the one
 * before it. */
static int bytes_for(const char *p, int cols)
{
    int i = 0, seen = 0;
    while (p[i] && p[i] != '\n') {
        if (!grid_zero_width(p + i)) {
            if (seen == cols)
                break;
            seen++;
        }
        i += grid_char_bytes(p + i);
    }
    return i;
}

/* One line from p: returns its length in bytes; *next is where the next
 * line starts (spaces at the break skipped). */
static int one_line(const char *p, int width, const char **next)
{
    int fit = bytes_for(p, width);
    if (p[fit] == '\0' || p[fit] == '\n' || p[fit] == ' ') {
        *next = p + fit;
    } else {
        /* Break at the last space within the line; a word longer than the
         * line is split where the line ends. */
        int cut = fit;
        while (cut > 0 && p[cut] != ' ')
            cut--;
        if (cut > 0)
            fit = cut;
        *next = p + fit;
    }
    int len = fit;
    while (len > 0 && p[len - 1] == ' ')
        len--;
    while (**next == ' ')
        (*next)++;
    if (**next == '\n')
        (*next)++;
    return len;
}

int wrap_text(const char *text, int width, struct wrap_line *out, int max)
{
    if (!text || width < 1)
        return 0;
    int n = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p) {
        const char *next;
        int len = one_line(p, width, &next);
        if (n < max && out) {
            out[n].start = p;
            out[n].len = len;
        }
        n++;
        p = next;
    }
    return n;
}
