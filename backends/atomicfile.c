/* atomicfile: the rename(2) trick. A reader opening the path sees either the
 * old inode or the new one, never a half-written file; fsync of the data
 * before the rename and of the folder after it makes that hold across a crash
 * too. Plain blocking calls: the files are small and local. */
#include "backends/atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".tmp-"

/* Splits path into its folder ("." when none) and base name. */
static int split_path(const char *path, char *dir, size_t dirlen, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, dirlen, ".");
        *base = path;
        return 0;
    }
    size_t n = (size_t)(slash - path);
    if (n == 0)
        n = 1;                  /* "/x": the folder is "/" */
    if (n >= dirlen)
        return -1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    *base = slash + 1;
    return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void fail_msg(char *msg, size_t msglen, const char *verb, const char *path, int err)
{
    snprintf(msg, msglen, "cannot %s %s: %s", verb, path, strerror(err));
}

/* The rename made the new name durable only once the folder is synced. Some
 * filesystems refuse fsync on a folder (EINVAL): nothing more can be done. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0 && err != EINVAL) {
        errno = err;
        return -1;
    }
    return 0;
}

/* Copies the current bytes of path to path.prev, itself atomically. A missing
 * path is no error: there is nothing to keep. */
static int keep_previous(const char *path, char *msg, size_t msglen)
{
    char *old = NULL;
    size_t oldlen = 0;
    if (atomicfile_read(path, &old, &oldlen, msg, msglen) != 0)
        return errno == ENOENT ? 0 : -1;
    char prev[PATH_MAX];
    int rc = -1;
    if ((size_t)snprintf(prev, sizeof prev, "%s.prev", path) >= sizeof prev)
        fail_msg(msg, msglen, "write", path, ENAMETOOLONG);
    else
        rc = atomicfile_write(prev, old, oldlen, false, msg, msglen);
    free(old);
    return rc;
}

int atomicfile_write(const char *path, const void *data, size_t len, bool keep_prev,
                     char *msg, size_t msglen)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    const char *base;
    if (split_path(path, dir, sizeof dir, &base) != 0 ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.%s" TMP_TAG "XXXXXX", dir, base) >= sizeof tmp) {
        fail_msg(msg, msglen, "write", path, ENAMETOOLONG);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fail_msg(msg, msglen, "write", path, errno);
        return -1;
    }
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0 || fchmod(fd, mode) != 0)
        goto fail_fd;
    if (close(fd) != 0) {
        fd = -1;
        goto fail_fd;
    }
    fd = -1;
    if (keep_prev && keep_previous(path, msg, msglen) != 0) {
        unlink(tmp);
        return -1;              /* msg already names the .prev problem */
    }
    if (rename(tmp, path) != 0)
        goto fail_fd;
    if (sync_dir(dir) != 0) {
        /* the new bytes are in place; only durability is in doubt */
        fail_msg(msg, msglen, "sync the folder of", path, errno);
        return -1;
    }
    return 0;

fail_fd: ;
    int err = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    fail_msg(msg, msglen, "write", path, err);
    return -1;
}

int atomicfile_read(const char *path, char **data_out, size_t *len_out,
                    char *msg, size_t msglen)
{
    *data_out = NULL;
    *len_out = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        fail_msg(msg, msglen, "read", path, err);
        errno = err;
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL)
            abort();            /* out of memory */
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            continue;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            free(buf);
            close(fd);
            fail_msg(msg, msglen, "read", path, err);
            errno = err;
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    *data_out = buf;
    *len_out = len;
    return 0;
}

int atomicfile_append_line(const char *path, const char *line, char *msg, size_t msglen)
{
    size_t n = strlen(line);
    char *buf = malloc(n + 1);
    if (buf == NULL)
        abort();
    memcpy(buf, line, n);
    buf[n] = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fail_msg(msg, msglen, "append to", path, errno);
        free(buf);
        return -1;
    }
    /* one write(): O_APPEND places it whole at the end, so lines of several
     * writers never interleave; a retry would split the line, so none */
    ssize_t w = write(fd, buf, n + 1);
    int err = w < 0 ? errno : EIO;      /* a short write is an I/O problem */
    free(buf);
    if (w == (ssize_t)(n + 1)) {
        if (fsync(fd) == 0) {
            close(fd);
            return 0;
        }
        err = errno;
    }
    close(fd);
    fail_msg(msg, msglen, "append to", path, err);
    return -1;
}

/* Our temp names: ".<base>.tmp-*" and, for the .prev copy, ".<base>.prev.tmp-*". */
static bool is_stale_temp(const char *name, const char *base)
{
    size_t bl = strlen(base);
    if (name[0] != '.' || strncmp(name + 1, base, bl) != 0)
        return false;
    const char *rest = name + 1 + bl;
    if (strncmp(rest, ".prev", 5) == 0)
        rest += 5;
    return strncmp(rest, TMP_TAG, strlen(TMP_TAG)) == 0;
}

void atomicfile_clean_stale(const char *path)
{
    char dir[PATH_MAX];
    const char *base;
    if (split_path(path, dir, sizeof dir, &base) != 0)
        return;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (is_stale_temp(e->d_name, base))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}
