/*
 * The read endpoints' queries (see read.h): results are copied out of the
 * PGresult into the caller's buffer or structs, so nothing outside db/
 * sees libpq.
 */
#include "db/read.h"
#include "common/json.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_db_read_json(struct mf_buf *out, bool *found, enum mf_sql stmt, int nparams,
                const char *const *params, struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	/* 1. Run the statement. */
	*found = false;
	mf_buf_clear(out);
	if ((res = mf_db_exec(stmt, nparams, params, NULL, NULL, err)) == NULL)
		return err->code;
	/* 2. No row or NULL: not found. */
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		goto done;
	/* 3. The column as PostgreSQL wrote it. */
	if ((rc = mf_buf_append(out, PQgetvalue(res, 0, 0),
	                        (size_t)PQgetlength(res, 0, 0))) != 0) {
		mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	*found = true;
done:
	PQclear(res);
	return rc;
}

int
mf_db_version_envelope(struct mf_buf *out, bool *found, const char *org,
                       const char *model, const char *version,
                       struct mf_error *err)
{
	unsigned char *raw = NULL;
	PGresult *res;
	size_t n;
	int rc = 0;

	/* 1. The stored envelope (bytea, text format). */
	*found = false;
	mf_buf_clear(out);
	res = mf_db_execv(MF_SQL_VERSION_ENVELOPE, err, 3, org, model, version);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		goto done;
	/* 2. Back to the bytes that were submitted. */
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &n);
	if (raw == NULL || mf_buf_append(out, raw, n) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	*found = true;
done:
	if (raw != NULL)
		PQfreemem(raw);
	PQclear(res);
	return rc;
}

int
mf_db_version_for_diff(struct mf_db_diff_version *out, bool *found,
                       const char *org, const char *model, const char *version,
                       struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	/* 1. The version's payload, scores and totals. */
	memset(out, 0, sizeof(*out));
	*found = false;
	res = mf_db_execv(MF_SQL_VERSION_FOR_DIFF, err, 3, org, model, version);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		goto done;
	*found = true;
	/* 2. Both documents parsed; the database wrote them, so a parse
	 * failure is ours. */
	out->payload =
	    mf_json_parse(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0),
	                  "payload", NULL, err);
	out->scores =
	    mf_json_parse(PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1),
	                  "scores", NULL, err);
	out->score_total = atoi(PQgetvalue(res, 0, 2));
	out->score_max = atoi(PQgetvalue(res, 0, 3));
	if (out->payload == NULL || out->scores == NULL)
		rc = MF_E_INTERNAL;
done:
	PQclear(res);
	return rc;
}

void
mf_db_diff_version_dispose(struct mf_db_diff_version *v)
{
	json_decref(v->payload);
	json_decref(v->scores);
	memset(v, 0, sizeof(*v));
}

int
mf_db_log_entry(struct mf_db_log_entry *out, bool *found, uint64_t index,
                struct mf_error *err)
{
	char n[24];
	PGresult *res;
	int rc = 0;

	/* 1. The entry with its stored leaf hash. */
	memset(out, 0, sizeof(*out));
	*found = false;
	snprintf(n, sizeof(n), "%" PRIu64, index);
	if ((res = mf_db_execv(MF_SQL_LOG_ENTRY, err, 1, n)) == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		goto done;
	/* 2. Copied out, column by column (only the model may be NULL). */
	if (mf_db_dup_value(&out->leaf, res, 1) != 0 ||
	    mf_db_dup_value(&out->leaf_hash, res, 2) != 0 ||
	    mf_db_dup_value(&out->envelope, res, 3) != 0 ||
	    mf_db_dup_value(&out->kind, res, 4) != 0 ||
	    mf_db_dup_value(&out->org, res, 5) != 0 ||
	    mf_db_dup_value(&out->model, res, 6) != 0 ||
	    mf_db_dup_value(&out->accepted_at, res, 7) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	*found = true;
done:
	PQclear(res);
	return rc;
}

void
mf_db_log_entry_dispose(struct mf_db_log_entry *e)
{
	free(e->leaf);
	free(e->leaf_hash);
	free(e->envelope);
	free(e->kind);
	free(e->org);
	free(e->model);
	free(e->accepted_at);
	memset(e, 0, sizeof(*e));
}
