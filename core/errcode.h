/* errcode: the negative codes fallible functions below the CLI return, each
 * with a one-line message in a buffer the caller passed (as libuv's UV_E*).
 * -1 is the plain failure; the others say what kind, because the CLI exits
 * with a different code for each (cli/exitcode.c maps them, in one table).
 * The server's replies carry a code's magnitude as "exit_code" (see
 * core/protocol.h): these values are part of protocol version 1, so they
 * never change. */
#ifndef CUTOVER_CORE_ERRCODE_H
#define CUTOVER_CORE_ERRCODE_H

enum errcode {
    ERRCODE_OK = 0,
    ERRCODE_IO = -1,            /* could not read or write what we needed */
    ERRCODE_USAGE = -2,         /* bad request or bad config: nothing touched */
    ERRCODE_REJECTED = -3,      /* the balancer refused the new config: old one restored */
    ERRCODE_RELOAD = -4,        /* the reload failed or was not confirmed */
    ERRCODE_REFUSED = -5,       /* not allowed now (at an end, locked, guarded, ...) */
    ERRCODE_STOP = -6           /* rollback done, but the candidate's stop command failed */
};

#endif
