/* protocol: decode client lines into fixed-size structs, encode the small
 * messages as compact one-line JSON.
 *
 * Decoding rules (the reasons are what the server sends back in "error"):
 *  - a line over PROTOCOL_MAX_LINE, or holding a NUL byte, is refused before
 *    it reaches the parser: "line too long ...", "line contains a NUL byte";
 *  - the line is copied into its own NUL-terminated buffer, so cJSON never
 *    reads past `len`; cJSON refuses nesting deeper than CJSON_NESTING_LIMIT
 *    without recursing further, so a wall of '[' is just "not JSON";
 *  - one JSON object with exactly one key, "hello" or "command";
 *  - hello.version must be PROTOCOL_VERSION ("this server speaks version 1");
 *  - integers must be whole numbers in range (id 0..2^53-1, pid 0..2^31-1,
 *    delta -100..100, to 0..100), booleans true/false, stable "blue"/"green";
 *  - hello.client and hello.ssh_client are informational (shown to other
 *    users, never acted on): longer ones are truncated at a UTF-8 character
 *    boundary rather than refused, and control bytes become '?' so a peer
 *    cannot put terminal escapes on someone else's screen;
 *  - unknown fields inside hello/command, and fields that belong to another
 *    command (e.g. "steal" on a shift), are ignored: a newer client may send
 *    more, and the fields a command does not use stay at their defaults, so
 *    decode -> encode -> decode gives the same struct. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "core/color.h"
#include "core/errcode.h"
#include "core/protocol.h"

/* Doubles hold every integer up to 2^53 exactly; ids beyond it would not
 * survive a JSON round trip through most clients. */
#define MAX_ID 9007199254740991.0
#define MAX_PID 2147483647.0

static const char *const command_names[] = {
    [CMD_NONE] = "none",
    [CMD_SHIFT] = "shift",
    [CMD_ROLLBACK] = "rollback",
    [CMD_RELOAD] = "reload",
    [CMD_TAKE_CONTROL] = "take-control",
    [CMD_RELEASE] = "release",
    [CMD_STATUS] = "status",
    [CMD_RETIRE] = "retire",
    [CMD_LOOKUP] = "lookup",
    [CMD_CANCEL] = "cancel",
    [CMD_RECONCILE_APPLY] = "reconcile-apply",
    [CMD_RECONCILE_RESTORE] = "reconcile-restore",
};
#define N_COMMANDS (sizeof command_names / sizeof command_names[0])

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *protocol_command_name(enum protocol_command c)
{
    if ((size_t)c >= N_COMMANDS)
        return "unknown";
    return command_names[c];
}

static enum protocol_command command_parse(const char *name)
{
    for (size_t i = CMD_NONE + 1; i < N_COMMANDS; i++)
        if (strcmp(name, command_names[i]) == 0)
            return (enum protocol_command)i;
    return CMD_NONE;
}

/* Reads an optional whole number in [lo, hi]; absent leaves *out alone.
 * Returns 1 when present, 0 when absent, -1 when wrong. */
static int get_int(const cJSON *o, const char *key, double lo, double hi, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < lo || v->valuedouble > hi)
        return -1;
    *out = v->valuedouble;
    return 1;
}

static int get_bool(const cJSON *o, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsBool(v))
        return -1;
    *out = cJSON_IsTrue(v);
    return 1;
}

/* Copies an informational string: truncated on a character boundary,
 * control bytes replaced (see the top of the file). */
static void copy_display(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;    /* src[n] continues a character: cut before it starts */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    dst[n] = '\0';
}

static int get_display(const cJSON *o, const char *key, char *dst, size_t cap, char *err,
                       size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsString(v))
        return fail(err, errlen, "hello.%s: expected a string", key);
    copy_display(dst, cap, v->valuestring);
    return 0;
}

static int decode_hello(const cJSON *o, struct protocol_hello *h, char *err, size_t errlen)
{
    double num = 0;
    int r = get_int(o, "version", -MAX_ID, MAX_ID, &num);
    if (r == 0)
        return fail(err, errlen, "hello.version: missing (this server speaks version %d)",
                    PROTOCOL_VERSION);
    if (r < 0)
        return fail(err, errlen, "hello.version: expected an integer (this server speaks version %d)",
                    PROTOCOL_VERSION);
    if (num != PROTOCOL_VERSION)
        return fail(err, errlen, "hello.version: this server speaks version %d, not %.0f",
                    PROTOCOL_VERSION, num);
    h->version = PROTOCOL_VERSION;
    if (get_int(o, "pid", 0, MAX_PID, &num) < 0)
        return fail(err, errlen, "hello.pid: expected an integer in 0..%.0f", MAX_PID);
    h->pid = (long)num;
    if (get_bool(o, "want_control", &h->want_control) < 0)
        return fail(err, errlen, "hello.want_control: expected true or false");
    if (get_display(o, "client", h->client, sizeof h->client, err, errlen) < 0 ||
        get_display(o, "ssh_client", h->ssh_client, sizeof h->ssh_client, err, errlen) < 0)
        return -1;
    return 0;
}

