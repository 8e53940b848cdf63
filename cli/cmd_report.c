/* cutover report TIMELINE [--json]: a cutover after the fact, from its
 * timeline file: Markdown for people, JSON for machines (docs/timeline.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/timeline_file.h"
#include "cli/timeline_path.h"
#include "cli/exitcode.h"
#include "core/report.h"

static int print_report(struct app *app, const struct timeline *t, bool json)
{
    struct report r;
    char err[256];
    if (report_build(t, &r, err, sizeof err) != 0) {
        app_errorf(app, "report: %s", err);
        return EXIT_FAILURE_IO;
    }
    char *text = json ? report_json(&r) : report_markdown(&r);
    report_free(&r);
    if (!text) {
        app_errorf(app, "report: out of memory");
        return EXIT_FAILURE_IO;
    }
    fputs(text, app->out);
    if (json)
        fputc('\n', app->out);
    free(text);
    return fflush(app->out) == 0 ? EXIT_OK : EXIT_FAILURE_IO;
}

int cmd_report(struct app *app, int argc, char **argv)
{
    const char *arg = NULL;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            app_errorf(app, "report: unknown argument '%s'", argv[i]);
            return EXIT_USAGE;
        } else if (!arg) {
            arg = argv[i];
        } else {
            app_errorf(app, "report: one TIMELINE only ('%s' is extra)", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!arg) {
        app_errorf(app, "report: usage: cutover report TIMELINE [--json] "
                   "(a file, an id, or 'latest')");
        return EXIT_USAGE;
    }
    char path[1400], msg[1600];
    if (timeline_path_resolve(app->cfg, arg, path, sizeof path, msg, sizeof msg) != 0) {
        app_errorf(app, "report: %s", msg);
        return EXIT_USAGE;
    }
    struct timeline t;
    if (timeline_file_load(path, &t, msg, sizeof msg) != 0) {
        app_errorf(app, "report: %s", msg);
        timeline_free(&t);
        return EXIT_FAILURE_IO;
    }
    if (t.malformed)
        fprintf(app->err, "cutover: report: %s: %d malformed line(s) skipped\n", path, t.malformed);
    int rc = print_report(app, &t, json);
    timeline_free(&t);
    return rc;
}
