/* cfgedit: set fields of a struct config that cutover generates itself (the
 * demo's config, init's sample). Values are copied; config_free releases them. */
#ifndef CUTOVER_CLI_CFGEDIT_H
#define CUTOVER_CLI_CFGEDIT_H

#include "core/config.h"

/* words is NULL-terminated. */
void cfgedit_set_argv(struct config_argv *a, const char *const *words);
void cfgedit_set_string(char **field, const char *value);

/* names and values are NULL-terminated and as long as each other. */
void cfgedit_set_headers(struct config_headers *h, const char *const *names,
                         const char *const *values);

#endif