static int decode_stable(const cJSON *o, struct protocol_cmd *c, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "stable");
    if (v == NULL)
        return 0;
    c->stable = cJSON_IsString(v) ? color_parse(v->valuestring) : COLOR_NONE;
    if (c->stable == COLOR_NONE)
        return fail(err, errlen, "command.stable: expected \"blue\" or \"green\"");
    return 0;
}

static int decode_shift(const cJSON *o, struct protocol_cmd *c, char *err, size_t errlen)
{
    double delta = 0, to = 0;
    int has_delta = get_int(o, "delta", -100, 100, &delta);
    int has_to = get_int(o, "to", 0, 100, &to);
    if (has_delta < 0)
        return fail(err, errlen, "command.delta: expected an integer in -100..100");
    if (has_to < 0)
        return fail(err, errlen, "command.to: expected an integer in 0..100");
    if (has_delta && has_to)
        return fail(err, errlen, "command: shift takes \"delta\" or \"to\", not both");
    if (!has_delta && !has_to)
        return fail(err, errlen, "command: shift needs \"delta\" or \"to\"");
    c->absolute = has_to;
    c->amount = (int)(has_to ? to : delta);
    if (get_bool(o, "force", &c->force) < 0)
        return fail(err, errlen, "command.force: expected true or false");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");
    if (reason != NULL && !cJSON_IsString(reason))
        return fail(err, errlen, "command.reason: expected a string");
    if (reason != NULL)
        copy_display(c->reason, sizeof c->reason, reason->valuestring);
    if (c->force && c->reason[0] == '\0')
        return fail(err, errlen, "command: a forced shift needs a \"reason\"");
    return 0;
}

bool protocol_rid_valid(const char *rid)
{
    size_t n = 0;
    for (; rid[n] != '\0'; n++) {
        char ch = rid[n];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        if (!ok || n >= PROTOCOL_MAX_RID)
            return false;
    }
    return n > 0;
}

/* A lookup names a color and its failure: an id to find (a request id or a
 * run id), its time, or both. The id is refused rather than cleaned: it is
 * searched for literally in a log file, so only characters that need no
 * JSON escaping are allowed. */
static int decode_lookup(const cJSON *o, struct protocol_cmd *c, char *err, size_t errlen)
{
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(o, "rid");
    if (rid != NULL && (!cJSON_IsString(rid) || !protocol_rid_valid(rid->valuestring)))
        return fail(err, errlen, "command.rid: expected 1..%d of [A-Za-z0-9_-]", PROTOCOL_MAX_RID);
    if (rid != NULL)
        snprintf(c->rid, sizeof c->rid, "%s", rid->valuestring);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time");
    if (t != NULL && (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || t->valuedouble <= 0))
        return fail(err, errlen, "command.time: expected unix seconds > 0");
    c->time = t != NULL ? t->valuedouble : 0;
    if (rid == NULL && t == NULL)
        return fail(err, errlen, "command.rid: expected a request id, a \"time\" or both");
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(o, "color");
    c->color = cJSON_IsString(col) ? color_parse(col->valuestring) : COLOR_NONE;
    if (c->color == COLOR_NONE)
        return fail(err, errlen, "command.color: expected \"blue\" or \"green\"");
    return 0;
}

static int decode_command(const cJSON *o, struct protocol_cmd *c, char *err, size_t errlen)
{
    double id = 0;
    int r = get_int(o, "id", 0, MAX_ID, &id);
    if (r <= 0)
        return fail(err, errlen, "command.id: %s", r == 0 ? "missing" : "expected an integer >= 0");
    c->id = (long long)id;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(name))
        return fail(err, errlen, "command.name: %s", name == NULL ? "missing" : "expected a string");
    c->name = command_parse(name->valuestring);
    if (c->name == CMD_NONE)
        return fail(err, errlen, "command.name: unknown command \"%.32s\"", name->valuestring);
    if (c->name == CMD_SHIFT && decode_shift(o, c, err, errlen) < 0)
        return -1;
    if (c->name == CMD_TAKE_CONTROL && get_bool(o, "steal", &c->steal) < 0)
        return fail(err, errlen, "command.steal: expected true or false");
    if (c->name == CMD_LOOKUP)
        return decode_lookup(o, c, err, errlen);
    if (c->name == CMD_SHIFT || c->name == CMD_ROLLBACK || c->name == CMD_STATUS)
        return decode_stable(o, c, err, errlen);
    return 0;
}

