/* cutover status: what nginx really has, read back from the upstream file. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "server/mover.h"
#include "cli/sample.h"

struct status_view {
    struct mover_current cur;
    double sample_s;            /* 0: weights only, no live signals */
    struct collector_snapshot snap;
    const char *phase;          /* NULL when the stable color is unknown */
    int next[COLOR_COUNT];      /* weights after `shift +step` */
    bool has_next;
};

static void build_view(struct app *app, struct status_view *v)
{
    v->phase = NULL;
    v->has_next = false;
    if (!v->cur.stable_known)
        return;
    int step = app->cfg->rollout.step;
    v->phase = rollout_phase_name(rollout_phase(v->cur.weight, v->cur.stable, &v->cur.state, step));
    char why[128];
    v->has_next = rollout_step(v->cur.weight, v->cur.stable, step, step, v->next, why, sizeof why) == 0;
}

static cJSON *weights_json(const int w[COLOR_COUNT])
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "blue", w[COLOR_BLUE]);
    cJSON_AddNumberToObject(o, "green", w[COLOR_GREEN]);
    return o;
}

static void print_json(struct app *app, const struct status_view *v)
{
    const struct config *cfg = app->cfg;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "upstream_file", cfg->nginx.upstream_file);
    cJSON_AddStringToObject(o, "upstream_name", cfg->nginx.upstream_name);
    cJSON_AddItemToObject(o, "weights", weights_json(v->cur.weight));
    if (v->cur.stable_known) {
        cJSON_AddStringToObject(o, "stable", color_name(v->cur.stable));
        cJSON_AddStringToObject(o, "candidate", color_name(v->cur.candidate));
        cJSON_AddStringToObject(o, "phase", v->phase);
    } else {
        cJSON_AddNullToObject(o, "stable");
        cJSON_AddNullToObject(o, "candidate");
        cJSON_AddNullToObject(o, "phase");
        cJSON_AddStringToObject(o, "stable_unknown", v->cur.why_unknown);
    }
    if (v->has_next)
        cJSON_AddItemToObject(o, "next", weights_json(v->next));
    else
        cJSON_AddNullToObject(o, "next");
    cJSON_AddNumberToObject(o, "step", cfg->rollout.step);
    cJSON_AddStringToObject(o, "state_dir", cfg->state_dir);
    if (v->sample_s > 0)
        cJSON_AddItemToObject(o, "signals", sample_to_json(&v->snap, cfg->rollout.window_s, v->sample_s));
    char *text = cJSON_PrintUnformatted(o);
    fprintf(app->out, "%s\n", text);
    free(text);
    cJSON_Delete(o);
}

static void print_text(struct app *app, const struct status_view *v)
{
    const struct config *cfg = app->cfg;
    FILE *out = app->out;
    fprintf(out, "upstream   %s (%s)\n", cfg->nginx.upstream_file, cfg->nginx.upstream_name);
    fprintf(out, "weights    blue %d / green %d\n", v->cur.weight[COLOR_BLUE], v->cur.weight[COLOR_GREEN]);
    if (v->sample_s > 0)
        sample_print(out, &v->snap, cfg->rollout.window_s, v->sample_s);
    if (!v->cur.stable_known) {
        fprintf(out, "stable     unknown: %s\n", v->cur.why_unknown);
        return;
    }
    fprintf(out, "phase      %s\n", v->phase);
    fprintf(out, "stable     %s (%s)\n", color_name(v->cur.stable), cfg->colors[v->cur.stable].addr);
    fprintf(out, "candidate  %s (%s)\n", color_name(v->cur.candidate), cfg->colors[v->cur.candidate].addr);
    if (v->has_next)
        fprintf(out, "next       shift +%d -> blue %d / green %d\n", cfg->rollout.step,
                v->next[COLOR_BLUE], v->next[COLOR_GREEN]);
    else
        fprintf(out, "next       none: %s holds 100 (the next release shifts toward %s)\n",
                color_name(v->cur.candidate), color_name(v->cur.stable));
}

int cmd_status(struct app *app, int argc, char **argv)
{
    bool json = false;
    int named = COLOR_NONE, bad = 0;
    struct status_view v = {.sample_s = 3};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--sample") == 0) {
            char *end = NULL;
            v.sample_s = i + 1 < argc ? strtod(argv[++i], &end) : -1;
            if (!end || *end || v.sample_s < 0 || v.sample_s > 600) {
                app_errorf(app, "status --sample: expected seconds, 0 to 600 (0: weights only)");
                return EXIT_USAGE;
            }
        }
        else if (strcmp(argv[i], "--stable") == 0)
            named = cli_parse_color_arg(app, "--stable", i + 1 < argc ? argv[++i] : NULL, &bad);
        else {
            app_errorf(app, "status: unknown argument '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (bad)
        return EXIT_USAGE;
    char msg[512];
    int rc = mover_read_current(app->cfg, named, &v.cur, msg, sizeof msg);
    if (rc != EXIT_OK) {
        app_errorf(app, "%s", msg);
        return rc;
    }
    if (v.sample_s > 0 && (rc = sample_signals(app, v.sample_s, &v.snap)) != EXIT_OK)
        return rc;
    build_view(app, &v);
    if (json)
        print_json(app, &v);
    else
        print_text(app, &v);
    return EXIT_OK;
}
