/* Applies the embedded migrations (see migrate.h). */
#include "db/migrate.h"
#include "common/digest.h"
#include "common/embedded.h"
#include "common/diag.h"
#include "db/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An arbitrary constant: the advisory lock key for migrations. */
#define MIGRATE_LOCK_KEY "7316459102837461001"

struct migration {
	int version;
	const char *file; /* "0001_core.sql" */
	const struct mf_embedded *e;
};

/* Embedded files are sorted by path, so migrations come out in order. */
static int
list_migrations(struct migration *out, int max)
{
	const struct mf_embedded *e;
	const char *prefix = "migrations/", *base;
	int n = 0;

	for (e = mf_embedded_files; e->name != NULL; e++) {
		if (strncmp(e->name, prefix, strlen(prefix)) != 0)
			continue;
		base = e->name + strlen(prefix);
		if (n >= max)
			return -1;
		out[n].version = atoi(base);
		out[n].file = base;
		out[n].e = e;
		n++;
	}
	return n;
}

int
mf_migrate_latest(int *count_out)
{
	struct migration m[256];
	int n = list_migrations(m, 256);

	if (count_out != NULL)
		*count_out = n;
	return n > 0 ? m[n - 1].version : 0;
}

int
mf_migrate_status(int *latest_out, int *count_out, struct mf_error *err)
{
	PGresult *res;

	*latest_out = *count_out = 0;
	res = mf_db_exec(MF_SQL_MIGRATIONS_MAX, 0, NULL, NULL, NULL, err);
	if (res == NULL)
		return err->code;
	*latest_out = atoi(PQgetvalue(res, 0, 0));
	*count_out = atoi(PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

/*
 * Runs SQL unprepared on connection c: migrations change the schema that
 * prepared plans would depend on. run() takes a statement declared in
 * sql.c, run_command() a bare command (BEGIN, COMMIT).
 */
static PGresult *
run_text(PGconn *c, const char *sql, int n, const char *const *params,
         struct mf_error *err)
{
	PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	mf_error_set(
	    err, PQstatus(c) == CONNECTION_OK ? MF_E_SCHEMA : MF_E_UNAVAILABLE,
	    NULL, "migration step failed: %s", PQerrorMessage(c));
	PQclear(res);
	return NULL;
}

static PGresult *
run(PGconn *c, enum mf_sql stmt, int n, const char *const *params,
    struct mf_error *err)
{
	return run_text(c, mf_sql_text(stmt), n, params, err);
}

static PGresult *
run_command(PGconn *c, const char *command, struct mf_error *err)
{
	return run_text(c, command, 0, NULL, err);
}

static int
apply_one(PGconn *c, const struct migration *m, const char *sum,
          struct mf_error *err)
{
	char version[16];
	const char *params[3] = {version, m->file, sum};
	PGresult *res;

	snprintf(version, sizeof(version), "%d", m->version);
	if ((res = run_command(c, "BEGIN", err)) == NULL)
		return err->code;
	PQclear(res);
	/* PQexec: a migration file holds several statements. */
	res = PQexec(c, (const char *)m->e->data);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		mf_error_set(err, MF_E_SCHEMA, NULL, "migration %s failed: %s",
		             m->file, PQerrorMessage(c));
		PQclear(res);
		PQclear(PQexec(c, "ROLLBACK"));
		return err->code;
	}
	PQclear(res);
	res = run(c, MF_SQL_MIGRATION_RECORD, 3, params, err);
	if (res == NULL) {
		PQclear(PQexec(c, "ROLLBACK"));
		return err->code;
	}
	PQclear(res);
	if ((res = run_command(c, "COMMIT", err)) == NULL)
		return err->code;
	PQclear(res);
	mf_diag_info("applied migration %s", m->file);
	return 0;
}

static int
check_and_apply(PGconn *c, struct migration *m, int n, int *applied,
                struct mf_error *err)
{
	char sum[MF_SHA256_HEX_LEN + 1];
	PGresult *res;
	int i, r, rows, v, found, rc = 0;

	res = run(c, MF_SQL_MIGRATIONS_TABLE, 0, NULL, err);
	if (res == NULL)
		return err->code;
	PQclear(res);
	res = run(c, MF_SQL_MIGRATIONS_APPLIED, 0, NULL, err);
	if (res == NULL)
		return err->code;
	rows = PQntuples(res);
	for (r = 0; r < rows; r++) {
		v = atoi(PQgetvalue(res, r, 0));
		for (found = 0, i = 0; i < n && !found; i++)
			found = m[i].version == v;
		if (!found) {
			rc = mf_error_set(
			    err, MF_E_SCHEMA, NULL,
			    "the database has migration %s, which this "
			    "binary does not know: the database is newer "
			    "than the binary; run a newer modelfactsd",
			    PQgetvalue(res, r, 1));
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		mf_sha256_hex(sum, m[i].e->data, m[i].e->len);
		for (found = -1, r = 0; r < rows && found < 0; r++)
			if (atoi(PQgetvalue(res, r, 0)) == m[i].version)
				found = r;
		if (found >= 0) {
			if (strcmp(PQgetvalue(res, found, 2), sum) != 0) {
				rc = mf_error_set(
				    err, MF_E_SCHEMA, NULL,
				    "migration %s was changed after it was "
				    "applied (checksum %.12s... in the "
				    "database, %.12s... in this binary); "
				    "add a new migration instead of "
				    "editing an applied one",
				    m[i].file, PQgetvalue(res, found, 2), sum);
				goto done;
			}
			continue;
		}
		if ((rc = apply_one(c, &m[i], sum, err)) != 0)
			goto done;
		(*applied)++;
	}
done:
	PQclear(res);
	return rc;
}

int
mf_migrate_apply(int *applied_out, struct mf_error *err)
{
	struct migration m[256];
	const char *key[1] = {MIGRATE_LOCK_KEY};
	PGresult *res;
	PGconn *c;
	int n, applied = 0, rc;

	if ((n = list_migrations(m, 256)) < 0)
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "too many migrations");
	if ((c = mf_db_conn(err)) == NULL)
		return err->code;
	/* Session-level lock: held across the per-migration transactions. */
	if ((res = run(c, MF_SQL_MIGRATE_LOCK, 1, key, err)) == NULL)
		return err->code;
	PQclear(res);
	rc = check_and_apply(c, m, n, &applied, err);
	res = PQexecParams(c, mf_sql_text(MF_SQL_MIGRATE_UNLOCK), 1, NULL, key,
	                   NULL, NULL, 0);
	PQclear(res);
	if (applied_out != NULL)
		*applied_out = applied;
	return rc;
}
