/* preflight_gwconfig: config parity between the colors' own gateway configs
 * (the runbook: "mismatched feature flags between versions", "secrets
 * rotation must update both colors", "per-tenant rate limits ... verify they
 * match nginx limit_req zones"). Reads colors.<c>.config_file (JSON5, via
 * core/json5), compares the trees (core/cfgdiff) and holds the rate limits
 * they set against nginx -T's limit_req zones. Never prints a secret: a
 * secret key is named, its values never; plain values are shown only when
 * they are booleans or numbers. */
#include "backends/preflight.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/cfgdiff.h"
#include "core/color.h"
#include "core/json5.h"
#include "core/nginxconf.h"

#define GWCONFIG_MAX_BYTES (4 * 1024 * 1024)

/* Reads and parses one config file; NULL with why (path and line:col). */
static cJSON *read_config(const char *path, char *why, size_t len)
{
    FILE *f = fopen(path, "rbe");
    if (!f) {
        snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(GWCONFIG_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, GWCONFIG_MAX_BYTES + 1, f) : 0;
    int failed = ferror(f);
    fclose(f);
    cJSON *root = NULL;
    char err[200];
    if (!text)
        snprintf(why, len, "out of memory");
    else if (failed)
        snprintf(why, len, "cannot read %s", path);
    else if (n > GWCONFIG_MAX_BYTES)
        snprintf(why, len, "%s is larger than 4 MiB", path);
    else {
        char *json = json5_to_json(text, n, err, sizeof err);
        if (!json)
            snprintf(why, len, "%s:%s", path, err);
        else if (!(root = cJSON_Parse(json)))
            snprintf(why, len, "%s: not JSON after the JSON5 reader (a bug)", path);
        else if (!cJSON_IsObject(root))
            snprintf(why, len, "%s: not an object", path);
        free(json);
    }
    free(text);
    if (root && !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        root = NULL;
    }
    return root;
}

/* "key (blue false, green true)", "key (green only)", "key (differs)". */
static void describe_item(const struct cfgdiff_item *it, char *buf, size_t len)
{
    if (it->kind == CFGDIFF_ONLY_A)
        snprintf(buf, len, "%s (blue only%s%s)", it->path, it->a[0] ? ": " : "", it->a);
    else if (it->kind == CFGDIFF_ONLY_B)
        snprintf(buf, len, "%s (green only%s%s)", it->path, it->b[0] ? ": " : "", it->b);
    else if (it->a[0] && it->b[0])
        snprintf(buf, len, "%s (blue %s, green %s)", it->path, it->a, it->b);
    else
        snprintf(buf, len, "%s (differs)", it->path);
}

/* Lists the items of one class, "; "-separated, "and N more" at the end. */
static void list_class(const struct cfgdiff *d, enum cfgdiff_class cls, char *buf, size_t len)
{
    size_t used = 0;
    int shown = 0;
    buf[0] = '\0';
    for (int i = 0; i < d->count; i++) {
        if (d->items[i].cls != cls)
            continue;
        char one[300];
        describe_item(&d->items[i], one, sizeof one);
        if (used + strlen(one) + 40 >= len)
            break;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", shown ? "; " : "", one);
        shown++;
    }
    if (shown < d->by_class[cls])
        snprintf(buf + used, len - used, "%sand %d more", shown ? "; " : "",
                 d->by_class[cls] - shown);
}

/* The expected differences, by what they are: "port, workspace, log path". */
static void list_expected(const struct cfgdiff *d, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < d->count; i++) {
        const char *why = d->items[i].why;
        if (d->items[i].cls != CFGDIFF_EXPECTED || !why || strstr(buf, why))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", why);
    }
}

