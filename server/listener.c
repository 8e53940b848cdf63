/* listener: see listener.h. The socket is made by hand and handed to libuv
 * with uv_pipe_open, so that (a) a path too long for sun_path is an error,
 * not a truncation (libuv before 1.46 truncates), (b) the file never exists
 * with looser permissions than asked, and (c) closing unlinks it only when
 * it is still our file (libuv would unlink whatever is at the path). */
#include "server/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "server/sockpath.h"

#define LISTENER_BACKLOG 64

struct listener {
    uv_pipe_t pipe;
    listener_conn_cb cb;
    void *data;
    uint64_t next_id;
    dev_t dev;            /* identity of the socket file we made */
    ino_t ino;
    bool replaced_stale;
    bool closing;
    char path[sizeof ((struct sockaddr_un *)0)->sun_path];
};

static int group_lookup(const char *name, gid_t *gid, char *msg, size_t len)
{
    struct group gr, *found = NULL;
    char buf[4096];
    int r = getgrnam_r(name, &gr, buf, sizeof buf, &found);

    if (r != 0 || !found) {
        snprintf(msg, len, "server.watch_group: no group named \"%s\"%s%s", name,
                 r ? ": " : "", r ? strerror(r) : "");
        return -1;
    }
    *gid = found->gr_gid;
    return 0;
}

/* Clears the path: refuse a live server, remove a dead one's socket. */
static int clear_path(const char *path, bool *replaced, char *msg, size_t len)
{
    enum sockpath_state st;

    if (sockpath_probe(path, &st, msg, len) != 0)
        return -1;
    if (st == SOCKPATH_LIVE) {
        snprintf(msg, len, "a cutover server is already running on %s", path);
        return -1;
    }
    if (st == SOCKPATH_STALE) {
        if (unlink(path) != 0 && errno != ENOENT) {
            snprintf(msg, len, "cannot remove the stale socket %s: %s", path, strerror(errno));
            return -1;
        }
        *replaced = true;
    }
    return 0;
}

/* Binds with a umask that leaves only the owner in: the file is never open
 * wider than asked, not even between bind and chmod. */
static int bind_private(int fd, const struct sockaddr_un *sa, const char *path,
                        char *msg, size_t len)
{
    mode_t old = umask(0177);
    int r = bind(fd, (const struct sockaddr *)sa, sizeof *sa);
    int err = errno;

    umask(old);
    if (r != 0) {
        snprintf(msg, len, "bind %s: %s", path, strerror(err));
        return -1;
    }
    return 0;
}

static int set_access(const char *path, mode_t mode, const char *group, char *msg, size_t len)
{
    gid_t gid;

    if (group) {
        if (group_lookup(group, &gid, msg, len) != 0)
            return -1;
        if (chown(path, (uid_t)-1, gid) != 0) {
            snprintf(msg, len, "chown %s to group %s: %s", path, group, strerror(errno));
            return -1;
        }
    }
    if (chmod(path, mode) != 0) {
        snprintf(msg, len, "chmod %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* socket, bind, permissions, listen: returns the fd, or -1 with msg and
 * nothing left behind. */
static int make_socket(struct listener *l, mode_t mode, const char *group, char *msg, size_t len)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd;

    if (sockpath_addr(l->path, &sa, msg, len) != 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(msg, len, "socket: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (bind_private(fd, &sa, l->path, msg, len) != 0) {
        close(fd);
        return -1;
    }
    if (set_access(l->path, mode, group, msg, len) != 0)
        goto fail;
    if (stat(l->path, &st) != 0 || listen(fd, LISTENER_BACKLOG) != 0) {
        snprintf(msg, len, "listen on %s: %s", l->path, strerror(errno));
        goto fail;
    }
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    return fd;
fail:
    close(fd);
    unlink(l->path);
    return -1;
}

static void on_connection(uv_stream_t *server, int status)
{
    struct listener *l = server->data;
    struct conn *c;
    char msg[256];

    if (status < 0) {
        snprintf(msg, sizeof msg, "accept: %s", uv_strerror(status));
        l->cb(NULL, msg, l->data);
        return;
    }
    if (conn_accept(server, ++l->next_id, &c, msg, sizeof msg) != 0) {
        l->cb(NULL, msg, l->data);
        return;
    }
    l->cb(c, NULL, l->data);
}

static void free_listener(uv_handle_t *h)
{
    free(h->data);
}

int listener_open(uv_loop_t *loop, const char *path, mode_t mode, const char *group,
                  listener_conn_cb cb, void *data, struct listener **out,
                  char *msg, size_t len)
{
    struct sockaddr_un sa;
    struct listener *l;
    gid_t gid;
    int fd, r;

    /* Every check that needs no side effect comes before touching the path. */
    if (sockpath_addr(path, &sa, msg, len) != 0)
        return -1;
    if (group && group_lookup(group, &gid, msg, len) != 0)
        return -1;
    l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(msg, len, "out of memory for the listener");
        return -1;
    }
    snprintf(l->path, sizeof l->path, "%s", path);
    l->cb = cb;
    l->data = data;
    if (mode == 0)
        mode = group ? 0660 : 0600;
    msg[0] = '\0';
    if (clear_path(path, &l->replaced_stale, msg, len) != 0 ||
        (fd = make_socket(l, mode, group, msg, len)) < 0) {
        free(l);
        return -1;
    }
    uv_pipe_init(loop, &l->pipe, 0);
    l->pipe.data = l;
    r = uv_pipe_open(&l->pipe, fd);
    if (r < 0)
        close(fd);   /* not adopted by the handle */
    else
        r = uv_listen((uv_stream_t *)&l->pipe, LISTENER_BACKLOG, on_connection);
    if (r < 0) {
        snprintf(msg, len, "listen on %s: %s", path, uv_strerror(r));
        listener_close(l);
        return -1;
    }
    *out = l;
    return 0;
}

bool listener_replaced_stale(const struct listener *l)
{
    return l->replaced_stale;
}

const char *listener_path(const struct listener *l)
{
    return l->path;
}

void listener_close(struct listener *l)
{
    struct stat st;

    if (l->closing)
        return;
    l->closing = true;
    /* Unlink first, so a new server can bind at once; but never a file that
     * is no longer ours (someone removed ours and started another server). */
    if (stat(l->path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
        unlink(l->path);
    uv_close((uv_handle_t *)&l->pipe, free_listener);
}
