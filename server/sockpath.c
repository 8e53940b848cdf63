/* sockpath: see sockpath.h. */
#include "server/sockpath.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

size_t sockpath_max(void)
{
    struct sockaddr_un sa;

    return sizeof sa.sun_path - 1;   /* keep room for the NUL */
}

int sockpath_addr(const char *path, struct sockaddr_un *sa, char *msg, size_t len)
{
    size_t n = strlen(path);

    if (n == 0) {
        snprintf(msg, len, "socket path is empty");
        return -1;
    }
    if (n > sockpath_max()) {
        snprintf(msg, len, "socket path is too long (%zu bytes, at most %zu here): %s",
                 n, sockpath_max(), path);
        return -1;
    }
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, path, n + 1);
    return 0;
}

/* A socket that does not leak into spawned children (nginx, stop commands)
 * and, where the system has SO_NOSIGPIPE, cannot kill the CLI with SIGPIPE. */
static int socket_new(bool nonblock)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int flags;

    if (fd < 0)
        return -1;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        goto fail;
    if (nonblock) {
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
            goto fail;
    }
#ifdef SO_NOSIGPIPE
    {
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
    return fd;
fail:
    close(fd);
    return -1;
}

static int connect_errno(const char *path, bool nonblock, char *msg, size_t len)
{
    struct sockaddr_un sa;
    int fd, err;

    if (sockpath_addr(path, &sa, msg, len) != 0)
        return -ENAMETOOLONG;
    fd = socket_new(nonblock);
    if (fd < 0) {
        err = errno;
        snprintf(msg, len, "socket: %s", strerror(err));
        return -err;
    }
    while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        err = errno;
        if (err == EINTR && !nonblock)
            continue;
        close(fd);
        snprintf(msg, len, "connect %s: %s", path, strerror(err));
        return -err;
    }
    return fd;
}

int sockpath_connect(const char *path, char *msg, size_t len)
{
    return connect_errno(path, false, msg, len);
}

int sockpath_probe(const char *path, enum sockpath_state *state, char *msg, size_t len)
{
    struct stat st;
    int fd;

    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) {
            *state = SOCKPATH_ABSENT;
            return 0;
        }
        snprintf(msg, len, "cannot check %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        *state = SOCKPATH_STALE;
        return 0;
    }
    fd = connect_errno(path, true, msg, len);
    if (fd >= 0) {
        close(fd);
        *state = SOCKPATH_LIVE;
        return 0;
    }
    switch (-fd) {
    case EAGAIN:        /* backlog full: busy, but alive */
    case EINPROGRESS:
    case EINTR:
        *state = SOCKPATH_LIVE;
        return 0;
    case ECONNREFUSED:  /* nobody listens: a crashed server's leftover */
        *state = SOCKPATH_STALE;
        return 0;
    case ENOENT:        /* removed between lstat and connect */
        *state = SOCKPATH_ABSENT;
        return 0;
    default:
        if (-fd != ENAMETOOLONG)
            snprintf(msg, len, "cannot check %s: %s", path, strerror(-fd));
        return -1;
    }
}
