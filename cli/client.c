/* client: blocking protocol client. */
#include "cli/client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/engine.h"
#include "server/sockpath.h"

bool client_server_live(const struct config *cfg)
{
    char path[1024], why[256];
    enum sockpath_state st;
    engine_socket_path(cfg->state_dir, path, sizeof path);
    return sockpath_probe(path, &st, why, sizeof why) == 0 && st == SOCKPATH_LIVE;
}

static int send_line(struct client *c, const char *line, char *msg, size_t msglen)
{
    size_t n = strlen(line);
    char *buf = malloc(n + 1);
    if (!buf) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    memcpy(buf, line, n);
    buf[n++] = '\n';
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(c->fd, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(msg, msglen, "lost the server: %s", strerror(errno));
            free(buf);
            return -1;
        }
        off += (size_t)w;
    }
    free(buf);
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A whole line from the buffer, or NULL when none is complete yet. */
static char *take_line(struct client *c)
{
    if (c->len == 0)
        return NULL;
    char *nl = memchr(c->buf, '\n', c->len);
    if (!nl)
        return NULL;
    size_t n = (size_t)(nl - c->buf);
    char *line = malloc(n + 1);
    if (!line)
        return NULL;
    memcpy(line, c->buf, n);
    line[n] = '\0';
    memmove(c->buf, nl + 1, c->len - n - 1);
    c->len -= n + 1;
    return line;
}

static int fill(struct client *c, int timeout_ms, char *msg, size_t msglen)
{
    if (c->cap - c->len < 65536) {
        size_t cap = c->cap ? c->cap * 2 : 262144;
        char *nb = realloc(c->buf, cap);
        if (!nb) {
            snprintf(msg, msglen, "out of memory");
            return -1;
        }
        c->buf = nb;
        c->cap = cap;
    }
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    if (r == 0) {
        snprintf(msg, msglen, "the server did not answer in time");
        return -1;
    }
    ssize_t got = r > 0 ? read(c->fd, c->buf + c->len, c->cap - c->len) : -1;
    if (got <= 0) {
        snprintf(msg, msglen, got == 0 ? "the server closed the connection" : "lost the server: %s",
                 strerror(errno));
        return -1;
    }
    c->len += (size_t)got;
    return 0;
}

cJSON *client_read(struct client *c, int timeout_ms, char *msg, size_t msglen)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        char *line = take_line(c);
        if (line) {
            cJSON *j = cJSON_Parse(line);
            free(line);
            if (!j)
                snprintf(msg, msglen, "the server sent a line that is not JSON");
            return j;
        }
        long long left = deadline - now_ms();
        if (left <= 0) {
            snprintf(msg, msglen, "the server did not answer in time");
            return NULL;
        }
        if (fill(c, (int)left, msg, msglen) != 0)
            return NULL;
    }
}

cJSON *client_wait_for(struct client *c, const char *key, int timeout_ms, char *msg, size_t msglen)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        cJSON *j = client_read(c, left > 0 ? (int)left : 0, msg, msglen);
        if (!j)
            return NULL;
        cJSON *err = cJSON_GetObjectItem(j, "error");
        if (cJSON_GetObjectItem(j, key))
            return j;
        if (err) {
            cJSON *m = cJSON_GetObjectItem(err, "message");
            snprintf(msg, msglen, "server: %s", cJSON_IsString(m) ? m->valuestring : "error");
            cJSON_Delete(j);
            return NULL;
        }
        if (c->on_skipped)
            c->on_skipped(j, c->on_skipped_data);
        cJSON_Delete(j);
    }
}

int client_open(struct client *c, const struct config *cfg, bool want_control, char *msg,
                size_t msglen)
{
    char path[1024];
    memset(c, 0, sizeof *c);
    engine_socket_path(cfg->state_dir, path, sizeof path);
    c->fd = sockpath_connect(path, msg, msglen);
    if (c->fd < 0)
        return -1;
    struct protocol_hello h = {.version = PROTOCOL_VERSION, .pid = (long)getpid(),
                               .want_control = want_control};
    snprintf(h.client, sizeof h.client, "cutover %s", PACKAGE_VERSION);
    const char *ssh = getenv("SSH_CLIENT");
    snprintf(h.ssh_client, sizeof h.ssh_client, "%s", ssh ? ssh : "");
    char *line = protocol_encode_hello(&h);
    int rc = line ? send_line(c, line, msg, msglen) : -1;
    free(line);
    if (rc == 0 && !(c->hello = client_wait_for(c, "hello", 5000, msg, msglen)))
        rc = -1;
    if (rc != 0)
        client_close(c);
    return rc;
}

void client_close(struct client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
    cJSON_Delete(c->hello);
    c->hello = NULL;
}

cJSON *client_call(struct client *c, const struct protocol_cmd *cmd, int timeout_ms, char *msg,
                   size_t msglen)
{
    char *line = protocol_encode_command(cmd);
    int rc = line ? send_line(c, line, msg, msglen) : -1;
    free(line);
    if (rc != 0)
        return NULL;
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        cJSON *j = client_wait_for(c, "reply", left > 0 ? (int)left : 0, msg, msglen);
        if (!j)
            return NULL;
        cJSON *id = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "reply"), "id");
        if (cJSON_IsNumber(id) && (long long)id->valuedouble == cmd->id)
            return j;
        cJSON_Delete(j);
    }
}
