/* chartmarks: where the chart's reload-marker labels go. Markers a few
 * seconds apart fall on neighbouring columns, and their labels would write
 * over each other ("90/1080/2070/30..."); here each label takes the first
 * label row where it fits whole, and one that fits on no row is merged
 * into the label placed last, which then counts them ("4 reloads, last
 * 60/40 9a7d3e2"). Pure geometry: no grid, no model, so it is tested alone.
 * The caller owns every array. */
#ifndef CUTOVER_PANELS_CHARTMARKS_H
#define CUTOVER_PANELS_CHARTMARKS_H

#define CHARTMARKS_MAX 64
#define CHARTMARKS_LABEL 112

struct chartmarks_in {
    int col;                        /* the marker's column, 0 .. width-1 */
    const char *label;              /* its own label */
};

struct chartmarks_out {
    int x, row;                     /* where the label starts; row 0 is the top */
    int count;                      /* markers it stands for (1: its own label) */
    char text[CHARTMARKS_LABEL];
};

/* Lays out n labels (sorted by column, oldest first) on `rows` rows of
 * `width` columns. Returns the number of labels written to out (at most
 * n and CHARTMARKS_MAX); 0 when rows or width are below 1. */
int chartmarks_layout(const struct chartmarks_in *in, int n, int width, int rows,
                      struct chartmarks_out *out);

#endif
