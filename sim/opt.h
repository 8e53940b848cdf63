/* Long options for the sim's subcommands: "--name VALUE" or "--name=VALUE". Pure. */
#ifndef SIM_OPT_H
#define SIM_OPT_H

/* If argv[*i] is option `name`, sets *val, advances *i past its value and returns 1; returns
 * 0 when argv[*i] is another option, -1 when the value is missing. */
int opt_match(int argc, char **argv, int *i, const char *name, const char **val);

#endif
