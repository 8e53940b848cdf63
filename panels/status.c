/* status: host, mode, holder, age, message, keys. */
#include "panels/status.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "panels/panel.h"
#include "view/wrap.h"

const char *status_mode_name(enum status_mode mode)
{
    switch (mode) {
    case STATUS_CONTROL: return "CONTROL";
    case STATUS_WATCH: return "WATCH";
    case STATUS_REPLAY: return "REPLAY";
    }
    return "?";
}

static enum grid_role mode_role(enum status_mode mode)
{
    return mode == STATUS_CONTROL ? ROLE_OK : mode == STATUS_WATCH ? ROLE_WARN : ROLE_MARKER;
}

/* Who holds control, as a watcher needs to know whom to ask. */
static void holder_text(const struct model *m, char *buf, size_t len)
{
    const struct model_control *c = &m->control;
    if (c->holder_user[0] && c->holder_since > 0) {
        char at[16];
        panel_clock(c->holder_since, at, sizeof at);
        snprintf(buf, len, "held by %s since %s", c->holder_user, at);
    } else if (c->text[0]) {
        snprintf(buf, len, "control: %s", c->text);
    } else {
        buf[0] = '\0';
    }
}

/* One piece of the line, clipped before `end`; returns the new x. */
static int piece(struct grid *g, int x, int y, int end, const char *text, enum grid_role role)
{
    if (!text || !text[0] || x >= end)
        return x;
    if (x > 0)
        x += grid_put_text(g, x, y, "  ", end - x, ROLE_DIM);
    return x + grid_put_text(g, x, y, text, end - x > 0 ? end - x : 0, role);
}

/* Columns the line's fixed pieces take before the message, and where the
 * line ends (the age, when shown, sits right of it). */
static int prefix_width(const struct model *m, const struct status_opts *o, int w, int *end)
{
    char holder[256], age[48];
    *end = w;
    if (panel_age_text(m, o->now, age, sizeof age)) {
        int alen = (int)strlen(age);
        *end = alen >= w ? 0 : w - alen - 2;
    }
    int x = o->host && o->host[0] ? (int)strlen(o->host) + 2 : 0;
    x += (int)strlen(status_mode_name(o->mode));
    holder[0] = '\0';
    if (o->mode == STATUS_WATCH && m)
        holder_text(m, holder, sizeof holder);
    if (holder[0])
        x += 2 + (int)strlen(holder);
    return x;
}

/* The message stays on the line when it fits there whole. */
static bool message_fits(const struct model *m, const struct status_opts *o, int w)
{
    int end;
    int x = prefix_width(m, o, w, &end);
    return !o->message || !o->message[0] ||
           x + 2 + wrap_columns(o->message, strlen(o->message)) <= end;
}

int status_rows(const struct model *m, const struct status_opts *o, int width)
{
    if (message_fits(m, o, width))
        return 1;
    int n = wrap_text(o->message, width, NULL, 0);
    return 1 + (n > STATUS_MESSAGE_ROWS ? STATUS_MESSAGE_ROWS : n);
}

#define MORE_HINT " ... (m shows it whole)"

/* The message whole, wrapped over the rows above the line; one longer
 * than the rows ends with a pointer to the messages view. */
static void draw_message_area(struct grid *g, const char *message, int rows)
{
    struct wrap_line line[STATUS_MESSAGE_ROWS];
    int w = grid_width(g);
    int need = wrap_text(message, w, line, STATUS_MESSAGE_ROWS);
    int n = need < STATUS_MESSAGE_ROWS ? need : STATUS_MESSAGE_ROWS;
    if (n > rows)
        n = rows;
    for (int y = 0; y < n; y++) {
        char row[600];
        snprintf(row, sizeof row, "%.*s", line[y].len, line[y].start);
        grid_put_text(g, 0, y, row, -1, ROLE_WARN);
    }
    int hint = (int)strlen(MORE_HINT);
    if (need > n && n > 0 && w > hint)
        grid_put_text(g, w - hint, n - 1, MORE_HINT, -1, ROLE_DIM);
}

void status_draw(const struct model *m, struct grid *g, const struct status_opts *o)
{
    char holder[256], age[48];
    int w = grid_width(g), h = grid_height(g), y = h - 1;
    grid_clear(g);
    const char *message = o->message;
    if (h > 1 && !message_fits(m, o, w)) {
        draw_message_area(g, message, h - 1);
        message = NULL;
    }
    /* The age sits at the right end and is never crowded out: numbers that
     * are not live must not look live. */
    int end = w;
    if (panel_age_text(m, o->now, age, sizeof age)) {
        int alen = (int)strlen(age);
        end = alen >= w ? 0 : w - alen - 2;
        grid_put_text(g, alen >= w ? 0 : w - alen, y, age, -1, ROLE_ALERT);
    }
    int x = piece(g, 0, y, end, o->host, ROLE_TITLE);
    x = piece(g, x, y, end, status_mode_name(o->mode), mode_role(o->mode));
    holder[0] = '\0';
    if (o->mode == STATUS_WATCH && m)
        holder_text(m, holder, sizeof holder);
    x = piece(g, x, y, end, holder, ROLE_TEXT);
    x = piece(g, x, y, end, message, ROLE_WARN);
    /* Keys only where they fit whole after everything that matters. */
    if (o->keys && o->keys[0]) {
        int klen = (int)strlen(o->keys);
        if (x + 2 + klen <= end)
            grid_put_text(g, end - klen, y, o->keys, -1, ROLE_DIM);
    }
}
