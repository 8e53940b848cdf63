/* fixture: the recorded server messages under tests/unit/fixtures, for the
 * console's tests. fixture_read returns the whole file (caller frees) and
 * fails the running cmocka test when it is missing. */
#ifndef CUTOVER_TESTS_FIXTURE_H
#define CUTOVER_TESTS_FIXTURE_H

char *fixture_read(const char *name);
/* Any file, whole (a test's own output, say); fails the test when missing. */
char *fixture_read_path(const char *path);

#endif
