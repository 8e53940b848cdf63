/* timeline: not written yet; the engine already calls it. */
#include "server/timeline.h"

#include <stdlib.h>

struct timeline_writer {
    const struct config *cfg;
};

int timeline_open(const struct config *cfg, struct timeline_writer **out, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    *out = calloc(1, sizeof **out);
    if (*out)
        (*out)->cfg = cfg;
    return *out ? 0 : -1;
}

void timeline_second(struct timeline_writer *t, const cJSON *snapshot, const struct window *w)
{
    (void)t;
    (void)snapshot;
    (void)w;
}

void timeline_event(struct timeline_writer *t, const char *line)
{
    (void)t;
    (void)line;
}

void timeline_close(struct timeline_writer *t)
{
    free(t);
}
