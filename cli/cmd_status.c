/* cutover status: the weights nginx really has, the phase, and the live
 * signals. With a server running, its numbers (the same every client sees);
 * without one, read here and sampled for a few seconds. Both paths build one
 * JSON object; the text form is printed from it. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/remote.h"
#include "cli/sample.h"
#include "core/metric.h"
#include "runtime/mover.h"
#include "runtime/statedir.h"

static cJSON *weights_json(const int w[COLOR_COUNT])
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "blue", w[COLOR_BLUE]);
    cJSON_AddNumberToObject(o, "green", w[COLOR_GREEN]);
    return o;
}

/* stable, candidate, phase and next from weights and the stable color. */
static void add_rollout(const struct config *cfg, cJSON *o, const int w[COLOR_COUNT], int stable,
                        const char *phase, const char *why_unknown)
{
    int next[COLOR_COUNT];
    char why[128];
    if (stable == COLOR_NONE) {
        cJSON_AddNullToObject(o, "stable");
        cJSON_AddNullToObject(o, "candidate");
        cJSON_AddNullToObject(o, "phase");
        cJSON_AddStringToObject(o, "stable_unknown", why_unknown ? why_unknown : "unknown");
        cJSON_AddNullToObject(o, "next");
        return;
    }
    cJSON_AddStringToObject(o, "stable", color_name((enum color)stable));
    cJSON_AddStringToObject(o, "candidate", color_name(color_other((enum color)stable)));
    cJSON_AddStringToObject(o, "phase", phase);
    int step = cfg->rollout.step;
    if (rollout_step(w, (enum color)stable, step, step, next, why, sizeof why) == 0)
        cJSON_AddItemToObject(o, "next", weights_json(next));
    else
        cJSON_AddNullToObject(o, "next");
}

/* The snapshot's "reconcile" shape (server/engine.c writes the same). */
static cJSON *reconcile_json(const struct intent_reconcile *rec)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", rec->text);
    cJSON_AddBoolToObject(o, "interrupted", rec->pending);
    cJSON_AddBoolToObject(o, "may_apply", rec->may_apply);
    cJSON_AddItemToObject(o, "confirmed", weights_json(rec->confirmed));
    cJSON_AddItemToObject(o, "file", weights_json(rec->file));
    return o;
}

static cJSON *status_base(const struct config *cfg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "upstream_file", cfg->nginx.upstream_file);
    cJSON_AddStringToObject(o, "upstream_name", cfg->nginx.upstream_name);
    return o;
}

static cJSON *status_direct(struct app *app, int named, double sample_s, int *rc)
{
    const struct config *cfg = app->cfg;
    struct mover_current cur;
    char msg[512];
    *rc = exitcode_of(mover_read_current(cfg, named, &cur, msg, sizeof msg));
    if (*rc != EXIT_OK) {
        app_errorf(app, "%s", msg);
        return NULL;
    }
    cJSON *o = status_base(cfg);
    cJSON_AddItemToObject(o, "weights", weights_json(cur.weight));
    /* A move in flight elsewhere has its intent open too; only one whose
     * process is gone (the lock is free) is an interrupted one. */
    if (cur.rec.verdict == INTENT_RECONCILE && statedir_lock_holder(cfg->state_dir) == 0)
        cJSON_AddItemToObject(o, "reconcile", reconcile_json(&cur.rec));
    const char *phase = cur.stable_known
        ? rollout_phase_name(rollout_phase(cur.weight, cur.stable, &cur.state, cfg->rollout.step))
        : NULL;
    add_rollout(cfg, o, cur.weight, cur.stable_known ? (int)cur.stable : COLOR_NONE, phase,
                cur.why_unknown);
    cJSON_AddNumberToObject(o, "step", cfg->rollout.step);
    cJSON_AddStringToObject(o, "state_dir", cfg->state_dir);
    if (sample_s > 0) {
        struct collector_snapshot snap;
        if ((*rc = sample_signals(app, sample_s, &snap)) != EXIT_OK) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, "signals", sample_to_json(&snap, cfg->rollout.window_s, sample_s));
    }
    return o;
}

