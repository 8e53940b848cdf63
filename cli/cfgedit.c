/* cfgedit: replace config values, freeing the old ones. */
#include "cli/cfgedit.h"
#include "core/config_keys.h"

#include <stdlib.h>
#include <string.h>

void cfgedit_set_argv(struct config_argv *a, const char *const *words)
{
    int n = 0;
    while (words[n])
        n++;
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    a->argv = calloc((size_t)n + 1, sizeof *a->argv);
    if (!a->argv)
        abort(); /* out of memory while building our own config */
    a->argc = n;
    for (int i = 0; i < n; i++)
        a->argv[i] = strdup(words[i]);
}

void cfgedit_set_string(char **field, const char *value)
{
    free(*field);
    *field = strdup(value);
}

void cfgedit_set_headers(struct config_headers *h, const char *const *names,
                         const char *const *values)
{
    int n = 0;
    while (names[n])
        n++;
    config_headers_clear(h);
    h->name = calloc((size_t)n + 1, sizeof *h->name);
    h->value = calloc((size_t)n + 1, sizeof *h->value);
    if (!h->name || !h->value)
        abort(); /* out of memory while building our own config */
    h->count = n;
    for (int i = 0; i < n; i++) {
        h->name[i] = strdup(names[i]);
        h->value[i] = strdup(values[i]);
    }
}
