/*
 * Running the statements of sql.c and reading their results: the part of
 * the database layer that touches libpq, included by the files of db/ only (a
 * check in `make test` enforces it). Every other stage calls the typed
 * functions declared in the other headers of db/, which take and return plain C
 * values and jansson documents.
 */
#ifndef MF_DB_EXEC_H
#define MF_DB_EXEC_H

#include "common/buf.h"
#include "common/error.h"
#include "db/db.h"
#include "db/sql.h"

#include <libpq-fe.h>

/*
 * The calling thread's connection, connecting when needed. Borrowed: it
 * is closed when the thread ends. NULL with MF_E_UNAVAILABLE when the
 * database cannot be reached.
 */
PGconn *mf_db_conn(struct mf_error *err);
/*
 * A new connection of its own, with the same settings, for work that
 * keeps a connection busy across requests (db/rows.c streams a result
 * over one): to the replica when the thread's read-only request uses it
 * (the primary when it cannot be reached). Owned: the caller PQfinish()es it.
 * NULL with MF_E_UNAVAILABLE.
 */
PGconn *mf_db_conn_open(struct mf_error *err);
/*
 * The replica's health, between db.c (which routes by it) and
 * replica.c (whose monitor thread measures it): whether a read-only
 * request may use it now (OK and measured within the last 3 s); a read
 * it failed (down: it is unreachable, so no request uses it until the
 * next measure says OK); the monitor's measure; the bound in ms.
 * mf_db_route_replica_only(true) sends the calling thread's statements
 * to the replica with no fallback and no warnings (the monitor's own
 * queries); false: back to the primary.
 */
bool mf_db_replica_usable(void);
void mf_db_replica_failed(const char *why, bool down);
void mf_db_replica_publish(enum mf_db_replica_state st, double lag_s,
                           bool paused);
int mf_db_replica_max_lag_ms(void);
void mf_db_route_replica_only(bool on);

/*
 * Runs one declared statement with text parameters (values[i] may be NULL
 * for SQL NULL; lengths/formats may be NULL for text). Returns a new
 * result that the caller PQclear()s, or NULL with err set: the connection
 * broke (MF_E_UNAVAILABLE, retried once first when no transaction was
 * open), a unique violation (MF_E_CONFLICT) or anything else
 * (MF_E_INTERNAL, logged, never shown to clients).
 */
PGresult *mf_db_exec(enum mf_sql stmt, int nparams, const char *const *values,
                     const int *lengths, const int *formats,
                     struct mf_error *err);

/*
 * Runs statement text that db/ composed from declared fragments (never
 * from request text: values travel as parameters), unprepared, so the
 * planner sees the values. Results and errors as mf_db_exec.
 */
PGresult *mf_db_exec_text(const char *sql, int nparams,
                          const char *const *values, struct mf_error *err);

/* Same as mf_db_exec, with every parameter a NUL-terminated string or NULL. */
PGresult *mf_db_execv(enum mf_sql stmt, struct mf_error *err, int nparams, ...);

/*
 * Array parameters: start with mf_db_array_begin (writes "{"), push each
 * element (quoted and escaped, so any text is safe), end with "}".
 */
int mf_db_array_begin(struct mf_buf *b);
int mf_db_array_push(struct mf_buf *b, const char *s);
int mf_db_array_end(struct mf_buf *b);

/* Row 0's column col of res as a new string (*out; NULL for SQL NULL).
 * 0 or MF_E_NOMEM. */
int mf_db_dup_value(char **out, const PGresult *res, int col);

#endif
