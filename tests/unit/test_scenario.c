/* scenario: drill files parse into rules, mistakes name their file:line,
 * and each trigger fires when (and only when) the drill says. The shipped
 * scenarios under scenarios/ are parsed too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/scenario.h"

/* What fired, as "rule:half-text" lines, for compact assertions. */
struct log {
    char text[2048];
    int count;
};

static void on_fire(void *arg, const struct scenario_fire *f)
{
    struct log *l = arg;
    size_t used = strlen(l->text);
    used += (size_t)snprintf(l->text + used, sizeof l->text - used, "%s", f->rule);
    for (int i = 0; i < f->nsets; i++) {
        used += (size_t)snprintf(l->text + used, sizeof l->text - used, " %s",
                                 scenario_target_name(f->sets[i].target));
        for (int k = 0; k < f->sets[i].npairs; k++)
            used += (size_t)snprintf(l->text + used, sizeof l->text - used, " %s",
                                     f->sets[i].pair[k]);
    }
    if (f->say)
        used += (size_t)snprintf(l->text + used, sizeof l->text - used, " \"%s\"", f->say);
    snprintf(l->text + used, sizeof l->text - used, ";");
    l->count++;
}

static struct scenario *parse_ok(const char *text)
{
    char err[300] = "";
    struct scenario *s = NULL;
    if (scenario_parse(text, "t.scenario", &s, err, sizeof err) != 0)
        print_error("parse failed: %s\n", err);
    assert_non_null(s);
    return s;
}

static void parse_fails(const char *text, const char *want)
{
    char err[300] = "";
    struct scenario *s = NULL;
    assert_int_equal(scenario_parse(text, "t.scenario", &s, err, sizeof err), -1);
    assert_null(s);
    assert_string_equal(err, want);
}

/* Ticks at `elapsed` with `weight` and returns what fired then. */
static const char *tick(struct scenario *s, struct log *l, double elapsed, int weight)
{
    l->text[0] = '\0';
    scenario_tick(s, elapsed, weight, on_fire, l);
    return l->text;
}

static void test_start_fires_once_with_its_settings(void **state)
{
    (void)state;
    struct scenario *s = parse_ok("# a comment\n"
                                  "summary line one\n"
                                  "summary line two\n"
                                  "rule begin on start   # a trailing comment\n"
                                  "  set green ttft-ms=120 error_rate=0 # another\n"
                                  "  set blue ttft_ms=120\n"
                                  "  say Hello, trainee\n"
                                  "  say second line # not a comment\n");
    struct log l = {0};
    assert_string_equal(scenario_summary(s), "line one\nline two");
    assert_int_equal(scenario_rule_count(s), 1);
    assert_string_equal(tick(s, &l, 0, 0), "begin green ttft_ms=120 error_rate=0 blue ttft_ms=120 "
                                           "\"Hello, trainee\nsecond line # not a comment\";");
    assert_string_equal(tick(s, &l, 1, 0), "");
    scenario_free(s);
}

static void test_weight_rule_waits_for_the_candidate(void **state)
{
    (void)state;
    struct scenario *s = parse_ok("rule canary on weight >= 10\n"
                                  "  set candidate ttft_ms=138\n"
                                  "rule half on weight >= 50\n"
                                  "  say half\n");
    struct log l = {0};
    assert_string_equal(tick(s, &l, 0, 0), "");
    assert_string_equal(tick(s, &l, 5, 0), "");
    assert_string_equal(tick(s, &l, 6, 10), "canary candidate ttft_ms=138;");
    assert_string_equal(tick(s, &l, 7, 40), "");
    /* a jump past a threshold counts as reaching it */
    assert_string_equal(tick(s, &l, 8, 100), "half \"half\";");
    assert_string_equal(tick(s, &l, 9, 0), "");
    scenario_free(s);
}

static void test_after_counts_from_its_rule(void **state)
{
    (void)state;
    struct scenario *s = parse_ok("rule half on weight >= 50\n"
                                  "  set green error_rate=0.02\n"
                                  "rule worse on 20s after half\n"
                                  "  set green error_rate=0.05\n"
                                  "rule now on 0s after worse\n"
                                  "  say at once\n"
                                  "rule clock on 1m after start\n"
                                  "  say a minute in\n");
    struct log l = {0};
    assert_string_equal(tick(s, &l, 30, 10), "");
    assert_string_equal(tick(s, &l, 40, 50), "half green error_rate=0.02;");
    assert_string_equal(tick(s, &l, 59.5, 50), "");
    /* `now` fires in the same tick as `worse`: rules count from earlier rules */
    assert_string_equal(tick(s, &l, 60, 50),
                        "worse green error_rate=0.05;now \"at once\";clock \"a minute in\";");
    assert_string_equal(tick(s, &l, 200, 50), "");
    scenario_free(s);
}

