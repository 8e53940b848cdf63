/* confcheck: the value checks behind config validation (addresses, words that
 * are written into nginx's config) and the "did you mean" suggestion.
 * Private to core; pure. Each check returns 0, or -1 with `why` filled with a
 * reason that follows "dotted.key: ". */
#ifndef CUTOVER_CORE_CONFCHECK_H
#define CUTOVER_CORE_CONFCHECK_H

#include <stddef.h>

/* The entry of NULL-terminated `known` within edit distance 2 of `name`
 * (the closest, the first on ties), or NULL. */
const char *confcheck_suggest(const char *name, const char *const *known);

/* HOST:PORT, [IPv6]:PORT (port 1-65535) or unix:/absolute/path. */
int confcheck_addr(const char *addr, char *why, size_t len);
/* "least_conn", "ip_hash", "random" or "" (round robin). */
int confcheck_balance(const char *balance, char *why, size_t len);
/* One nginx word: letters, digits, '_', '-', '.'. */
int confcheck_word(const char *word, char *why, size_t len);
/* Server parameters: nothing that could end or escape the server line. */
int confcheck_params(const char *params, char *why, size_t len);
/* "" (no zone) or digits with an optional k/m suffix. */
int confcheck_zone_size(const char *size, char *why, size_t len);

#endif
