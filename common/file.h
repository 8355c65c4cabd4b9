/*
 * Reading a whole file into memory, bounded: the one copy of what the
 * schema registry, the registry's key files and the CLI each need.
 */
#ifndef MF_FILE_H
#define MF_FILE_H

#include "common/error.h"

#include <stddef.h>

/*
 * Reads the file at path ("-": standard input) into a new NUL-terminated
 * buffer, *out (the caller frees it) of *len bytes (len may be NULL).
 * MF_E_TOO_LARGE when it holds more than max bytes, MF_E_IO (with the
 * reason) when it cannot be opened or read.
 */
int mf_file_read(char **out, size_t *len, const char *path, size_t max,
                 struct mf_error *err);

#endif
