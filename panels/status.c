/* status: host, mode, holder, age, message, keys. */
#include "panels/status.h"

#include <stdio.h>
#include <string.h>

#include "panels/panel.h"

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
static int piece(struct grid *g, int x, int end, const char *text, enum grid_role role)
{
    if (!text || !text[0] || x >= end)
        return x;
    if (x > 0)
        x += grid_put_text(g, x, 0, "  ", end - x, ROLE_DIM);
    return x + grid_put_text(g, x, 0, text, end - x > 0 ? end - x : 0, role);
}

void status_draw(const struct model *m, struct grid *g, const struct status_opts *o)
{
    char holder[256], age[48];
    int w = grid_width(g);
    grid_clear(g);
    /* The age sits at the right end and is never crowded out: numbers that
     * are not live must not look live. */
    int end = w;
    if (panel_age_text(m, o->now, age, sizeof age)) {
        int alen = (int)strlen(age);
        end = alen >= w ? 0 : w - alen - 2;
        grid_put_text(g, alen >= w ? 0 : w - alen, 0, age, -1, ROLE_ALERT);
    }
    int x = piece(g, 0, end, o->host, ROLE_TITLE);
    x = piece(g, x, end, status_mode_name(o->mode), mode_role(o->mode));
    holder[0] = '\0';
    if (o->mode == STATUS_WATCH && m)
        holder_text(m, holder, sizeof holder);
    x = piece(g, x, end, holder, ROLE_TEXT);
    x = piece(g, x, end, o->message, ROLE_WARN);
    /* Keys only where they fit whole after everything that matters. */
    if (o->keys && o->keys[0]) {
        int klen = (int)strlen(o->keys);
        if (x + 2 + klen <= end)
            grid_put_text(g, end - klen, 0, o->keys, -1, ROLE_DIM);
    }
}
