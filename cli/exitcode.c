/* exitcode: the one table from the code below the CLI to exit codes. */
#include "cli/exitcode.h"

#include <stddef.h>

#include "core/errcode.h"
#include "core/protocol.h"

static const struct {
    enum errcode err;
    enum exit_code code;
} table[] = {
    {ERRCODE_OK, EXIT_OK},
    {ERRCODE_IO, EXIT_FAILURE_IO},
    {ERRCODE_USAGE, EXIT_USAGE},
    {ERRCODE_REJECTED, EXIT_TEST_FAILED},
    {ERRCODE_RELOAD, EXIT_RELOAD_FAILED},
    {ERRCODE_REFUSED, EXIT_REFUSED},
    {ERRCODE_STOP, EXIT_STOP_FAILED},
};

int exitcode_of(int err)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if ((int)table[i].err == err)
            return table[i].code;
    return EXIT_FAILURE_IO;
}

int exitcode_of_wire(int wire)
{
    return exitcode_of(protocol_err_of_wire(wire));
}
