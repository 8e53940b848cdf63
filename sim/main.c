/* cutover-sim: main() is one call into the sim library. */
#include "sim/sim.h"

int main(int argc, char **argv)
{
    return sim_main(argc, argv);
}
