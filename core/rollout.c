/* rollout: the cutover's direction and steps. The direction is never fixed:
 * the stable color is whichever held 100 when the cutover began, so blue ->
 * green today and green -> blue at the next release use the same code. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/rollout.h"

int rollout_resolve_stable(const int weight[COLOR_COUNT], const struct rollout_state *st,
                           int named, enum color *stable_out, char *err, size_t errlen)
{
    if (weight[COLOR_BLUE] == 100 || weight[COLOR_GREEN] == 100) {
        *stable_out = weight[COLOR_BLUE] == 100 ? COLOR_BLUE : COLOR_GREEN;
        return 0;
    }
    if (st != NULL && st->known) {
        *stable_out = st->stable;
        return 0;
    }
    /* The operator's word beats a guess from the weights. */
    if (named == COLOR_BLUE || named == COLOR_GREEN) {
        *stable_out = (enum color)named;
        return 0;
    }
    if (weight[COLOR_BLUE] != weight[COLOR_GREEN]) {
        *stable_out = weight[COLOR_BLUE] > weight[COLOR_GREEN] ? COLOR_BLUE : COLOR_GREEN;
        return 0;
    }
    snprintf(err, errlen, "blue and green are at %d/%d and no cutover state was found: "
             "name the stable color with --stable blue|green",
             weight[COLOR_BLUE], weight[COLOR_GREEN]);
    return -1;
}

enum rollout_phase rollout_phase(const int weight[COLOR_COUNT], enum color stable,
                                 const struct rollout_state *st, int step)
{
    int cand = weight[color_other(stable)];
    if (weight[stable] == 100) {
        bool just_done = st != NULL && st->known && st->completed && st->stable == stable;
        return just_done ? PHASE_COMPLETE : PHASE_STEADY;
    }
    if (cand == 100)
        return PHASE_COMPLETE;
    if (cand == step)
        return PHASE_CANARY;
    if (cand == 50)
        return PHASE_HALF;
    return PHASE_RAMP;
}

const char *rollout_phase_name(enum rollout_phase p)
{
    switch (p) {
    case PHASE_STEADY: return "Steady";
    case PHASE_CANARY: return "Canary";
    case PHASE_HALF: return "Half";
    case PHASE_COMPLETE: return "Complete";
    case PHASE_RAMP: return "Ramp";
    }
    return "?";
}

static int check_step(int step, char *err, size_t errlen)
{
    if (step < 1 || step > 100 || 100 % step != 0) {
        snprintf(err, errlen, "step %d must be 1-100 and divide 100", step);
        return -1;
    }
    return 0;
}

static void put_weights(enum color stable, int candidate_weight, int out[COLOR_COUNT])
{
    out[color_other(stable)] = candidate_weight;
    out[stable] = 100 - candidate_weight;
}

int rollout_step(const int weight[COLOR_COUNT], enum color stable, int delta, int step,
                 int out[COLOR_COUNT], char *err, size_t errlen)
{
    enum color cand = color_other(stable);
    int c = weight[cand], units, next;
    if (check_step(step, err, errlen) != 0)
        return -1;
    if (delta == 0) {
        snprintf(err, errlen, "a shift of 0 moves nothing");
        return -1;
    }
    if (delta % step != 0) {
        snprintf(err, errlen, "%+d is not a multiple of the step (%d)", delta, step);
        return -1;
    }
    if (c < 0 || c > 100 || weight[stable] + c != 100) {
        snprintf(err, errlen, "weights blue %d, green %d do not sum to 100",
                 weight[COLOR_BLUE], weight[COLOR_GREEN]);
        return -1;
    }
    /* More than 100 points means "all the way"; clamping keeps abs() defined. */
    if (delta > 100 || delta < -100)
        delta = delta > 0 ? 100 : -100;
    units = abs(delta) / step;
    if (delta > 0) {
        if (c >= 100) {
            snprintf(err, errlen, "%s already holds 100", color_name(cand));
            return -1;
        }
        /* The first unit snaps up to the grid; the rest are whole steps. */
        next = (c / step + 1) * step + (units - 1) * step;
        if (next > 100)
            next = 100;
    } else {
        if (c <= 0) {
            snprintf(err, errlen, "%s already holds 100", color_name(stable));
            return -1;
        }
        next = ((c + step - 1) / step - 1) * step - (units - 1) * step;
        if (next < 0)
            next = 0;
    }
    put_weights(stable, next, out);
    return 0;
}

int rollout_set(enum color stable, int candidate_weight, int step,
                int out[COLOR_COUNT], char *err, size_t errlen)
{
    if (check_step(step, err, errlen) != 0)
        return -1;
    if (candidate_weight < 0 || candidate_weight > 100) {
        snprintf(err, errlen, "%d is out of range (0-100)", candidate_weight);
        return -1;
    }
    if (candidate_weight % step != 0) {
        snprintf(err, errlen, "%d is not a multiple of the step (%d)", candidate_weight, step);
        return -1;
    }
    put_weights(stable, candidate_weight, out);
    return 0;
}

struct rollout_state rollout_after_move(const struct rollout_state *st, enum color stable,
                                        const int after[COLOR_COUNT], double now)
{
    enum color cand = color_other(stable);
    bool same = st != NULL && st->known;
    struct rollout_state next = { true, stable, false, now };
    if (after[cand] == 100) {
        /* The candidate took everything: it is the new stable, cutover done. */
        if (same && st->stable == cand && st->completed)
            return *st;
        next.stable = cand;
        next.completed = true;
        return next;
    }
    if (same && st->stable == stable) {
        /* Nothing moved from a completed cutover: keep it "just completed". */
        if (after[stable] == 100 && st->completed)
            return *st;
        next.since = st->since;
    }
    return next;
}

char *rollout_state_encode(const struct rollout_state *st)
{
    char since[48];
    cJSON *o = cJSON_CreateObject();
    char *text;
    if (o == NULL)
        return NULL;
    /* Milliseconds exactly, without cJSON's 17-digit fallback. */
    snprintf(since, sizeof since, "%.3f", isfinite(st->since) ? st->since : 0.0);
    cJSON_AddStringToObject(o, "stable", color_name(st->stable));
    cJSON_AddBoolToObject(o, "completed", st->completed);
    cJSON_AddRawToObject(o, "since", since);
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int rollout_state_decode(const char *json, struct rollout_state *out, char *err, size_t errlen)
{
    cJSON *o = cJSON_Parse(json);
    const cJSON *stable = cJSON_GetObjectItemCaseSensitive(o, "stable");
    const cJSON *completed = cJSON_GetObjectItemCaseSensitive(o, "completed");
    const cJSON *since = cJSON_GetObjectItemCaseSensitive(o, "since");
    int c = color_parse(cJSON_GetStringValue(stable));
    int rc = -1;
    if (!cJSON_IsObject(o))
        snprintf(err, errlen, "rollout state: not a JSON object");
    else if (c == COLOR_NONE)
        snprintf(err, errlen, "rollout state: stable: expected \"blue\" or \"green\"");
    else if (completed != NULL && !cJSON_IsBool(completed))
        snprintf(err, errlen, "rollout state: completed: expected true or false");
    else if (since != NULL && !cJSON_IsNumber(since))
        snprintf(err, errlen, "rollout state: since: expected a number");
    else
        rc = 0;
    if (rc == 0) {
        out->known = true;
        out->stable = (enum color)c;
        out->completed = cJSON_IsTrue(completed);
        out->since = since != NULL ? since->valuedouble : 0.0;
    }
    cJSON_Delete(o);
    return rc;
}
