/* sse: the first-content detector a probe's TTFT rests on. Streams are cut
 * at every possible read boundary, since the network decides where a chunk
 * ends, and every answer must be the same as for the whole stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/sse.h"

#define ROLE "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
#define HELLO "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"
#define FAIL "data: {\"choices\":[{\"delta\":{\"content\":\"Error: model down\"}}]}\n\n"
#define DONE "data: [DONE]\n\n"

static struct sse_reader *new_reader(void)
{
    struct sse_reader *r = malloc(sizeof *r);
    assert_non_null(r);
    sse_reader_init(r);
    return r;
}

static enum sse_outcome feed_whole(const char *s, char *snippet, size_t snlen)
{
    struct sse_reader *r = new_reader();
    enum sse_outcome o = sse_reader_feed(r, s, strlen(s));
    if (snippet)
        snprintf(snippet, snlen, "%s", r->snippet);
    free(r);
    return o;
}

/* Every two-piece split, and byte by byte, agree with the whole stream. */
static void assert_split_invariant(const char *s, enum sse_outcome want)
{
    size_t n = strlen(s);
    struct sse_reader *r = new_reader();
    assert_int_equal(feed_whole(s, NULL, 0), want);
    for (size_t cut = 0; cut <= n; cut++) {
        sse_reader_init(r);
        sse_reader_feed(r, s, cut);
        assert_int_equal(sse_reader_feed(r, s + cut, n - cut), want);
    }
    sse_reader_init(r);
    enum sse_outcome o = SSE_PENDING;
    for (size_t i = 0; i < n; i++)
        o = sse_reader_feed(r, s + i, 1);
    assert_int_equal(o, want);
    free(r);
}

static void role_then_content(void **state)
{
    (void)state;
    char snip[SSE_READER_SNIPPET];
    /* The role chunk has no content: it must not count as the first token. */
    assert_int_equal(feed_whole(ROLE, NULL, 0), SSE_PENDING);
    assert_int_equal(feed_whole(ROLE HELLO DONE, snip, sizeof snip), SSE_CONTENT);
    assert_string_equal(snip, "Hello");
    assert_split_invariant(ROLE HELLO DONE, SSE_CONTENT);
}

static void crlf_and_cr_line_ends(void **state)
{
    (void)state;
    const char *crlf = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n"
                       "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\r\n\r\n";
    const char *cr = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\r\r";
    assert_split_invariant(crlf, SSE_CONTENT);
    assert_split_invariant(cr, SSE_CONTENT);
}

/* A JSON object spread over several data lines; with "\r\n" a split between
 * "\r" and "\n" must not end the event early. */
static void multi_line_data(void **state)
{
    (void)state;
    const char *s = "data: {\"choices\":\r\n"
                    "data: [{\"delta\":\r\n"
                    "data:{\"content\":\"multi\"}}]}\r\n"
                    "\r\n";
    char snip[SSE_READER_SNIPPET];
    assert_int_equal(feed_whole(s, snip, sizeof snip), SSE_CONTENT);
    assert_string_equal(snip, "multi");
    assert_split_invariant(s, SSE_CONTENT);
}

static void comments_and_other_fields(void **state)
{
    (void)state;
    /* A comment that looks like content is still a comment; event/id/retry
     * and unknown fields are ignored; "datax:" is not "data:". */
    const char *ignored = ": data: {\"choices\":[{\"delta\":{\"content\":\"no\"}}]}\n"
                          "event: message\nid: 7\nretry: 100\n"
                          "datax: {\"choices\":[{\"delta\":{\"content\":\"no\"}}]}\n"
                          "averyveryverylongfieldname: 1\n\n";
    assert_split_invariant(ignored, SSE_PENDING);
    char both[1024];
    snprintf(both, sizeof both, "%s: keep-alive\n\n%s", ignored, HELLO);
    assert_split_invariant(both, SSE_CONTENT);
}

