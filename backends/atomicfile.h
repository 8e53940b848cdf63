/* atomicfile: replace a file so that readers (nginx) only ever see the old
 * version or the new one: temp file in the same folder, fsync, rename, fsync
 * the folder. Optionally keeps the replaced version as PATH.prev. */
#ifndef CUTOVER_BACKENDS_ATOMICFILE_H
#define CUTOVER_BACKENDS_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns 0, or -1 with msg ("cannot write /x/up.conf: Permission denied").
 * The temp file is named ".<base>.tmp-XXXXXX" so an `include *.conf` never
 * picks it up; it is removed on every failure path. */
int atomicfile_write(const char *path, const void *data, size_t len, bool keep_prev,
                     char *msg, size_t msglen);

/* Reads a whole file (NUL-terminated; *len_out excludes the NUL).
 * Returns 0, or -1 with msg; errno is kept (ENOENT tells "missing"). */
int atomicfile_read(const char *path, char **data_out, size_t *len_out,
                    char *msg, size_t msglen);

/* Appends one line (a '\n' is added) with O_APPEND and fsync, so concurrent
 * writers never interleave within a line. Returns 0 or -1 with msg. */
int atomicfile_append_line(const char *path, const char *line, char *msg, size_t msglen);

/* Removes stale ".<base>.tmp-*" files left by a process killed mid-write. */
void atomicfile_clean_stale(const char *path);

#endif
