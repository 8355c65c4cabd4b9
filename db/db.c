/*
 * Per-thread PostgreSQL connections and the one place statements run
 * (see db.h). A connection prepares each statement on first use. Every
 * wait is bounded: connections open with PQconnectPoll and statements run
 * with libpq's asynchronous calls, polling the socket against a deadline,
 * so a stopped or frozen server costs a request the timeout, not a thread.
 * A thread has two connections: the primary, and the read replica's
 * (--database-url-read), used only while the thread serves a read-only
 * request (mf_db_set_read_only) and the replica is within its lag bound;
 * the health state the replica monitor (replica.c) measures lives here.
 */
#include "db/exec.h"
#include "common/diag.h"
#include "common/timeutil.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct thread_conn {
	PGconn *conn;
	bool replica; /* the read replica's connection, not the primary's */
	unsigned long generation;
	unsigned char prepared[MF_SQL__MAX];
	char sqlstate[6];
	char detail[256];
	bool timed_out; /* the last call passed its deadline */
	bool unsent;    /* the last call failed before its query was sent */
};

/* A thread's two connections (role[1] the replica's). */
struct thread_conns {
	struct thread_conn role[2];
};

/*
 * Where the thread's statements go. PRIMARY unless the thread serves a
 * read-only request: READ until its first statement picks the replica
 * (READ_REPLICA) or the primary (back to PRIMARY, for the rest of the
 * request: a request never moves from the primary to a replica that may
 * be behind it). REPLICA_ONLY: the replica monitor's own queries.
 */
enum route {
	ROUTE_PRIMARY,
	ROUTE_READ,
	ROUTE_READ_REPLICA,
	ROUTE_REPLICA_ONLY
};

static char *conninfo;
static int db_timeout_ms = 5000;
static _Thread_local int64_t thread_deadline;
static _Thread_local enum route thread_route;
/* The replica monitor's thread: expected failures are not logged. */
static _Thread_local bool thread_quiet;

/* The read replica's health (replica.c measures it; see db/README.md). */
#define REPLICA_FRESH_NS (3000LL * 1000000)
static struct {
	pthread_mutex_t mu;
	char *conninfo; /* NULL: no replica */
	int max_lag_ms;
	enum mf_db_replica_state state;
	double lag_s; /* < 0: unknown */
	bool paused;
	int64_t checked_ns; /* mono time of the last measure or failure */
} replica = {.mu = PTHREAD_MUTEX_INITIALIZER, .lag_s = -1};
/* statements the replica answered; reads it failed (redone on the primary) */
static atomic_ulong replica_statements, replica_fallbacks;

#define db_warn(...)                                                           \
	do {                                                                   \
		if (!thread_quiet)                                             \
			mf_diag_warn(__VA_ARGS__);                             \
	} while (0)
/* Test fault (db/README.md): lose the connection right after mf_accept()
 * committed, as a server going away before the answer arrives would. */
static bool fault_drop_after_accept;
static pthread_key_t conn_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void
thread_conns_free(void *p)
{
	struct thread_conns *all = p;

	for (int i = 0; i < 2; i++)
		if (all->role[i].conn != NULL)
			PQfinish(all->role[i].conn);
	free(all);
}

static void
make_key(void)
{
	pthread_key_create(&conn_key, thread_conns_free);
}

int
mf_db_global_init(const char *info)
{
	pthread_once(&key_once, make_key);
	free(conninfo);
	conninfo = strdup(info);
	const char *fault = getenv("MODELFACTS_TEST_FAULT");

	fault_drop_after_accept =
	    fault != NULL && strcmp(fault, "drop-after-accept") == 0;
	if (fault_drop_after_accept)
		mf_diag_warn("test fault injection on: %s", fault);
	return conninfo ? 0 : MF_E_NOMEM;
}

void
mf_db_set_timeout(int ms)
{
	db_timeout_ms = ms > 0 ? ms : 5000;
}

int
mf_db_timeout(void)
{
	return db_timeout_ms;
}

void
mf_db_set_deadline(int64_t mono_ns)
{
	thread_deadline = mono_ns;
}

/* When the call starting now must end: the timeout, or the thread's
 * deadline when that comes first. A request's call to the replica gets
 * half of what is left, so the primary has the other half when the
 * replica does not answer. */
