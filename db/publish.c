/*
 * The git publisher's statements (see publish.h). A batch of pending
 * entries keeps its result: the envelopes are large, and the entries
 * point into it rather than copying them.
 */
#include "db/publish.h"
#include "common/json.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_db_pub_last(int64_t *out, struct mf_error *err)
{
	PGresult *res = mf_db_execv(MF_SQL_PUB_LAST, err, 0);

	*out = -1;
	if (res == NULL)
		return err->code;
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

void
mf_db_pub_batch_dispose(struct mf_db_pub_batch *b)
{
	free(b->entries);
	PQclear(b->rows);
	memset(b, 0, sizeof(*b));
}

int
mf_db_pub_pending(struct mf_db_pub_batch *out, int64_t from, int limit,
                  struct mf_error *err)
{
	struct mf_db_pub_entry *e;
	char f[24], l[16];
	PGresult *res;
	int r, n;

	memset(out, 0, sizeof(*out));
	snprintf(f, sizeof(f), "%" PRId64, from);
	snprintf(l, sizeof(l), "%d", limit);
	/* 1. The rows, kept: the entries borrow their strings. */
	if ((res = mf_db_execv(MF_SQL_PUB_PENDING, err, 2, f, l)) == NULL)
		return err->code;
	out->rows = res;
	if ((n = PQntuples(res)) == 0)
		return 0;
	if ((out->entries = calloc((size_t)n, sizeof(*e))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	/* 2. One entry per row, in the statement's column order. */
	for (r = 0; r < n; r++) {
		e = &out->entries[r];
		e->log_index = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		e->kind = PQgetvalue(res, r, 1);
		e->signer = PQgetvalue(res, r, 2);
		e->org = PQgetvalue(res, r, 3);
		e->model = PQgetvalue(res, r, 4);
		e->payload_sha256 = PQgetvalue(res, r, 5);
		e->accepted = strtoll(PQgetvalue(res, r, 6), NULL, 10);
		e->keyids = PQgetvalue(res, r, 7);
		e->envelope = PQgetvalue(res, r, 8);
		e->version = atoi(PQgetvalue(res, r, 9));
		e->accepted_at = PQgetvalue(res, r, 10);
		if (!PQgetisnull(res, r, 11)) {
			e->checkpoint = PQgetvalue(res, r, 11);
			e->checkpoint_len = (size_t)PQgetlength(res, r, 11);
		}
	}
	out->n = (size_t)n;
	return 0;
}

int
mf_db_pub_keys(json_t **out, const char *org, int64_t log_index,
               struct mf_error *err)
{
	char idx[24];
	PGresult *res;
	int rc = 0;

	*out = NULL;
	snprintf(idx, sizeof(idx), "%" PRId64, log_index);
	if ((res = mf_db_execv(MF_SQL_PUB_KEYS, err, 2, org, idx)) == NULL)
		return err->code;
	/* json_agg over no rows is NULL: no keys then */
	if (!PQgetisnull(res, 0, 0) &&
	    (*out = mf_json_parse(PQgetvalue(res, 0, 0),
	                          (size_t)PQgetlength(res, 0, 0), "keys", NULL,
	                          err)) == NULL)
		rc = err->code;
	PQclear(res);
	return rc;
}

void
mf_db_pub_records_init(struct mf_db_pub_records *r)
{
	mf_buf_init(&r->log_index, 0);
	mf_buf_init(&r->commit_id, 0);
	r->n = 0;
	mf_db_array_begin(&r->log_index);
	mf_db_array_begin(&r->commit_id);
}

int
mf_db_pub_records_add(struct mf_db_pub_records *r, int64_t log_index,
                      const char *commit_id)
{
	char idx[24];
	int rc;

	snprintf(idx, sizeof(idx), "%" PRId64, log_index);
	if ((rc = mf_db_array_push(&r->log_index, idx)) == 0 &&
	    (rc = mf_db_array_push(&r->commit_id, commit_id)) == 0)
		r->n++;
	return rc;
}

int
mf_db_pub_record(struct mf_db_pub_records *r, struct mf_error *err)
{
	PGresult *res;

	if (mf_db_array_end(&r->log_index) != 0 ||
	    mf_db_array_end(&r->commit_id) != 0)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	res = mf_db_execv(MF_SQL_PUB_RECORD, err, 2, r->log_index.data,
	                  r->commit_id.data);
	if (res == NULL)
		return err->code;
	PQclear(res);
	return 0;
}

void
mf_db_pub_records_dispose(struct mf_db_pub_records *r)
{
	mf_buf_dispose(&r->log_index);
	mf_buf_dispose(&r->commit_id);
	r->n = 0;
}

int
mf_db_facts_catch_up(int64_t upto, int max, int64_t *through,
                     struct mf_error *err)
{
	char u[24], m[16];
	PGresult *res;

	snprintf(u, sizeof(u), "%lld", (long long)upto);
	snprintf(m, sizeof(m), "%d", max);
	res =
	    mf_db_execv(MF_SQL_FACTS_CATCH_UP, err, 2, upto >= 0 ? u : NULL, m);
	if (res == NULL)
		return err->code;
	if (through != NULL)
		*through = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
		               ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
		               : -1;
	PQclear(res);
	return 0;
}
