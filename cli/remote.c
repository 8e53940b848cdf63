/* remote: one-shot commands through the server. */
#include "cli/remote.h"

#include <stdio.h>
#include <string.h>

#include "backends/balancer.h"
#include "cli/client.h"

/* Long enough for the balancer's test, a reload, its confirmation and a stop
 * command. */
#define REMOTE_MOVE_TIMEOUT_MS (5 * 60 * 1000)
#define REMOTE_PROGRESS_LEN 512

static const char *reply_text(const cJSON *reply, const char *field)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "reply"), field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The reply's "exit_code" is the server's errcode on the wire. */
static int reply_code(const cJSON *reply)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "reply"), "exit_code");
    return cJSON_IsNumber(v) ? exitcode_of_wire((int)v->valuedouble) : EXIT_FAILURE_IO;
}

static void print_reply(struct app *app, const cJSON *reply, int code)
{
    const char *m = reply_text(reply, "message");
    const char *said = reply_text(reply, "nginx_message");
    const char *warn = reply_text(reply, "warnings");
    if (code == EXIT_OK)
        fprintf(app->out, "%s\n", m ? m : "done");
    else
        app_errorf(app, "%s", m ? m : "failed");
    if (code == EXIT_TEST_FAILED && said)
        app_errorf(app, "%s said: %s", balancer_of(app->cfg)->name, said);
    if (warn)
        app_errorf(app, "warning: %s", warn);
}

/* While the server decides a step, its busy text says how far it got: on
 * stderr, as the direct CLI prints it (the snapshots come once a second). */
static void show_deciding(const cJSON *message, void *data)
{
    char *last = data;
    const cJSON *busy = cJSON_GetObjectItem(cJSON_GetObjectItem(message, "snapshot"), "busy");
    if (!cJSON_IsString(busy) || strncmp(busy->valuestring, "deciding the step", 17) != 0 ||
        strncmp(busy->valuestring, last, REMOTE_PROGRESS_LEN - 1) == 0)
        return;
    snprintf(last, REMOTE_PROGRESS_LEN, "%s", busy->valuestring);
    fprintf(stderr, "%s\n", busy->valuestring);
}

int remote_move(struct app *app, const struct protocol_cmd *cmd)
{
    char progress[REMOTE_PROGRESS_LEN] = "";
    struct client c;
    char msg[512];
    if (client_open(&c, app->cfg, false, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot reach the cutover server: %s", msg);
        return EXIT_FAILURE_IO;
    }
    struct protocol_cmd take = {.id = 1, .name = CMD_TAKE_CONTROL, .stable = COLOR_NONE};
    cJSON *r = client_call(&c, &take, 10000, msg, sizeof msg);
    int code = r ? reply_code(r) : EXIT_FAILURE_IO;
    if (!r || code != EXIT_OK) {
        const char *why = r ? reply_text(r, "message") : msg;
        if (r && why && strncmp(why, "held by ", 8) == 0)
            /* Say what is held, by whom, and what takes it over. */
            app_errorf(app, "refused: control of the cutover server (state_dir %s) is %s; "
                            "nothing was moved. Ask them, or take control over with T in "
                            "`cutover%s%s` (or `cutover%s%s attach --steal`), journaled",
                       app->cfg->state_dir, why, app->config_path[0] ? " -c " : "",
                       app->config_path, app->config_path[0] ? " -c " : "", app->config_path);
        else
            app_errorf(app, "%s", why ? why : "the server refused control");
        cJSON_Delete(r);
        client_close(&c);
        return r ? EXIT_REFUSED : EXIT_FAILURE_IO;
    }
    cJSON_Delete(r);
    struct protocol_cmd run = *cmd;
    run.id = 2;
    c.on_skipped = show_deciding;
    c.on_skipped_data = progress;
    r = client_call(&c, &run, REMOTE_MOVE_TIMEOUT_MS, msg, sizeof msg);
    c.on_skipped = NULL;
    if (!r) {
        app_errorf(app, "%s (see `cutover status` and the journal for the outcome)", msg);
        client_close(&c);
        return EXIT_FAILURE_IO;
    }
    code = reply_code(r);
    print_reply(app, r, code);
    cJSON_Delete(r);
    /* Give control back at once: a script's disconnect must not hold it
     * for the grace period. */
    struct protocol_cmd release = {.id = 3, .name = CMD_RELEASE, .stable = COLOR_NONE};
    cJSON_Delete(client_call(&c, &release, 10000, msg, sizeof msg));
    client_close(&c);
    return code;
}

cJSON *remote_snapshot(struct app *app)
{
    struct client c;
    char msg[512];
    if (client_open(&c, app->cfg, false, msg, sizeof msg) != 0) {
        app_errorf(app, "cannot reach the cutover server: %s", msg);
        return NULL;
    }
    cJSON *s = client_wait_for(&c, "snapshot", 10000, msg, sizeof msg);
    if (!s)
        app_errorf(app, "no snapshot from the server: %s", msg);
    client_close(&c);
    return s;
}