static int64_t
call_deadline(bool to_replica)
{
	int64_t now = mf_time_mono_ns();
	int64_t dl = now + (int64_t)db_timeout_ms * 1000000;

	if (thread_deadline != 0 && thread_deadline < dl)
		dl = thread_deadline;
	if (to_replica && thread_route == ROUTE_READ_REPLICA && dl > now)
		dl = now + (dl - now) / 2;
	return dl;
}

/* Milliseconds left until dl for poll(): 0 once it passed. */
static int
ms_left(int64_t dl)
{
	int64_t left = dl - mf_time_mono_ns();

	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

/*
 * Waits until conn's socket is ready for events or dl passes: 1 ready,
 * 0 timed out.
 */
static int
wait_socket(PGconn *conn, short events, int64_t dl)
{
	struct pollfd pfd;
	int n, left;

	pfd.fd = PQsocket(conn);
	pfd.events = events;
	for (;;) {
		if ((left = ms_left(dl)) == 0)
			return 0;
		pfd.revents = 0;
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		/* EINTR: poll again with what is left */
	}
}

static bool
on_replica(void)
{
	return thread_route == ROUTE_READ_REPLICA ||
	       thread_route == ROUTE_REPLICA_ONLY;
}

/* The thread's connection for where its statements go now; NULL when
 * out of memory (create) or never used (!create). */
static struct thread_conn *
route_conn(bool create)
{
	struct thread_conns *all = pthread_getspecific(conn_key);

	if (all == NULL && create && (all = calloc(1, sizeof(*all))) != NULL) {
		all->role[1].replica = true;
		pthread_setspecific(conn_key, all);
	}
	return all ? &all->role[on_replica() ? 1 : 0] : NULL;
}

static struct thread_conn *
thread_conn(void)
{
	return route_conn(true);
}

unsigned long
mf_db_generation(void)
{
	struct thread_conn *tc = thread_conn();

	return tc ? tc->generation : 0;
}

static void
tc_drop(struct thread_conn *tc)
{
	if (tc != NULL && tc->conn != NULL) {
		PQfinish(tc->conn);
		tc->conn = NULL;
		memset(tc->prepared, 0, sizeof(tc->prepared));
	}
}

void
mf_db_drop(void)
{
	tc_drop(route_conn(false));
}

/* libpq messages end in newlines and may span lines; logs want one line. */
static const char *
one_line(const char *s, char *out, size_t n)
{
	size_t i;

	snprintf(out, n, "%s", s);
	for (i = 0; out[i]; i++)
		if (out[i] == '\n' || out[i] == '\r')
			out[i] = ' ';
	while (i > 0 && out[i - 1] == ' ')
		out[--i] = '\0';
	return out;
}

static void
notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A new connection to the primary or the replica, bounded by the
 * deadline; NULL with MF_E_UNAVAILABLE. */
static PGconn *
conn_open(bool to_replica, struct mf_error *err)
{
	/*
	 * UTC everywhere, so timestamps in JSON and logs read the same. No
	 * JIT: the planner's cost estimates of the search statement made
	 * PostgreSQL compile it on every request, 2.5 s of a 2.7 s query at
	 * 10,000 models (bench/query, BENCHMARKS.md); no statement of ours
	 * runs long enough to win it back. work_mem 16 MB: a list's 10,000
	 * current models (bench/query) spilled to temporary files at the
	 * default 4 MB (temp written=321 pages in EXPLAIN ANALYZE).
	 */
	static const char *keys[] = {"dbname",
	                             "connect_timeout",
	                             "application_name",
	                             "options",
	                             "keepalives",
	                             "keepalives_idle",
	                             "keepalives_interval",
	                             "keepalives_count",
	                             "tcp_user_timeout",
	                             NULL};
	char connect_s[16], options[160], user_ms[16];
	const char *vals[10];
	int64_t t0 = mf_time_mono_ns(), dl = call_deadline(to_replica);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn *conn;
	char msg[512];

	/*
	 * The deadline bounds the whole: libpq's connect_timeout (whole
	 * seconds, at least 2) only backs it up; statement_timeout ends a
	 * statement the server runs too long; over TCP, keepalives and
	 * tcp_user_timeout notice a peer that went away (ignored on a Unix
	 * socket, where the poll deadline does it).
	 */
	snprintf(connect_s, sizeof(connect_s), "%d",
	         db_timeout_ms < 2000 ? 2 : (db_timeout_ms + 999) / 1000);
	snprintf(options, sizeof(options),
	         "-c TimeZone=UTC -c DateStyle=ISO -c jit=off "
	         "-c work_mem=16MB -c statement_timeout=%d",
	         db_timeout_ms);
	snprintf(user_ms, sizeof(user_ms), "%d", db_timeout_ms);
	vals[0] = to_replica ? replica.conninfo : conninfo;
	vals[1] = connect_s;
	/* which is which in pg_stat_activity */
	vals[2] = to_replica ? "modelfactsd-read" : "modelfactsd";
	vals[3] = options;
	vals[4] = "1";
	vals[5] = "5";
	vals[6] = "1";
	vals[7] = "3";
	vals[8] = user_ms;
	vals[9] = NULL;
	conn = PQconnectStartParams(keys, vals, 1);
	while (conn != NULL && PQstatus(conn) != CONNECTION_BAD &&
	       st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		if (!wait_socket(conn,
		                 st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
		                 dl)) {
			db_warn("%s unavailable: no answer within %lld ms "
			        "while connecting",
			        to_replica ? "read replica" : "database",
			        (long long)(mf_time_mono_ns() - t0) / 1000000);
			PQfinish(conn);
			mf_error_set(err, MF_E_UNAVAILABLE, NULL,
			             "the database did not answer in time; try "
			             "again later");
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		db_warn("%s unavailable: %s",
		        to_replica ? "read replica" : "database",
		        conn ? one_line(PQerrorMessage(conn), msg, sizeof(msg))
		             : "no memory");
		if (conn != NULL)
			PQfinish(conn);
		mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		             "the database is unavailable; try again later");
		return NULL;
	}
	PQsetNoticeProcessor(conn, notice_quiet, NULL);
	/* sending never blocks either: await() flushes against the deadline */
	PQsetnonblocking(conn, 1);
	return conn;
}

void
mf_db_set_read_only(bool on)
{
	thread_route =
	    on && replica.conninfo != NULL ? ROUTE_READ : ROUTE_PRIMARY;
}

void
mf_db_route_replica_only(bool on)
{
	thread_route = on ? ROUTE_REPLICA_ONLY : ROUTE_PRIMARY;
	thread_quiet = on;
}

int
mf_db_replica_configure(const char *info, int max_lag_ms)
{
	pthread_mutex_lock(&replica.mu);
	free(replica.conninfo);
	replica.conninfo = info != NULL && *info ? strdup(info) : NULL;
	replica.max_lag_ms = max_lag_ms;
	replica.state = MF_DB_REPLICA_STARTING;
	replica.lag_s = -1;
	replica.checked_ns = 0;
	pthread_mutex_unlock(&replica.mu);
	return info != NULL && *info && replica.conninfo == NULL ? MF_E_NOMEM
	                                                         : 0;
}

int
mf_db_replica_max_lag_ms(void)
{
	return replica.max_lag_ms;
}

static const char *
state_name(enum mf_db_replica_state st)
{
	static const char *const names[] = {
	    [MF_DB_REPLICA_STARTING] = "starting",
	    [MF_DB_REPLICA_OK] = "ok",
	    [MF_DB_REPLICA_LAGGING] = "lagging",
	    [MF_DB_REPLICA_UNREACHABLE] = "unreachable",
	    [MF_DB_REPLICA_NOT_STANDBY] = "not_standby",
	    [MF_DB_REPLICA_UNMEASURED] = "unmeasured",
	};

	return names[st];
}

void
mf_db_replica_publish(enum mf_db_replica_state st, double lag_s, bool paused)
{
	enum mf_db_replica_state was;
	char lag[32];

	pthread_mutex_lock(&replica.mu);
	was = replica.state;
	replica.state = st;
	replica.lag_s = lag_s;
	replica.paused = paused;
	replica.checked_ns = mf_time_mono_ns();
	pthread_mutex_unlock(&replica.mu);
	/* 1. Say so when reads move, not every second. */
	if (st == was)
		return;
	if (lag_s >= 0)
		snprintf(lag, sizeof(lag), "%.1f s", lag_s);
	else
		snprintf(lag, sizeof(lag), "unknown");
	if (st == MF_DB_REPLICA_OK)
		mf_diag_info("read replica: %s (lag %s, bound %.1f s): "
		             "read-only requests read from it",
		             state_name(st), lag, replica.max_lag_ms / 1000.0);
	else
		mf_diag_warn("read replica: %s (lag %s, bound %.1f s%s): "
		             "read-only requests read from the primary",
		             state_name(st), lag, replica.max_lag_ms / 1000.0,
		             paused ? ", replay paused" : "");
}

bool
mf_db_replica_usable(void)
{
	bool ok;

	pthread_mutex_lock(&replica.mu);
	ok = replica.conninfo != NULL && replica.state == MF_DB_REPLICA_OK &&
	     mf_time_mono_ns() - replica.checked_ns < REPLICA_FRESH_NS;
	pthread_mutex_unlock(&replica.mu);
	return ok;
}

void
mf_db_replica_failed(const char *why, bool down)
{
	bool was_ok;

	atomic_fetch_add(&replica_fallbacks, 1);
	if (!down)
		return;
	pthread_mutex_lock(&replica.mu);
	was_ok = replica.state == MF_DB_REPLICA_OK;
	if (was_ok) {
		replica.state = MF_DB_REPLICA_UNREACHABLE;
		replica.checked_ns = mf_time_mono_ns();
	}
	pthread_mutex_unlock(&replica.mu);
	if (was_ok)
		mf_diag_warn("read replica: unreachable (%s): read-only "
		             "requests read from the primary",
		             why);
}

void
mf_db_replica_status(struct mf_db_replica_status *out)
{
	int64_t now = mf_time_mono_ns();

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&replica.mu);
	out->configured = replica.conninfo != NULL;
	out->state = state_name(replica.state);
	out->lag_seconds = replica.lag_s;
	out->max_lag_seconds = replica.max_lag_ms / 1000.0;
	out->replay_paused = replica.paused;
	out->checked_ms_ago =
	    replica.checked_ns == 0 ? -1 : (now - replica.checked_ns) / 1000000;
	pthread_mutex_unlock(&replica.mu);
	out->in_use = mf_db_replica_usable();
	out->statements = atomic_load(&replica_statements);
	out->fallbacks = atomic_load(&replica_fallbacks);
}

