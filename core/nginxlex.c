/* nginxlex: a tokenizer that follows nginx's own rules closely enough to walk
 * any valid config: '#' comments to end of line, '...' and "..." strings with
 * backslash escapes, ${var} inside words, and ; { } as separate tokens. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/nginxlex.h"

void nginxlex_init(struct nginxlex *lx, const char *text)
{
    lx->p = text;
    lx->line = 1;
}

static void skip_blank(struct nginxlex *lx)
{
    for (;;) {
        char ch = *lx->p;
        if (ch == '\n') {
            lx->line++;
            lx->p++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r') {
            lx->p++;
        } else if (ch == '#') {
            while (*lx->p != '\0' && *lx->p != '\n')
                lx->p++;
        } else {
            return;
        }
    }
}

static bool ends_word(char ch)
{
    return ch == '\0' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'
        || ch == ';' || ch == '{' || ch == '}';
}

static void set_error(struct nginxlex_token *tok, const char *why)
{
    /* Callers stop at the first error; the message carries the line. */
    tok->kind = NGINXLEX_ERROR;
    snprintf(tok->text, sizeof tok->text, "line %d: %s", tok->line, why);
}

/* Appends one byte; false when the word outgrows the token. */
static bool put(struct nginxlex_token *tok, size_t *n, char ch)
{
    if (*n + 1 >= sizeof tok->text)
        return false;
    tok->text[(*n)++] = ch;
    return true;
}

static void read_quoted(struct nginxlex *lx, struct nginxlex_token *tok)
{
    char quote = *lx->p++;
    size_t n = 0;
    for (;;) {
        char ch = *lx->p;
        if (ch == '\0') {
            set_error(tok, "unterminated string");
            return;
        }
        lx->p++;
        if (ch == quote)
            break;
        if (ch == '\\' && *lx->p != '\0')
            ch = *lx->p++;
        if (ch == '\n')
            lx->line++;
        if (!put(tok, &n, ch)) {
            set_error(tok, "word too long");
            return;
        }
    }
    tok->text[n] = '\0';
    tok->kind = NGINXLEX_WORD;
}

/* Copies "${name}" whole: its braces belong to the variable, not a block. */
static bool read_variable(struct nginxlex *lx, struct nginxlex_token *tok, size_t *n)
{
    while (*lx->p != '\0' && *lx->p != '\n') {
        char ch = *lx->p++;
        if (!put(tok, n, ch)) {
            set_error(tok, "word too long");
            return false;
        }
        if (ch == '}')
            return true;
    }
    set_error(tok, "unterminated ${variable}");
    return false;
}

static void read_bare(struct nginxlex *lx, struct nginxlex_token *tok)
{
    size_t n = 0;
    while (!ends_word(*lx->p)) {
        char ch = *lx->p++;
        if (ch == '\\' && *lx->p != '\0' && *lx->p != '\n')
            ch = *lx->p++;
        if (!put(tok, &n, ch)) {
            set_error(tok, "word too long");
            return;
        }
        if (ch == '$' && *lx->p == '{' && !read_variable(lx, tok, &n))
            return;
    }
    tok->text[n] = '\0';
    tok->kind = NGINXLEX_WORD;
}

void nginxlex_next(struct nginxlex *lx, struct nginxlex_token *tok)
{
    skip_blank(lx);
    tok->line = lx->line;
    tok->text[0] = '\0';
    switch (*lx->p) {
    case '\0':
        tok->kind = NGINXLEX_EOF;
        return;
    case ';':
        tok->kind = NGINXLEX_SEMI;
        break;
    case '{':
        tok->kind = NGINXLEX_OPEN;
        break;
    case '}':
        tok->kind = NGINXLEX_CLOSE;
        break;
    case '"':
    case '\'':
        read_quoted(lx, tok);
        return;
    default:
        read_bare(lx, tok);
        return;
    }
    lx->p++;
}