static void done_before_content(void **state)
{
    (void)state;
    assert_split_invariant(ROLE DONE, SSE_DONE_EMPTY);
    /* The outcome sticks: content after [DONE] changes nothing. */
    assert_int_equal(feed_whole(DONE HELLO, NULL, 0), SSE_DONE_EMPTY);
}

static void in_stream_error(void **state)
{
    (void)state;
    char snip[SSE_READER_SNIPPET];
    assert_int_equal(feed_whole(ROLE FAIL DONE, snip, sizeof snip), SSE_CONTENT_ERROR);
    assert_string_equal(snip, "Error: model down");
    assert_split_invariant(ROLE FAIL DONE, SSE_CONTENT_ERROR);
    /* "Error:" later in the answer is just text. */
    assert_int_equal(feed_whole(HELLO FAIL, NULL, 0), SSE_CONTENT);
}

static void empty_or_odd_content_is_not_content(void **state)
{
    (void)state;
    const char *s = "data: {\"choices\":[{\"delta\":{\"content\":\"\"}}]}\n\n"
                    "data: {\"choices\":[{\"delta\":{\"content\":null}}]}\n\n"
                    "data: {\"choices\":[{\"delta\":{\"content\":5}}]}\n\n"
                    "data: {\"choices\":[]}\n\n"
                    "data: {\"choices\":[{\"message\":{\"content\":\"x\"}}]}\n\n"
                    "data: not json\n\n"
                    "data\n\n"
                    "data:\n\n";
    assert_split_invariant(s, SSE_PENDING);
}

/* An event without its blank line has not arrived yet. */
static void incomplete_event_waits(void **state)
{
    (void)state;
    const char *s = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n";
    struct sse_reader *r = new_reader();
    assert_int_equal(sse_reader_feed(r, s, strlen(s)), SSE_PENDING);
    assert_int_equal(sse_reader_feed(r, "\n", 1), SSE_CONTENT);
    assert_int_equal(r->events, 1);
    free(r);
}

/* A huge event is skipped whole (not parsed cut short); the next one counts. */
static void oversized_event_skipped(void **state)
{
    (void)state;
    const char *head = "data: {\"choices\":[{\"delta\":{\"content\":\"";
    const char *tail = "\"}}]}\n\n";
    size_t big = SSE_READER_MAX + 100;
    char *s = malloc(strlen(head) + big + strlen(tail) + strlen(HELLO) + 1);
    assert_non_null(s);
    strcpy(s, head);
    memset(s + strlen(head), 'a', big);
    strcpy(s + strlen(head) + big, tail);
    char snip[SSE_READER_SNIPPET];
    assert_int_equal(feed_whole(s, NULL, 0), SSE_PENDING);
    strcat(s, HELLO);
    assert_int_equal(feed_whole(s, snip, sizeof snip), SSE_CONTENT);
    assert_string_equal(snip, "Hello");
    free(s);
}

/* The snippet goes into messages: no control bytes, bounded. */
static void snippet_is_clean(void **state)
{
    (void)state;
    char snip[SSE_READER_SNIPPET];
    const char *s = "data: {\"choices\":[{\"delta\":{\"content\":\"Error: a\\nb\\u00e9\"}}]}\n\n";
    assert_int_equal(feed_whole(s, snip, sizeof snip), SSE_CONTENT_ERROR);
    assert_string_equal(snip, "Error: a?b??");
    assert_string_equal(sse_outcome_name(SSE_DONE_EMPTY), "[DONE] without content");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(role_then_content),
        cmocka_unit_test(crlf_and_cr_line_ends),
        cmocka_unit_test(multi_line_data),
        cmocka_unit_test(comments_and_other_fields),
        cmocka_unit_test(done_before_content),
        cmocka_unit_test(in_stream_error),
        cmocka_unit_test(empty_or_odd_content_is_not_content),
        cmocka_unit_test(incomplete_event_waits),
        cmocka_unit_test(oversized_event_skipped),
        cmocka_unit_test(snippet_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
