/* balancer: which implementation a config drives, and the outcome words
 * every implementation shares. */
#include "backends/balancer.h"

#include <stdbool.h>
#include <stddef.h>

#include "core/errcode.h"

/* A config key (balancer.kind) would pick among these; with one
 * implementation there is nothing to pick yet. */
static const struct balancer_ops *const kinds[] = {
    &balancer_nginx_ops,
};

const struct balancer_ops *balancer_of(const struct config *cfg)
{
    (void)cfg;
    return kinds[0];
}

/* Each outcome's word in the journal and what it means to the caller. A
 * config left in place after a failed reload is still a reload failure; a
 * write or restore that failed is plain I/O trouble. */
static const struct {
    const char *name;
    int err;
} outcomes[] = {
    [BALANCER_OK] = {"ok", 0},
    [BALANCER_WRITE_FAILED] = {"write-failed", ERRCODE_IO},
    [BALANCER_REJECTED] = {"test-failed", ERRCODE_REJECTED},
    [BALANCER_RESTORE_FAILED] = {"restore-failed", ERRCODE_IO},
    [BALANCER_RELOAD_FAILED] = {"reload-failed", ERRCODE_RELOAD},
    [BALANCER_NOT_CONFIRMED] = {"reload-not-applied", ERRCODE_RELOAD},
};

static bool known(enum balancer_outcome o)
{
    return (size_t)o < sizeof outcomes / sizeof outcomes[0];
}

const char *balancer_outcome_name(enum balancer_outcome o)
{
    return known(o) ? outcomes[o].name : "unknown";
}

int balancer_outcome_err(enum balancer_outcome o)
{
    return known(o) ? outcomes[o].err : ERRCODE_IO;
}
