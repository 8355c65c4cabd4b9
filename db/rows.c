/*
 * Row streams (see rows.h): a cursor on a connection opened for the
 * stream, read BATCH rows per FETCH as the rows are asked for, so a slow
 * client holds back PostgreSQL instead of filling our memory. (Single-row
 * mode, one result per row, cost about 6 us a row: bench/export's models
 * export ran at 17-20 MB/s with it.)
 */
#include "db/rows.h"
#include "common/diag.h"
#include "db/exec.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's built-in type OIDs (pg_type.dat), stable across versions. */
enum {
	OID_BOOL = 16,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_JSON = 114,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
	OID_JSONB = 3802,
};

/* Rows per FETCH: a few MB at most for the widest export rows. */
#define BATCH "1000"

struct mf_db_rows {
	PGconn *conn;
	PGresult *batch; /* the rows of the last FETCH */
	int n;           /* how many */
	int i;           /* the current row; -1 before the first */
	bool done;       /* no FETCH will return more */
	int ncols;
	char **names;
	enum mf_db_coltype *types;
};

static atomic_int open_streams;

static enum mf_db_coltype
coltype(Oid oid)
{
	switch (oid) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return MF_DB_COL_NUMBER;
	case OID_BOOL:
		return MF_DB_COL_BOOL;
	case OID_JSON:
	case OID_JSONB:
		return MF_DB_COL_JSON;
	default:
		return MF_DB_COL_TEXT;
	}
}

/* A failed result: logged for us, a generic message for the client. */
static int
fail(struct mf_db_rows *r, const PGresult *res, struct mf_error *err)
{
	char msg[512];
	size_t i;

	snprintf(msg, sizeof(msg), "%s",
	         res ? PQresultErrorMessage(res) : PQerrorMessage(r->conn));
	for (i = 0; msg[i]; i++)
		if (msg[i] == '\n')
			msg[i] = ' ';
	if (PQstatus(r->conn) != CONNECTION_OK) {
		mf_diag_warn("database connection lost during a stream: %s",
		             msg);
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "the database is unavailable; try again "
		                    "later");
	}
	mf_diag_error("database error in a stream: %s", msg);
	return mf_error_set(err, MF_E_INTERNAL, NULL, "internal error");
}

/* Copies the column names and types out of a result. */
static int
columns(struct mf_db_rows *r, const PGresult *res)
{
	int i;

	r->ncols = PQnfields(res);
	r->names = calloc((size_t)r->ncols + 1, sizeof(*r->names));
	r->types = calloc((size_t)r->ncols + 1, sizeof(*r->types));
	if (r->names == NULL || r->types == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < r->ncols; i++) {
		if ((r->names[i] = strdup(PQfname(res, i))) == NULL)
			return MF_E_NOMEM;
		r->types[i] = coltype(PQftype(res, i));
	}
	return 0;
}

/* The next batch of rows into r->batch (none left: r->done). */
static int
fetch(struct mf_db_rows *r, struct mf_error *err)
{
	PGresult *res;
	int rc;

	PQclear(r->batch);
	r->batch = NULL;
	r->n = 0;
	r->i = -1;
	res = PQexec(r->conn, "FETCH FORWARD " BATCH " FROM mf_stream");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = fail(r, res, err);
		PQclear(res);
		r->done = true;
		return rc;
	}
	r->batch = res;
	r->n = PQntuples(res);
	if (r->n < atoi(BATCH))
		r->done = true;
	return 0;
}

int
mf_db_rows_open(struct mf_db_rows **out, enum mf_sql stmt, int nparams,
                const char *const *params, struct mf_error *err)
{
	return mf_db_rows_open_text(out, mf_sql_text(stmt), nparams, params,
	                            err);
}

int
mf_db_rows_open_text(struct mf_db_rows **out, const char *sql, int nparams,
                     const char *const *params, struct mf_error *err)
{
	struct mf_db_rows *r;
	ExecStatusType st;
	PGresult *res;
	char *declare;
	int rc;

	*out = NULL;
	/* 1. A stream slot and a connection of its own. */
	if (atomic_fetch_add(&open_streams, 1) >= MF_DB_ROWS_MAX) {
		atomic_fetch_sub(&open_streams, 1);
		return mf_error_set(err, MF_E_UNAVAILABLE, NULL,
		                    "too many exports in progress; try again "
		                    "later");
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		atomic_fetch_sub(&open_streams, 1);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	if ((r->conn = mf_db_conn_open(err)) == NULL) {
		rc = err->code;
		goto fail;
	}
	res = PQexec(r->conn, mf_sql_text(MF_SQL_STREAM_SESSION));
	st = PQresultStatus(res);
	PQclear(res);
	if (st != PGRES_COMMAND_OK) {
		rc = fail(r, NULL, err);
		goto fail;
	}
	/* 2. The statement as a cursor in a transaction of its own. */
	res = PQexec(r->conn, "BEGIN READ ONLY");
	st = PQresultStatus(res);
	PQclear(res);
	if (st != PGRES_COMMAND_OK) {
		rc = fail(r, NULL, err);
		goto fail;
	}
	if ((declare = malloc(strlen(sql) + 64)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	snprintf(declare, strlen(sql) + 64,
	         "DECLARE mf_stream NO SCROLL CURSOR FOR %s", sql);
	res = PQexecParams(r->conn, declare, nparams, NULL, params, NULL, NULL,
	                   0);
	free(declare);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK) {
		rc = fail(r, res, err);
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	/* 3. Its first rows, or an error, reported before the caller sends
	 * anything; the columns from them (also when there are none). */
	if ((rc = fetch(r, err)) != 0)
		goto fail;
	if (columns(r, r->batch) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	*out = r;
	return 0;
fail:
	mf_db_rows_free(r);
	return rc;
}

void
mf_db_rows_free(struct mf_db_rows *r)
{
	int i;

	if (r == NULL)
		return;
	PQclear(r->batch);
	/* Closing the connection ends an unfinished query server-side. */
	if (r->conn != NULL)
		PQfinish(r->conn);
	for (i = 0; r->names != NULL && i < r->ncols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->types);
	free(r);
	atomic_fetch_sub(&open_streams, 1);
}

int
mf_db_rows_ncols(const struct mf_db_rows *r)
{
	return r->ncols;
}

const char *
mf_db_rows_name(const struct mf_db_rows *r, int col)
{
	return col >= 0 && col < r->ncols ? r->names[col] : NULL;
}

enum mf_db_coltype
mf_db_rows_type(const struct mf_db_rows *r, int col)
{
	return col >= 0 && col < r->ncols ? r->types[col] : MF_DB_COL_TEXT;
}

int
mf_db_rows_next(struct mf_db_rows *r, bool *have, struct mf_error *err)
{
	int rc = 0;

	if (r->batch != NULL && r->i + 1 < r->n) {
		r->i++;
	} else if (!r->done && r->batch != NULL) {
		if ((rc = fetch(r, err)) == 0 && r->n > 0)
			r->i = 0;
	} else {
		r->i = r->n; /* past the end */
	}
	*have = r->batch != NULL && r->i >= 0 && r->i < r->n;
	return rc;
}

const char *
mf_db_rows_value(const struct mf_db_rows *r, int col, size_t *len)
{
	*len = 0;
	if (r->batch == NULL || r->i < 0 || r->i >= r->n || col < 0 ||
	    col >= r->ncols || PQgetisnull(r->batch, r->i, col))
		return NULL;
	*len = (size_t)PQgetlength(r->batch, r->i, col);
	return PQgetvalue(r->batch, r->i, col);
}
