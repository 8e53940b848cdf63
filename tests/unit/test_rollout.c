/* rollout: direction comes from the state, not from the color names; steps
 * snap to the grid; the state survives a round trip through its file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/rollout.h"

static const struct rollout_state no_state = { false, COLOR_BLUE, false, 0 };

static enum color resolve_ok(int blue, int green, const struct rollout_state *st, int named)
{
    int w[COLOR_COUNT] = { blue, green };
    enum color out = COLOR_BLUE;
    char err[256] = "";
    assert_int_equal(rollout_resolve_stable(w, st, named, &out, err, sizeof err), 0);
    return out;
}

static void test_resolve_color_at_100_is_stable(void **state)
{
    struct rollout_state st = { true, COLOR_BLUE, false, 1 };
    assert_int_equal(resolve_ok(100, 0, &no_state, COLOR_NONE), COLOR_BLUE);
    assert_int_equal(resolve_ok(0, 100, &no_state, COLOR_NONE), COLOR_GREEN);
    /* Even against a saved state or a named color: nginx's weights win. */
    assert_int_equal(resolve_ok(0, 100, &st, COLOR_BLUE), COLOR_GREEN);
}

static void test_resolve_saved_state_decides_mid_cutover(void **state)
{
    struct rollout_state green_stable = { true, COLOR_GREEN, false, 1 };
    /* green -> blue cutover at 70% blue: green is still the stable one. */
    assert_int_equal(resolve_ok(70, 30, &green_stable, COLOR_NONE), COLOR_GREEN);
    assert_int_equal(resolve_ok(50, 50, &green_stable, COLOR_NONE), COLOR_GREEN);
}

static void test_resolve_without_state(void **state)
{
    char err[256] = "";
    int w[COLOR_COUNT] = { 50, 50 };
    enum color out;
    assert_int_equal(resolve_ok(90, 10, &no_state, COLOR_NONE), COLOR_BLUE);
    assert_int_equal(resolve_ok(20, 80, NULL, COLOR_NONE), COLOR_GREEN);
    assert_int_equal(resolve_ok(50, 50, &no_state, COLOR_GREEN), COLOR_GREEN);
    /* The operator's word beats the guess from the heavier side. */
    assert_int_equal(resolve_ok(70, 30, &no_state, COLOR_GREEN), COLOR_GREEN);
    assert_int_equal(rollout_resolve_stable(w, &no_state, COLOR_NONE, &out, err, sizeof err), -1);
    assert_string_equal(err, "blue and green are at 50/50 and no cutover state was found: "
                             "name the stable color with --stable blue|green");
}

static enum rollout_phase phase(int blue, int green, enum color stable,
                                const struct rollout_state *st)
{
    int w[COLOR_COUNT] = { blue, green };
    return rollout_phase(w, stable, st, 10);
}

static void test_phases_follow_the_runbook_table(void **state)
{
    assert_int_equal(phase(100, 0, COLOR_BLUE, &no_state), PHASE_STEADY);
    assert_int_equal(phase(90, 10, COLOR_BLUE, &no_state), PHASE_CANARY);
    assert_int_equal(phase(50, 50, COLOR_BLUE, &no_state), PHASE_HALF);
    assert_int_equal(phase(70, 30, COLOR_BLUE, &no_state), PHASE_RAMP);
    assert_int_equal(phase(0, 100, COLOR_BLUE, &no_state), PHASE_COMPLETE);
    /* Reversed direction: green stable, blue the candidate. */
    assert_int_equal(phase(10, 90, COLOR_GREEN, &no_state), PHASE_CANARY);
    assert_string_equal(rollout_phase_name(PHASE_STEADY), "Steady");
    assert_string_equal(rollout_phase_name(PHASE_CANARY), "Canary");
    assert_string_equal(rollout_phase_name(PHASE_HALF), "Half");
    assert_string_equal(rollout_phase_name(PHASE_COMPLETE), "Complete");
    assert_string_equal(rollout_phase_name(PHASE_RAMP), "Ramp");
}

