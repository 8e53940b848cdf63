/* json5: JSON5 text (what OpenClaw's gateway config is written in) turned
 * into strict JSON text that cJSON parses. Accepted beyond JSON: // and
 * block comments, trailing commas, unquoted (identifier) keys,
 * single-quoted strings with JSON5's escapes (\x41, \v, \0, \', line
 * continuations), hex numbers, a leading '+', '.5' and '5.', and
 * +/-Infinity (written as 1e999, which cJSON reads as infinity) and NaN
 * (written as null: JSON has no NaN).
 *
 * Pure. The caller owns and frees the returned text. */
#ifndef CUTOVER_CORE_JSON5_H
#define CUTOVER_CORE_JSON5_H

#include <stddef.h>

/* Converts len bytes of JSON5. Returns malloc'd NUL-terminated JSON, or
 * NULL with err holding "LINE:COL: what is wrong" (1-based; the column
 * counts bytes), e.g. "3:7: unterminated string". */
char *json5_to_json(const char *text, size_t len, char *err, size_t errlen);

#endif
