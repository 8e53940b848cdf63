/* A blocking libcurl-easy client: one request to /_sim/, the JSON answer on stdout. Small on
 * purpose, so `cutover` can use it as a color's version or stop command. */
#include "sim/ctl.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANSWER (1024 * 1024)

struct answer {
    char *data;
    size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct answer *a = userdata;
    size_t n = size * nmemb;
    if (a->len + n > MAX_ANSWER)
        return 0; /* curl reports a write error */
    char *nd = realloc(a->data, a->len + n + 1);
    if (!nd)
        return 0;
    memcpy(nd + a->len, ptr, n);
    a->len += n;
    nd[a->len] = '\0';
    a->data = nd;
    return n;
}

/* Appends "&k=v" pairs (escaped) for `set`. Returns 0, or -1 after printing why. */
static int build_query(CURL *curl, int argc, char **argv, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            fprintf(stderr, "cutover-sim ctl: '%s' is not KEY=VALUE\n", argv[i]);
            return -1;
        }
        char *k = curl_easy_escape(curl, argv[i], (int)(eq - argv[i]));
        char *v = curl_easy_escape(curl, eq + 1, 0);
        int n = (k && v) ? snprintf(out + used, outlen - used, "%s%s=%s", i ? "&" : "", k, v) : -1;
        curl_free(k);
        curl_free(v);
        if (n < 0 || (size_t)n >= outlen - used) {
            fprintf(stderr, "cutover-sim ctl: arguments too long\n");
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}

/* Maps the command to a path and method. Returns 0, or -1 after printing why. */
static int build_request(CURL *curl, const char *cmd, int argc, char **argv, char *path,
                         size_t pathlen, int *post)
{
    *post = 1;
    if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "version") == 0) {
        *post = 0;
        snprintf(path, pathlen, "/_sim/stats");
    } else if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "reset") == 0) {
        snprintf(path, pathlen, "/_sim/%s", cmd);
    } else if (strcmp(cmd, "set") == 0) {
        char query[2048];
        if (argc == 0) {
            fprintf(stderr, "cutover-sim ctl: set needs KEY=VALUE...\n");
            return -1;
        }
        if (build_query(curl, argc, argv, query, sizeof query) < 0)
            return -1;
        snprintf(path, pathlen, "/_sim/config?%s", query);
    } else {
        fprintf(stderr, "cutover-sim ctl: unknown command '%s' (stats|version|quit|reset|set)\n",
                cmd);
        return -1;
    }
    return 0;
}

/* The server's error message, or the whole body, on one line. */
static void print_failure(long status, const struct answer *a)
{
    cJSON *o = a->data ? cJSON_Parse(a->data) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
    const char *msg = cJSON_IsString(m) ? m->valuestring : cJSON_IsString(e) ? e->valuestring
                                                                             : "";
    fprintf(stderr, "cutover-sim ctl: HTTP %ld %s\n", status, msg);
    cJSON_Delete(o);
}

static int print_version(const struct answer *a)
{
    cJSON *o = a->data ? cJSON_Parse(a->data) : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "version");
    int ok = cJSON_IsString(v);
    if (ok)
        printf("%s\n", v->valuestring);
    else
        fprintf(stderr, "cutover-sim ctl: answer has no version\n");
    cJSON_Delete(o);
    return ok ? 0 : 1;
}

static int perform(CURL *curl, const char *addr, const char *cmd, const char *path, int post)
{
    char url[2600];
    struct answer a = {0};
    long status = 0;
    snprintf(url, sizeof url, "http://%s%s", addr, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    if (post) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
    CURLcode rc = curl_easy_perform(curl);
    int exit_code = 1;
    if (rc != CURLE_OK) {
        fprintf(stderr, "cutover-sim ctl: %s: %s\n", addr, curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299)
            print_failure(status, &a);
        else if (strcmp(cmd, "version") == 0)
            exit_code = print_version(&a);
        else {
            printf("%s\n", a.data ? a.data : "");
            exit_code = 0;
        }
    }
    free(a.data);
    return exit_code;
}

int ctl_main(int argc, char **argv)
{
    char path[2560];
    int post, rc = 1;
    if (argc < 3) {
        fprintf(stderr, "usage: cutover-sim ctl HOST:PORT stats|version|quit|reset|set K=V...\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "cutover-sim ctl: cannot initialise libcurl\n");
        return 1;
    }
    CURL *curl = curl_easy_init();
    if (!curl)
        fprintf(stderr, "cutover-sim ctl: cannot initialise libcurl\n");
    else if (build_request(curl, argv[2], argc - 3, argv + 3, path, sizeof path, &post) < 0)
        rc = 2;
    else
        rc = perform(curl, argv[1], argv[2], path, post);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return rc;
}
