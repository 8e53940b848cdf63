/* Exit codes of every cutover command. Documented in README.md and `cutover
 * --help`. Only cli/ speaks them: the code below returns the negative codes
 * of core/errcode.h, and exitcode_of turns one into the code the process
 * exits with, whether the command ran here or through the server. */
#ifndef CUTOVER_CLI_EXITCODE_H
#define CUTOVER_CLI_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,
    EXIT_FAILURE_IO = 1,       /* could not read or write what we needed */
    EXIT_USAGE = 2,            /* bad command line or bad config: nothing touched */
    EXIT_TEST_FAILED = 3,      /* nginx -t refused the new file: old file restored */
    EXIT_RELOAD_FAILED = 4,    /* reload failed or was not applied */
    EXIT_REFUSED = 5,          /* the move is not allowed now (at an end, locked, ...) */
    EXIT_STOP_FAILED = 6       /* rollback done, but the candidate's stop command failed */
};

/* 0 or a negative errcode -> the exit code; an unknown code is EXIT_FAILURE_IO. */
int exitcode_of(int err);

/* A server reply's "exit_code" (core/protocol.h) -> the exit code. */
int exitcode_of_wire(int wire);

#endif
