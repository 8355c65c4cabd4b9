/*
 * Files compiled into the binaries by scripts/embed.c: the migrations,
 * the schema/ documents and indices, the web/static assets. Data is
 * NUL-terminated.
 */
#ifndef MF_EMBEDDED_H
#define MF_EMBEDDED_H

#include <stddef.h>

struct mf_embedded {
	const char *name; /* path relative to the source tree */
	const unsigned char *data;
	size_t len;
};

/* Sorted by name, ended by a NULL name. */
extern const struct mf_embedded mf_embedded_files[];

/* The file with exactly this path, or NULL. Borrowed, static storage. */
const struct mf_embedded *mf_embedded_get(const char *name);

#endif