static void check_parity(const struct cfgdiff *d, struct preflight_report *r)
{
    char list[440], expected[120];
    list_expected(d, expected, sizeof expected);
    if (d->by_class[CFGDIFF_PLAIN] == 0) {
        preflight_add(r, "gateway.config", PREFLIGHT_OK, "the colors' configs match%s%s%s",
                      expected[0] ? " beyond their own " : "", expected,
                      expected[0] ? " (expected)" : "");
    } else {
        list_class(d, CFGDIFF_PLAIN, list, sizeof list);
        preflight_add(r, "gateway.config", PREFLIGHT_WARN, "%d key(s) differ between the colors' "
                      "configs: %s", d->by_class[CFGDIFF_PLAIN], list);
    }
    if (d->by_class[CFGDIFF_SECRET] == 0 && d->secrets_same == 0) {
        preflight_add(r, "gateway.secrets", PREFLIGHT_SKIPPED, "no secret keys in the configs");
    } else if (d->by_class[CFGDIFF_SECRET] == 0) {
        preflight_add(r, "gateway.secrets", PREFLIGHT_OK, "%d secret value(s) match across "
                      "colors (values not shown)", d->secrets_same);
    } else {
        list_class(d, CFGDIFF_SECRET, list, sizeof list);
        preflight_add(r, "gateway.secrets", PREFLIGHT_WARN, "%s: secrets rotation must update "
                      "both colors (values not shown)", list);
    }
}

/* ---- rate limits against nginx ---- */

struct limits {
    int n[COLOR_COUNT];
    struct cfgdiff_limit l[COLOR_COUNT][CFGDIFF_MAX_LIMITS];
};

/* Is zone z applied at a location proxying to the gateway? */
static bool zone_applied(const struct nginxconf *nc, const char *name)
{
    char want[80];
    snprintf(want, sizeof want, "zone=%s", name);
    for (int i = 0; i < nc->location_count; i++) {
        const char *v = nc->locations[i].limit_req.value;
        size_t n = strlen(want);
        if (nc->locations[i].limit_req.set && strncmp(v, want, n) == 0
            && (v[n] == '\0' || v[n] == ' '))
            return true;
    }
    return false;
}

/* "tenant 10r/s at /etc/nginx/nginx.conf:12 (applied)", ... */
static void list_zones(const struct nginxconf *nc, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < nc->zone_count && used + 1 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s %s%s", i ? ", " : "",
                                 nc->zones[i].name, nc->zones[i].rate,
                                 zone_applied(nc, nc->zones[i].name) ? "" : " (not applied)");
}

/* The zone whose rate equals per_s (within 1%), or -1. */
static int matching_zone(const struct nginxconf *nc, double per_s)
{
    for (int i = 0; i < nc->zone_count; i++) {
        double z;
        if (nginxconf_rate_per_s(nc->zones[i].rate, &z) == 0
            && fabs(z - per_s) <= 0.01 * fmax(z, per_s))
            return i;
    }
    return -1;
}

/* Green's limit l is blue's too (same key, same rate): judged once, unnamed. */
static bool also_on_blue(const struct limits *lim, const struct cfgdiff_limit *l)
{
    for (int i = 0; i < lim->n[COLOR_BLUE]; i++)
        if (strcmp(lim->l[COLOR_BLUE][i].path, l->path) == 0
            && lim->l[COLOR_BLUE][i].per_s == l->per_s)
            return true;
    return false;
}