/* The one key of the top-level object names the message. */
static int decode_object(const cJSON *root, struct protocol_msg *out, char *err, size_t errlen)
{
    int n = 0;
    if (!cJSON_IsObject(root))
        return fail(err, errlen, "not a JSON object");
    for (const cJSON *k = root->child; k != NULL; k = k->next)
        n++;
    if (n != 1)
        return fail(err, errlen, "expected exactly one top-level key, got %d", n);
    const cJSON *body = root->child;
    bool hello = strcmp(body->string, "hello") == 0;
    if (!hello && strcmp(body->string, "command") != 0)
        return fail(err, errlen, "unknown message \"%.32s\"", body->string);
    if (!cJSON_IsObject(body))
        return fail(err, errlen, "%s: expected an object", body->string);
    out->kind = hello ? MSG_HELLO : MSG_COMMAND;
    return hello ? decode_hello(body, &out->hello, err, errlen)
                 : decode_command(body, &out->cmd, err, errlen);
}

int protocol_decode_client(const char *line, size_t len, struct protocol_msg *out, char *err,
                           size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->cmd.stable = COLOR_NONE;
    out->cmd.color = COLOR_NONE;
    if (len > PROTOCOL_MAX_LINE)
        return fail(err, errlen, "line too long (%zu bytes, limit %d)", len, PROTOCOL_MAX_LINE);
    if (line == NULL || memchr(line, '\0', len) != NULL)
        return fail(err, errlen, "line contains a NUL byte");
    char *buf = malloc(len + 1);
    if (buf == NULL)
        return fail(err, errlen, "out of memory");
    memcpy(buf, line, len);
    buf[len] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(buf, &end, 1);
    int rc;
    if (root == NULL)
        rc = fail(err, errlen, "not JSON (at byte %td)", end != NULL ? end - buf : (ptrdiff_t)0);
    else
        rc = decode_object(root, out, err, errlen);
    cJSON_Delete(root);
    free(buf);
    if (rc < 0) {
        memset(out, 0, sizeof *out);    /* kind MSG_INVALID: nothing half-filled */
        out->cmd.stable = COLOR_NONE;
        out->cmd.color = COLOR_NONE;
    }
    return rc;
}

/* {"<key>": body} printed on one line; takes ownership of body. */
static char *wrap_print(const char *key, cJSON *body)
{
    cJSON *root = cJSON_CreateObject();
    char *line = NULL;
    if (root == NULL || body == NULL || !cJSON_AddItemToObject(root, key, body)) {
        cJSON_Delete(root);
        cJSON_Delete(body);
        return NULL;
    }
    line = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return line;
}

/* Integers as raw text: exact, without cJSON's double formatting. */
static void add_integer(cJSON *o, const char *key, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    cJSON_AddRawToObject(o, key, num);
}

char *protocol_encode_hello(const struct protocol_hello *h)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL) {
        add_integer(o, "version", h->version);
        cJSON_AddStringToObject(o, "client", h->client);
        add_integer(o, "pid", h->pid);
        cJSON_AddStringToObject(o, "ssh_client", h->ssh_client);
        cJSON_AddBoolToObject(o, "want_control", h->want_control);
    }
    return wrap_print("hello", o);
}

char *protocol_encode_command(const struct protocol_cmd *c)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    add_integer(o, "id", c->id);
    cJSON_AddStringToObject(o, "name", protocol_command_name(c->name));
    if (c->name == CMD_SHIFT)
        add_integer(o, c->absolute ? "to" : "delta", c->amount);
    if (c->name == CMD_SHIFT && c->force) {
        cJSON_AddBoolToObject(o, "force", true);
        cJSON_AddStringToObject(o, "reason", c->reason);
    }
    if (c->name == CMD_TAKE_CONTROL)
        cJSON_AddBoolToObject(o, "steal", c->steal);
    if (c->name == CMD_LOOKUP) {
        if (c->rid[0])
            cJSON_AddStringToObject(o, "rid", c->rid);
        if (c->time > 0)
            cJSON_AddNumberToObject(o, "time", c->time);
        if (c->color == COLOR_BLUE || c->color == COLOR_GREEN)
            cJSON_AddStringToObject(o, "color", color_name((enum color)c->color));
    }
    if ((c->name == CMD_SHIFT || c->name == CMD_ROLLBACK || c->name == CMD_STATUS) &&
        (c->stable == COLOR_BLUE || c->stable == COLOR_GREEN))
        cJSON_AddStringToObject(o, "stable", color_name((enum color)c->stable));
    return wrap_print("command", o);
}

char *protocol_encode_reply(long long id, bool ok, int wire_code, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL) {
        add_integer(o, "id", id);
        cJSON_AddBoolToObject(o, "ok", ok);
        add_integer(o, "exit_code", wire_code);
        cJSON_AddStringToObject(o, "message", message != NULL ? message : "");
    }
    return wrap_print("reply", o);
}

int protocol_wire_code(int err)
{
    return err < 0 ? -err : 0;
}

int protocol_err_of_wire(int wire)
{
    if (wire == 0)
        return ERRCODE_OK;
    /* ERRCODE_STOP is the last code */
    return wire > 0 && wire <= -ERRCODE_STOP ? -wire : ERRCODE_IO;
}

char *protocol_encode_error(const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL)
        cJSON_AddStringToObject(o, "message", message != NULL ? message : "");
    return wrap_print("error", o);
}
