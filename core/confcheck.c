/* confcheck: value checks for config. Values checked here end up inside the
 * nginx upstream file, so they are held to what nginx reads as one word. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/confcheck.h"

#define MAX_SUGGEST_LEN 63

/* Levenshtein distance for short strings (keys), two rows on the stack. */
static int edit_distance(const char *a, const char *b)
{
    int prev[MAX_SUGGEST_LEN + 2], cur[MAX_SUGGEST_LEN + 2];
    size_t la = strlen(a), lb = strlen(b);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

const char *confcheck_suggest(const char *name, const char *const *known)
{
    const char *best = NULL;
    int best_d = 3;
    if (strlen(name) > MAX_SUGGEST_LEN)
        return NULL;
    for (; *known != NULL; known++) {
        int d;
        if (strlen(*known) > MAX_SUGGEST_LEN)
            continue;
        d = edit_distance(name, *known);
        if (d < best_d) {
            best_d = d;
            best = *known;
        }
    }
    return best;
}

static int port_check(const char *addr, const char *p, char *why, size_t len)
{
    long port = 0;
    size_t n = strlen(p);
    if (n == 0 || n > 9 || strspn(p, "0123456789") != n) {
        snprintf(why, len, "\"%s\" has no numeric port (expected HOST:PORT)", addr);
        return -1;
    }
    port = strtol(p, NULL, 10);
    if (port < 1 || port > 65535) {
        snprintf(why, len, "port %ld out of range (1-65535)", port);
        return -1;
    }
    return 0;
}

static bool host_char(int ch)
{
    return isalnum(ch) || ch == '.' || ch == '-' || ch == '_';
}

int confcheck_addr(const char *addr, char *why, size_t len)
{
    const char *colon;
    if (strncmp(addr, "unix:", 5) == 0) {
        const char *path = addr + 5;
        if (path[0] != '/' || strpbrk(path, " \t\r\n;{}#\"'\\") != NULL) {
            snprintf(why, len, "\"%s\": unix: needs an absolute path without spaces", addr);
            return -1;
        }
        return 0;
    }
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        size_t n = close != NULL ? (size_t)(close - addr - 1) : 0;
        if (close == NULL || n == 0 || strspn(addr + 1, "0123456789abcdefABCDEF:.") != n
            || close[1] != ':') {
            snprintf(why, len, "\"%s\" is not [IPv6]:PORT", addr);
            return -1;
        }
        return port_check(addr, close + 2, why, len);
    }
    colon = strrchr(addr, ':');
    if (colon == NULL || colon == addr) {
        snprintf(why, len, "\"%s\" is not HOST:PORT, [IPv6]:PORT or unix:/path", addr);
        return -1;
    }
    for (const char *p = addr; p < colon; p++) {
        if (!host_char((unsigned char)*p)) {
            snprintf(why, len, "\"%s\" is not HOST:PORT, [IPv6]:PORT or unix:/path", addr);
            return -1;
        }
    }
    return port_check(addr, colon + 1, why, len);
}

int confcheck_balance(const char *balance, char *why, size_t len)
{
    static const char *const allowed[] = { "least_conn", "ip_hash", "random", "", NULL };
    for (const char *const *a = allowed; *a != NULL; a++)
        if (strcmp(balance, *a) == 0)
            return 0;
    snprintf(why, len, "\"%s\" is not one of least_conn, ip_hash, random or \"\" (round robin)",
             balance);
    return -1;
}

int confcheck_word(const char *word, char *why, size_t len)
{
    if (word[0] == '\0')
        goto bad;
    for (const char *p = word; *p; p++)
        if (!host_char((unsigned char)*p))
            goto bad;
    return 0;
bad:
    snprintf(why, len, "\"%s\" must be one word of letters, digits, '_', '-' or '.'", word);
    return -1;
}

int confcheck_params(const char *params, char *why, size_t len)
{
    for (const char *p = params; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f || strchr(";{}#\"'\\", ch) != NULL) {
            snprintf(why, len, "\"%s\" must not contain ';', '{', '}', '#', quotes, "
                     "backslashes or control characters (it is written into nginx's config)",
                     params);
            return -1;
        }
    }
    return 0;
}

int confcheck_zone_size(const char *size, char *why, size_t len)
{
    size_t digits = strspn(size, "0123456789");
    if (size[0] == '\0')
        return 0;
    if (digits > 0 && (size[digits] == '\0'
                       || (strchr("kKmM", size[digits]) != NULL && size[digits + 1] == '\0')))
        return 0;
    snprintf(why, len, "\"%s\" is not a size like 64k or 1m", size);
    return -1;
}
