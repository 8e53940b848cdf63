/* protocol: the messages between `cutover server` and its clients, version 1.
 * Newline-delimited JSON; each line is one object with one top-level key
 * naming the message. Pure: encode to strings, decode from strings.
 *
 * client -> server
 *   {"hello": {"version": 1, "client": "cutover 0.1.0", "pid": 123,
 *              "ssh_client": "10.0.0.5 51000 22", "want_control": true}}
 *   {"command": {"id": 7, "name": "shift", "delta": 10}}            +N / -N
 *   {"command": {"id": 8, "name": "shift", "to": 50}}               --to N
 *   (a shift refused by a guard may carry "force": true, "reason": "why":
 *    the override is journaled with the numbers and the reason)
 *   {"command": {"id": 9, "name": "rollback"}}
 *   {"command": {"id": 10, "name": "reload"}}
 *   {"command": {"id": 11, "name": "take-control", "steal": true}}
 *   {"command": {"id": 12, "name": "release"}}
 *   {"command": {"id": 13, "name": "status"}}
 *   {"command": {"id": 14, "name": "retire"}}      stop the color at 0 once drained
 *   {"command": {"id": 15, "name": "lookup", "rid": "abc-1", "color": "green",
 *                "time": 1796220202.5}}
 *      green's log_file lines for one failure: those holding the id (a
 *      request id, or a probe's chatcmpl_ run id), then those logged within
 *      a few seconds of "time" (unix seconds), errors first (core/gwlook);
 *      rid, time or both. The reply adds "lines": [...]. Only a client that
 *      may control gets them (the gateway's log holds users' conversations).
 *      rid: 1..64 of [A-Za-z0-9_-], so it can be searched for as a literal
 *      without escaping
 *   {"command": {"id": 16, "name": "reconcile-apply"}}     after an interrupted move
 *   {"command": {"id": 17, "name": "reconcile-restore"}}   (snapshot "reconcile")
 *   (shift/rollback/status may carry "stable": "blue" to name the stable color)
 * server -> client
 *   {"hello": {...}}, {"snapshot": {...}}, {"event": {...journal event...}},
 *   {"reply": {"id": 7, "ok": false, "exit_code": 5, "message": "..."}},
 *   ("exit_code" is the magnitude of a core/errcode.h code, 0 for success:
 *    the number a client exits with; a move's reply may add "nginx_message",
 *    the balancer's or the stop command's own text, and "warnings")
 *   {"error": {"message": "line 3: not JSON"}} (then, for a bad hello or an
 *   oversized line, the server disconnects)
 *
 * Ownership: decoded messages are plain structs with fixed-size strings, so
 * a bad message can never leak; encoders return malloc'd lines without the
 * trailing newline. */
#ifndef CUTOVER_CORE_PROTOCOL_H
#define CUTOVER_CORE_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#define PROTOCOL_VERSION 1
/* A longer line is refused and its sender disconnected: no client needs
 * more, and it bounds what one peer can make the server buffer. */
#define PROTOCOL_MAX_LINE (64 * 1024)
#define PROTOCOL_MAX_RID 64

enum protocol_command {
    CMD_NONE = 0,
    CMD_SHIFT,
    CMD_ROLLBACK,
    CMD_RELOAD,
    CMD_TAKE_CONTROL,
    CMD_RELEASE,
    CMD_STATUS,
    CMD_RETIRE,             /* stop the drained color (its stop command) */
    CMD_LOOKUP,             /* a failure's lines in a color's log_file */
    CMD_CANCEL,             /* give up a step still deciding its verdict */
    CMD_RECONCILE_APPLY,    /* an interrupted move: test and reload the file as it stands */
    CMD_RECONCILE_RESTORE   /* ... or put back the file the balancer was confirmed to run */
};

struct protocol_hello {
    int version;
    char client[64];
    long pid;
    char ssh_client[128];
    bool want_control;
};

struct protocol_cmd {
    long long id;
    enum protocol_command name;
    bool absolute;          /* shift: "to" given */
    int amount;             /* shift: delta, or the candidate's weight with "to" */
    bool steal;             /* take-control */
    bool force;             /* shift: override a guard (needs a reason) */
    char reason[200];       /* shift with force: the operator's words */
    int stable;             /* a color, or COLOR_NONE (-1) */
    char rid[PROTOCOL_MAX_RID + 1];   /* lookup: the request or run id, "" when none */
    double time;            /* lookup: the failure's unix seconds, 0 when none */
    int color;              /* lookup: a color, or COLOR_NONE (-1) */
};

enum protocol_kind { MSG_INVALID = 0, MSG_HELLO, MSG_COMMAND };

struct protocol_msg {
    enum protocol_kind kind;
    struct protocol_hello hello;
    struct protocol_cmd cmd;
};

/* Decodes one client line (without its newline). Returns 0, or -1 with a
 * one-line reason in err; the reason names the field ("command.delta: expected
 * an integer"). */
int protocol_decode_client(const char *line, size_t len, struct protocol_msg *out,
                           char *err, size_t errlen);

const char *protocol_command_name(enum protocol_command c);

/* Encoders for the small messages; the server builds snapshots itself. */
char *protocol_encode_hello(const struct protocol_hello *h);
char *protocol_encode_command(const struct protocol_cmd *c);
char *protocol_encode_reply(long long id, bool ok, int wire_code, const char *message);
char *protocol_encode_error(const char *message);

/* A reply's "exit_code" for 0 or a negative errcode (ERRCODE_REFUSED -> 5),
 * and back (any number that is no errcode reads as ERRCODE_IO). */
int protocol_wire_code(int err);
int protocol_err_of_wire(int wire);

/* True when rid is 1..PROTOCOL_MAX_RID of [A-Za-z0-9_-]. */
bool protocol_rid_valid(const char *rid);

#endif
