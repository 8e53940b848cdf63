/* probe_headers: a probe's request headers for curl: the fixed ones (JSON in,
 * an event stream out, no 100-continue wait) and the configured ones with
 * every ${NAME} in a value expanded from the environment when the probe is
 * sent. A message names the header and the variable, never a value (which
 * may be a secret); the expanded text is wiped before it is freed. Split
 * from probe.c, which reads what the gateway answers. */
#ifndef CUTOVER_BACKENDS_PROBE_HEADERS_H
#define CUTOVER_BACKENDS_PROBE_HEADERS_H

#include <stddef.h>
#include <curl/curl.h>

/* The list to pass as CURLOPT_HTTPHEADER (the caller frees it with
 * curl_slist_free_all), or NULL with msg set: a variable not set, an
 * unterminated ${, a value with a line break, out of memory. */
struct curl_slist *probe_headers_build(char *const *names, char *const *values, int count,
                                       char *msg, size_t msglen);

#endif
