/* chartmarks: greedy label rows, merging what does not fit. */
#include "panels/chartmarks.h"

#include <stdio.h>
#include <string.h>

#include "view/wrap.h"

/* A label starts at its marker and is pulled left to stay whole at the
 * right edge; a label wider than the chart starts at 0 and is cut there. */
static int start_of(int col, int len, int width)
{
    int x = col + len > width ? width - len : col;
    return x < 0 ? 0 : x;
}

static int columns(const char *s)
{
    return wrap_columns(s, strlen(s));
}

/* The merged label names how many markers it stands for and the newest;
 * pulled left to stay whole, but never over the label before it. */
static void merge(struct chartmarks_out *o, const char *label, int width, int limit)
{
    char text[CHARTMARKS_LABEL];
    o->count++;
    snprintf(text, sizeof text, "%d reloads, last %s", o->count, label);
    memcpy(o->text, text, sizeof text);
    int x = start_of(o->x, columns(o->text), width);
    o->x = x < limit ? limit : x;
}

int chartmarks_layout(const struct chartmarks_in *in, int n, int width, int rows,
                      struct chartmarks_out *out)
{
    if (rows < 1 || width < 1)
        return 0;
    /* Per row: the first free column (a blank kept after a label), and
     * where the row's last label may start at the earliest. */
    int end[8], limit[8];
    if (rows > 8)
        rows = 8;
    for (int r = 0; r < rows; r++)
        end[r] = limit[r] = 0;
    int placed = 0;
    for (int i = 0; i < n; i++) {
        int len = columns(in[i].label);
        int x = start_of(in[i].col, len, width), row = -1;
        for (int r = 0; r < rows && row < 0; r++)
            if (x >= end[r])
                row = r;
        if (row < 0 || placed == CHARTMARKS_MAX) {
            if (placed == 0)
                continue;
            struct chartmarks_out *last = &out[placed - 1];
            merge(last, in[i].label, width, limit[last->row]);
            end[last->row] = last->x + columns(last->text) + 1;
            continue;
        }
        struct chartmarks_out *o = &out[placed++];
        o->x = x;
        o->row = row;
        o->count = 1;
        snprintf(o->text, sizeof o->text, "%s", in[i].label);
        limit[row] = end[row];
        end[row] = x + len + 1;
    }
    return placed;
}
