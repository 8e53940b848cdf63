/* scenario: a drill for `cutover demo --scenario`, as data: rules whose
 * trigger (at start, once the candidate's weight reaches N, T seconds after
 * another rule, every T seconds toggling) sets sim tunables and shows the
 * trainee a text. Pure: the caller reads the file, keeps time and does the
 * I/O. A scenario owns its rules, their strings and its run state; free it
 * with scenario_free(). The file format is in README.md, "Drills". */
#ifndef CUTOVER_CORE_SCENARIO_H
#define CUTOVER_CORE_SCENARIO_H

#include <stddef.h>

enum scenario_target {
    SCENARIO_BLUE,
    SCENARIO_GREEN,
    SCENARIO_CANDIDATE,          /* the color at 0 when the drill starts */
    SCENARIO_STABLE
};

#define SCENARIO_MAX_PAIRS 8

/* One `set` line: KEY=VALUE pairs for one sim, applied together. */
struct scenario_set {
    enum scenario_target target;
    int npairs;
    char pair[SCENARIO_MAX_PAIRS][48];   /* "ttft_ms=138", key normalised */
};

/* What one rule does when it fires (for an `every` rule: this half). */
struct scenario_fire {
    const char *rule;
    const char *say;                 /* NULL: a silent change */
    const struct scenario_set *sets;
    int nsets;
    double elapsed;                  /* seconds since the start, as given to tick */
};

typedef void (*scenario_fire_fn)(void *arg, const struct scenario_fire *fire);

struct scenario;

/* Parses a scenario file's text; file names it in errors ("FILE:LINE:
 * message"). Returns 0 with *out set, or -1 with err filled. */
int scenario_parse(const char *text, const char *file, struct scenario **out, char *err,
                   size_t errlen);
void scenario_free(struct scenario *s);

/* The `summary` lines joined by newlines, or "" when the file has none. */
const char *scenario_summary(const struct scenario *s);
int scenario_rule_count(const struct scenario *s);

/* Fires, in file order, every rule due at `elapsed` seconds since the drill
 * started with the candidate at `weight` percent. A rule fires once, except
 * an `every` rule, which fires each period (alternating its two halves; when
 * ticks are coarser than the period only the latest due half fires). Returns
 * how many fired. */
int scenario_tick(struct scenario *s, double elapsed, int weight, scenario_fire_fn fn,
                  void *arg);

/* "blue", "green", "candidate" or "stable". */
const char *scenario_target_name(enum scenario_target t);

#endif