static void test_every_toggles_between_halves(void **state)
{
    (void)state;
    struct scenario *s = parse_ok("rule canary on weight >= 10\n"
                                  "  say go\n"
                                  "rule flap on every 8s after canary\n"
                                  "  set green error_rate=0.3\n"
                                  "  else\n"
                                  "  set green error_rate=0\n");
    struct log l = {0};
    assert_string_equal(tick(s, &l, 20, 0), "");
    assert_string_equal(tick(s, &l, 2, 10), "canary \"go\";");
    assert_string_equal(tick(s, &l, 9.5, 10), "");
    assert_string_equal(tick(s, &l, 10, 10), "flap green error_rate=0.3;");
    assert_string_equal(tick(s, &l, 17, 0), "");
    assert_string_equal(tick(s, &l, 18, 0), "flap green error_rate=0;");
    assert_string_equal(tick(s, &l, 26, 0), "flap green error_rate=0.3;");
    /* asleep for three periods (26 -> 50: periods 4, 5, 6): only the latest
     * half fires, the one that should hold now */
    assert_string_equal(tick(s, &l, 50.1, 0), "flap green error_rate=0;");
    scenario_free(s);
}

static void test_every_without_else_repeats(void **state)
{
    (void)state;
    struct scenario *s = parse_ok("rule nag on every 2s\n  say still there?\n");
    struct log l = {0};
    assert_string_equal(tick(s, &l, 0, 0), "");
    assert_string_equal(tick(s, &l, 2, 0), "nag \"still there?\";");
    assert_string_equal(tick(s, &l, 4, 0), "nag \"still there?\";");
    assert_int_equal(l.count, 2);
    scenario_free(s);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    parse_fails("", "t.scenario:1: no rules (a drill needs at least one 'rule NAME on TRIGGER')");
    parse_fails("# only\n\nsay hi\n",
                "t.scenario:3: 'say' outside a rule (start one with 'rule NAME on TRIGGER')");
    parse_fails("rule a on start\n  set green ttft=5\n",
                "t.scenario:2: unknown tunable 'ttft' (expected ttft_ms, token_ms, tokens, "
                "error_rate, stream_error_rate, jitter_pct, ttft_sigma or draining)");
    parse_fails("rule a on start\n  set green error_rate=2\n",
                "t.scenario:2: error_rate: '2' is not a number 0..1");
    parse_fails("rule a on start\n  set green ttft_ms=1.5\n",
                "t.scenario:2: ttft_ms: '1.5' is not an integer 0..600000");
    parse_fails("rule a on start\n  set green draining=maybe\n",
                "t.scenario:2: draining: 'maybe' is not 0 or 1");
    parse_fails("rule a on start\n  set purple ttft_ms=1\n",
                "t.scenario:2: 'purple' is not blue, green, candidate or stable");
    parse_fails("rule a on start\n  set green ttft_ms\n",
                "t.scenario:2: 'ttft_ms' is not KEY=VALUE");
    parse_fails("rule a on weight >= 120\n  say x\n",
                "t.scenario:1: weight '120' is not a percent 0..100");
    parse_fails("rule a on weight > 10\n  say x\n", "t.scenario:1: expected 'weight >= N'");
    parse_fails("rule a on 5 after start\n  say x\n",
                "t.scenario:1: '5' is not a duration (like 20s or 2m)");
    parse_fails("rule a on every 0s\n  say x\n",
                "t.scenario:1: '0s' is not a period above 0 (like 10s or 2m)");
    parse_fails("rule a on 5s after b\n  say x\n",
                "t.scenario:1: no rule 'b' before this line to count from");
    parse_fails("rule a on sunrise\n  say x\n",
                "t.scenario:1: unknown trigger (expected: start | weight >= N | T after RULE | "
                "every T [after RULE])");
    parse_fails("rule a on start\n  say x\nrule a on start\n  say y\n",
                "t.scenario:3: rule 'a' is defined twice");
    parse_fails("rule a b on start\n", "t.scenario:1: expected 'rule NAME on TRIGGER'");
    parse_fails("rule start on start\n  say x\n",
                "t.scenario:1: 'start' names the drill's start; call the rule something else");
    parse_fails("rule a on start\n  else\n  say x\n",
                "t.scenario:2: 'else' only belongs in an 'every' rule (the other half of the "
                "toggle)");
    parse_fails("rule a on every 5s\n  say x\n  else\n  say y\n  else\n",
                "t.scenario:5: rule 'a' has two 'else' lines");
    parse_fails("rule a on start\n  say\n", "t.scenario:2: 'say' needs a text");
    parse_fails("rule a on start\n  sya hi\n",
                "t.scenario:2: unknown line 'sya' (expected summary, rule, set, say, else or # "
                "comment)");
}