static cJSON *status_from_server(struct app *app, int *rc)
{
    const struct config *cfg = app->cfg;
    cJSON *snap = remote_snapshot(app);
    if (!snap) {
        *rc = EXIT_FAILURE_IO;
        return NULL;
    }
    cJSON *s = cJSON_GetObjectItem(snap, "snapshot");
    cJSON *w = cJSON_GetObjectItem(s, "weights");
    if (!cJSON_IsObject(w)) {
        /* The server could not read the upstream file: fail as a direct
         * read would, never print 0/0 as if it were nginx's weights. */
        cJSON *why = cJSON_GetObjectItem(s, "weights_error");
        app_errorf(app, "%s", cJSON_IsString(why) ? why->valuestring
                                                  : "the server sent no weights");
        cJSON_Delete(snap);
        *rc = EXIT_FAILURE_IO;
        return NULL;
    }
    cJSON *o = status_base(cfg);
    int weight[COLOR_COUNT] = {0, 0};
    for (int c = 0; c < COLOR_COUNT; c++) {
        cJSON *v = cJSON_GetObjectItem(w, color_name((enum color)c));
        weight[c] = cJSON_IsNumber(v) ? (int)v->valuedouble : 0;
    }
    cJSON_AddItemToObject(o, "weights", weights_json(weight));
    if (cJSON_IsObject(cJSON_GetObjectItem(s, "reconcile")))
        cJSON_AddItemToObject(o, "reconcile", cJSON_DetachItemFromObject(s, "reconcile"));
    cJSON *stable = cJSON_GetObjectItem(s, "stable");
    cJSON *phase = cJSON_GetObjectItem(s, "phase");
    cJSON *why = cJSON_GetObjectItem(s, "stable_unknown");
    add_rollout(cfg, o, weight, cJSON_IsString(stable) ? color_parse(stable->valuestring) : COLOR_NONE,
                cJSON_IsString(phase) ? phase->valuestring : "",
                cJSON_IsString(why) ? why->valuestring : NULL);
    cJSON_AddNumberToObject(o, "step", cfg->rollout.step);
    cJSON_AddStringToObject(o, "state_dir", cfg->state_dir);
    cJSON_AddItemToObject(o, "signals", cJSON_DetachItemFromObject(s, "signals"));
    cJSON_AddItemToObject(o, "guards", cJSON_DetachItemFromObject(s, "guards"));
    cJSON *srv = cJSON_AddObjectToObject(o, "server");
    cJSON_AddItemToObject(srv, "pid", cJSON_DetachItemFromObject(s, "server_pid"));
    cJSON_AddItemToObject(srv, "seq", cJSON_DetachItemFromObject(s, "seq"));
    cJSON_AddItemToObject(srv, "clients", cJSON_DetachItemFromObject(s, "clients"));
    cJSON_AddItemToObject(srv, "control", cJSON_DetachItemFromObject(s, "control"));
    cJSON_AddItemToObject(srv, "busy", cJSON_DetachItemFromObject(s, "busy"));
    cJSON_Delete(snap);
    *rc = EXIT_OK;
    return o;
}

/* ---- text ---------------------------------------------------------------- */

