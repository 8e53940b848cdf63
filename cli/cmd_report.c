/* cutover report: not written yet (issue 7). */
#include <stdio.h>

#include "cli/commands.h"
#include "core/exitcode.h"

int cmd_report(struct app *app, int argc, char **argv)
{
    (void)app;
    (void)argc;
    (void)argv;
    fprintf(stderr, "cutover report: not available in this build yet\n");
    return EXIT_USAGE;
}
