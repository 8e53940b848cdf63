/* cast: asciicast v2 lines, each written whole with one write(2). */
#include "tui/cast.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

/* Output comes from the screen's copying thread, markers and resizes from
 * the loop: one lock keeps lines whole and in order. */
struct cast {
    uv_mutex_t lock;
    int fd;
    char *title;
    bool begun;
    double t0;                  /* monotonic seconds at cast_begin */
    unsigned char held[4];      /* the start of a UTF-8 sequence cut by a read */
    size_t held_len;
    char error[256];
};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_line(struct cast *c, char *json)
{
    if (!json || c->fd < 0)
        return;
    size_t n = strlen(json);
    json[n] = '\n';             /* cJSON's buffer: the NUL becomes the newline */
    const char *p = json;
    size_t left = n + 1;
    while (left > 0) {
        ssize_t w = write(c->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!c->error[0])
                snprintf(c->error, sizeof c->error, "recording: %s", strerror(errno));
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    free(json);
}

int cast_open(const char *path, const char *title, struct cast **out, char *err, size_t errlen)
{
    *out = NULL;
    struct cast *c = calloc(1, sizeof *c);
    if (!c || !(c->title = strdup(title ? title : "cutover"))) {
        free(c);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (c->fd < 0 || uv_mutex_init(&c->lock) != 0) {
        if (c->fd >= 0)
            close(c->fd);
        snprintf(err, errlen, "cannot write the recording %s: %s", path, strerror(errno));
        free(c->title);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void cast_begin(struct cast *c, int cols, int rows)
{
    if (!c)
        return;
    uv_mutex_lock(&c->lock);
    if (c->begun) {
        uv_mutex_unlock(&c->lock);
        return;
    }
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "version", 2);
    cJSON_AddNumberToObject(h, "width", cols);
    cJSON_AddNumberToObject(h, "height", rows);
    cJSON_AddNumberToObject(h, "timestamp", (double)time(NULL));
    cJSON_AddStringToObject(h, "title", c->title);
    cJSON *env = cJSON_AddObjectToObject(h, "env");
    const char *term = getenv("TERM"), *shell = getenv("SHELL");
    cJSON_AddStringToObject(env, "TERM", term ? term : "");
    cJSON_AddStringToObject(env, "SHELL", shell ? shell : "");
    put_line(c, cJSON_PrintUnformatted(h));
    cJSON_Delete(h);
    c->t0 = mono_now();
    c->begun = true;
    uv_mutex_unlock(&c->lock);
}

/* Called with the lock held. */
static void put_event(struct cast *c, const char *code, const char *data)
{
    if (!c->begun)
        return;
    cJSON *a = cJSON_CreateArray();
    /* Microseconds are what asciinema writes; more digits only cost bytes. */
    double t = (double)(long long)((mono_now() - c->t0) * 1e6) / 1e6;
    cJSON_AddItemToArray(a, cJSON_CreateNumber(t));
    cJSON_AddItemToArray(a, cJSON_CreateString(code));
    cJSON_AddItemToArray(a, cJSON_CreateString(data));
    put_line(c, cJSON_PrintUnformatted(a));
    cJSON_Delete(a);
}

/* Length of the UTF-8 sequence starting with b, 0 if b cannot start one. */
static size_t seq_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    return 0;
}

static bool continuation(const unsigned char *p, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return false;
    return true;
}

/* Copies src to dst as valid UTF-8 (JSON strings must be); returns the
 * bytes of src used, leaving a sequence cut at the end unused. */
static size_t to_utf8(const unsigned char *src, size_t n, char *dst, size_t *dlen)
{
    size_t i = 0, o = 0;
    while (i < n) {
        size_t k = seq_len(src[i]);
        if (k > 1 && i + k > n && continuation(src + i, n - i))
            break;              /* the rest comes with the next read */
        if (k == 0 || i + k > n || !continuation(src + i, k) || (src[i] == 0)) {
            memcpy(dst + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(dst + o, src + i, k);
        o += k;
        i += k;
    }
    *dlen = o;
    return i;
}

void cast_output(struct cast *c, const char *data, size_t len)
{
    if (!c || len == 0)
        return;
    uv_mutex_lock(&c->lock);
    if (!c->begun) {
        uv_mutex_unlock(&c->lock);
        return;
    }
    size_t n = c->held_len + len;
    unsigned char *src = malloc(n);
    char *dst = malloc(n * 3 + 1);
    if (!src || !dst) {
        uv_mutex_unlock(&c->lock);
        free(src);
        free(dst);
        return;
    }
    memcpy(src, c->held, c->held_len);
    memcpy(src + c->held_len, data, len);
    size_t dlen;
    size_t used = to_utf8(src, n, dst, &dlen);
    c->held_len = n - used;     /* at most 3: a cut sequence */
    memcpy(c->held, src + used, c->held_len);
    dst[dlen] = '\0';
    if (dlen > 0)
        put_event(c, "o", dst);
    uv_mutex_unlock(&c->lock);
    free(src);
    free(dst);
}

void cast_resize(struct cast *c, int cols, int rows)
{
    char size[32];
    if (!c)
        return;
    snprintf(size, sizeof size, "%dx%d", cols, rows);
    uv_mutex_lock(&c->lock);
    put_event(c, "r", size);
    uv_mutex_unlock(&c->lock);
}

void cast_marker(struct cast *c, const char *label)
{
    if (!c)
        return;
    uv_mutex_lock(&c->lock);
    put_event(c, "m", label ? label : "");
    uv_mutex_unlock(&c->lock);
}

/* The text is written once, by the first failing write, under the lock. */
const char *cast_error(struct cast *c)
{
    if (!c)
        return NULL;
    uv_mutex_lock(&c->lock);
    bool failed = c->error[0] != '\0';
    uv_mutex_unlock(&c->lock);
    return failed ? c->error : NULL;
}

void cast_close(struct cast *c)
{
    if (!c)
        return;
    if (c->held_len > 0) {      /* a cut sequence never completed */
        c->held_len = 0;
        put_event(c, "o", "\xEF\xBF\xBD");
    }
    if (c->fd >= 0)
        close(c->fd);
    uv_mutex_destroy(&c->lock);
    free(c->title);
    free(c);
}
