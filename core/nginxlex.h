/* nginxlex: splits nginx configuration text into tokens (words, ';', '{', '}'),
 * dropping comments and whitespace and unquoting strings. Private to core;
 * pure. The lexer borrows the text; each word is copied into the token. */
#ifndef CUTOVER_CORE_NGINXLEX_H
#define CUTOVER_CORE_NGINXLEX_H

#include <stddef.h>

#define NGINXLEX_WORD_MAX 512

enum nginxlex_kind {
    NGINXLEX_WORD,
    NGINXLEX_SEMI,
    NGINXLEX_OPEN,   /* { */
    NGINXLEX_CLOSE,  /* } */
    NGINXLEX_EOF,
    NGINXLEX_ERROR   /* text holds the reason */
};

struct nginxlex {
    const char *p;
    int line;
};

struct nginxlex_token {
    enum nginxlex_kind kind;
    int line;                          /* where the token starts */
    char text[NGINXLEX_WORD_MAX];      /* the word, unquoted; or an error */
};

void nginxlex_init(struct nginxlex *lx, const char *text);
/* Reads the next token; after EOF it keeps returning EOF. Stop at ERROR. */
void nginxlex_next(struct nginxlex *lx, struct nginxlex_token *tok);

#endif