/* A read-only request's first statement: the replica when it is healthy
 * and fresh, else the primary for the whole request. */
static void
route_decide(void)
{
	if (thread_route == ROUTE_READ)
		thread_route =
		    mf_db_replica_usable() ? ROUTE_READ_REPLICA : ROUTE_PRIMARY;
}

/* The replica failed a read-only request: the rest of it goes to the
 * primary. down: the replica itself is unreachable, not just unable to
 * do this (a write, a recovery conflict). */
static void
route_fall_back(const char *why, bool down)
{
	thread_route = ROUTE_PRIMARY;
	mf_db_replica_failed(why, down);
}

PGconn *
mf_db_conn_open(struct mf_error *err)
{
	PGconn *conn;

	route_decide();
	if (thread_route != ROUTE_READ_REPLICA)
		return conn_open(on_replica(), err);
	if ((conn = conn_open(true, err)) != NULL)
		return conn;
	/* the replica is down: this request reads from the primary */
	route_fall_back("cannot connect", true);
	mf_error_dispose(err); /* the primary's answer counts */
	return conn_open(false, err);
}

PGconn *
mf_db_conn(struct mf_error *err)
{
	struct thread_conn *tc;

	route_decide();
	if ((tc = thread_conn()) == NULL) {
		mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		return NULL;
	}
	if (tc->conn != NULL && PQstatus(tc->conn) == CONNECTION_OK)
		return tc->conn;
	tc_drop(tc);
	if ((tc->conn = conn_open(tc->replica, err)) == NULL) {
		if (thread_route != ROUTE_READ_REPLICA)
			return NULL;
		route_fall_back("cannot connect", true);
		mf_error_dispose(err); /* the primary's answer counts */
		return mf_db_conn(err);
	}
	tc->generation++;
	return tc->conn;
}

