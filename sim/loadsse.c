/* SSE lines are split on LF (CR stripped); only "data:" lines matter. Every event is read up
 * to [DONE], since a failure may come after content. */
#include "sim/loadsse.h"

#include <cjson/cJSON.h>
#include <string.h>

void loadsse_init(struct loadsse *s)
{
    memset(s, 0, sizeof *s);
}

/* Content of choices[0].delta.content, or NULL. */
static const char *first_content(const cJSON *o)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "choices");
    const cJSON *c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(c0, "delta");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
    return cJSON_IsString(content) ? content->valuestring : NULL;
}

static int on_line(struct loadsse *s, char *line, size_t n)
{
    if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
    if (strncmp(line, "data:", 5) != 0)
        return 0;
    const char *v = line + 5;
    if (*v == ' ')
        v++;
    if (strcmp(v, "[DONE]") == 0) {
        s->done = 1;
        return 0;
    }
    if (s->done)
        return 0;
    /* Once content came only a failure can change anything: parse no chunk that cannot
     * hold one (the load generator reads thousands a second). */
    if (s->have_content && !strstr(v, "\"error\"") && !strstr(v, "Error:"))
        return 0;
    cJSON *o = cJSON_Parse(v);
    const char *text = o ? first_content(o) : NULL;
    int found = text && *text && !s->have_content;
    if (text && *text) {
        s->have_content = 1;
        s->is_error |= strncmp(text, "Error:", 6) == 0;
    }
    if (cJSON_GetObjectItemCaseSensitive(o, "error"))
        s->is_error = 1;  /* data: {"error":{...}}, OpenAI's and OpenClaw 2026.9's failure */
    cJSON_Delete(o);
    return found;
}

int loadsse_feed(struct loadsse *s, const char *data, size_t len)
{
    int found = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = data[i];
        if (ch == '\n') {
            if (!s->overflow) {
                s->line[s->len] = '\0';
                found |= on_line(s, s->line, s->len);
            }
            s->len = 0;
            s->overflow = 0;
        } else if (s->len + 1 < sizeof s->line) {
            s->line[s->len++] = ch;
        } else {
            s->overflow = 1;
        }
    }
    return found;
}
