/* cutover check: the preflight checks (backends/preflight.h), one line each
 * or as JSON. */
#ifndef CUTOVER_CLI_CMD_CHECK_H
#define CUTOVER_CLI_CMD_CHECK_H

#include <cjson/cJSON.h>
#include "backends/preflight.h"
#include "cli/app.h"

/* cutover check [--json]. Text: "STATUS  NAME  DETAIL" per check; JSON:
 * {"checks":[{"name","status","detail"}...],"passed":bool}. Returns EXIT_OK
 * when no check failed (warnings pass), EXIT_REFUSED when one did,
 * EXIT_USAGE on a bad command line. */
int cmd_check(struct app *app, int argc, char **argv);

/* The report as that JSON object (for a journal event too); caller frees. */
cJSON *cmd_check_report_json(const struct preflight_report *r);

#endif
