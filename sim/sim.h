/* cutover-sim as a library call, so main() is one line and tests could link the rest. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

/* Dispatches serve / load / ctl, --help, --version. Returns the exit code. */
int sim_main(int argc, char **argv);

#endif
