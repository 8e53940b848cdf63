/* export: not written yet; the engine already calls it. */
#include "server/export.h"

#include <stdlib.h>

struct exporter {
    const struct config *cfg;
};

int export_start(uv_loop_t *loop, const struct config *cfg, struct exporter **out,
                 char *msg, size_t msglen)
{
    (void)loop;
    (void)msg;
    (void)msglen;
    *out = calloc(1, sizeof **out);
    if (*out)
        (*out)->cfg = cfg;
    return *out ? 0 : -1;
}

void export_second(struct exporter *x, const struct export_second *s)
{
    (void)x;
    (void)s;
}

void export_event(struct exporter *x, const cJSON *event)
{
    (void)x;
    (void)event;
}

void export_stop(struct exporter *x, void (*done)(void *data), void *data)
{
    free(x);
    done(data);
}
