/* preflight_job: preflight on the thread pool. */
#include "server/preflight_job.h"

#include <stdlib.h>

struct preflight_job {
    uv_work_t req;
    const struct config *cfg;
    bool loopback_only;
    struct preflight_report report;
    preflight_job_cb cb;
    void *data;
};

/* On a pool thread: a private loop, so nothing here touches the server's. */
static void work(uv_work_t *req)
{
    struct preflight_job *j = req->data;
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        j->report.count = 0;
        preflight_add(&j->report, "preflight", PREFLIGHT_FAIL, "cannot start an event loop");
        return;
    }
    j->report.count = 0;
    if (j->loopback_only)
        preflight_loopback(&loop, j->cfg, &j->report);
    else
        preflight_run(&loop, j->cfg, &j->report);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

static void after_work(uv_work_t *req, int status)
{
    struct preflight_job *j = req->data;
    if (status != 0) {
        j->report.count = 0;
        preflight_add(&j->report, "preflight", PREFLIGHT_FAIL, "cancelled");
    }
    j->cb(&j->report, j->data);
    free(j);
}

int preflight_job_start(uv_loop_t *loop, const struct config *cfg, bool loopback_only,
                        preflight_job_cb cb, void *data)
{
    struct preflight_job *j = calloc(1, sizeof *j);
    if (!j)
        return UV_ENOMEM;
    j->req.data = j;
    j->cfg = cfg;
    j->loopback_only = loopback_only;
    j->cb = cb;
    j->data = data;
    int rc = uv_queue_work(loop, &j->req, work, after_work);
    if (rc != 0)
        free(j);
    return rc;
}
