/* journal: events as compact JSON lines. cJSON does the escaping, so nginx's
 * error text (quotes, newlines, control bytes) cannot break a line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/journal.h"

static void add_str_or_null(cJSON *o, const char *key, const char *value)
{
    if (value != NULL)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_weights(cJSON *o, const char *key, const int w[COLOR_COUNT])
{
    cJSON *wo;
    if (w[COLOR_BLUE] < 0 || w[COLOR_GREEN] < 0) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    wo = cJSON_AddObjectToObject(o, key);
    cJSON_AddNumberToObject(wo, "blue", w[COLOR_BLUE]);
    cJSON_AddNumberToObject(wo, "green", w[COLOR_GREEN]);
}

char *journal_encode(const struct journal_event *ev)
{
    char time[48];
    cJSON *o = cJSON_CreateObject();
    char *line;
    if (o == NULL)
        return NULL;
    /* Milliseconds exactly, without cJSON's 17-digit fallback. */
    snprintf(time, sizeof time, "%.3f", isfinite(ev->time) ? ev->time : 0.0);
    cJSON_AddRawToObject(o, "time", time);
    add_str_or_null(o, "user", ev->user);
    add_str_or_null(o, "ssh_client", ev->ssh_client);
    add_str_or_null(o, "action", ev->action);
    add_weights(o, "before", ev->before);
    add_weights(o, "after", ev->after);
    add_str_or_null(o, "candidate", ev->candidate);
    add_str_or_null(o, "candidate_version", ev->candidate_version);
    add_str_or_null(o, "outcome", ev->outcome);
    if (ev->error != NULL)
        cJSON_AddStringToObject(o, "error", ev->error);
    /* Only a move's lines carry these, so other lines keep their bytes. */
    if (ev->move_id != NULL) {
        cJSON_AddStringToObject(o, "move_id", ev->move_id);
        add_str_or_null(o, "move", ev->move);
        add_str_or_null(o, "reason", ev->reason);
        add_weights(o, "nginx", ev->nginx);
    }
    line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return line;
}

/* A string field: absent or null -> NULL; anything but a string is an error. */
static int take_str(const cJSON *o, const char *key, char **slot, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v)) {
        snprintf(err, errlen, "journal: %s: expected a string or null", key);
        return -1;
    }
    *slot = strdup(v->valuestring);
    if (*slot == NULL) {
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    return 0;
}

static int take_weights(const cJSON *o, const char *key, int w[COLOR_COUNT],
                        char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    w[COLOR_BLUE] = w[COLOR_GREEN] = -1;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    for (int c = 0; c < COLOR_COUNT; c++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, color_name((enum color)c));
        if (!cJSON_IsObject(v) || !cJSON_IsNumber(n) || n->valuedouble < 0
            || n->valuedouble > 100) {
            snprintf(err, errlen, "journal: %s: expected {\"blue\":N,\"green\":N} or null", key);
            return -1;
        }
        w[c] = (int)n->valuedouble;
    }
    return 0;
}

static int take_all(const cJSON *o, struct journal_event *out, char *err, size_t errlen)
{
    const cJSON *time = cJSON_GetObjectItemCaseSensitive(o, "time");
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(o, "action");
    if (!cJSON_IsNumber(time)) {
        snprintf(err, errlen, "journal: missing or non-numeric time");
        return -1;
    }
    if (!cJSON_IsString(action)) {
        snprintf(err, errlen, "journal: missing action");
        return -1;
    }
    out->time = time->valuedouble;
    if (take_str(o, "action", &out->action, err, errlen) != 0
        || take_str(o, "user", &out->user, err, errlen) != 0
        || take_str(o, "ssh_client", &out->ssh_client, err, errlen) != 0
        || take_str(o, "candidate", &out->candidate, err, errlen) != 0
        || take_str(o, "candidate_version", &out->candidate_version, err, errlen) != 0
        || take_str(o, "outcome", &out->outcome, err, errlen) != 0
        || take_str(o, "error", &out->error, err, errlen) != 0
        || take_weights(o, "before", out->before, err, errlen) != 0
        || take_weights(o, "after", out->after, err, errlen) != 0
        || take_str(o, "move_id", &out->move_id, err, errlen) != 0
        || take_str(o, "move", &out->move, err, errlen) != 0
        || take_str(o, "reason", &out->reason, err, errlen) != 0
        || take_weights(o, "nginx", out->nginx, err, errlen) != 0)
        return -1;
    return 0;
}

int journal_decode(const char *line, struct journal_event *out, char *err, size_t errlen)
{
    cJSON *o = cJSON_Parse(line);
    int rc;
    memset(out, 0, sizeof *out);
    journal_event_clear(out);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        snprintf(err, errlen, "journal: not a JSON object");
        return -1;
    }
    rc = take_all(o, out, err, errlen);
    cJSON_Delete(o);
    if (rc != 0)
        journal_event_clear(out);
    return rc;
}

void journal_event_clear(struct journal_event *ev)
{
    free(ev->user);
    free(ev->ssh_client);
    free(ev->action);
    free(ev->candidate);
    free(ev->candidate_version);
    free(ev->outcome);
    free(ev->error);
    free(ev->move_id);
    free(ev->move);
    free(ev->reason);
    memset(ev, 0, sizeof *ev);
    for (int c = 0; c < COLOR_COUNT; c++)
        ev->before[c] = ev->after[c] = ev->nginx[c] = -1;
}
