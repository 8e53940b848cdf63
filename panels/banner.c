/* banner: the announcement, wrapped. */
#include "panels/banner.h"

#include <stdio.h>
#include <string.h>

#include "view/wrap.h"

#define CLOSE_HINT "(Esc closes)"

/* The title and the text as one sentence to wrap; the title's columns
 * are drawn again in the alert role over it. */
static void whole(const struct announce *a, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s %s", a->title, a->text, CLOSE_HINT);
}

int banner_rows(const struct announce *a, int width)
{
    char buf[sizeof a->title + sizeof a->text + 32];
    whole(a, buf, sizeof buf);
    int n = wrap_text(buf, width, NULL, 0);
    return n < 1 ? 1 : n > BANNER_MAX_ROWS ? BANNER_MAX_ROWS : n;
}

void banner_draw(const struct announce *a, struct grid *g)
{
    char buf[sizeof a->title + sizeof a->text + 32];
    struct wrap_line line[BANNER_MAX_ROWS];
    int w = grid_width(g), h = grid_height(g);
    grid_clear(g);
    whole(a, buf, sizeof buf);
    int max = h < BANNER_MAX_ROWS ? h : BANNER_MAX_ROWS;
    int n = wrap_text(buf, w, line, max);
    if (n > max)
        n = max;
    for (int y = 0; y < n; y++) {
        char row[700];
        snprintf(row, sizeof row, "%.*s", line[y].len, line[y].start);
        grid_put_text(g, 0, y, row, w, ROLE_WARN);
    }
    grid_put_text(g, 0, 0, a->title, w, ROLE_ALERT);
}
