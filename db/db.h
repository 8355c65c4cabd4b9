/*
 * The database layer: one PostgreSQL connection per thread, opened on first
 * use and reopened after the server went away, and every SQL statement of
 * the program declared once in sql.c and prepared per connection.
 * Only db/ includes libpq: this header is what the other stages see
 * (connections, transactions, notifications); db/exec.h is the part of
 * the layer that runs statements and reads PGresults, for db/ alone.
 */
#ifndef MF_DB_H
#define MF_DB_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Remembers the connection string; call once before any thread uses it. */
int mf_db_global_init(const char *conninfo);

/*
 * The longest any one database call waits, in milliseconds (default
 * 5000): connecting, a statement (also sent as the session's
 * statement_timeout) and a server that stopped answering (a frozen
 * process behind a Unix socket: the call polls the socket against the
 * deadline and drops the connection when it passes). Set before threads
 * use the database.
 */
void mf_db_set_timeout(int ms);
int mf_db_timeout(void);
/*
 * An absolute deadline (mf_time_mono_ns() clock) for the calling thread's
 * database calls, on top of the timeout: a request that waited in a queue
 * has less left. 0 clears it.
 */
void mf_db_set_deadline(int64_t mono_ns);

/*
 * Read replicas (--database-url-read; db/README.md "Read replicas").
 * The calling thread serves a read-only request (on) or not (off, the
 * default): while on, its statements go to the read replica when one is
 * configured and within its lag bound, else to the primary; a statement
 * the replica fails is read again from the primary, which then serves the
 * rest of the request. Writes, and the reads they depend on, run with it
 * off: the HTTP layer turns it on for GET and HEAD only, and background
 * threads (sequencer, publisher) never do.
 */
void mf_db_set_read_only(bool on);

/*
 * Configures the replica (info NULL or "": none) and its lag bound;
 * call before threads use the database, then start its monitor
 * (db/replica.h). 0 or MF_E_NOMEM.
 */
int mf_db_replica_configure(const char *info, int max_lag_ms);

enum mf_db_replica_state {
	MF_DB_REPLICA_STARTING,    /* not measured yet */
	MF_DB_REPLICA_OK,          /* within the bound: reads go there */
	MF_DB_REPLICA_LAGGING,     /* beyond it, or how far is unknown */
	MF_DB_REPLICA_UNREACHABLE, /* no connection, or it failed a read */
	MF_DB_REPLICA_NOT_STANDBY, /* a server that is not in recovery */
	MF_DB_REPLICA_UNMEASURED,  /* the primary did not say where it is */
};

/* The replica as /readyz shows it; filled by value, state is static. */
struct mf_db_replica_status {
	bool configured;
	const char *state;
	bool in_use;        /* a read-only request starting now would use it */
	double lag_seconds; /* < 0: unknown */
	double max_lag_seconds;
	bool replay_paused;
	long long checked_ms_ago; /* -1: never */
	unsigned long statements; /* answered by the replica */
	unsigned long fallbacks;  /* failed there, read from the primary */
};
void mf_db_replica_status(struct mf_db_replica_status *out);

/*
 * Makes sure the thread has a working connection, connecting when needed
 * (which starts a new mf_db_generation()). 0, or MF_E_UNAVAILABLE.
 */
int mf_db_connect(struct mf_error *err);
/* Closes the thread's connection, e.g. after it broke mid-transaction. */
void mf_db_drop(void);
/*
 * Counts the thread's connections: it changes whenever a new session
 * starts, so session state (advisory locks, LISTEN) can be re-established.
 */
unsigned long mf_db_generation(void);

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
 * The SQLSTATE and DETAIL of the last failed statement on this thread,
 * or "". SQLSTATEs of class MF are refusals our own SQL functions raise:
 * they are expected, mapped to MF_E_CONFLICT and never logged as errors.
 */
const char *mf_db_last_sqlstate(void);
const char *mf_db_last_detail(void);

#endif