static double num(const cJSON *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = cJSON_GetObjectItem(v, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void print_ms(FILE *out, double ms)
{
    if (ms < 0)
        fprintf(out, "  %9s", "-");
    else
        fprintf(out, "  %6.1f ms", ms);
}

static void print_signals(FILE *out, const cJSON *sig)
{
    double sampled = num(sig, "sampled_s");
    if (sampled > 0)
        fprintf(out, "signals    last %.0f s of the access log; probes and sockets sampled for %.0f s\n",
                num(sig, "window_s"), sampled);
    else
        fprintf(out, "signals    last %.0f s, from the cutover server\n", num(sig, "window_s"));
    fprintf(out, "           %5s %7s %7s", "conns", "reqs", "5xx");
    for (int i = 0; i < METRIC_COUNT; i++)
        if (metric_table[i].status_title)
            fprintf(out, "  %9s", metric_table[i].status_title);
    fprintf(out, "  %s\n", "probes (errors)");
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *cc = cJSON_GetObjectItem(sig, color_name((enum color)c));
        double conns = num(cc, "connections");
        fprintf(out, "  %-7s  ", color_name((enum color)c));
        if (conns >= 0)
            fprintf(out, "%5.0f", conns);
        else
            fprintf(out, "%5s", "-");
        fprintf(out, " %7.0f %6.2f%%", num(cc, "requests"), 100.0 * num(cc, "ratio_5xx"));
        for (int i = 0; i < METRIC_COUNT; i++) {
            char key[64];
            if (!metric_table[i].status_title)
                continue;
            snprintf(key, sizeof key, "%s.p95", metric_table[i].status_key);
            print_ms(out, num(cc, key));
        }
        const char *last = str(cc, "last_probe_error");
        fprintf(out, "  %.0f (%.0f)%s%s\n", num(cc, "probes"), num(cc, "probe_errors"),
                last ? "  last: " : "", last ? last : "");
    }
    const cJSON *log = cJSON_GetObjectItem(sig, "access_log");
    const char *state = str(log, "state");
    if (state && strcmp(state, "following") != 0)
        fprintf(out, "  access log %s%s%s\n", state, str(log, "error") ? ": " : "",
                str(log, "error") ? str(log, "error") : "");
    const char *sock_err = str(cJSON_GetObjectItem(sig, "sockets"), "error");
    if (sock_err)
        fprintf(out, "  sockets: %s\n", sock_err);
}

static void print_text(struct app *app, const cJSON *o)
{
    const struct config *cfg = app->cfg;
    FILE *out = app->out;
    fprintf(out, "upstream   %s (%s)\n", cfg->nginx.upstream_file, cfg->nginx.upstream_name);
    fprintf(out, "weights    blue %.0f / green %.0f\n", num(o, "weights.blue"), num(o, "weights.green"));
    const cJSON *rec = cJSON_GetObjectItem(o, "reconcile");
    if (rec) {
        fprintf(out, "nginx      last confirmed to run blue %.0f / green %.0f: the file differs\n",
                num(rec, "confirmed.blue"), num(rec, "confirmed.green"));
        fprintf(out, "reconcile  %s\n", str(rec, "text"));
    }
    const cJSON *sig = cJSON_GetObjectItem(o, "signals");
    if (sig)
        print_signals(out, sig);
    const char *stable = str(o, "stable");
    if (!stable) {
        fprintf(out, "stable     unknown: %s\n", str(o, "stable_unknown"));
    } else {
        const char *cand = str(o, "candidate");
        fprintf(out, "phase      %s\n", str(o, "phase"));
        fprintf(out, "stable     %s (%s)\n", stable, cfg->colors[color_parse(stable)].addr);
        fprintf(out, "candidate  %s (%s)\n", cand, cfg->colors[color_parse(cand)].addr);
        if (cJSON_IsObject(cJSON_GetObjectItem(o, "next")))
            fprintf(out, "next       shift +%d -> blue %.0f / green %.0f\n", cfg->rollout.step,
                    num(o, "next.blue"), num(o, "next.green"));
    }
    const cJSON *guards = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "guards"), "items");
    const cJSON *it;
    cJSON_ArrayForEach(it, guards)
        fprintf(out, "guard      %-6s %-9s %s\n", str(it, "name"), str(it, "level"), str(it, "text"));
    const cJSON *srv = cJSON_GetObjectItem(o, "server");
    if (srv) {
        const char *busy = str(srv, "busy");
        fprintf(out, "server     pid %.0f, %.0f client(s), control: %s%s%s\n", num(srv, "pid"),
                num(srv, "clients"), str(cJSON_GetObjectItem(srv, "control"), "text"),
                busy ? "; running: " : "", busy ? busy : "");
    }
}

int cmd_status(struct app *app, int argc, char **argv)
{
    bool json = false;
    int named = COLOR_NONE, bad = 0;
    double sample_s = 3;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--sample") == 0) {
            char *end = NULL;
            sample_s = i + 1 < argc ? strtod(argv[++i], &end) : -1;
            if (!end || *end || sample_s < 0 || sample_s > 600) {
                app_errorf(app, "status --sample: expected seconds, 0 to 600 (0: weights only)");
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--stable") == 0) {
            named = cli_parse_color_arg(app, "--stable", i + 1 < argc ? argv[++i] : NULL, &bad);
        } else {
            app_errorf(app, "status: unknown argument '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (bad)
        return EXIT_USAGE;
    int rc;
    /* The server already samples all the time; a named stable color or
     * --sample 0 asks for a local read. */
    bool via_server = named == COLOR_NONE && sample_s > 0 && client_server_live(app->cfg);
    cJSON *o = via_server ? status_from_server(app, &rc) : status_direct(app, named, sample_s, &rc);
    if (!o)
        return rc;
    if (json) {
        char *text = cJSON_PrintUnformatted(o);
        fprintf(app->out, "%s\n", text);
        free(text);
    } else {
        print_text(app, o);
    }
    cJSON_Delete(o);
    return EXIT_OK;
}
