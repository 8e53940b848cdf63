/* peercred: who is on the other end of a connected Unix socket, as the
 * kernel saw it at connect time (so a client cannot lie about it). The
 * server decides from the uid who may send commands.
 *
 * One implementation per platform: peercred_linux.c (SO_PEERCRED) and
 * peercred_bsd.c (getpeereid, plus LOCAL_PEERPID where the system has it). */
#ifndef CUTOVER_SERVER_PEERCRED_H
#define CUTOVER_SERVER_PEERCRED_H

#include <stddef.h>
#include <sys/types.h>

struct peercred {
    uid_t uid;
    gid_t gid;
    pid_t pid;   /* -1 when the platform cannot say */
};

/* fd is a connected AF_UNIX stream socket. Returns 0, or -1 with msg. */
int peercred_get(int fd, struct peercred *out, char *msg, size_t len);

#endif
