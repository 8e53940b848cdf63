/* children_linux: /proc/PID/task/TID/children, one file per thread of the
 * parent (the kernel lists each child under the thread that forked it). */
#include "backends/children.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static int read_children_file(const char *path, pid_t *out, int n, int max)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    long v;
    while (n < max && fscanf(f, "%ld", &v) == 1)
        out[n++] = (pid_t)v;
    fclose(f);
    return n;
}

int children_of(pid_t parent, pid_t *out, int max)
{
    char dir[64], path[384];
    snprintf(dir, sizeof dir, "/proc/%ld/task", (long)parent);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/children", dir, e->d_name);
        int got = read_children_file(path, out, n, max);
        if (got < 0) { /* a kernel without CONFIG_PROC_CHILDREN */
            closedir(d);
            return -1;
        }
        n = got;
    }
    closedir(d);
    return n;
}
