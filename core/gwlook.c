/* gwlook: see gwlook.h. One pass over the lines: an id's lines go to a ring
 * of the newest, a line in the time window to a small list kept sorted by
 * how much it matters (its level, then its distance from the failure), so
 * a burst of INFO lines never pushes out the error. */
#include "core/gwlook.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), so no time zone of
 * this process takes part: the offset in the text is the only one. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly `digits` decimal digits at s[*i]; -1 when they are not. */
static long digits_at(const char *s, size_t n, size_t *i, int digits)
{
    long v = 0;
    for (int k = 0; k < digits; k++, (*i)++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

static bool expect(const char *s, size_t n, size_t *i, char ch)
{
    if (*i >= n || s[*i] != ch)
        return false;
    (*i)++;
    return true;
}

/* "Z", "+01:00" or "+0100": seconds east of UTC; -1 on anything else. */
static int zone_at(const char *s, size_t n, size_t i, long *east)
{
    if (i < n && s[i] == 'Z') {
        *east = 0;
        return 0;
    }
    if (i >= n || (s[i] != '+' && s[i] != '-'))
        return -1;
    int sign = s[i++] == '-' ? -1 : 1;
    long hh = digits_at(s, n, &i, 2);
    if (i < n && s[i] == ':')
        i++;
    long mm = digits_at(s, n, &i, 2);
    if (hh < 0 || mm < 0 || hh > 23 || mm > 59)
        return -1;
    *east = sign * (hh * 3600 + mm * 60);
    return 0;
}

int gwlook_parse_time(const char *s, size_t n, double *out)
{
    size_t i = 0;
    long y = digits_at(s, n, &i, 4), mo, d, h, mi, sec;
    if (y < 0 || !expect(s, n, &i, '-') || (mo = digits_at(s, n, &i, 2)) < 1 || mo > 12 ||
        !expect(s, n, &i, '-') || (d = digits_at(s, n, &i, 2)) < 1 || d > 31 ||
        !expect(s, n, &i, 'T') || (h = digits_at(s, n, &i, 2)) < 0 || h > 23 ||
        !expect(s, n, &i, ':') || (mi = digits_at(s, n, &i, 2)) < 0 || mi > 59 ||
        !expect(s, n, &i, ':') || (sec = digits_at(s, n, &i, 2)) < 0 || sec > 60)
        return -1;
    double frac = 0, scale = 0.1;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
            frac += (s[i] - '0') * scale;
        if (i == start)
            return -1;
    }
    long east;
    if (zone_at(s, n, i, &east) != 0)
        return -1;
    double days = (double)days_from_civil(y, mo, d);
    *out = days * 86400.0 + (double)(h * 3600 + mi * 60 + sec - east) + frac;
    return 0;
}

int gwlook_level_rank(const char *level)
{
    if (level && (strcmp(level, "FATAL") == 0 || strcmp(level, "ERROR") == 0))
        return 0;
    if (level && strcmp(level, "WARN") == 0)
        return 1;
    return 2;
}

static bool id_byte(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

/* The first k >= from where s[k..k+m) is needle, or n when none. */
static size_t find(const char *s, size_t n, size_t from, const char *needle, size_t m)
{
    for (size_t k = from; m > 0 && k + m <= n; k++) {
        const char *hit = memchr(s + k, needle[0], n - m + 1 - k);
        if (!hit)
            return n;
        k = (size_t)(hit - s);
        if (memcmp(hit, needle, m) == 0)
            return k;
    }
    return n;
}

bool gwlook_has_id(const char *line, size_t n, const char *id)
{
    size_t m = id ? strlen(id) : 0;
    for (size_t k = 0; m > 0 && (k = find(line, n, k, id, m)) < n; k++) {
        bool before = k > 0 && id_byte(line[k - 1]);
        bool after = k + m < n && id_byte(line[k + m]);
        if (!before && !after)
            return true;
    }
    return false;
}

size_t gwlook_clip(const char *line, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t keep = max;
    while (keep > 0 && ((unsigned char)line[keep] & 0xC0) == 0x80)
        keep--;     /* line[keep] continues a character: cut before it */
    return keep;
}

/* The line's "time" as a quick look finds it, before any JSON is parsed:
 * most of a 4 MiB tail lies outside the window and is never parsed. */
static int quick_time(const char *line, size_t n, double *t)
{
    static const char key[] = "\"time\":\"";
    size_t k = find(line, n, 0, key, sizeof key - 1);
    if (k >= n)
        return -1;
    k += sizeof key - 1;
    const char *end = memchr(line + k, '"', n - k);
    return end ? gwlook_parse_time(line + k, (size_t)(end - line - k), t) : -1;
}

/* The line's level (`_meta.logLevelName`) as a rank; -1 when the line is
 * not a JSON object (a tail's cut first line). */
static int line_rank(const char *line, size_t n)
{
    cJSON *o = cJSON_ParseWithLength(line, n);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "_meta");
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(meta, "logLevelName");
    int rank = cJSON_IsObject(o) ? gwlook_level_rank(cJSON_IsString(lv) ? lv->valuestring : NULL)
                                 : -1;
    cJSON_Delete(o);
    return rank;
}

static double distance(double a, double b)
{
    return a > b ? a - b : b - a;
}

/* Whether a matters more than b: errors first, then nearer the failure. */
static bool weightier(const struct gwlook_pick *a, const struct gwlook_pick *b, double at)
{
    if (a->rank != b->rank)
        return a->rank < b->rank;
    return distance(a->time, at) < distance(b->time, at);
}

/* Inserts p into list[0..*n) kept weightiest first, at most cap long. */
static void keep_weighty(struct gwlook_pick *list, int *n, int cap, const struct gwlook_pick *p,
                         double at)
{
    if (*n == cap && !weightier(p, &list[cap - 1], at))
        return;
    int k = *n < cap ? (*n)++ : cap - 1;
    while (k > 0 && weightier(p, &list[k - 1], at)) {
        list[k] = list[k - 1];
        k--;
    }
    list[k] = *p;
}

struct scan {
    const struct gwlook_query *q;
    int cap;
    struct gwlook_pick ids[GWLOOK_MAX_PICKS];   /* a ring: the newest cap */
    int n_ids, next_id;
    struct gwlook_pick win[GWLOOK_MAX_PICKS];   /* weightiest first */
    int n_win;
};

static void scan_line(struct scan *s, const char *buf, size_t off, size_t len)
{
    const char *line = buf + off;
    const struct gwlook_query *q = s->q;
    struct gwlook_pick p = {.off = off, .len = len};
    if (q->id && q->id[0] && gwlook_has_id(line, len, q->id)) {
        p.why = GWLOOK_BY_ID;
        quick_time(line, len, &p.time);
        s->ids[s->next_id] = p;
        s->next_id = (s->next_id + 1) % s->cap;
        if (s->n_ids < s->cap)
            s->n_ids++;
        return;
    }
    if (q->time <= 0 || quick_time(line, len, &p.time) != 0 ||
        p.time < q->time - GWLOOK_BEFORE_S || p.time > q->time + GWLOOK_AFTER_S)
        return;
    p.why = GWLOOK_BY_TIME;
    p.rank = line_rank(line, len);
    if (p.rank >= 0)
        keep_weighty(s->win, &s->n_win, s->cap, &p, q->time);
}

static int display_order(const void *a, const void *b)
{
    const struct gwlook_pick *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

int gwlook_select(const char *buf, size_t n, const struct gwlook_query *q,
                  struct gwlook_pick *out, int max, int *by_id)
{
    struct scan s = {.q = q};
    s.cap = max < GWLOOK_MAX_PICKS ? (max > 0 ? max : 1) : GWLOOK_MAX_PICKS;
    for (size_t off = 0; off < n;) {
        const char *nl = memchr(buf + off, '\n', n - off);
        size_t len = nl ? (size_t)(nl - buf - off) : n - off;
        if (len > 0 && buf[off + len - 1] == '\r')
            len--;
        if (len > 0)
            scan_line(&s, buf, off, len);
        off = nl ? (size_t)(nl - buf) + 1 : n;
    }
    int count = 0;
    for (int i = 0; i < s.n_ids && count < max; i++)   /* oldest of the ring first */
        out[count++] = s.ids[(s.next_id - s.n_ids + i + s.cap) % s.cap];
    *by_id = count;
    int room = max - count < s.n_win ? max - count : s.n_win;
    if (room > 0) {
        memcpy(out + count, s.win, (size_t)room * sizeof *out);
        qsort(out + count, (size_t)room, sizeof *out, display_order);
        count += room;
    }
    return count;
}