static void judge_limits(const struct limits *lim, const struct nginxconf *nc,
                         struct preflight_report *r)
{
    char bad[440] = "", good[300] = "", zones[200];
    int nbad = 0, ngood = 0, rated = 0;
    list_zones(nc, zones, sizeof zones);
    for (int c = 0; c < COLOR_COUNT; c++)
        for (int i = 0; i < lim->n[c]; i++) {
            const struct cfgdiff_limit *l = &lim->l[c][i];
            bool both = also_on_blue(lim, l);
            if (l->note || l->per_s < 0 || (c == COLOR_GREEN && both))
                continue;
            rated++;
            char one[300];
            int z = matching_zone(nc, l->per_s);
            size_t used;
            if (z >= 0) {
                used = strlen(good);
                snprintf(good + used, sizeof good - used, "%s%s = zone %s", ngood++ ? ", " : "",
                         l->path, nc->zones[z].name);
                continue;
            }
            if (c == COLOR_BLUE && both)
                snprintf(one, sizeof one, "%s allows %.3g r/s", l->path, l->per_s);
            else
                snprintf(one, sizeof one, "%s's %s allows %.3g r/s", color_name((enum color)c),
                         l->path, l->per_s);
            used = strlen(bad);
            snprintf(bad + used, sizeof bad - used, "%s%s", nbad++ ? "; " : "", one);
        }
    if (nbad)
        preflight_add(r, "gateway.limits", PREFLIGHT_WARN, "%s, but nginx's limit_req zones "
                      "are: %s", bad, nc->zone_count ? zones : "none");
    else if (rated)
        preflight_add(r, "gateway.limits", PREFLIGHT_OK, "the gateways' rate limits match "
                      "nginx's limit_req: %s", good);
    else if (nc->zone_count)
        preflight_add(r, "gateway.limits", PREFLIGHT_OK, "nginx limits requests (limit_req "
                      "zones: %s); the gateways set no request rate of their own", zones);
    else
        preflight_add(r, "gateway.limits", PREFLIGHT_SKIPPED, "no request rate limits in the "
                      "gateways' configs or nginx");
}

static void check_limits(uv_loop_t *loop, const struct config *cfg, cJSON *const root[],
                         struct preflight_report *r)
{
    struct limits lim;
    for (int c = 0; c < COLOR_COUNT; c++)
        lim.n[c] = cfgdiff_limits(root[c], lim.l[c], CFGDIFF_MAX_LIMITS);
    struct nginxconf *nc = NULL;
    char why[420];
    if (preflight_nginx_read(loop, cfg, &nc, why, sizeof why) != 0) {
        preflight_add(r, "gateway.limits", PREFLIGHT_SKIPPED, "nginx -T: %s", why);
        return;
    }
    judge_limits(&lim, nc, r);
    nginxconf_free(nc);
}

static void skip_all(struct preflight_report *r, enum preflight_status st, const char *why)
{
    preflight_add(r, "gateway.config", st, "%s", why);
    preflight_add(r, "gateway.secrets", PREFLIGHT_SKIPPED, "no configs to compare");
    preflight_add(r, "gateway.limits", PREFLIGHT_SKIPPED, "no configs to compare");
}

void preflight_gateway_config(uv_loop_t *loop, const struct config *cfg,
                              struct preflight_report *r)
{
    const char *path[COLOR_COUNT] = {cfg->colors[COLOR_BLUE].config_file,
                                     cfg->colors[COLOR_GREEN].config_file};
    if (!path[0][0] && !path[1][0]) {
        skip_all(r, PREFLIGHT_SKIPPED, "no colors.<c>.config_file configured");
        return;
    }
    if (!path[0][0] || !path[1][0]) {
        skip_all(r, PREFLIGHT_WARN, path[0][0] ? "only blue names its config_file: set "
                 "colors.green.config_file too" : "only green names its config_file: set "
                 "colors.blue.config_file too");
        return;
    }
    cJSON *root[COLOR_COUNT] = {NULL, NULL};
    char why[COLOR_COUNT][300];
    for (int c = 0; c < COLOR_COUNT; c++)
        root[c] = read_config(path[c], why[c], sizeof why[c]);
    if (!root[0] || !root[1]) {
        char both[620];
        snprintf(both, sizeof both, "%s%s%s", root[0] ? "" : why[0],
                 !root[0] && !root[1] ? "; " : "", root[1] ? "" : why[1]);
        skip_all(r, PREFLIGHT_FAIL, both);
    } else {
        struct cfgdiff *d = malloc(sizeof *d);
        if (d) {
            cfgdiff_compare(root[0], root[1], d);
            check_parity(d, r);
            free(d);
            check_limits(loop, cfg, root, r);
        } else {
            skip_all(r, PREFLIGHT_FAIL, "out of memory");
        }
    }
    cJSON_Delete(root[0]);
    cJSON_Delete(root[1]);
}
