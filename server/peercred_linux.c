/* peercred on Linux: SO_PEERCRED gives uid, gid and pid in one call.
 * struct ucred needs _GNU_SOURCE, which configure defines. */
#include "server/peercred.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int peercred_get(int fd, struct peercred *out, char *msg, size_t len)
{
    struct ucred uc;
    socklen_t ulen = sizeof uc;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ulen) != 0) {
        snprintf(msg, len, "peer credentials (SO_PEERCRED): %s", strerror(errno));
        return -1;
    }
    out->uid = uc.uid;
    out->gid = uc.gid;
    /* A pid of 0 means the peer is in another pid namespace: unknown. */
    out->pid = uc.pid > 0 ? uc.pid : -1;
    return 0;
}
