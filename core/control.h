/* control: the server's control lock. One client at a time holds control
 * and may send moving commands; the rest watch. When the holder's
 * connection drops, control stays reserved for that user (same uid) for
 * grace_s seconds, so an operator whose SSH session died takes it back by
 * reconnecting; anyone else waits for the grace to end or steals it.
 *
 * Pure: time comes in as `now` (seconds since the epoch), nothing is
 * allocated. The caller (the server) embeds a struct control and owns it;
 * results are plain values copied out. Which transitions happened is
 * returned, so the server journals them (stolen, lost, released after grace). */
#ifndef CUTOVER_CORE_CONTROL_H
#define CUTOVER_CORE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/* Who a connection is: the server fills it from the peer credentials and
 * the client's hello. */
struct control_who {
    long client_id;         /* the server's connection id; ids are never reused */
    unsigned long uid;      /* peer uid: decides who may reclaim during the grace */
    char user[64];          /* login name, for messages */
    long pid;               /* the client's pid */
    char ssh_client[128];   /* $SSH_CLIENT of the client, "" when local */
};

enum control_state {
    CONTROL_FREE = 0,
    CONTROL_HELD,           /* a connected client holds it */
    CONTROL_GRACE           /* the holder disconnected; reserved for its uid */
};

struct control {
    double grace_s;
    double utc_offset_s;    /* added to `now` when printing clock times */
    enum control_state state;
    struct control_who holder;  /* valid unless FREE */
    double since;               /* when the holder got control */
    double disconnected_at;     /* GRACE: when the holder's connection dropped */
};

enum control_outcome {
    CONTROL_GRANTED = 0,        /* the asker holds control now (or already did) */
    CONTROL_RECLAIMED,          /* same uid took it back during the grace */
    CONTROL_STOLEN,             /* taken from `other` with steal */
    CONTROL_HELD_BY_OTHER,      /* refused: `other` holds it (text says until when) */
    CONTROL_DENIED_READ_ONLY    /* refused: this peer may only watch */
};

struct control_result {
    enum control_outcome outcome;
    bool refused;               /* HELD_BY_OTHER or DENIED_READ_ONLY */
    /* STOLEN: who lost control; HELD_BY_OTHER: the holder; RECLAIMED: the
     * disconnected holder it replaces. */
    struct control_who other;
    /* A grace that had run out by `now` was ended by this request before
     * deciding (same news control_tick gives): `expired` names its holder. */
    bool grace_expired;
    struct control_who expired;
    char text[320];             /* one line for the reply, e.g. "held by alice (...)" */
};

/* A snapshot view of the lock. */
struct control_view {
    enum control_state state;
    struct control_who holder;  /* zeroed when FREE */
    double since;
    double grace_until;         /* GRACE only */
    /* "alice, pid 4242, ssh 10.0.0.5 51000 22, since 12:00:00" (+ ", disconnected,
     * grace until 12:00:35"), or "nobody". */
    char text[320];
};

/* grace_s < 0 is taken as 0 (no grace: a dropped holder frees control at
 * once). utc_offset_s shifts the printed clock times to the server's local
 * time (0 prints UTC). */
void control_init(struct control *c, double grace_s, double utc_offset_s);

/* A client asks for control. may_control is the server's verdict from the
 * peer credentials (false: another uid, watch only). Never fails; the
 * outcome says what happened and text says it in words. */
void control_request(struct control *c, const struct control_who *who, double now, bool steal,
                     bool may_control, struct control_result *res);

/* The client gives control up. Returns 0, or -1 when it did not hold it. */
int control_release(struct control *c, long client_id, double now);

/* The client's connection closed. Returns true when it held control: the
 * grace starts now (or control is free at once when grace_s is 0). */
bool control_disconnected(struct control *c, long client_id, double now);

/* Ends a grace that has run out. Returns true when control became free;
 * then *expired (if not NULL) names the user it was reserved for. */
bool control_tick(struct control *c, double now, struct control_who *expired);

/* The state as of `now` (a grace that ran out reads as FREE). */
enum control_state control_holder(const struct control *c, double now, struct control_view *out);

/* Only the connected holder may send moving commands (shift, rollback,
 * reload). */
bool control_may_command(const struct control *c, long client_id);

#endif