static void test_phase_complete_only_for_the_cutover_that_finished(void **state)
{
    struct rollout_state done = { true, COLOR_GREEN, true, 5 };
    struct rollout_state old = { true, COLOR_GREEN, false, 5 };
    assert_int_equal(phase(0, 100, COLOR_GREEN, &done), PHASE_COMPLETE);
    assert_int_equal(phase(0, 100, COLOR_GREEN, &old), PHASE_STEADY);
    assert_int_equal(phase(0, 100, COLOR_GREEN, &no_state), PHASE_STEADY);
    /* The canary phase follows the configured step. */
    int w[COLOR_COUNT] = { 75, 25 };
    assert_int_equal(rollout_phase(w, COLOR_BLUE, &no_state, 25), PHASE_CANARY);
}

static void step_expect(int blue, int green, enum color stable, int delta, int step,
                        int want_blue, int want_green)
{
    int w[COLOR_COUNT] = { blue, green }, out[COLOR_COUNT] = { -1, -1 };
    char err[256] = "";
    int rc = rollout_step(w, stable, delta, step, out, err, sizeof err);
    if (rc != 0)
        print_error("step failed: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(out[COLOR_BLUE], want_blue);
    assert_int_equal(out[COLOR_GREEN], want_green);
}

static void step_fails(int blue, int green, enum color stable, int delta, int step,
                       const char *want)
{
    int w[COLOR_COUNT] = { blue, green }, out[COLOR_COUNT];
    char err[256] = "";
    assert_int_equal(rollout_step(w, stable, delta, step, out, err, sizeof err), -1);
    assert_string_equal(err, want);
}

static void test_step_moves_the_candidate(void **state)
{
    step_expect(100, 0, COLOR_BLUE, +10, 10, 90, 10);
    step_expect(90, 10, COLOR_BLUE, +10, 10, 80, 20);
    step_expect(90, 10, COLOR_BLUE, -10, 10, 100, 0);
    step_expect(10, 90, COLOR_BLUE, +10, 10, 0, 100);
    /* Green stable: + moves blue up. */
    step_expect(0, 100, COLOR_GREEN, +10, 10, 10, 90);
    step_expect(30, 70, COLOR_GREEN, -20, 10, 10, 90);
    /* Several steps at once, clamped at the ends. */
    step_expect(100, 0, COLOR_BLUE, +30, 10, 70, 30);
    step_expect(20, 80, COLOR_BLUE, +50, 10, 0, 100);
    step_expect(80, 20, COLOR_BLUE, -50, 10, 100, 0);
    step_expect(100, 0, COLOR_BLUE, +25, 25, 75, 25);
}

static void test_step_snaps_off_grid_weights(void **state)
{
    step_expect(85, 15, COLOR_BLUE, +10, 10, 80, 20);
    step_expect(85, 15, COLOR_BLUE, -10, 10, 90, 10);
    step_expect(67, 33, COLOR_BLUE, +10, 10, 60, 40);
    step_expect(67, 33, COLOR_BLUE, -20, 10, 80, 20);
    step_expect(1, 99, COLOR_BLUE, +10, 10, 0, 100);
}

static void test_step_refuses_at_the_ends(void **state)
{
    step_fails(0, 100, COLOR_BLUE, +10, 10, "green already holds 100");
    step_fails(100, 0, COLOR_BLUE, -10, 10, "blue already holds 100");
    step_fails(0, 100, COLOR_GREEN, -10, 10, "green already holds 100");
    step_fails(90, 10, COLOR_BLUE, +15, 10, "+15 is not a multiple of the step (10)");
    step_fails(90, 10, COLOR_BLUE, 0, 10, "a shift of 0 moves nothing");
    step_fails(90, 10, COLOR_BLUE, +10, 30, "step 30 must be 1-100 and divide 100");
    step_fails(90, 20, COLOR_BLUE, +10, 10, "weights blue 90, green 20 do not sum to 100");
}

static void test_set(void **state)
{
    int out[COLOR_COUNT];
    char err[256] = "";
    assert_int_equal(rollout_set(COLOR_BLUE, 40, 10, out, err, sizeof err), 0);
    assert_int_equal(out[COLOR_BLUE], 60);
    assert_int_equal(out[COLOR_GREEN], 40);
    assert_int_equal(rollout_set(COLOR_GREEN, 100, 10, out, err, sizeof err), 0);
    assert_int_equal(out[COLOR_BLUE], 100);
    assert_int_equal(out[COLOR_GREEN], 0);
    assert_int_equal(rollout_set(COLOR_BLUE, 35, 10, out, err, sizeof err), -1);
    assert_string_equal(err, "35 is not a multiple of the step (10)");
    assert_int_equal(rollout_set(COLOR_BLUE, 110, 10, out, err, sizeof err), -1);
    assert_string_equal(err, "110 is out of range (0-100)");
}

static void test_after_move(void **state)
{
    struct rollout_state st = { true, COLOR_BLUE, false, 100 };
    int canary[COLOR_COUNT] = { 90, 10 }, done[COLOR_COUNT] = { 0, 100 };
    int back[COLOR_COUNT] = { 100, 0 };
    struct rollout_state s1 = rollout_after_move(&st, COLOR_BLUE, canary, 200);
    assert_true(s1.known);
    assert_int_equal(s1.stable, COLOR_BLUE);
    assert_false(s1.completed);
    assert_true(s1.since == 100);      /* same stable: the cutover's start stays */

    struct rollout_state s2 = rollout_after_move(&s1, COLOR_BLUE, done, 300);
    assert_int_equal(s2.stable, COLOR_GREEN);
    assert_true(s2.completed);
    assert_true(s2.since == 300);

    /* A rollback to the stable clears "completed" but keeps the stable. */
    struct rollout_state s3 = rollout_after_move(&s1, COLOR_BLUE, back, 400);
    assert_int_equal(s3.stable, COLOR_BLUE);
    assert_false(s3.completed);

    /* First move without any state starts the clock now. */
    struct rollout_state s4 = rollout_after_move(&no_state, COLOR_BLUE, canary, 500);
    assert_true(s4.known);
    assert_int_equal(s4.stable, COLOR_BLUE);
    assert_true(s4.since == 500);

    /* The next release goes green -> blue: the completed state changes hands. */
    int next_canary[COLOR_COUNT] = { 10, 90 };
    struct rollout_state s5 = rollout_after_move(&s2, COLOR_GREEN, next_canary, 600);
    assert_int_equal(s5.stable, COLOR_GREEN);
    assert_false(s5.completed);
    assert_true(s5.since == 300);
}

static void test_state_round_trip(void **state)
{
    struct rollout_state st = { true, COLOR_GREEN, true, 1764000000.123 }, back;
    char err[256] = "";
    char *json = rollout_state_encode(&st);
    assert_string_equal(json, "{\"stable\":\"green\",\"completed\":true,\"since\":1764000000.123}");
    assert_int_equal(rollout_state_decode(json, &back, err, sizeof err), 0);
    assert_true(back.known);
    assert_int_equal(back.stable, COLOR_GREEN);
    assert_true(back.completed);
    assert_true(back.since > 1764000000.122 && back.since < 1764000000.124);
    free(json);
}

static void test_state_decode_errors(void **state)
{
    struct rollout_state out;
    char err[256] = "";
    assert_int_equal(rollout_state_decode("not json", &out, err, sizeof err), -1);
    assert_string_equal(err, "rollout state: not a JSON object");
    assert_int_equal(rollout_state_decode("{\"stable\":\"red\"}", &out, err, sizeof err), -1);
    assert_string_equal(err, "rollout state: stable: expected \"blue\" or \"green\"");
    assert_int_equal(rollout_state_decode("{\"stable\":\"blue\",\"since\":\"x\"}", &out, err,
                                          sizeof err), -1);
    assert_string_equal(err, "rollout state: since: expected a number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_color_at_100_is_stable),
        cmocka_unit_test(test_resolve_saved_state_decides_mid_cutover),
        cmocka_unit_test(test_resolve_without_state),
        cmocka_unit_test(test_phases_follow_the_runbook_table),
        cmocka_unit_test(test_phase_complete_only_for_the_cutover_that_finished),
        cmocka_unit_test(test_step_moves_the_candidate),
        cmocka_unit_test(test_step_snaps_off_grid_weights),
        cmocka_unit_test(test_step_refuses_at_the_ends),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_after_move),
        cmocka_unit_test(test_state_round_trip),
        cmocka_unit_test(test_state_decode_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
