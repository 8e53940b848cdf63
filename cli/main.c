/* cutover: main() is one call into the cli library, so tests link everything else. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
