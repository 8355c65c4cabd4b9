/* Reading a label's inputs from the database (see label.h). */
#include "db/label.h"
#include "common/json.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
parse_col(PGresult *res, int row, int col, struct mf_error *err)
{
	return mf_json_parse(PQgetvalue(res, row, col),
	                     (size_t)PQgetlength(res, row, col), "column", NULL,
	                     err);
}

/* as_of as a text parameter in buf, or NULL for now. */
static const char *
as_of_param(const int64_t *as_of, char buf[24])
{
	if (as_of == NULL)
		return NULL;
	snprintf(buf, 24, "%" PRId64, *as_of);
	return buf;
}

void
mf_db_label_version_dispose(struct mf_db_label_version *v)
{
	json_decref(v->signed_by);
	json_decref(v->disclosure);
	json_decref(v->withdrawn);
	json_decref(v->compromised);
	memset(v, 0, sizeof(*v));
}

int
mf_db_label_version(struct mf_db_label_version *out, const char *org,
                    const char *model, int version, const int64_t *as_of,
                    struct mf_error *err)
{
	char v[16], a[24];
	const char *pv = NULL, *pa = as_of_param(as_of, a);
	const char *any = version < 0 ? "true" : "false";
	PGresult *res;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (version > 0) {
		snprintf(v, sizeof(v), "%d", version);
		pv = v;
	}
	/* 1. The row: none means the model had no such version then. */
	res =
	    mf_db_execv(MF_SQL_LABEL_VERSION, err, 5, org, model, pv, pa, any);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		rc = mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                  "no such version of %s/%s", org, model);
		goto done;
	}
	/* 2. Its columns, the JSON ones parsed. */
	out->version = atoi(PQgetvalue(res, 0, 0));
	out->latest_version =
	    PQgetisnull(res, 0, 1) ? 0 : atoi(PQgetvalue(res, 0, 1));
	snprintf(out->payload_sha256, sizeof(out->payload_sha256), "%s",
	         PQgetvalue(res, 0, 2));
	snprintf(out->accepted_at, sizeof(out->accepted_at), "%s",
	         PQgetvalue(res, 0, 3));
	out->log_index = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	if ((out->signed_by = parse_col(res, 0, 5, err)) == NULL ||
	    (out->disclosure = parse_col(res, 0, 6, err)) == NULL ||
	    (!PQgetisnull(res, 0, 7) &&
	     (out->withdrawn = parse_col(res, 0, 7, err)) == NULL) ||
	    (!PQgetisnull(res, 0, 8) &&
	     (out->compromised = parse_col(res, 0, 8, err)) == NULL))
		rc = err->code;
done:
	PQclear(res);
	if (rc != 0)
		mf_db_label_version_dispose(out);
	return rc;
}

int
mf_db_label_evals(json_t **out, const char *org, const char *model,
                  const int64_t *as_of, struct mf_error *err)
{
	char a[24];
	PGresult *res;

	*out = NULL;
	res = mf_db_execv(MF_SQL_LABEL_EVALS, err, 3, org, model,
	                  as_of_param(as_of, a));
	if (res == NULL)
		return err->code;
	*out = parse_col(res, 0, 0, err);
	PQclear(res);
	return *out != NULL ? 0 : err->code;
}

int
mf_db_label_compromised(json_t **out, const char *org, const char *model,
                        int version, const int64_t *as_of, struct mf_error *err)
{
	char a[24], v[16];
	PGresult *res;

	*out = NULL;
	snprintf(v, sizeof(v), "%d", version);
	res = mf_db_execv(MF_SQL_LABEL_COMPROMISED, err, 4, org, model, v,
	                  as_of_param(as_of, a));
	if (res == NULL)
		return err->code;
	*out = parse_col(res, 0, 0, err);
	PQclear(res);
	return *out != NULL ? 0 : err->code;
}

void
mf_db_judgements_free(struct mf_db_judgement *j, size_t n)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(j[i].assessor);
		free(j[i].assessor_name);
		free(j[i].index_id);
		json_decref(j[i].payload);
		json_decref(j[i].document);
	}
	free(j);
}

/* Row i of MF_SQL_LABEL_JUDGEMENTS into j. */
static int
judgement_row(struct mf_db_judgement *j, PGresult *res, int i,
              struct mf_error *err)
{
	j->assessor = strdup(PQgetvalue(res, i, 0));
	j->assessor_name = strdup(PQgetvalue(res, i, 1));
	j->index_id = strdup(PQgetvalue(res, i, 2));
	if (j->assessor == NULL || j->assessor_name == NULL ||
	    j->index_id == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	if ((j->payload = parse_col(res, i, 3, err)) == NULL)
		return err->code;
	if (!PQgetisnull(res, i, 4) &&
	    (j->document = parse_col(res, i, 4, err)) == NULL)
		return err->code;
	j->log_index = strtoll(PQgetvalue(res, i, 5), NULL, 10);
	snprintf(j->payload_sha256, sizeof(j->payload_sha256), "%s",
	         PQgetvalue(res, i, 6));
	snprintf(j->accepted_at, sizeof(j->accepted_at), "%s",
	         PQgetvalue(res, i, 7));
	j->version = PQgetisnull(res, i, 8) ? 0 : atoi(PQgetvalue(res, i, 8));
	return 0;
}

int
mf_db_label_judgements(struct mf_db_judgement **out, size_t *n, const char *org,
                       const char *model, int version, const int64_t *as_of,
                       size_t max, struct mf_error *err)
{
	struct mf_db_judgement *j = NULL;
	char v[16], p[24];
	PGresult *res;
	size_t rows, i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	snprintf(v, sizeof(v), "%d", version);
	res = mf_db_execv(MF_SQL_LABEL_JUDGEMENTS, err, 4, org, model, v,
	                  as_of_param(as_of, p));
	if (res == NULL)
		return err->code;
	rows = (size_t)PQntuples(res);
	if (rows > max)
		rows = max;
	if (rows == 0)
		goto done;
	if ((j = calloc(rows, sizeof(*j))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < rows && rc == 0; i++)
		rc = judgement_row(&j[i], res, (int)i, err);
done:
	PQclear(res);
	if (rc != 0) {
		mf_db_judgements_free(j, rows);
		return rc;
	}
	*out = j;
	*n = j != NULL ? rows : 0;
	return 0;
}

int
mf_db_log_index_at(int64_t *out, const char *instant, struct mf_error *err)
{
	PGresult *res;

	*out = -1;
	res = mf_db_execv(MF_SQL_LOG_INDEX_AT, err, 1, instant);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 1)
		*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}
