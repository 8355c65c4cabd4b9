/*
 * The database layer: one PostgreSQL connection per thread, opened on first
 * use and reopened after the server went away, and every SQL statement of
 * the program declared once in sql.c and prepared per connection.
 * Only this layer includes libpq.
 */
#ifndef MF_DB_H
#define MF_DB_H

#include "common/buf.h"
#include "common/error.h"
#include "server/sql.h"

#include <libpq-fe.h>
#include <stdbool.h>

/* Remembers the connection string; call once before any thread uses it. */
int mf_db_global_init(const char *conninfo);

/*
 * The calling thread's connection, connecting when needed. Borrowed: it
 * is closed when the thread ends. NULL with MF_E_UNAVAILABLE when the
 * database cannot be reached.
 */
PGconn *mf_db_conn(struct mf_error *err);
/* Closes the thread's connection, e.g. after it broke mid-transaction. */
void mf_db_drop(void);
/*
 * Counts the thread's connections: it changes whenever a new session
 * starts, so session state (advisory locks, LISTEN) can be re-established.
 */
unsigned long mf_db_generation(void);

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

/* Same, with every parameter a NUL-terminated string or NULL. */
PGresult *mf_db_execv(enum mf_sql stmt, struct mf_error *err, int nparams, ...);

/* Plain commands without parameters: BEGIN, COMMIT, ROLLBACK, ... */
int mf_db_command(const char *sql, struct mf_error *err);
int mf_db_begin(struct mf_error *err);
int mf_db_commit(struct mf_error *err);
/* Rolls back when a transaction is open; never fails. */
void mf_db_rollback(void);

/*
 * LISTEN on channel (a fixed identifier, not user input) with the
 * thread's connection, then wait up to timeout_ms for notifications, or
 * until wake_fd (-1: none) is readable: *count gets how many arrived. A broken
 * connection gives MF_E_UNAVAILABLE; the caller listens again after
 * reconnecting.
 */
int mf_db_listen(const char *channel, struct mf_error *err);
int mf_db_wait_notify(int timeout_ms, int wake_fd, int *count,
                      struct mf_error *err);

/*
 * Array parameters: start with mf_db_array_begin (writes "{"), push each
 * element (quoted and escaped, so any text is safe), end with "}".
 */
int mf_db_array_begin(struct mf_buf *b);
int mf_db_array_push(struct mf_buf *b, const char *s);
int mf_db_array_end(struct mf_buf *b);

/*
 * The SQLSTATE and DETAIL of the last failed statement on this thread,
 * or "". SQLSTATEs of class MF are refusals our own SQL functions raise:
 * they are expected, mapped to MF_E_CONFLICT and never logged as errors.
 */
const char *mf_db_last_sqlstate(void);
const char *mf_db_last_detail(void);

#endif
