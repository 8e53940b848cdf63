/* messages: labelled sentences, wrapped. */
#include "panels/messages.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "panels/panel.h"
#include "view/wrap.h"

#define LABEL_W 10
#define ENTRY_MAX 32

/* Draws label and text from row *y, the text wrapped right of the label. */
static void entry(struct grid *g, int *y, const char *label, const char *text, enum grid_role role)
{
    struct wrap_line line[ENTRY_MAX];
    int w = grid_width(g) - LABEL_W, h = grid_height(g);
    if (!text || !text[0] || *y >= h || w < 10)
        return;
    grid_put_text(g, 0, *y, label, LABEL_W - 1, ROLE_TITLE);
    int n = wrap_text(text, w, line, ENTRY_MAX);
    for (int i = 0; i < n && i < ENTRY_MAX && *y < h; i++, (*y)++) {
        char row[600];
        snprintf(row, sizeof row, "%.*s", line[i].len, line[i].start);
        grid_put_text(g, LABEL_W, *y, row, w, role);
    }
}

/* The newest event matching action (and outcome, when given), as
 * "HH:MM:SS text". */
static void latest(const struct model *m, const char *action, const char *outcome, char *buf,
                   size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < model_event_count(m); i++) {
        const struct model_event *e = model_event_get(m, i);
        if (strcmp(e->action, action) != 0 || (outcome && strcmp(e->outcome, outcome) != 0))
            continue;
        char clock[16];
        panel_clock(e->time, clock, sizeof clock);
        snprintf(buf, len, "%s %s %s", clock, e->user, e->error[0] ? e->error : e->outcome);
        return;
    }
}

void messages_draw(const struct model *m, struct grid *g, const struct messages_opts *o)
{
    char buf[1400];
    int y = 1;
    grid_clear(g);
    panel_title(g, 0, 0, grid_width(g), "messages, whole (m or Esc closes)", m, o->now);
    if (o->server && o->server->have) {
        snprintf(buf, sizeof buf, "%s %s", o->server->title, o->server->text);
        entry(g, &y, "server", buf, ROLE_ALERT);
    }
    entry(g, &y, "last", o->last, ROLE_WARN);
    for (int i = 0; i < m->guard_count; i++) {
        char label[24];
        snprintf(label, sizeof label, "%s", m->guard[i].name);
        /* "ok: ok: ..." says nothing twice: a text that leads with its
         * level stands alone. */
        size_t n = strlen(m->guard[i].level);
        bool led = strncmp(m->guard[i].text, m->guard[i].level, n) == 0 && m->guard[i].text[n] == ':';
        snprintf(buf, sizeof buf, "%s%s%s", led ? "" : m->guard[i].level, led ? "" : ": ",
                 m->guard[i].text);
        entry(g, &y, label, buf, ROLE_TEXT);
    }
    latest(m, "shift", "refused", buf, sizeof buf);
    entry(g, &y, "refused", buf, ROLE_WARN);
    latest(m, "preflight", "failed", buf, sizeof buf);
    entry(g, &y, "preflight", buf, ROLE_ALERT);
    latest(m, "drill", NULL, buf, sizeof buf);
    entry(g, &y, "drill", buf, ROLE_TEXT);
    if (y == 1)
        grid_put_text(g, 0, 1, "nothing to say yet", -1, ROLE_DIM);
}
