/* Exit codes of every cutover command, and the codes the server puts in its
 * replies so that a command run through the server exits the same way as
 * one run directly. Documented in README.md and `cutover --help`. */
#ifndef CUTOVER_CORE_EXITCODE_H
#define CUTOVER_CORE_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,
    EXIT_FAILURE_IO = 1,       /* could not read or write what we needed */
    EXIT_USAGE = 2,            /* bad command line or bad config: nothing touched */
    EXIT_TEST_FAILED = 3,      /* nginx -t refused the new file: old file restored */
    EXIT_RELOAD_FAILED = 4,    /* reload failed or was not applied */
    EXIT_REFUSED = 5,          /* the move is not allowed now (at an end, locked, ...) */
    EXIT_STOP_FAILED = 6       /* rollback done, but the candidate's stop command failed */
};

#endif
