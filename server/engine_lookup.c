/* engine_lookup: a failure's lines in its color's gateway log (the lookup
 * command). The gateway's log holds users' conversations (OpenClaw logs
 * reply text at INFO), so only a client that may control (the server's own
 * user, who can read the file anyway) gets lines; the lines go to that
 * client alone, in its reply: never to the journal, a snapshot or another
 * client. Which lines: core/gwlook. */
#include "server/engine_priv.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/errcode.h"
#include "core/gwlook.h"

#define LOOKUP_TAIL_BYTES (4L * 1024 * 1024)
#define LOOKUP_MAX_LINES 20
/* The lines' share of the reply, JSON-escaped: the reply is one protocol
 * line (PROTOCOL_MAX_LINE) with the message and the framing. */
#define LOOKUP_LINES_BUDGET (48 * 1024)

/* A reply with the chosen log lines: the console shows them verbatim. */
static void reply_lines(struct client *c, long long id, const char *message, cJSON *lines)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *p = cJSON_AddObjectToObject(o, "reply");
    cJSON_AddNumberToObject(p, "id", (double)id);
    cJSON_AddBoolToObject(p, "ok", true);
    cJSON_AddNumberToObject(p, "exit_code", protocol_wire_code(0));
    cJSON_AddStringToObject(p, "message", message);
    cJSON_AddItemToObject(p, "lines", lines);
    char *line = cJSON_PrintUnformatted(o);
    engine_send(c, line);
    free(line);
    cJSON_Delete(o);
}

/* Reads the last LOOKUP_TAIL_BYTES of path into a malloc'd, NUL-ended
 * buffer. This is a synchronous read on the loop: acceptable because it is
 * bounded (4 MiB of a local file, well under the snapshot interval) and
 * asked for by a person. NULL with msg on failure. */
static char *read_tail(const char *path, size_t *n, char *msg, size_t msglen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(msg, msglen, "cannot open %.300s", path);
        return NULL;
    }
    long size = 0;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    long from = size > LOOKUP_TAIL_BYTES ? size - LOOKUP_TAIL_BYTES : 0;
    char *buf = malloc(LOOKUP_TAIL_BYTES + 1);
    *n = 0;
    if (buf != NULL && size >= 0 && fseek(f, from, SEEK_SET) == 0)
        *n = fread(buf, 1, LOOKUP_TAIL_BYTES, f);
    bool ok = buf != NULL && !ferror(f);
    fclose(f);
    if (!ok) {
        snprintf(msg, msglen, "cannot read %.300s", path);
        free(buf);
        return NULL;
    }
    buf[*n] = '\0';
    return buf;
}

/* The bytes line[0..n) takes as a JSON string's content. */
static size_t escaped_size(const char *line, size_t n)
{
    size_t size = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)line[i];
        size += ch == '"' || ch == '\\' ? 1 : ch < 0x20 ? 5 : 0;
    }
    return size;
}

/* Adds the picked line, cut to GWLOOK_LINE_MAX bytes (saying how much was
 * cut), unless the reply's budget is spent: false then. */
static bool add_line(cJSON *lines, const char *line, size_t n, size_t *budget)
{
    size_t keep = gwlook_clip(line, n, GWLOOK_LINE_MAX);
    char text[GWLOOK_LINE_MAX + 48];
    int len = snprintf(text, sizeof text, "%.*s", (int)keep, line);
    if (keep < n)
        len += snprintf(text + len, sizeof text - (size_t)len, " \u2026 (+%zu bytes)", n - keep);
    size_t size = escaped_size(text, (size_t)len) + 3;     /* quotes and comma */
    if (size > *budget)
        return false;
    *budget -= size;
    cJSON_AddItemToArray(lines, cJSON_CreateString(text));
    return true;
}

/* "3 line(s) of green's log with id X, then 5 within -5..+5 s of 14:03:22,
 * errors first": what was searched for, so an empty answer says so too. */
static void describe(const struct protocol_cmd *cmd, int by_id, int by_time, char *msg,
                     size_t len)
{
    const char *col = color_name((enum color)cmd->color);
    int n = snprintf(msg, len, "%s's log:", col);
    if (cmd->rid[0] && n >= 0 && (size_t)n < len)
        n += snprintf(msg + n, len - (size_t)n, " %d line(s) with %s", by_id, cmd->rid);
    if (cmd->time > 0 && n >= 0 && (size_t)n < len) {
        char clock[16];
        time_t t = (time_t)cmd->time;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(clock, sizeof clock, "%H:%M:%S", &tm);
        snprintf(msg + n, len - (size_t)n, "%s %d line(s) from %.0f s before to %.0f s after "
                 "%s, errors first", cmd->rid[0] ? ", then" : "", by_time, GWLOOK_BEFORE_S,
                 GWLOOK_AFTER_S, clock);
    }
}

static bool may_read(struct client *c, const struct protocol_cmd *cmd)
{
    char text[300];
    if (c->may_control)
        return true;
    snprintf(text, sizeof text, "refused: %.60s may only watch, and the gateway's log holds "
             "users' conversations: only the server's user reads its lines", c->who.user);
    engine_reply(c, cmd->id, false, ERRCODE_REFUSED, text);
    return false;
}

void engine_cmd_lookup(struct engine *e, struct client *c, const struct protocol_cmd *cmd)
{
    char msg[400];
    if (!may_read(c, cmd))
        return;
    enum color col = (enum color)cmd->color;
    const char *path = e->cfg->colors[col].log_file;
    if (path == NULL || path[0] == '\0') {
        snprintf(msg, sizeof msg, "no log_file configured for %s", color_name(col));
        engine_reply(c, cmd->id, false, ERRCODE_REFUSED, msg);
        return;
    }
    size_t n;
    char *buf = read_tail(path, &n, msg, sizeof msg);
    if (buf == NULL) {
        engine_reply(c, cmd->id, false, ERRCODE_IO, msg);
        return;
    }
    struct gwlook_pick picks[LOOKUP_MAX_LINES];
    struct gwlook_query q = {.id = cmd->rid, .time = cmd->time};
    int by_id = 0;
    int count = gwlook_select(buf, n, &q, picks, LOOKUP_MAX_LINES, &by_id);
    cJSON *lines = cJSON_CreateArray();
    size_t budget = LOOKUP_LINES_BUDGET;
    int sent = 0;
    while (sent < count && add_line(lines, buf + picks[sent].off, picks[sent].len, &budget))
        sent++;
    free(buf);
    int sent_by_id = sent < by_id ? sent : by_id;
    describe(cmd, sent_by_id, sent - sent_by_id, msg, sizeof msg);
    reply_lines(c, cmd->id, msg, lines);
}
