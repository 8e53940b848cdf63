/* `cutover-sim serve`: runs the simulated gateway until quit or a signal. */
#ifndef SIM_SERVE_H
#define SIM_SERVE_H

/* argv[0] is "serve". Returns the process exit code. */
int serve_main(int argc, char **argv);

#endif
