/* preflight_secrets: both colors must boot with the same secrets (the runbook:
 * a green with stale keys silently inherits traffic). Files are compared by
 * SHA-256, pairwise by position; only their paths are ever named. */
#include "backends/preflight.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/color.h"
#include "core/sha256.h"

/* 0 with the digest, or -1 with why (the path and errno, never content). */
static int hash_file(const char *path, uint8_t digest[SHA256_DIGEST_LEN], char *why, size_t len)
{
    FILE *f = fopen(path, "rbe"); /* close-on-exec: the server may be spawning children */
    if (!f) {
        snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    struct sha256 s;
    sha256_init(&s);
    unsigned char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&s, buf, n);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    sha256_final(&s, digest);
    memset(buf, 0, sizeof buf);   /* the last piece of a secret */
    if (failed) {
        snprintf(why, len, "cannot read %s: %s", path, strerror(saved));
        return -1;
    }
    return 0;
}

/* Appends "; what" (cut at the end of list: a long path list stays one line). */
static void append(char *list, size_t len, int *count, const char *what)
{
    size_t used = strlen(list);
    const char *parts[2] = {(*count)++ ? "; " : "", what};
    for (int i = 0; i < 2; i++)
        for (const char *p = parts[i]; *p && used + 1 < len; p++)
            list[used++] = *p;
    list[used] = '\0';
}

void preflight_secrets(const struct config *cfg, struct preflight_report *r)
{
    const struct config_argv *f[COLOR_COUNT] = {&cfg->colors[COLOR_BLUE].secret_files,
                                                &cfg->colors[COLOR_GREEN].secret_files};
    if (f[0]->argc == 0 && f[1]->argc == 0) {
        preflight_add(r, "secrets", PREFLIGHT_SKIPPED, "no colors.<c>.secret_files configured");
        return;
    }
    char bad[480] = "";
    int nbad = 0;
    if (f[0]->argc != f[1]->argc) {
        char one[120];
        snprintf(one, sizeof one, "blue lists %d secret file(s), green %d", f[0]->argc,
                 f[1]->argc);
        append(bad, sizeof bad, &nbad, one);
    }
    int pairs = f[0]->argc < f[1]->argc ? f[0]->argc : f[1]->argc;
    for (int i = 0; i < pairs; i++) {
        uint8_t d[COLOR_COUNT][SHA256_DIGEST_LEN];
        char why[300];
        int ok = 1;
        for (int c = 0; c < COLOR_COUNT; c++)
            if (hash_file(f[c]->argv[i], d[c], why, sizeof why) != 0) {
                append(bad, sizeof bad, &nbad, why);
                ok = 0;
            }
        if (ok && memcmp(d[0], d[1], SHA256_DIGEST_LEN) != 0) {
            char one[600];
            snprintf(one, sizeof one, "blue's %s and green's %s differ", f[0]->argv[i],
                     f[1]->argv[i]);
            append(bad, sizeof bad, &nbad, one);
        }
    }
    if (nbad)
        preflight_add(r, "secrets", PREFLIGHT_FAIL, "%s", bad);
    else
        preflight_add(r, "secrets", PREFLIGHT_OK, "%d secret file(s) match across colors (SHA-256)",
                      pairs);
}
