/* A small seeded random source, so a --seed run of the sim repeats its errors exactly.
 * The caller embeds the struct; no global state. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
    uint64_t s;
};

void rng_seed(struct sim_rng *r, uint64_t seed);
/* Uniform in [0, 1). */
double rng_next(struct sim_rng *r);
/* Standard normal (mean 0, sd 1), by Box-Muller on two uniforms. */
double rng_normal(struct sim_rng *r);

#endif