int
mf_db_connect(struct mf_error *err)
{
	return mf_db_conn(err) != NULL ? 0 : err->code;
}

/* Maps a failed result to an error code, logging what clients never see. */
static int
result_error(struct thread_conn *tc, PGresult *res, const char *what,
             struct mf_error *err)
{
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	const char *detail =
	    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;

	snprintf(tc->sqlstate, sizeof(tc->sqlstate), "%s", state ? state : "");
	snprintf(tc->detail, sizeof(tc->detail), "%s", detail ? detail : "");
	if (state != NULL && strncmp(state, "MF", 2) == 0)
		return mf_error_set(err, MF_E_CONFLICT, NULL, "refused");
	if (tc->timed_out) {
		db_warn("database gave no answer within %d ms during %s",
		        db_timeout_ms, what);
		tc_drop(tc);
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "the database did not answer in time; try "
		                    "again later");
	}
	if (res == NULL || tc->conn == NULL ||
	    PQstatus(tc->conn) != CONNECTION_OK) {
		db_warn("database connection lost during %s", what);
		tc_drop(tc);
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "the database is unavailable; try again "
		                    "later");
	}
	if (state != NULL && strcmp(state, "23505") == 0)
		return mf_error_set(err, MF_E_CONFLICT, NULL,
		                    "conflicts with an existing record");
	/* statement_timeout: the server itself gave up in time */
	if (state != NULL && strcmp(state, "57014") == 0) {
		mf_diag_warn("database statement timed out (%d ms) during %s",
		             db_timeout_ms, what);
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "the database did not answer in time; try "
		                    "again later");
	}
	/* Admin shutdown, crash recovery, too many connections. */
	if (state != NULL &&
	    (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0 ||
	     strcmp(state, "53300") == 0)) {
		tc_drop(tc);
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "the database is unavailable; try again "
		                    "later");
	}
	char msg[512];

	mf_diag_error("database error in %s: %s", what,
	              tc->conn
	                  ? one_line(PQerrorMessage(tc->conn), msg, sizeof(msg))
	                  : "?");
	return mf_error_set(err, MF_E_INTERNAL, NULL, "internal error");
}

