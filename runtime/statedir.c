/* statedir: rollout state, journal and lock files in state_dir. */
#include "runtime/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/atomicfile.h"

void statedir_path(const char *dir, const char *name, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%s/%s", dir, name);
}

int statedir_prepare(const char *dir, char *msg, size_t msglen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    /* mkdir -p: create each missing parent in turn. */
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            snprintf(msg, msglen, "cannot create state folder %s: %s", path, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(msg, msglen, "cannot create state folder %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int statedir_lock(const char *dir, char *msg, size_t msglen)
{
    char path[1024];
    statedir_path(dir, "lock", path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(msg, msglen, "cannot open lock %s: %s", path, strerror(errno));
        return -1;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        long holder = fcntl(fd, F_GETLK, &who) == 0 ? (long)who.l_pid : 0;
        snprintf(msg, msglen, "another cutover (pid %ld) is changing the weights; try again when it is done",
                 holder);
        close(fd);
        return -1;
    }
    return fd;
}

void statedir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing drops the fcntl lock */
}

int statedir_load_rollout(const char *dir, struct rollout_state *st, char *msg, size_t msglen)
{
    char path[1024], why[256];
    char *text = NULL;
    size_t len;
    statedir_path(dir, "rollout.json", path, sizeof path);
    memset(st, 0, sizeof *st);
    if (atomicfile_read(path, &text, &len, why, sizeof why) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(msg, msglen, "%s", why);
        return -1;
    }
    int rc = rollout_state_decode(text, st, why, sizeof why);
    free(text);
    if (rc != 0) {
        snprintf(msg, msglen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

int statedir_save_rollout(const char *dir, const struct rollout_state *st,
                          char *msg, size_t msglen)
{
    char path[1024];
    statedir_path(dir, "rollout.json", path, sizeof path);
    char *json = rollout_state_encode(st);
    if (!json) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    int rc = atomicfile_write(path, json, strlen(json), false, msg, msglen);
    free(json);
    return rc;
}

int statedir_journal_append(const char *dir, const struct journal_event *ev,
                            char *msg, size_t msglen)
{
    char path[1024];
    statedir_path(dir, "journal.jsonl", path, sizeof path);
    char *line = journal_encode(ev);
    if (!line) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    int rc = atomicfile_append_line(path, line, msg, msglen);
    free(line);
    return rc;
}
