/* peercred on macOS and the BSDs: getpeereid gives the effective uid and
 * gid; macOS adds the pid through LOCAL_PEERPID. Elsewhere the pid stays
 * unknown (-1), which the server only shows, never trusts. */
#include "server/peercred.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static pid_t peer_pid(int fd)
{
#if defined(SOL_LOCAL) && defined(LOCAL_PEERPID)
    pid_t pid = -1;
    socklen_t plen = sizeof pid;

    if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &plen) == 0 && pid > 0)
        return pid;
#else
    (void)fd;
#endif
    return -1;
}

int peercred_get(int fd, struct peercred *out, char *msg, size_t len)
{
    uid_t uid;
    gid_t gid;

    if (getpeereid(fd, &uid, &gid) != 0) {
        snprintf(msg, len, "peer credentials (getpeereid): %s", strerror(errno));
        return -1;
    }
    out->uid = uid;
    out->gid = gid;
    out->pid = peer_pid(fd);
    return 0;
}
