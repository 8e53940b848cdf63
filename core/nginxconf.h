/* nginxconf: reads what `nginx -T` prints (every configuration file nginx
 * loaded, each after a "# configuration file PATH:" line) and finds what the
 * preflight judges: which file defines the managed upstream block, and for
 * every location whose proxy_pass points at it, the proxy settings in force
 * there (the location's own, else the nearest enclosing block's, nginx's
 * inheritance rules). Includes are spliced back in where they appear, so a
 * setting in http {} of nginx.conf reaches a location in conf.d/site.conf.
 *
 * Pure: the caller runs nginx. nginxconf_parse returns a struct the caller
 * owns and frees with nginxconf_free. */
#ifndef CUTOVER_CORE_NGINXCONF_H
#define CUTOVER_CORE_NGINXCONF_H

#include <stdbool.h>
#include <stddef.h>

#define NGINXCONF_MAX_LOCATIONS 8

/* One directive's value as in force at a location. */
struct nginxconf_value {
    bool set;              /* false: nowhere on the way up; nginx's default applies */
    char value[128];       /* the directive's argument(s), space-separated */
    char where[320];       /* "FILE:LINE" of the directive that set it */
};

struct nginxconf_location {
    char where[320];       /* "FILE:LINE" of the proxy_pass */
    char match[128];       /* the location's arguments: "/", "= /v1/chat" */
    struct nginxconf_value buffering;     /* proxy_buffering */
    struct nginxconf_value http_version;  /* proxy_http_version */
    struct nginxconf_value read_timeout;  /* proxy_read_timeout */
    /* proxy_set_header X-Forwarded-For: only from the nearest level that sets
     * any proxy_set_header at all (nginx inherits them all or none). */
    struct nginxconf_value xff;
    /* limit_req in force ("zone=tenant burst=20 nodelay"): the first of the
     * nearest level that has any (nginx inherits them all or none). */
    struct nginxconf_value limit_req;
};

#define NGINXCONF_MAX_ZONES 8

/* One limit_req_zone, anywhere in the http block. */
struct nginxconf_zone {
    char name[64];         /* from zone=NAME:SIZE */
    char rate[32];         /* "10r/s", "30r/m" as written */
    char where[320];       /* "FILE:LINE" */
};

struct nginxconf {
    int file_count;
    char **files;          /* every file nginx -T printed, in order */
    char *upstream_file;   /* the file defining `upstream NAME {`, NULL if none */
    int upstream_line;
    int location_total;    /* locations proxying to NAME (may exceed the array) */
    int location_count;    /* how many of them are in locations[] */
    struct nginxconf_location locations[NGINXCONF_MAX_LOCATIONS];
    int zone_count;        /* limit_req_zone directives kept in zones[] */
    struct nginxconf_zone zones[NGINXCONF_MAX_ZONES];
};

/* Parses nginx -T output, looking for `upstream upstream_name` and the
 * locations with `proxy_pass http(s)://upstream_name[/...]`. Returns 0, or -1
 * with err when the text is not nginx -T output or does not tokenize. */
int nginxconf_parse(const char *dump, const char *upstream_name, struct nginxconf **out,
                    char *err, size_t errlen);
void nginxconf_free(struct nginxconf *nc);

/* nginx's time syntax ("300", "300s", "5m", "1m30s", "500ms", "1h") in
 * milliseconds. Returns 0, or -1 when it is not a time. */
int nginxconf_time_ms(const char *text, long long *ms);

/* nginx's rate syntax ("10r/s", "30r/m") in requests a second. Returns 0,
 * or -1 when it is not a rate. */
int nginxconf_rate_per_s(const char *rate, double *per_s);

/* The streaming settings at one location: proxy_buffering off,
 * proxy_http_version 1.1, proxy_read_timeout equal to idle_timeout_s.
 * Returns how many are wrong (0: all good); why gets them, "; "-separated,
 * e.g. "proxy_read_timeout 60s but gateway.idle_timeout_s is 300". */
int nginxconf_judge_streaming(const struct nginxconf_location *l, int idle_timeout_s,
                              char *why, size_t whylen);
/* proxy_set_header X-Forwarded-For must be exactly $remote_addr: an appended
 * chain ($proxy_add_x_forwarded_for) is refused by the gateway with 403.
 * Returns 0 when right, 1 with why otherwise. */
int nginxconf_judge_xff(const struct nginxconf_location *l, char *why, size_t whylen);

#endif
