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

long statedir_lock_holder(const char *dir)
{
    char path[1024];
    statedir_path(dir, "lock", path, sizeof path);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    long holder = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : 0;
    close(fd);
    return holder;
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

/* The newest line of buf[0..len) with a move id; buf is modified. */
static int last_move_in(char *buf, size_t len, struct journal_event *ev)
{
    char err[128];
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && buf[start - 1] != '\n')
            start--;
        buf[end] = '\0';
        if (strstr(buf + start, "\"move_id\"") != NULL &&
            journal_decode(buf + start, ev, err, sizeof err) == 0) {
            if (ev->move_id != NULL)
                return 1;
            journal_event_clear(ev);
        }
        end = start > 0 ? start - 1 : 0;
    }
    return 0;
}

/* Reads the tail first: the last move is nearly always among the last
 * lines, and the server asks once a second. A window that starts inside a
 * line only loses that line, which the next, larger window reads whole. */
int statedir_journal_last_move(const char *dir, struct journal_event *ev,
                               char *msg, size_t msglen)
{
    char path[1024];
    statedir_path(dir, "journal.jsonl", path, sizeof path);
    memset(ev, 0, sizeof *ev);
    journal_event_clear(ev);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    int found = -1;
    if (fstat(fd, &sb) != 0) {
        snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    size_t size = (size_t)sb.st_size;
    for (size_t want = 64 * 1024;; want *= 4) {
        size_t len = want < size ? want : size;
        char *buf = malloc(len + 1);
        if (buf == NULL) {
            snprintf(msg, msglen, "out of memory");
            break;
        }
        ssize_t got = pread(fd, buf, len, (off_t)(size - len));
        if (got != (ssize_t)len) {
            snprintf(msg, msglen, "cannot read %s: %s", path,
                     got < 0 ? strerror(errno) : "short read");
            free(buf);
            break;
        }
        found = last_move_in(buf, len, ev);
        free(buf);
        if (found == 1 || len == size)
            break;
    }
    close(fd);
    return found;
}
