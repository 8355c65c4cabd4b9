/*
 * Aligned text tables from JSON, for the CLI's `query` and `compare`:
 * one row per array element, one column per (dotted) path, numbers
 * right-aligned, widths counted in characters, long cells cut.
 */
#ifndef MF_TABLE_H
#define MF_TABLE_H

#include "common/buf.h"

#include <jansson.h>
#include <stddef.h>

/* Cells longer than this many characters are cut and end in "...". */
#define MF_TABLE_CELL_MAX 48

struct mf_table_column {
	const char *header;
	const char *path; /* "org", "score.total": members of nested objects */
};

/*
 * Appends the table of rows (an array of objects; borrowed) to out: a
 * header line, a rule, one line per row. A missing or null value reads
 * "-", an array of scalars its elements joined by ", ". 0 or MF_E_NOMEM.
 */
int mf_table_render(struct mf_buf *out, const json_t *rows,
                    const struct mf_table_column *cols, size_t ncols);

/*
 * The same for rows whose columns are not known in advance: every scalar
 * or scalar-array member of the first rows, in the order first seen.
 */
int mf_table_render_auto(struct mf_buf *out, const json_t *rows);

#endif
