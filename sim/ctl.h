/* `cutover-sim ctl`: a blocking client for a running sim's /_sim/ endpoints. */
#ifndef SIM_CTL_H
#define SIM_CTL_H

/* argv[0] is "ctl". Returns the process exit code. */
int ctl_main(int argc, char **argv);

#endif
