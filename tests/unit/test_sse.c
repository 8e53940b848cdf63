/* sse: the stream reader a probe's TTFT and verdict rest on. Streams are cut
 * at every possible read boundary, since the network decides where a chunk
 * ends, and every answer must be the same as for the whole stream. The
 * OPENCLAW_* streams are bytes the real OpenClaw 2026.9.6 sent. */
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
#define ERROBJ "data: {\"error\":{\"message\":\"model down\",\"type\":\"server_error\"}}\n\n"

/* OpenClaw 2026.9.6 answering POST /v1/chat/completions with stream:true, as
 * recorded here: a model failure is 200, the role chunk, an error event and
 * [DONE] (the chunk ids shortened). */
#define OC_HEAD "data: {\"id\":\"chatcmpl_e623\",\"object\":\"chat.completion.chunk\"," \
    "\"created\":1796210046,\"model\":\"openclaw\",\"choices\":[{\"index\":0,"
#define OPENCLAW_ROLE OC_HEAD "\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n"
#define OPENCLAW_TOKEN OC_HEAD "\"delta\":{\"content\":\"tok0\"},\"finish_reason\":null}]}\n\n"
#define OPENCLAW_STOP OC_HEAD "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
#define OPENCLAW_ERROR \
    "data: {\"error\":{\"message\":\"upstream provider error\",\"type\":\"api_error\"}}\n\n"
#define OPENCLAW_ERROR_400 "data: {\"error\":{\"message\":\"400 sim bad request\"," \
    "\"type\":\"invalid_request_error\"}}\n\n"

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

/* The whole stream's reader, for its flags and message; caller frees. */
static struct sse_reader *read_whole(const char *s)
{
    struct sse_reader *r = new_reader();
    sse_reader_feed(r, s, strlen(s));
    return r;
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
    assert_int_equal(feed_whole(ROLE FAIL DONE, snip, sizeof snip), SSE_ERROR);
    assert_string_equal(snip, "Error: model down");
    assert_split_invariant(ROLE FAIL DONE, SSE_ERROR);
    /* An "Error:" chunk after content is a failure too (issue 12: older
     * OpenClaw builds report a model failing mid-answer that way). */
    assert_int_equal(feed_whole(HELLO FAIL, NULL, 0), SSE_ERROR);
    struct sse_reader *r = read_whole(ROLE FAIL DONE);
    assert_string_equal(r->message, "Error: model down");
    assert_true(r->done);
    free(r);
}

/* OpenClaw 2026.9.6's failure: 200, the role chunk, an error event, [DONE].
 * No content came, so there is no TTFT; the message is the gateway's. */
static void openclaw_error_event(void **state)
{
    (void)state;
    const char *s = OPENCLAW_ROLE OPENCLAW_ERROR DONE;
    assert_split_invariant(s, SSE_ERROR);
    struct sse_reader *r = read_whole(s);
    assert_false(r->has_content);
    assert_true(r->done);
    assert_string_equal(r->message, "upstream provider error (api_error)");
    free(r);
    /* A 4xx from the model comes through with the provider's own words. */
    r = read_whole(OPENCLAW_ROLE OPENCLAW_ERROR_400 DONE);
    assert_string_equal(r->message, "400 sim bad request (invalid_request_error)");
    free(r);
}

/* The run's id: the first chunk's "id", which the gateway's log names
 * (runId=chatcmpl_...); one that is not a plain token is not kept. */
static void run_id(void **state)
{
    (void)state;
    struct sse_reader *r = read_whole("data: {\"id\":\"chatcmpl_9f2c\",\"choices\":[{\"delta\":"
                                      "{\"role\":\"assistant\"}}]}\n\n"
                                      "data: {\"id\":\"chatcmpl_other\",\"choices\":[{\"delta\":"
                                      "{\"content\":\"hi\"}}]}\n\n" DONE);
    assert_string_equal(r->id, "chatcmpl_9f2c");
    free(r);
    r = read_whole("data: {\"id\":\"chat cmpl\\n\",\"choices\":[]}\n\n" DONE);
    assert_string_equal(r->id, "");
    free(r);
    char big[200] = "data: {\"id\":\"";
    memset(big + strlen(big), 'a', 65);
    strcat(big, "\"}\n\n" DONE);
    r = read_whole(big);
    assert_string_equal(r->id, "");
    free(r);
}

/* The failure after the first token: the verdict turns from content to
 * error, and stays there whatever follows. */
