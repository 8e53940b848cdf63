/* panel: the shared title row, age text and clock. */
#define _POSIX_C_SOURCE 200809L
#include "panels/panel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool panel_age_text(const struct model *m, double now, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (!m || !m->have_snapshot) {
        snprintf(buf, len, "no data yet");
        return true;
    }
    if (!model_stale(m, now))
        return false;
    snprintf(buf, len, "stale: %.0f s", floor(model_age(m, now)));
    return true;
}

int panel_title(struct grid *g, int x, int y, int w, const char *title, const struct model *m,
                double now)
{
    char age[48];
    if (w <= 0)
        return 0;
    if (!panel_age_text(m, now, age, sizeof age))
        return grid_put_text(g, x, y, title, w, ROLE_TITLE);
    int alen = (int)strlen(age);
    if (alen >= w) {
        grid_put_text(g, x, y, age, w, ROLE_ALERT);
        return 0;
    }
    int used = grid_put_text(g, x, y, title, w - alen - 1, ROLE_TITLE);
    grid_put_text(g, x + w - alen, y, age, alen, ROLE_ALERT);
    return used;
}

void panel_clock(double t, char *buf, size_t len)
{
    struct tm tm;
    time_t s = (time_t)floor(t);
    if (t <= 0 || !localtime_r(&s, &tm)) {
        snprintf(buf, len, "--:--:--");
        return;
    }
    snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

const char *panel_spinner(int frame, bool utf8)
{
    static const char *const dots[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
    static const char *const ascii[] = {"|", "/", "-", "\\"};
    int n = utf8 ? 10 : 4;
    int i = frame % n;
    if (i < 0)
        i += n;
    return utf8 ? dots[i] : ascii[i];
}
