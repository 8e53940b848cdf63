/* cli: the command line. main() is one call into it. */
#ifndef CUTOVER_CLI_CLI_H
#define CUTOVER_CLI_CLI_H

int cli_main(int argc, char **argv);

#endif