static void error_after_content(void **state)
{
    (void)state;
    const char *s = OPENCLAW_ROLE OPENCLAW_TOKEN OPENCLAW_ERROR DONE;
    assert_split_invariant(s, SSE_ERROR);
    struct sse_reader *r = new_reader();
    assert_int_equal(sse_reader_feed(r, OPENCLAW_ROLE OPENCLAW_TOKEN,
                                     strlen(OPENCLAW_ROLE OPENCLAW_TOKEN)), SSE_CONTENT);
    assert_true(r->has_content);
    assert_false(r->done);
    assert_int_equal(sse_reader_feed(r, OPENCLAW_ERROR, strlen(OPENCLAW_ERROR)), SSE_ERROR);
    assert_int_equal(sse_reader_feed(r, ERROBJ HELLO, strlen(ERROBJ HELLO)), SSE_ERROR);
    assert_string_equal(r->message, "upstream provider error (api_error)");   /* the first */
    assert_string_equal(r->snippet, "tok0");
    assert_int_equal(sse_reader_feed(r, DONE, strlen(DONE)), SSE_ERROR);
    assert_true(r->done);
    free(r);
}

/* A healthy OpenClaw stream is content once its tokens come, and done at
 * [DONE]: the reader goes on past the first token. */
static void openclaw_success_reads_to_done(void **state)
{
    (void)state;
    const char *s = OPENCLAW_ROLE OPENCLAW_TOKEN OPENCLAW_TOKEN OPENCLAW_STOP DONE;
    assert_split_invariant(s, SSE_CONTENT);
    struct sse_reader *r = new_reader();
    assert_int_equal(sse_reader_feed(r, OPENCLAW_ROLE, strlen(OPENCLAW_ROLE)), SSE_PENDING);
    assert_false(r->has_content);    /* the role chunk is not the first token */
    assert_int_equal(sse_reader_feed(r, s + strlen(OPENCLAW_ROLE), strlen(s) - strlen(OPENCLAW_ROLE)),
                     SSE_CONTENT);
    assert_true(r->done);
    assert_string_equal(r->message, "");
    assert_int_equal(r->events, 5);
    free(r);
}

/* OpenAI's shapes: an error event with a code and no [DONE] after it, and a
 * bare string; an "error": null member is no failure. */
static void error_shapes(void **state)
{
    (void)state;
    struct sse_reader *r = read_whole(
        "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\","
        "\"param\":null,\"code\":null}}\n\n");
    assert_int_equal(r->outcome, SSE_ERROR);
    assert_false(r->done);
    assert_string_equal(r->message, "The server had an error (server_error)");
    free(r);
    r = read_whole("data: {\"error\":\"overloaded\"}\n\n");
    assert_string_equal(r->message, "overloaded");
    free(r);
    r = read_whole("data: {\"error\":{\"code\":5}}\n\n");
    assert_string_equal(r->message, "error without a message");
    free(r);
    assert_int_equal(feed_whole("data: {\"error\":null}\n\n" HELLO, NULL, 0), SSE_CONTENT);
}

/* A non-2xx body's error, as the probe reads it; never more than fits. */
static void error_text_of_a_body(void **state)
{
    (void)state;
    char out[SSE_READER_MESSAGE];
    const char *b = "{\"error\":{\"message\":\"\u26a0 Unauthorized\",\"type\":\"unauthorized\"}}";
    assert_true(sse_error_text(b, strlen(b), out, sizeof out));
    assert_string_equal(out, "??? Unauthorized (unauthorized)");   /* a byte each */
    assert_false(sse_error_text("<html>", 6, out, sizeof out));
    assert_false(sse_error_text("{\"ok\":1}", 8, out, sizeof out));
    char tiny[8];
    assert_true(sse_error_text(b, strlen(b), tiny, sizeof tiny));
    assert_string_equal(tiny, "??? Una");
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
    assert_int_equal(feed_whole(s, snip, sizeof snip), SSE_ERROR);
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
        cmocka_unit_test(openclaw_error_event),
        cmocka_unit_test(run_id),
        cmocka_unit_test(error_after_content),
        cmocka_unit_test(openclaw_success_reads_to_done),
        cmocka_unit_test(error_shapes),
        cmocka_unit_test(error_text_of_a_body),
        cmocka_unit_test(empty_or_odd_content_is_not_content),
        cmocka_unit_test(incomplete_event_waits),
        cmocka_unit_test(oversized_event_skipped),
        cmocka_unit_test(snippet_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
