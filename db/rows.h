/*
 * Streaming a statement's rows: the result of one statement read a batch
 * at a time (a cursor, FETCH by the thousand) over a connection of its own, so
 * a 100,000-row export never sits in memory and the thread's connection
 * stays free for the other requests its thread serves meanwhile. Columns
 * come typed, so callers write CSV or JSON without knowing libpq.
 */
#ifndef MF_DB_ROWS_H
#define MF_DB_ROWS_H

#include "common/error.h"
#include "db/sql.h"

#include <stdbool.h>
#include <stddef.h>

/* At most this many streams are open at once; more get MF_E_UNAVAILABLE. */
#define MF_DB_ROWS_MAX 16

/* How a column's text is to be read. */
enum mf_db_coltype {
	MF_DB_COL_TEXT,   /* anything else: a string */
	MF_DB_COL_NUMBER, /* integer, float or numeric: a JSON number */
	MF_DB_COL_BOOL,   /* "true" or "false" (converted from t/f) */
	MF_DB_COL_JSON,   /* json or jsonb: JSON text as PostgreSQL wrote it */
};

struct mf_db_rows; /* opaque: a connection, its query and the current row */

/*
 * Runs stmt with text parameters (params[i] may be NULL for SQL NULL) on
 * a new connection and waits for its first row, so a failing statement is
 * reported here, before anything is sent. *out is owned by the caller,
 * who releases it with mf_db_rows_free (also before the end, which
 * cancels the query).
 */
int mf_db_rows_open(struct mf_db_rows **out, enum mf_sql stmt, int nparams,
                    const char *const *params, struct mf_error *err);
/* The same for statement text composed inside db/ (db/search.c). */
int mf_db_rows_open_text(struct mf_db_rows **out, const char *sql, int nparams,
                         const char *const *params, struct mf_error *err);
void mf_db_rows_free(struct mf_db_rows *r);

/* The columns, known from open on (also when there is no row). */
int mf_db_rows_ncols(const struct mf_db_rows *r);
const char *mf_db_rows_name(const struct mf_db_rows *r, int col);
enum mf_db_coltype mf_db_rows_type(const struct mf_db_rows *r, int col);

/*
 * Moves to the next row: *have is false after the last one. The values
 * of the row are valid until the next call.
 */
int mf_db_rows_next(struct mf_db_rows *r, bool *have, struct mf_error *err);
/* Column col of the current row (borrowed), NULL for SQL NULL. */
const char *mf_db_rows_value(const struct mf_db_rows *r, int col, size_t *len);

#endif
