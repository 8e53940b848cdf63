/* color: names of the two colors. The enum doubles as an array index. */
#include <string.h>
#include "core/color.h"

const char *color_name(enum color c)
{
    return c == COLOR_GREEN ? "green" : "blue";
}

int color_parse(const char *name)
{
    if (name == NULL)
        return COLOR_NONE;
    if (strcmp(name, "blue") == 0)
        return COLOR_BLUE;
    if (strcmp(name, "green") == 0)
        return COLOR_GREEN;
    return COLOR_NONE;
}

enum color color_other(enum color c)
{
    return c == COLOR_BLUE ? COLOR_GREEN : COLOR_BLUE;
}