static int
result_ok(PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/*
 * Collects the answer to what was just sent on tc's connection, flushing
 * and reading as the socket allows until dl. Returns the result (the first
 * failed one, else the last), or NULL: the connection broke, or dl passed
 * (tc->timed_out; the connection is then dropped, and statement_timeout
 * ends the statement on the server).
 */
static PGresult *
await(struct thread_conn *tc, int64_t dl)
{
	PGconn *c = tc->conn;
	PGresult *keep = NULL, *r;
	int flush;

	/* 1. Send what libpq still holds and read until a result is whole. */
	for (;;) {
		flush = PQflush(c);
		if (flush < 0)
			goto broken;
		if (flush == 0 && !PQisBusy(c)) {
			if ((r = PQgetResult(c)) == NULL)
				break;
			/* 2. Keep the first failure, else the last result. */
			if (keep != NULL && !result_ok(keep) &&
			    PQresultStatus(keep) != PGRES_EMPTY_QUERY) {
				PQclear(r);
			} else {
				PQclear(keep);
				keep = r;
			}
			continue;
		}
		if (!wait_socket(c, (short)(POLLIN | (flush > 0 ? POLLOUT : 0)),
		                 dl)) {
			tc->timed_out = true;
			PQclear(keep);
			tc_drop(tc);
			return NULL;
		}
		if (PQconsumeInput(c) == 0)
			goto broken;
	}
	return keep;
broken:
	PQclear(keep);
	return NULL;
}

/* Runs declared statement stmt (prepared once per connection), or, with
 * stmt MF_SQL__MAX, the text sql (unnamed, so planned with the values);
 * nparams -1 sends sql as a plain command (several statements allowed). */
static PGresult *
exec_once(struct thread_conn *tc, enum mf_sql stmt, const char *sql,
          int nparams, const char *const *values, const int *lengths,
          const int *formats)
{
	int64_t dl = call_deadline(tc->replica);
	char name[16];
	PGresult *res;

	tc->timed_out = false;
	tc->unsent = false;
	if (nparams < 0) {
		if (!PQsendQuery(tc->conn, sql))
			goto unsent;
		return await(tc, dl);
	}
	if (stmt == MF_SQL__MAX) {
		if (!PQsendQueryParams(tc->conn, sql, nparams, NULL, values,
		                       lengths, formats, 0))
			goto unsent;
		return await(tc, dl);
	}
	snprintf(name, sizeof(name), "mf%d", (int)stmt);
	if (!tc->prepared[stmt]) {
		if (!PQsendPrepare(tc->conn, name, mf_sql_text(stmt), 0, NULL))
			goto unsent;
		res = await(tc, dl);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		tc->prepared[stmt] = 1;
	}
	if (!PQsendQueryPrepared(tc->conn, name, nparams, values, lengths,
	                         formats, 0))
		goto unsent;
	return await(tc, dl);
unsent:
	tc->unsent = true;
	return NULL;
}

/*
 * Whether a statement whose connection broke before its answer may simply
 * run again: not mf_accept(), which may have committed (the caller looks
 * the submission up instead, ingest/ingest.c).
 */
static bool
may_redo(struct thread_conn *tc, enum mf_sql stmt)
{
	return tc->unsent || stmt != MF_SQL_ACCEPT;
}

/*
 * Whether a statement that failed on the replica is read again from the
 * primary (with the rest of the request): yes unless the primary would
 * refuse it the same way (our own refusals, data and syntax errors,
 * unique violations). *down: the replica went away or stopped answering,
 * rather than being unable to run this one statement (a write in a
 * read-only request, 25006; a conflict with its recovery, 40001).
 */
static bool
replica_redo(struct thread_conn *tc, PGresult *res, bool *down)
{
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	*down = res == NULL || tc->timed_out || tc->conn == NULL ||
	        PQstatus(tc->conn) != CONNECTION_OK ||
	        (state != NULL && (strncmp(state, "57P", 3) == 0 ||
	                           strncmp(state, "08", 2) == 0 ||
	                           strncmp(state, "53", 2) == 0));
	if (*down || state == NULL)
		return true;
	return strncmp(state, "MF", 2) != 0 && strncmp(state, "22", 2) != 0 &&
	       strncmp(state, "23", 2) != 0 && strncmp(state, "42", 2) != 0;
}

static PGresult *
exec_retry(enum mf_sql stmt, const char *sql, int nparams,
           const char *const *values, const int *lengths, const int *formats,
           struct mf_error *err)
{
	struct thread_conn *tc;
	PGresult *res;
	bool redone = false, down;
	int idle;

	for (;;) {
		if (mf_db_conn(err) == NULL)
			return NULL;
		tc = thread_conn();
		idle = PQtransactionStatus(tc->conn) == PQTRANS_IDLE;
		res =
		    exec_once(tc, stmt, sql, nparams, values, lengths, formats);
		if (res != NULL && result_ok(res)) {
			if (stmt == MF_SQL_ACCEPT && fault_drop_after_accept) {
				PQclear(res);
				mf_db_drop();
				tc->sqlstate[0] = '\0';
				mf_diag_warn("test fault: connection dropped "
				             "after mf_accept()");
				mf_error_set(err, MF_E_UNAVAILABLE, NULL,
				             "the database is unavailable; try "
				             "again later");
				return NULL;
			}
			if (thread_route == ROUTE_READ_REPLICA)
				atomic_fetch_add(&replica_statements, 1);
			return res;
		}
		/* A connection that broke while idle is safe to redo once;
		 * one that timed out is not (that would double the wait). */
		if (idle && !tc->timed_out &&
		    (tc->conn == NULL || PQstatus(tc->conn) != CONNECTION_OK) &&
		    !redone && may_redo(tc, stmt)) {
			redone = true;
			PQclear(res);
			mf_db_drop();
			continue;
		}
		/* A read the replica failed is read from the primary, once
		 * (after a new connection to it, above, when an idle one had
		 * broken: a replica restarted since); a transaction it had
		 * open is given up with its connection. */
		if (thread_route == ROUTE_READ_REPLICA &&
		    replica_redo(tc, res, &down)) {
			if (!idle || down)
				tc_drop(tc);
			PQclear(res);
			route_fall_back(down ? "connection lost"
			                     : "statement refused",
			                down);
			redone = false; /* the primary's connection may redo */
			continue;
		}
		result_error(tc, res, sql, err);
		PQclear(res);
		return NULL;
	}
}

PGresult *
mf_db_exec(enum mf_sql stmt, int nparams, const char *const *values,
           const int *lengths, const int *formats, struct mf_error *err)
{
	return exec_retry(stmt, mf_sql_text(stmt), nparams, values, lengths,
	                  formats, err);
}

PGresult *
mf_db_exec_text(const char *sql, int nparams, const char *const *values,
                struct mf_error *err)
{
	return exec_retry(MF_SQL__MAX, sql, nparams, values, NULL, NULL, err);
}

PGresult *
mf_db_execv(enum mf_sql stmt, struct mf_error *err, int nparams, ...)
{
	const char *values[32];
	va_list ap;
	int i;

	if (nparams > 32)
		return NULL;
	va_start(ap, nparams);
	for (i = 0; i < nparams; i++)
		values[i] = va_arg(ap, const char *);
	va_end(ap);
	return mf_db_exec(stmt, nparams, values, NULL, NULL, err);
}

int
mf_db_command(const char *sql, struct mf_error *err)
{
	struct thread_conn *tc;
	PGresult *res;
	int rc = 0;

	if (mf_db_conn(err) == NULL)
		return err ? err->code : MF_E_UNAVAILABLE;
	tc = thread_conn();
	res = exec_once(tc, MF_SQL__MAX, sql, -1, NULL, NULL, NULL);
	if (res == NULL || !result_ok(res))
		rc = result_error(tc, res, sql, err);
	PQclear(res);
	return rc;
}

int
mf_db_begin(struct mf_error *err)
{
	return mf_db_command("BEGIN", err);
}

int
mf_db_commit(struct mf_error *err)
{
	return mf_db_command("COMMIT", err);
}

void
mf_db_rollback(void)
{
	struct thread_conn *tc = pthread_getspecific(conn_key);
	PGresult *res;

	if (tc == NULL || tc->conn == NULL ||
	    PQtransactionStatus(tc->conn) == PQTRANS_IDLE)
		return;
	res = exec_once(tc, MF_SQL__MAX, "ROLLBACK", -1, NULL, NULL, NULL);
	PQclear(res);
	if (tc->conn != NULL && PQstatus(tc->conn) != CONNECTION_OK)
		mf_db_drop();
}

const char *
mf_db_last_sqlstate(void)
{
	struct thread_conn *tc = pthread_getspecific(conn_key);

	return tc ? tc->sqlstate : "";
}

const char *
mf_db_last_detail(void)
{
	struct thread_conn *tc = pthread_getspecific(conn_key);

	return tc ? tc->detail : "";
}

int
mf_db_listen(const char *channel, struct mf_error *err)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	return mf_db_command(sql, err);
}

