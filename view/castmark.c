/* castmark: journal events as recording markers. */
#include "view/castmark.h"

#include <stdio.h>
#include <string.h>

/* The error text repeats what the label already says ("refused: ...",
 * "shift refused: ..."): that lead is dropped, never the rest. */
static const char *without_lead(const struct model_event *ev)
{
    const char *s = ev->error;
    char lead[64];
    snprintf(lead, sizeof lead, "%s %s: ", ev->action, ev->outcome);
    if (strncmp(s, lead, strlen(lead)) == 0)
        return s + strlen(lead);
    snprintf(lead, sizeof lead, "%s: ", ev->outcome);
    if (ev->outcome[0] && strncmp(s, lead, strlen(lead)) == 0)
        return s + strlen(lead);
    return s;
}

static bool known(const int w[COLOR_COUNT])
{
    return w[COLOR_BLUE] >= 0 && w[COLOR_GREEN] >= 0;
}

bool castmark_label(const struct model_event *ev, char *buf, size_t len)
{
    if (!ev->action[0] || strcmp(ev->action, "intent") == 0)
        return false;
    bool ok = strcmp(ev->outcome, "ok") == 0 || strcmp(ev->outcome, "started") == 0;
    bool moved = known(ev->before) && known(ev->after) &&
                 ev->before[COLOR_BLUE] != ev->after[COLOR_BLUE];
    int n;
    if (moved)   /* what it moved, or meant to */
        n = snprintf(buf, len, "%s%s%s %d/%d -> %d/%d", ev->action, ok ? "" : " ",
                     ok ? "" : ev->outcome, ev->before[COLOR_BLUE], ev->before[COLOR_GREEN],
                     ev->after[COLOR_BLUE], ev->after[COLOR_GREEN]);
    else if (!ok && known(ev->after))   /* where it stood when it did not happen */
        n = snprintf(buf, len, "%s %s at %d/%d", ev->action, ev->outcome, ev->after[COLOR_BLUE],
                     ev->after[COLOR_GREEN]);
    else
        n = snprintf(buf, len, "%s%s%s", ev->action, ok ? "" : " ", ok ? "" : ev->outcome);
    if (moved && model_event_by_server(ev) && strcmp(ev->action, "auto-rollback") != 0 &&
        n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " by %s", ev->user);
    const char *why = without_lead(ev);
    if (why[0] && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ": %s", why);
    return true;
}
