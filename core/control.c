/* control: the control lock as a small state machine over FREE, HELD and
 * GRACE. Every entry point that takes `now` first ends a grace that has run
 * out, so a late control_tick can never let a stale reservation refuse
 * someone. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/control.h"

void control_init(struct control *c, double grace_s, double utc_offset_s)
{
    memset(c, 0, sizeof *c);
    c->grace_s = (grace_s > 0 && isfinite(grace_s)) ? grace_s : 0;
    c->utc_offset_s = isfinite(utc_offset_s) ? utc_offset_s : 0;
    c->state = CONTROL_FREE;
}

/* "HH:MM:SS" of an epoch time; plain arithmetic, so core stays free of the
 * C library's time zone state. */
static void clock_text(const struct control *c, double t, char *buf, size_t len)
{
    double s = floor(t + c->utc_offset_s);
    if (!isfinite(s))
        s = 0;
    long day = (long)fmod(s, 86400.0);
    if (day < 0)
        day += 86400;
    snprintf(buf, len, "%02ld:%02ld:%02ld", day / 3600, day / 60 % 60, day % 60);
}

static void set_free(struct control *c)
{
    memset(&c->holder, 0, sizeof c->holder);
    c->state = CONTROL_FREE;
    c->since = 0;
    c->disconnected_at = 0;
}

static bool grace_over(const struct control *c, double now)
{
    return c->state == CONTROL_GRACE && now >= c->disconnected_at + c->grace_s;
}

bool control_tick(struct control *c, double now, struct control_who *expired)
{
    if (!grace_over(c, now))
        return false;
    if (expired != NULL)
        *expired = c->holder;
    set_free(c);
    return true;
}

static void take(struct control *c, const struct control_who *who, double now)
{
    c->holder = *who;
    c->state = CONTROL_HELD;
    c->since = now;
    c->disconnected_at = 0;
}

/* "held by alice (pid 4242, ssh 10.0.0.5 51000 22, since 12:00:00)" or, in
 * the grace, "held by alice (disconnected at 12:00:05, free in 17 s)". */
static void held_text(const struct control *c, double now, char *buf, size_t len)
{
    char when[32];
    if (c->state == CONTROL_GRACE) {
        double left = ceil(c->disconnected_at + c->grace_s - now);
        clock_text(c, c->disconnected_at, when, sizeof when);
        snprintf(buf, len, "held by %s (disconnected at %s, free in %.0f s)", c->holder.user,
                 when, left < 1 ? 1 : left);
        return;
    }
    clock_text(c, c->since, when, sizeof when);
    snprintf(buf, len, "held by %s (pid %ld%s%s, since %s)", c->holder.user, c->holder.pid,
             c->holder.ssh_client[0] ? ", ssh " : "", c->holder.ssh_client, when);
}

static void refuse(struct control *c, double now, struct control_result *res)
{
    res->outcome = CONTROL_HELD_BY_OTHER;
    res->refused = true;
    res->other = c->holder;
    held_text(c, now, res->text, sizeof res->text);
}

void control_request(struct control *c, const struct control_who *who, double now, bool steal,
                     bool may_control, struct control_result *res)
{
    memset(res, 0, sizeof *res);
    res->grace_expired = control_tick(c, now, &res->expired);
    if (!may_control) {
        res->outcome = CONTROL_DENIED_READ_ONLY;
        res->refused = true;
        snprintf(res->text, sizeof res->text, "read-only: %s may watch but not control", who->user);
        return;
    }
    if (c->state == CONTROL_HELD && c->holder.client_id == who->client_id) {
        res->outcome = CONTROL_GRANTED;
        snprintf(res->text, sizeof res->text, "you already hold control");
        return;
    }
    if (c->state == CONTROL_GRACE && c->holder.uid == who->uid) {
        res->outcome = CONTROL_RECLAIMED;
        res->other = c->holder;
        take(c, who, now);
        snprintf(res->text, sizeof res->text, "control taken back by %s", who->user);
        return;
    }
    if (c->state != CONTROL_FREE && !steal) {
        refuse(c, now, res);
        return;
    }
    res->outcome = c->state == CONTROL_FREE ? CONTROL_GRANTED : CONTROL_STOLEN;
    res->other = c->holder;
    if (res->outcome == CONTROL_STOLEN)
        snprintf(res->text, sizeof res->text, "control taken from %s (pid %ld) by %s",
                 c->holder.user, c->holder.pid, who->user);
    else
        snprintf(res->text, sizeof res->text, "control granted to %s", who->user);
    take(c, who, now);
}

int control_release(struct control *c, long client_id, double now)
{
    control_tick(c, now, NULL);
    if (c->state != CONTROL_HELD || c->holder.client_id != client_id)
        return -1;
    set_free(c);
    return 0;
}

bool control_disconnected(struct control *c, long client_id, double now)
{
    control_tick(c, now, NULL);
    if (c->state != CONTROL_HELD || c->holder.client_id != client_id)
        return false;
    if (c->grace_s <= 0) {
        set_free(c);
        return true;
    }
    c->state = CONTROL_GRACE;
    c->disconnected_at = now;
    return true;
}

enum control_state control_holder(const struct control *c, double now, struct control_view *out)
{
    char since[32], until[32];
    memset(out, 0, sizeof *out);
    if (c->state == CONTROL_FREE || grace_over(c, now)) {
        snprintf(out->text, sizeof out->text, "nobody");
        return out->state = CONTROL_FREE;
    }
    out->state = c->state;
    out->holder = c->holder;
    out->since = c->since;
    clock_text(c, c->since, since, sizeof since);
    int n = snprintf(out->text, sizeof out->text, "%s, pid %ld%s%s, since %s", c->holder.user,
                     c->holder.pid, c->holder.ssh_client[0] ? ", ssh " : "",
                     c->holder.ssh_client, since);
    if (c->state == CONTROL_GRACE) {
        out->grace_until = c->disconnected_at + c->grace_s;
        clock_text(c, out->grace_until, until, sizeof until);
        if (n >= 0 && (size_t)n < sizeof out->text)
            snprintf(out->text + n, sizeof out->text - (size_t)n, ", disconnected, grace until %s",
                     until);
    }
    return out->state;
}

bool control_may_command(const struct control *c, long client_id)
{
    return c->state == CONTROL_HELD && c->holder.client_id == client_id;
}
