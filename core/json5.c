/* json5: a recursive-descent reader that writes the strict JSON equivalent
 * of what it reads, so cJSON never sees JSON5 (see json5.h). Positions are
 * kept as line and line start, so every error says LINE:COL. */
#include "core/json5.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON5_MAX_DEPTH 256

struct j5 {
    const char *text, *p, *end;
    int depth;
    char *out;
    size_t used, cap;
    bool failed;
    char *err;
    size_t errlen;
};

/* Records the first error only, at the position of `at` (its line and
 * column counted from the start: errors are rare, and `at` may lie on an
 * earlier line than the cursor, as a string's opening quote does). */
__attribute__((format(printf, 3, 4)))
static void fail_at(struct j5 *j, const char *at, const char *fmt, ...)
{
    if (j->failed)
        return;
    j->failed = true;
    int line = 1;
    const char *ls = j->text;
    for (const char *q = j->text; q < at; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    int n = snprintf(j->err, j->errlen, "%d:%d: ", line, (int)(at - ls) + 1);
    if (n < 0 || (size_t)n >= j->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err + n, j->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void emit_n(struct j5 *j, const char *s, size_t n)
{
    if (j->failed)
        return;
    if (j->used + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (j->used + n + 1 > cap)
            cap *= 2;
        char *o = realloc(j->out, cap);
        if (!o) {
            fail_at(j, j->p, "out of memory");
            return;
        }
        j->out = o;
        j->cap = cap;
    }
    memcpy(j->out + j->used, s, n);
    j->used += n;
    j->out[j->used] = '\0';
}

static void emit(struct j5 *j, const char *s)
{
    emit_n(j, s, strlen(s));
}

static int peek(const struct j5 *j)
{
    return j->p < j->end ? (unsigned char)*j->p : -1;
}

static void advance(struct j5 *j)
{
    if (j->p < j->end)
        j->p++;
}

static bool starts(const struct j5 *j, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(j->end - j->p) >= n && memcmp(j->p, s, n) == 0;
}

static void describe(const struct j5 *j, char *buf, size_t len)
{
    int c = peek(j);
    if (c < 0)
        snprintf(buf, len, "end of input");
    else if (c >= 0x21 && c < 0x7f)
        snprintf(buf, len, "'%c'", c);
    else
        snprintf(buf, len, "byte 0x%02x", (unsigned)c);
}

/* Whitespace (JSON5 adds \v, \f, NBSP, BOM, U+2028/2029) and comments. */
static void skip_space(struct j5 *j)
{
    static const char *const wide[] = {"\xc2\xa0", "\xef\xbb\xbf", "\xe2\x80\xa8", "\xe2\x80\xa9"};
    while (!j->failed && j->p < j->end) {
        int c = peek(j);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
            advance(j);
            continue;
        }
        bool skipped = false;
        for (size_t i = 0; i < sizeof wide / sizeof wide[0] && !skipped; i++)
            if (starts(j, wide[i])) {
                j->p += strlen(wide[i]);
                skipped = true;
            }
        if (skipped)
            continue;
        if (starts(j, "//")) {
            while (j->p < j->end && *j->p != '\n')
                advance(j);
        } else if (starts(j, "/*")) {
            const char *open = j->p;
            advance(j);
            advance(j);
            while (j->p < j->end && !starts(j, "*/"))
                advance(j);
            if (j->p >= j->end) {
                fail_at(j, open, "unterminated /* comment");
                return;
            }
            advance(j);
            advance(j);
        } else {
            return;
        }
    }
}

static bool is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static bool is_ident_char(int c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A JSON \u escape for one byte value. */
static void emit_u00(struct j5 *j, unsigned v)
{
    char u[8];
    snprintf(u, sizeof u, "\\u%04x", v & 0xffu);
    emit(j, u);
}

/* After a backslash inside a string: writes its JSON form. */
static void string_escape(struct j5 *j)
{
    const char *at = j->p - 1;
    int c = peek(j);
    if (c < 0) {
        fail_at(j, at, "unterminated string");
        return;
    }
    advance(j);
    char two[3] = {'\\', (char)c, '\0'};
    if (c == '\n' || (c == '\r')) {   /* a line continuation: nothing */
        if (c == '\r' && peek(j) == '\n')
            advance(j);
    } else if (strchr("bfnrt\\/\"", c)) {
        emit(j, two);
    } else if (c == '\'') {
        emit(j, "'");
    } else if (c == 'v') {
        emit(j, "\\u000b");
    } else if (c == '0' && !(peek(j) >= '0' && peek(j) <= '9')) {
        emit(j, "\\u0000");
    } else if (c >= '0' && c <= '9') {
        fail_at(j, at, "octal escapes are not allowed in JSON5");
    } else if (c == 'x' || c == 'u') {
        int want = c == 'x' ? 2 : 4;
        unsigned v = 0;
        for (int i = 0; i < want; i++) {
            int d = hex_digit(peek(j));
            if (d < 0) {
                fail_at(j, at, "\\%c needs %d hex digits", c, want);
                return;
            }
            v = v * 16 + (unsigned)d;
            advance(j);
        }
        if (c == 'x') {
            emit_u00(j, v);
        } else {
            char u[8];
            snprintf(u, sizeof u, "\\u%04x", v);
            emit(j, u);
        }
    } else if (c == 0xe2 && (starts(j, "\x80\xa8") || starts(j, "\x80\xa9"))) {
        j->p += 2;   /* U+2028/2029 continue the line too */
    } else {
        emit_n(j, (const char *)&j->p[-1], 1);   /* "\a" is "a" in JSON5 */
    }
}

static void parse_string(struct j5 *j)
{
    const char *open = j->p;
    int quote = peek(j);
    advance(j);
    emit(j, "\"");
    while (!j->failed) {
        int c = peek(j);
        if (c < 0 || c == '\n' || c == '\r') {
            fail_at(j, open, "unterminated string");
            return;
        }
        advance(j);
        if (c == quote)
            break;
        if (c == '\\')
            string_escape(j);
        else if (c == '"')
            emit(j, "\\\"");
        else if (c < 0x20)
            emit_u00(j, (unsigned)c);
        else
            emit_n(j, j->p - 1, 1);
    }
    emit(j, "\"");
}

static void parse_key(struct j5 *j)
{
    int c = peek(j);
    if (c == '"' || c == '\'') {
        parse_string(j);
        return;
    }
    if (!is_ident_start(c)) {
        char what[32];
        describe(j, what, sizeof what);
        fail_at(j, j->p, "expected a key, found %s", what);
        return;
    }
    const char *s = j->p;
    while (is_ident_char(peek(j)))
        advance(j);
    emit(j, "\"");
    emit_n(j, s, (size_t)(j->p - s));
    emit(j, "\"");
}

static void parse_hex(struct j5 *j, const char *start)
{
    j->p += 2;
    unsigned long long v = 0;
    int digits = 0;
    for (int d; (d = hex_digit(peek(j))) >= 0; advance(j), digits++) {
        if (v > (~0ULL >> 4)) {
            fail_at(j, start, "hex number too large");
            return;
        }
        v = v * 16 + (unsigned)d;
    }
    if (digits == 0) {
        fail_at(j, start, "0x needs hex digits");
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", v);
    emit(j, buf);
}

/* Digits from here; returns how many. */
static int copy_digits(struct j5 *j)
{
    const char *s = j->p;
    while (peek(j) >= '0' && peek(j) <= '9')
        advance(j);
    emit_n(j, s, (size_t)(j->p - s));
    return (int)(j->p - s);
}

static void parse_number(struct j5 *j)
{
    const char *start = j->p;
    if (peek(j) == '+' || peek(j) == '-') {
        if (peek(j) == '-')
            emit(j, "-");
        advance(j);
    }
    if (starts(j, "Infinity")) {
        j->p += 8;
        emit(j, "1e999");
    } else if (starts(j, "NaN")) {
        j->p += 3;
        j->used -= (j->used > 0 && j->out[j->used - 1] == '-');   /* no "-null" */
        emit(j, "null");
    } else if (starts(j, "0x") || starts(j, "0X")) {
        parse_hex(j, start);
    } else {
        if (peek(j) == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9') {
            fail_at(j, start, "leading zeros are not allowed");
            return;
        }
        int whole = peek(j) == '.' ? 0 : copy_digits(j);
        if (whole == 0)
            emit(j, "0");
        int frac = -1;
        if (peek(j) == '.') {
            advance(j);
            emit(j, ".");
            frac = copy_digits(j);
            if (frac == 0)
                emit(j, "0");
        }
        if (whole == 0 && frac <= 0) {
            fail_at(j, start, "not a number");
            return;
        }
        if (peek(j) == 'e' || peek(j) == 'E') {
            advance(j);
            emit(j, "e");
            if (peek(j) == '+' || peek(j) == '-') {
                emit_n(j, j->p, 1);
                advance(j);
            }
            if (copy_digits(j) == 0) {
                fail_at(j, start, "exponent without digits");
                return;
            }
        }
    }
    if (is_ident_char(peek(j)) || peek(j) == '.')
        fail_at(j, start, "not a number");
}

static void parse_value(struct j5 *j);

/* The members of an object or the items of an array, after its opener. */
static void parse_members(struct j5 *j, int close, bool keyed)
{
    const char *open = j->p - 1;
    if (++j->depth > JSON5_MAX_DEPTH) {
        fail_at(j, open, "nested deeper than %d", JSON5_MAX_DEPTH);
        return;
    }
    emit_n(j, open, 1);
    skip_space(j);
    bool first = true;
    while (!j->failed && peek(j) != close) {
        if (!first)
            emit(j, ",");
        first = false;
        if (keyed) {
            parse_key(j);
            skip_space(j);
            if (!j->failed && peek(j) != ':') {
                char what[32];
                describe(j, what, sizeof what);
                fail_at(j, j->p, "expected ':' after the key, found %s", what);
                return;
            }
            advance(j);
            emit(j, ":");
            skip_space(j);
        }
        parse_value(j);
        skip_space(j);
        if (j->failed)
            return;
        if (peek(j) == ',') {
            advance(j);
            skip_space(j);   /* a trailing comma may follow */
        } else if (peek(j) != close) {
            char what[32];
            describe(j, what, sizeof what);
            fail_at(j, j->p, "expected ',' or '%c', found %s", close, what);
            return;
        }
    }
    if (j->failed)
        return;
    advance(j);
    emit_n(j, j->p - 1, 1);
    j->depth--;
}

static void parse_value(struct j5 *j)
{
    static const char *const words[] = {"true", "false", "null"};
    int c = peek(j);
    if (c == '{' || c == '[') {
        advance(j);
        parse_members(j, c == '{' ? '}' : ']', c == '{');
        return;
    }
    if (c == '"' || c == '\'') {
        parse_string(j);
        return;
    }
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || starts(j, "Infinity")
        || starts(j, "NaN")) {
        parse_number(j);
        return;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (starts(j, words[i]) && !(j->p + n < j->end && is_ident_char((unsigned char)j->p[n]))) {
            emit(j, words[i]);
            j->p += n;
            return;
        }
    }
    char what[32];
    describe(j, what, sizeof what);
    fail_at(j, j->p, "expected a value, found %s", what);
}

char *json5_to_json(const char *text, size_t len, char *err, size_t errlen)
{
    struct j5 j = {.text = text, .p = text, .end = text + len, .err = err, .errlen = errlen};
    err[0] = '\0';
    const char *nul = memchr(text, '\0', len);
    if (nul)
        fail_at(&j, nul, "a NUL byte in the text");
    skip_space(&j);
    if (!j.failed && j.p >= j.end)
        fail_at(&j, j.p, "no value (empty input)");
    if (!j.failed)
        parse_value(&j);
    skip_space(&j);
    if (!j.failed && j.p < j.end) {
        char what[32];
        describe(&j, what, sizeof what);
        fail_at(&j, j.p, "%s after the value", what);
    }
    if (j.failed) {
        free(j.out);
        return NULL;
    }
    return j.out;
}