/* A rule that does nothing is reported at its own line, found at the next
 * rule or at the end of the file. */
static void test_empty_rules_point_at_themselves(void **state)
{
    (void)state;
    parse_fails("rule a on start\n\n# nothing\nrule b on start\n  say x\n",
                "t.scenario:1: rule 'a' has no 'set' or 'say'");
    parse_fails("rule a on start\n  say x\n\nrule b on every 2s\n  say on\n  else\n",
                "t.scenario:4: rule 'b' has no 'set' or 'say' after 'else'");
}

/* A file saved with CRLF line ends reads the same (no '\r' in the text). */
static void test_crlf(void **state)
{
    (void)state;
    struct scenario *s = parse_ok("rule a on start\r\n  set green tokens=4\r\n  say hi\r\n");
    struct log l = {0};
    assert_string_equal(tick(s, &l, 0, 0), "a green tokens=4 \"hi\";");
    scenario_free(s);
}

/* The example in README.md's "Drills", as it is printed there. */
static void test_readme_example(void **state)
{
    (void)state;
    struct scenario *s = parse_ok(
        "# comment\n"
        "summary One line of the brief (repeat for more lines).\n"
        "rule canary on weight >= 10        # start | weight >= N | T after RULE | every T "
        "[after RULE]\n"
        "  set green ttft_ms=138            # blue|green|candidate|stable, then the sim's "
        "KEY=VALUE pairs\n"
        "  # `say`: shown to the trainee, the rest of the line as it is (repeat for more lines)\n"
        "  say Green carries traffic now.\n"
        "rule flap on every 8s after canary\n"
        "  set green error_rate=0.3\n"
        "  else                             # an `every` rule alternates between its two halves\n"
        "  set green error_rate=0\n");
    struct log l = {0};
    assert_string_equal(tick(s, &l, 1, 10),
                        "canary green ttft_ms=138 \"Green carries traffic now.\";");
    assert_string_equal(tick(s, &l, 9, 10), "flap green error_rate=0.3;");
    scenario_free(s);
}

/* The scenarios we ship parse and have the triggers their names promise. */
static struct scenario *load_shipped(const char *name)
{
    char path[1024], err[300] = "";
    const char *src = getenv("top_srcdir");
    snprintf(path, sizeof path, "%s/scenarios/%s.scenario", src ? src : ".", name);
    FILE *f = fopen(path, "r");
    if (!f)
        print_error("cannot open %s\n", path);
    assert_non_null(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    struct scenario *s = NULL;
    if (scenario_parse(text, path, &s, err, sizeof err) != 0)
        print_error("%s\n", err);
    assert_non_null(s);
    assert_true(strlen(scenario_summary(s)) > 0);
    return s;
}

static void test_shipped_scenarios(void **state)
{
    (void)state;
    struct log l = {0};
    struct scenario *s = load_shipped("good");
    tick(s, &l, 0, 0);
    for (int w = 10; w <= 100; w += 10)
        tick(s, &l, w, w);
    assert_int_equal(l.count, 4); /* start, canary, half, done: texts only */
    scenario_free(s);

    s = load_shipped("slow-green");
    assert_non_null(strstr(tick(s, &l, 0, 0), "green ttft_ms=120"));
    assert_string_equal(tick(s, &l, 5, 0), "");
    assert_non_null(strstr(tick(s, &l, 6, 10), "canary green ttft_ms=156"));
    scenario_free(s);

    s = load_shipped("failing-green");
    tick(s, &l, 0, 0);
    assert_string_equal(tick(s, &l, 30, 40), "");
    assert_non_null(strstr(tick(s, &l, 31, 50), "half green error_rate=0.02"));
    assert_non_null(strstr(tick(s, &l, 51, 50), "worse green error_rate=0.05"));
    scenario_free(s);

    s = load_shipped("flapping");
    tick(s, &l, 0, 0);
    assert_non_null(strstr(tick(s, &l, 1, 10), "canary"));
    assert_string_equal(tick(s, &l, 8.5, 10), "");
    assert_string_equal(tick(s, &l, 9, 10), "flap green error_rate=0.3;");
    assert_string_equal(tick(s, &l, 17, 10), "flap green error_rate=0;");
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_fires_once_with_its_settings),
        cmocka_unit_test(test_weight_rule_waits_for_the_candidate),
        cmocka_unit_test(test_after_counts_from_its_rule),
        cmocka_unit_test(test_every_toggles_between_halves),
        cmocka_unit_test(test_every_without_else_repeats),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_empty_rules_point_at_themselves),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_readme_example),
        cmocka_unit_test(test_shipped_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