int
mf_db_wait_notify(int timeout_ms, int wake_fd, int *count, struct mf_error *err)
{
	struct thread_conn *tc = thread_conn();
	struct pollfd pfd[2];
	PGnotify *n;

	*count = 0;
	if (tc == NULL || tc->conn == NULL ||
	    PQstatus(tc->conn) != CONNECTION_OK)
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "not connected");
	pfd[0].fd = PQsocket(tc->conn);
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	pfd[1].fd = wake_fd;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	if (poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms) < 0)
		return 0; /* interrupted: the caller loops */
	if (PQconsumeInput(tc->conn) == 0) {
		mf_db_drop();
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "database connection lost");
	}
	while ((n = PQnotifies(tc->conn)) != NULL) {
		(*count)++;
		PQfreemem(n);
	}
	return 0;
}

int
mf_db_array_begin(struct mf_buf *b)
{
	mf_buf_clear(b);
	return mf_buf_putc(b, '{');
}

int
mf_db_array_push(struct mf_buf *b, const char *s)
{
	int rc = 0;

	if (b->len > 1)
		rc = mf_buf_putc(b, ',');
	if (rc == 0)
		rc = mf_buf_putc(b, '"');
	for (; rc == 0 && *s; s++) {
		if (*s == '"' || *s == '\\')
			rc = mf_buf_putc(b, '\\');
		if (rc == 0)
			rc = mf_buf_putc(b, *s);
	}
	return rc ? rc : mf_buf_putc(b, '"');
}

int
mf_db_array_end(struct mf_buf *b)
{
	return mf_buf_putc(b, '}');
}

int
mf_db_dup_value(char **out, const PGresult *res, int col)
{
	*out = NULL;
	if (PQgetisnull(res, 0, col))
		return 0;
	if ((*out = strdup(PQgetvalue(res, 0, col))) == NULL)
		return MF_E_NOMEM;
	return 0;
}
