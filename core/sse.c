/* sse: see sse.h. A byte-level state machine over the SSE line grammar, so a
 * read boundary may fall anywhere (inside a field name, between "\r" and
 * "\n"); only complete events reach the JSON parser. Every event up to
 * [DONE] is judged, since a failure may follow content. */
#include "core/sse.h"

#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

enum {
    ST_LINE_START = 0, /* nothing of this line seen yet */
    ST_FIELD,          /* reading a field name */
    ST_DATA_START,     /* just after "data:": one space may follow */
    ST_DATA,           /* copying a data value */
    ST_IGNORE,         /* comment, other field, or an over-long name */
};

void sse_reader_init(struct sse_reader *r)
{
    memset(r, 0, sizeof *r);
}

const char *sse_outcome_name(enum sse_outcome o)
{
    switch (o) {
    case SSE_CONTENT: return "content";
    case SSE_ERROR: return "error";
    case SSE_DONE_EMPTY: return "[DONE] without content";
    case SSE_PENDING: break;
    }
    return "pending";
}

static void data_append(struct sse_reader *r, const char *s, size_t n)
{
    if (r->event_too_big)
        return;
    if (n > SSE_READER_MAX - r->data_len) {
        r->event_too_big = true;  /* parsing a cut JSON would misread it */
        return;
    }
    memcpy(r->data + r->data_len, s, n);
    r->data_len += n;
}

static bool field_is_data(const struct sse_reader *r)
{
    return r->field_len == 4 && memcmp(r->field, "data", 4) == 0;
}

/* Copies s into out for messages: printable ASCII only, so a message never
 * carries control bytes or half a UTF-8 character; cut to fit. */
static void clean_copy(char *out, size_t outlen, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[i] = '\0';
}

/* choices[0].delta.content when it is a non-empty string, else NULL. */
static const char *first_content(const cJSON *root)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *first = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(first, "delta");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
    if (!cJSON_IsString(content) || !content->valuestring || !content->valuestring[0])
        return NULL;
    return content->valuestring;
}

static const char *string_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? v->valuestring : NULL;
}

/* The text of root's "error" member; false when it has none. */
static bool error_of(const cJSON *root, char *out, size_t outlen)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
    char text[SSE_READER_MESSAGE * 2];
    if (!err || cJSON_IsNull(err) || cJSON_IsFalse(err))
        return false;
    const char *msg = cJSON_IsString(err) ? err->valuestring : string_of(err, "message");
    const char *type = cJSON_IsObject(err) ? string_of(err, "type") : NULL;
    if (msg && type)
        snprintf(text, sizeof text, "%.*s (%s)", SSE_READER_MESSAGE, msg, type);
    else
        snprintf(text, sizeof text, "%s", msg ? msg : type ? type : "error without a message");
    clean_copy(out, outlen, text);
    return true;
}

bool sse_error_text(const char *json, size_t len, char *out, size_t outlen)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    bool found = cJSON_IsObject(root) && error_of(root, out, outlen);
    cJSON_Delete(root);
    return found;
}

static void fail(struct sse_reader *r, const char *text)
{
    if (r->outcome == SSE_ERROR)
        return;                      /* the first failure names the cause */
    r->outcome = SSE_ERROR;
    clean_copy(r->message, sizeof r->message, text);
}

/* Keeps the first chunk's id when it is a plain token (see sse.h). */
static void take_id(struct sse_reader *r, const cJSON *root)
{
    const char *id = string_of(root, "id");
    size_t n = 0;
    if (r->id[0] || !id)
        return;
    for (; id[n]; n++) {
        char c = id[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok || n >= SSE_READER_ID)
            return;
    }
    memcpy(r->id, id, n + 1);
}

static void judge_event(struct sse_reader *r)
{
    if (strcmp(r->data, "[DONE]") == 0) {
        r->done = true;
        if (r->outcome == SSE_PENDING)
            r->outcome = SSE_DONE_EMPTY;
        return;
    }
    cJSON *root = cJSON_ParseWithLength(r->data, r->data_len);
    const char *text = root ? first_content(root) : NULL;
    char msg[SSE_READER_MESSAGE];
    if (cJSON_IsObject(root))
        take_id(r, root);
    if (text) {
        if (!r->has_content)
            clean_copy(r->snippet, sizeof r->snippet, text);
        r->has_content = true;
        if (strncmp(text, "Error:", 6) == 0)
            fail(r, text);
        else if (r->outcome == SSE_PENDING)
            r->outcome = SSE_CONTENT;
    } else if (cJSON_IsObject(root) && error_of(root, msg, sizeof msg)) {
        fail(r, msg);
    }
    cJSON_Delete(root);
}

/* A blank line ends an event. Per the SSE rules an event without data is no
 * event, and the last data line's newline is not part of the data. */
static void dispatch(struct sse_reader *r)
{
    bool skip = r->event_too_big || r->data_len == 0;
    if (!skip) {
        r->data_len--;               /* every data line appended a '\n' */
        r->data[r->data_len] = '\0';
        r->events++;
        judge_event(r);
    }
    r->data_len = 0;
    r->event_too_big = false;
}

static void end_line(struct sse_reader *r)
{
    switch (r->state) {
    case ST_LINE_START:
        dispatch(r);
        break;
    case ST_FIELD:                   /* "data" alone: an empty data line */
        if (field_is_data(r))
            data_append(r, "\n", 1);
        break;
    case ST_DATA_START:
    case ST_DATA:
        data_append(r, "\n", 1);
        break;
    default:
        break;
    }
    r->state = ST_LINE_START;
    r->field_len = 0;
}

static void field_byte(struct sse_reader *r, char c)
{
    if (c == ':') {
        r->state = field_is_data(r) ? ST_DATA_START : ST_IGNORE;
    } else if (r->field_len < SSE_READER_FIELD) {
        r->field[r->field_len++] = c;
    } else {
        r->state = ST_IGNORE;        /* longer than any field we care about */
    }
}

/* Consumes bytes of one line (no line end among them); returns how many. */
static size_t line_bytes(struct sse_reader *r, const char *p, size_t n)
{
    switch (r->state) {
    case ST_LINE_START:
        r->state = (p[0] == ':') ? ST_IGNORE : ST_FIELD;
        if (r->state == ST_FIELD)
            field_byte(r, p[0]);
        return 1;
    case ST_FIELD:
        field_byte(r, p[0]);
        return 1;
    case ST_DATA_START:
        r->state = ST_DATA;
        if (p[0] == ' ')
            return 1;
        /* fall through */
    case ST_DATA:
        data_append(r, p, n);
        return n;
    default:
        return n;                    /* ignored line: skip the whole run */
    }
}

static size_t run_length(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] != '\n' && p[i] != '\r')
        i++;
    return i;
}

enum sse_outcome sse_reader_feed(struct sse_reader *r, const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && !r->done) {
        char c = buf[i];
        if (c == '\r' || c == '\n') {
            if (!(c == '\n' && r->after_cr))
                end_line(r);
            r->after_cr = (c == '\r');
            i++;
            continue;
        }
        r->after_cr = false;
        size_t run = run_length(buf + i, len - i);
        i += line_bytes(r, buf + i, run);
    }
    return r->outcome;
}
