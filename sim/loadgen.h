/* `cutover-sim load`: streaming chat requests at a set rate, driven by libcurl multi on a
 * libuv loop; prints one JSON summary line. */
#ifndef SIM_LOADGEN_H
#define SIM_LOADGEN_H

/* argv[0] is "load". Returns the process exit code. */
int loadgen_main(int argc, char **argv);

#endif
