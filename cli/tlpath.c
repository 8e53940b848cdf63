/* tlpath: a TIMELINE argument -> a file. */
#include "cli/tlpath.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/timeline.h"

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The newest timeline: ids sort by their UTC start time. */
static int newest(const char *dir, char *name, size_t namelen)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    name[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "cutover-", 8) != 0 || n < 7 ||
            strcmp(e->d_name + n - 6, ".jsonl") != 0 || n >= namelen)
            continue;
        if (strcmp(e->d_name, name) > 0)
            snprintf(name, namelen, "%s", e->d_name);
    }
    closedir(d);
    return name[0] ? 0 : -1;
}

int tlpath_resolve(const struct config *cfg, const char *arg, char *path, size_t pathlen,
                   char *err, size_t errlen)
{
    if (is_file(arg)) {
        snprintf(path, pathlen, "%s", arg);
        return 0;
    }
    char dir[1024], name[256];
    snprintf(dir, sizeof dir, "%s/%s", cfg->state_dir ? cfg->state_dir : ".", TIMELINE_DIR);
    if (strcmp(arg, "latest") == 0) {
        if (newest(dir, name, sizeof name) != 0) {
            snprintf(err, errlen, "no timeline in %s yet (one is written from the first shift)", dir);
            return -1;
        }
    } else if (strchr(arg, '/') == NULL) {
        size_t n = strlen(arg);
        snprintf(name, sizeof name, "%s%s", arg,
                 n > 6 && strcmp(arg + n - 6, ".jsonl") == 0 ? "" : ".jsonl");
    } else {
        snprintf(err, errlen, "%s: no such file", arg);
        return -1;
    }
    if ((size_t)snprintf(path, pathlen, "%s/%s", dir, name) >= pathlen || !is_file(path)) {
        snprintf(err, errlen, "%s: no such file, and no timeline %s in %s", arg, name, dir);
        return -1;
    }
    return 0;
}
