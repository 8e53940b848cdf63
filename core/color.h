/* The two colors of a blue/green pair. Plain values; nothing here owns memory. */
#ifndef CUTOVER_CORE_COLOR_H
#define CUTOVER_CORE_COLOR_H

enum color { COLOR_BLUE = 0, COLOR_GREEN = 1 };
#define COLOR_COUNT 2
#define COLOR_NONE (-1)

/* "blue" or "green". */
const char *color_name(enum color c);
/* Parses "blue"/"green"; returns the color or COLOR_NONE. */
int color_parse(const char *name);
/* The other color of the pair. */
enum color color_other(enum color c);

#endif
