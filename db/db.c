/*
 * Per-thread PostgreSQL connections and the one place statements run
 * (see db.h). A connection prepares each statement on first use. Every
 * wait is bounded: connections open with PQconnectPoll and statements run
 * with libpq's asynchronous calls, polling the socket against a deadline,
 * so a stopped or frozen server costs a request the timeout, not a thread.
 */
#include "db/exec.h"
#include "common/diag.h"
#include "common/timeutil.h"

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct thread_conn {
	PGconn *conn;
	unsigned long generation;
	unsigned char prepared[MF_SQL__MAX];
	char sqlstate[6];
	char detail[256];
	bool timed_out; /* the last call passed its deadline */
	bool unsent;    /* the last call failed before its query was sent */
};

static char *conninfo;
static int db_timeout_ms = 5000;
static _Thread_local int64_t thread_deadline;
/* Test fault (db/README.md): lose the connection right after mf_accept()
 * committed, as a server going away before the answer arrives would. */
static bool fault_drop_after_accept;
static pthread_key_t conn_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void
thread_conn_free(void *p)
{
	struct thread_conn *tc = p;

	if (tc->conn != NULL)
		PQfinish(tc->conn);
	free(tc);
}

static void
make_key(void)
{
	pthread_key_create(&conn_key, thread_conn_free);
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
 * deadline when that comes first. */
static int64_t
call_deadline(void)
{
	int64_t dl = mf_time_mono_ns() + (int64_t)db_timeout_ms * 1000000;

	if (thread_deadline != 0 && thread_deadline < dl)
		dl = thread_deadline;
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

static struct thread_conn *
thread_conn(void)
{
	struct thread_conn *tc = pthread_getspecific(conn_key);

	if (tc == NULL && (tc = calloc(1, sizeof(*tc))) != NULL)
		pthread_setspecific(conn_key, tc);
	return tc;
}

unsigned long
mf_db_generation(void)
{
	struct thread_conn *tc = thread_conn();

	return tc ? tc->generation : 0;
}

void
mf_db_drop(void)
{
	struct thread_conn *tc = pthread_getspecific(conn_key);

	if (tc != NULL && tc->conn != NULL) {
		PQfinish(tc->conn);
		tc->conn = NULL;
		memset(tc->prepared, 0, sizeof(tc->prepared));
	}
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

PGconn *
mf_db_conn_open(struct mf_error *err)
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
	int64_t dl = call_deadline();
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
	vals[0] = conninfo;
	vals[1] = connect_s;
	vals[2] = "modelfactsd";
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
			mf_diag_warn("database unavailable: no answer within "
			             "%d ms while connecting",
			             db_timeout_ms);
			PQfinish(conn);
			mf_error_set(err, MF_E_UNAVAILABLE, NULL,
			             "the database did not answer in time; try "
			             "again later");
			return NULL;
		}
		st = PQconnectPoll(conn);
	}
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		mf_diag_warn(
		    "database unavailable: %s",
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

PGconn *
mf_db_conn(struct mf_error *err)
{
	struct thread_conn *tc = thread_conn();

	if (tc == NULL) {
		mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		return NULL;
	}
	if (tc->conn != NULL && PQstatus(tc->conn) == CONNECTION_OK)
		return tc->conn;
	mf_db_drop();
	if ((tc->conn = mf_db_conn_open(err)) == NULL)
		return NULL;
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
		mf_diag_warn("database gave no answer within %d ms during %s",
		             db_timeout_ms, what);
		mf_db_drop();
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "the database did not answer in time; try "
		                    "again later");
	}
	if (res == NULL || tc->conn == NULL ||
	    PQstatus(tc->conn) != CONNECTION_OK) {
		mf_diag_warn("database connection lost during %s", what);
		mf_db_drop();
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
		mf_db_drop();
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
			mf_db_drop();
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
	int64_t dl = call_deadline();
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

static PGresult *
exec_retry(enum mf_sql stmt, const char *sql, int nparams,
           const char *const *values, const int *lengths, const int *formats,
           struct mf_error *err)
{
	struct thread_conn *tc;
	PGresult *res;
	int idle, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
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
			return res;
		}
		/* A connection that broke while idle is safe to redo once;
		 * one that timed out is not (that would double the wait). */
		if (idle && !tc->timed_out &&
		    (tc->conn == NULL || PQstatus(tc->conn) != CONNECTION_OK) &&
		    attempt == 0 && may_redo(tc, stmt)) {
			PQclear(res);
			mf_db_drop();
			continue;
		}
		result_error(tc, res, sql, err);
		PQclear(res);
		return NULL;
	}
	return NULL;
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
