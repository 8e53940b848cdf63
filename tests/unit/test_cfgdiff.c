/* cfgdiff: two gateway configs compared key by key: a flag on one color
 * only is named with its value, per-instance keys (port, workspace, log and
 * state paths) are expected, a differing token is a secret whose values are
 * never kept, and the rate limits a config sets are found and read as
 * requests a second. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include "core/cfgdiff.h"

static const char *blue_cfg =
    "{\"gateway\":{\"mode\":\"local\",\"port\":18789,\"auth\":{\"mode\":\"token\","
    "\"token\":\"sk-blue-SECRET\"},\"controlUi\":{\"enabled\":false}},"
    "\"agents\":{\"defaults\":{\"workspace\":\"/srv/blue/ws\",\"maxTokens\":512}},"
    "\"models\":{\"providers\":{\"p\":{\"apiKey\":\"same-key\",\"models\":[{\"id\":\"m\"}]}}},"
    "\"logging\":{\"file\":\"/srv/blue/log\"}}";

static const struct cfgdiff_item *find(const struct cfgdiff *d, const char *path)
{
    for (int i = 0; i < d->count; i++)
        if (strcmp(d->items[i].path, path) == 0)
            return &d->items[i];
    return NULL;
}

static struct cfgdiff *compare(const char *a, const char *b)
{
    cJSON *ja = cJSON_Parse(a), *jb = cJSON_Parse(b);
    assert_non_null(ja);
    assert_non_null(jb);
    struct cfgdiff *d = malloc(sizeof *d);
    assert_non_null(d);
    cfgdiff_compare(ja, jb, d);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return d;
}

static void test_same_config_has_no_differences(void **state)
{
    (void)state;
    struct cfgdiff *d = compare(blue_cfg, blue_cfg);
    assert_int_equal(d->total, 0);
    assert_int_equal(d->secrets_same, 2);   /* the token and the apiKey */
    free(d);
}

static void test_expected_plain_and_secret(void **state)
{
    (void)state;
    const char *green =
        "{\"gateway\":{\"mode\":\"local\",\"port\":18909,\"auth\":{\"mode\":\"token\","
        "\"token\":\"sk-green-OTHER\"},\"controlUi\":{\"enabled\":false},"
        "\"experimental\":{\"fastPath\":true}},"
        "\"agents\":{\"defaults\":{\"workspace\":\"/srv/green/ws\",\"maxTokens\":1024}},"
        "\"models\":{\"providers\":{\"p\":{\"apiKey\":\"same-key\",\"models\":[{\"id\":\"m\"}]}}},"
        "\"logging\":{\"file\":\"/srv/green/log\"}}";
    struct cfgdiff *d = compare(blue_cfg, green);
    assert_int_equal(d->total, 6);
    assert_int_equal(d->by_class[CFGDIFF_EXPECTED], 3);
    assert_int_equal(d->by_class[CFGDIFF_PLAIN], 2);
    assert_int_equal(d->by_class[CFGDIFF_SECRET], 1);
    assert_int_equal(d->secrets_same, 1);

    const struct cfgdiff_item *it = find(d, "gateway.port");
    assert_non_null(it);
    assert_int_equal(it->cls, CFGDIFF_EXPECTED);
    assert_string_equal(it->why, "port");
    assert_string_equal(find(d, "agents.defaults.workspace")->why, "workspace");
    assert_string_equal(find(d, "logging.file")->why, "log path");

    it = find(d, "gateway.experimental");   /* green only: the object's path */
    assert_non_null(it);
    assert_int_equal(it->kind, CFGDIFF_ONLY_B);
    assert_int_equal(it->cls, CFGDIFF_PLAIN);

    it = find(d, "agents.defaults.maxTokens");   /* "maxTokens" is no secret */
    assert_non_null(it);
    assert_int_equal(it->cls, CFGDIFF_PLAIN);
    assert_string_equal(it->a, "512");
    assert_string_equal(it->b, "1024");

    it = find(d, "gateway.auth.token");
    assert_non_null(it);
    assert_int_equal(it->cls, CFGDIFF_SECRET);
    assert_string_equal(it->a, "");   /* never kept */
    assert_string_equal(it->b, "");
    free(d);
}

