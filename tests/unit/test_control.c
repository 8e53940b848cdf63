/* control: the lock the server's clients share, driven through every
 * transition with compressed time — grant, refuse with the holder named,
 * read-only peers, steal, release, disconnect into the grace, reclaim by
 * the same uid, expiry by tick and by a late request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/control.h"

/* 2025-11-24 12:00:00 UTC */
#define T0 1763985600.0
#define GRACE 30.0

static struct control_who who(long id, unsigned long uid, const char *user, long pid,
                              const char *ssh)
{
    struct control_who w;
    memset(&w, 0, sizeof w);
    w.client_id = id;
    w.uid = uid;
    snprintf(w.user, sizeof w.user, "%s", user);
    w.pid = pid;
    snprintf(w.ssh_client, sizeof w.ssh_client, "%s", ssh);
    return w;
}

static enum control_outcome ask(struct control *c, const struct control_who *w, double now,
                                bool steal, struct control_result *res)
{
    control_request(c, w, now, steal, true, res);
    return res->outcome;
}

static void assert_has(const char *text, const char *want)
{
    if (strstr(text, want) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", text, want);
}

static void test_first_asker_gets_it(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_view v;
    struct control_who alice = who(1, 1000, "alice", 4242, "10.0.0.5 51000 22");
    control_init(&c, GRACE, 0);
    assert_int_equal(control_holder(&c, T0, &v), CONTROL_FREE);
    assert_string_equal(v.text, "nobody");
    assert_false(control_may_command(&c, 1));
    assert_int_equal(ask(&c, &alice, T0, false, &r), CONTROL_GRANTED);
    assert_false(r.refused);
    assert_true(control_may_command(&c, 1));
    assert_false(control_may_command(&c, 2));
    assert_int_equal(control_holder(&c, T0 + 5, &v), CONTROL_HELD);
    assert_string_equal(v.text, "alice, pid 4242, ssh 10.0.0.5 51000 22, since 12:00:00");
    assert_true(v.since == T0);
    /* asking again changes nothing, not even "since" */
    assert_int_equal(ask(&c, &alice, T0 + 9, false, &r), CONTROL_GRANTED);
    control_holder(&c, T0 + 9, &v);
    assert_true(v.since == T0);
}

static void test_second_asker_is_told_who(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_who alice = who(1, 1000, "alice", 4242, "10.0.0.5 51000 22");
    struct control_who alice2 = who(2, 1000, "alice", 5151, "");
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    /* same user, second terminal: still refused while the first is connected */
    assert_int_equal(ask(&c, &alice2, T0 + 61, false, &r), CONTROL_HELD_BY_OTHER);
    assert_true(r.refused);
    assert_int_equal(r.other.client_id, 1);
    assert_string_equal(r.text, "held by alice (pid 4242, ssh 10.0.0.5 51000 22, since 12:00:00)");
    assert_true(control_may_command(&c, 1));
    assert_false(control_may_command(&c, 2));
}

static void test_read_only_peer(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_who bob = who(3, 1001, "bob", 77, "");
    control_init(&c, GRACE, 0);
    /* even with control free and steal asked, a watch-only peer gets nothing */
    control_request(&c, &bob, T0, true, false, &r);
    assert_int_equal(r.outcome, CONTROL_DENIED_READ_ONLY);
    assert_true(r.refused);
    assert_has(r.text, "read-only");
    assert_has(r.text, "bob");
    struct control_view v;
    assert_int_equal(control_holder(&c, T0, &v), CONTROL_FREE);
    assert_false(control_may_command(&c, 3));
}

static void test_steal(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_who alice = who(1, 1000, "alice", 4242, "");
    struct control_who carol = who(4, 1000, "carol", 99, "");
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    assert_int_equal(ask(&c, &carol, T0 + 10, true, &r), CONTROL_STOLEN);
    assert_false(r.refused);
    assert_int_equal(r.other.client_id, 1);
    assert_string_equal(r.other.user, "alice");
    assert_has(r.text, "taken from alice");
    assert_false(control_may_command(&c, 1));
    assert_true(control_may_command(&c, 4));
    struct control_view v;
    control_holder(&c, T0 + 10, &v);
    assert_true(v.since == T0 + 10);
    /* alice's later disconnect is not the holder's: no grace starts */
    assert_false(control_disconnected(&c, 1, T0 + 11));
    assert_int_equal(control_holder(&c, T0 + 11, &v), CONTROL_HELD);
    assert_int_equal(v.holder.client_id, 4);
    /* stealing from nobody is a plain grant */
    control_init(&c, GRACE, 0);
    assert_int_equal(ask(&c, &carol, T0, true, &r), CONTROL_GRANTED);
}

static void test_release(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_who alice = who(1, 1000, "alice", 4242, "");
    struct control_who bob = who(2, 1001, "bob", 5, "");
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    assert_int_equal(control_release(&c, 2, T0 + 1), -1);
    assert_true(control_may_command(&c, 1));
    assert_int_equal(control_release(&c, 1, T0 + 2), 0);
    assert_false(control_may_command(&c, 1));
    /* released, not disconnected: no grace, the next asker gets it */
    assert_int_equal(ask(&c, &bob, T0 + 3, false, &r), CONTROL_GRANTED);
    assert_int_equal(control_release(&c, 1, T0 + 4), -1);
}

/* SSH drops: alice reconnects within the grace and takes control back;
 * bob, asking in between, is told when it frees. */
static void test_grace_reclaim(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_view v;
    struct control_who alice = who(1, 1000, "alice", 4242, "10.0.0.5 51000 22");
    struct control_who bob = who(2, 1001, "bob", 5, "");
    struct control_who alice_again = who(3, 1000, "alice", 4343, "10.0.0.5 51999 22");
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    assert_true(control_disconnected(&c, 1, T0 + 5));
    assert_false(control_may_command(&c, 1));
    assert_int_equal(control_holder(&c, T0 + 6, &v), CONTROL_GRACE);
    assert_true(v.grace_until == T0 + 35);
    assert_has(v.text, "alice, pid 4242");
    assert_has(v.text, "disconnected, grace until 12:00:35");
    assert_int_equal(ask(&c, &bob, T0 + 18, false, &r), CONTROL_HELD_BY_OTHER);
    assert_string_equal(r.text, "held by alice (disconnected at 12:00:05, free in 17 s)");
    assert_false(control_tick(&c, T0 + 34.9, NULL));
    assert_int_equal(ask(&c, &alice_again, T0 + 34.9, false, &r), CONTROL_RECLAIMED);
    assert_int_equal(r.other.client_id, 1);
    assert_true(control_may_command(&c, 3));
    control_holder(&c, T0 + 40, &v);
    assert_int_equal(v.state, CONTROL_HELD);
    assert_int_equal(v.holder.pid, 4343);
    assert_string_equal(v.holder.ssh_client, "10.0.0.5 51999 22");
    /* the grace is over for good: a tick later changes nothing */
    assert_false(control_tick(&c, T0 + 100, NULL));
}

static void test_grace_expires_by_tick(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_view v;
    struct control_who alice = who(1, 1000, "alice", 4242, "");
    struct control_who bob = who(2, 1001, "bob", 5, "");
    struct control_who expired;
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    control_disconnected(&c, 1, T0 + 10);
    assert_false(control_tick(&c, T0 + 39.99, &expired));
    assert_true(control_tick(&c, T0 + 40, &expired));
    assert_string_equal(expired.user, "alice");
    assert_false(control_tick(&c, T0 + 41, &expired));
    assert_int_equal(control_holder(&c, T0 + 41, &v), CONTROL_FREE);
    assert_int_equal(ask(&c, &bob, T0 + 42, false, &r), CONTROL_GRANTED);
    assert_false(r.grace_expired);
}

/* No tick ran since the grace ended: the request itself frees control and
 * says so, so the server still journals the expiry. */
static void test_grace_expires_at_request(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_view v;
    struct control_who alice = who(1, 1000, "alice", 4242, "");
    struct control_who bob = who(2, 1001, "bob", 5, "");
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    control_disconnected(&c, 1, T0);
    /* the view already reads free, without changing the lock */
    assert_int_equal(control_holder(&c, T0 + 31, &v), CONTROL_FREE);
    assert_int_equal(ask(&c, &bob, T0 + 31, false, &r), CONTROL_GRANTED);
    assert_true(r.grace_expired);
    assert_string_equal(r.expired.user, "alice");
    assert_true(control_may_command(&c, 2));
}

static void test_steal_during_grace(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_who alice = who(1, 1000, "alice", 4242, "");
    struct control_who carol = who(2, 1002, "carol", 6, "");
    control_init(&c, GRACE, 0);
    ask(&c, &alice, T0, false, &r);
    control_disconnected(&c, 1, T0 + 1);
    assert_int_equal(ask(&c, &carol, T0 + 2, true, &r), CONTROL_STOLEN);
    assert_string_equal(r.other.user, "alice");
    assert_true(control_may_command(&c, 2));
    /* alice's reservation is gone: she now needs to ask carol, or steal */
    struct control_who alice_again = who(3, 1000, "alice", 4343, "");
    assert_int_equal(ask(&c, &alice_again, T0 + 3, false, &r), CONTROL_HELD_BY_OTHER);
    assert_has(r.text, "held by carol");
    assert_false(control_tick(&c, T0 + 100, NULL));
}

static void test_no_grace(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_view v;
    struct control_who alice = who(1, 1000, "alice", 4242, "");
    struct control_who bob = who(2, 1001, "bob", 5, "");
    control_init(&c, -5, 0);
    ask(&c, &alice, T0, false, &r);
    assert_true(control_disconnected(&c, 1, T0 + 1));
    assert_int_equal(control_holder(&c, T0 + 1, &v), CONTROL_FREE);
    assert_int_equal(ask(&c, &bob, T0 + 1, false, &r), CONTROL_GRANTED);
    /* a watcher leaving is no event */
    assert_false(control_disconnected(&c, 7, T0 + 2));
}

/* Clock times in texts follow the server's UTC offset, across midnight too. */
static void test_clock_offset(void **state)
{
    (void)state;
    struct control c;
    struct control_result r;
    struct control_view v;
    struct control_who alice = who(1, 1000, "alice", 1, "");
    control_init(&c, GRACE, -13 * 3600.0);
    ask(&c, &alice, T0 + 59.7, false, &r);
    control_holder(&c, T0 + 60, &v);
    assert_string_equal(v.text, "alice, pid 1, since 23:00:59");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_asker_gets_it),
        cmocka_unit_test(test_second_asker_is_told_who),
        cmocka_unit_test(test_read_only_peer),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_grace_reclaim),
        cmocka_unit_test(test_grace_expires_by_tick),
        cmocka_unit_test(test_grace_expires_at_request),
        cmocka_unit_test(test_steal_during_grace),
        cmocka_unit_test(test_no_grace),
        cmocka_unit_test(test_clock_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