static void test_flag_on_one_side_and_arrays(void **state)
{
    (void)state;
    struct cfgdiff *d = compare(
        "{\"features\":{\"a\":true},\"list\":[1,2],\"urls\":[\"x\"],\"s\":\"https://u:p@h\"}",
        "{\"features\":{\"a\":true,\"beta\":true},\"list\":[1,3],\"urls\":[\"x\",\"y\"],"
        "\"s\":\"https://h\"}");
    const struct cfgdiff_item *it = find(d, "features.beta");
    assert_non_null(it);
    assert_int_equal(it->kind, CFGDIFF_ONLY_B);
    assert_string_equal(it->b, "true");
    it = find(d, "list[1]");
    assert_non_null(it);
    assert_string_equal(it->a, "2");
    assert_non_null(find(d, "urls"));   /* sizes differ: the whole array */
    it = find(d, "s");
    assert_non_null(it);
    assert_string_equal(it->a, "");     /* strings are never shown */
    assert_int_equal(d->total, 4);
    free(d);
}

static void test_classify(void **state)
{
    (void)state;
    const char *why;
    static const char *const secret[] = {
        "gateway.auth.token", "models.providers.x.apiKey", "a.api_key", "gateway.auth.password",
        "x.clientSecret", "gateway.auth.token.id", "h.headers.Authorization", "gateway.remote.token",
    };
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        if (cfgdiff_classify(secret[i], &why) != CFGDIFF_SECRET)
            fail_msg("%s is a secret", secret[i]);
    static const char *const plain[] = {
        "agents.defaults.maxTokens", "gateway.auth.mode", "channels.x.transport",
        "tokens", "gateway.controlUi.enabled",
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (cfgdiff_classify(plain[i], &why) != CFGDIFF_PLAIN)
            fail_msg("%s is plain", plain[i]);
    assert_int_equal(cfgdiff_classify("agents.list[2].workspace", &why), CFGDIFF_EXPECTED);
    assert_string_equal(why, "workspace");
    assert_int_equal(cfgdiff_classify("browser.cdpPort", &why), CFGDIFF_EXPECTED);
    assert_int_equal(cfgdiff_classify("x.stateDir", &why), CFGDIFF_EXPECTED);
    assert_string_equal(why, "state dir");
}

static void test_rate_limits(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse(
        "{\"gateway\":{\"auth\":{\"rateLimit\":{\"maxAttempts\":10,\"windowMs\":60000}}},"
        "\"tenants\":[{\"name\":\"acme\",\"rate_limit\":{\"requestsPerMinute\":600}},"
        "{\"name\":\"b\",\"rateLimit\":{\"max\":5,\"window_s\":1}},"
        "{\"name\":\"c\",\"rateLimit\":{\"burst\":3}}]}");
    assert_non_null(o);
    struct cfgdiff_limit l[CFGDIFF_MAX_LIMITS];
    int n = cfgdiff_limits(o, l, CFGDIFF_MAX_LIMITS);
    assert_int_equal(n, 4);
    assert_string_equal(l[0].path, "gateway.auth.rateLimit");
    assert_non_null(l[0].note);   /* failed auths, not a request rate */
    assert_string_equal(l[1].path, "tenants[0].rate_limit");
    assert_null(l[1].note);
    assert_true(l[1].per_s > 9.99 && l[1].per_s < 10.01);
    assert_true(l[2].per_s > 4.99 && l[2].per_s < 5.01);
    assert_true(l[3].per_s < 0);  /* says no rate */
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_config_has_no_differences),
        cmocka_unit_test(test_expected_plain_and_secret),
        cmocka_unit_test(test_flag_on_one_side_and_arrays),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_rate_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
