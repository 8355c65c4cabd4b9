/*
 * The submission pipeline's statements (see ingest.h): the SQL of
 * MF_SQL_INGEST_*, MF_SQL_ACCEPT and MF_SQL_KEY_STATUS, and how their rows
 * become the structs ingest/ reads.
 */
#include "db/ingest.h"
#include "common/buf.h"
#include "common/json.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
mf_db_ingest_keys_dispose(struct mf_db_ingest_keys *k)
{
	if (k == NULL)
		return;
	PQclear(k->rows);
	memset(k, 0, sizeof(*k));
}

int
mf_db_ingest_keys(struct mf_db_ingest_keys *out, const char *const *keyids,
                  size_t n, const char *payload_hex, const char *envelope_hex,
                  struct mf_error *err)
{
	struct mf_buf ids = MF_BUF_INIT;
	PGresult *res;
	size_t i;
	int row, rc = 0;

	memset(out, 0, sizeof(*out));
	out->existing_envelope_hex = "";
	out->existing_org = "";
	out->existing_payload_type = "";

	/* 1. The named key ids as one array parameter. */
	mf_db_array_begin(&ids);
	for (i = 0; i < n; i++)
		mf_db_array_push(&ids, keyids[i]);
	if (mf_db_array_end(&ids) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}

	/* 2. One row per known key (or one row of NULL keys), each with the
	 * earlier acceptance, if any. */
	res = mf_db_execv(MF_SQL_INGEST_KEYS, err, 3, ids.data, payload_hex,
	                  envelope_hex);
	if (res == NULL) {
		rc = err->code;
		goto done;
	}
	out->rows = res;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
		out->existing_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		out->existing_envelope_hex = PQgetvalue(res, 0, 1);
		out->existing_org = PQgetvalue(res, 0, 9);
		out->existing_payload_type = PQgetvalue(res, 0, 10);
		out->existing_flagged = PQgetvalue(res, 0, 11)[0] == 't';
	}

	/* 3. The keys, borrowing the result's strings. */
	for (row = 0; row < PQntuples(res); row++) {
		struct mf_db_signing_key *k = &out->keys[out->n];

		if (PQgetisnull(res, row, 2) ||
		    out->n == MF_DSSE_MAX_SIGNATURES)
			continue;
		k->keyid = PQgetvalue(res, row, 2);
		k->org = PQgetvalue(res, row, 3);
		k->alg = PQgetvalue(res, row, 4);
		k->public_key = PQgetvalue(res, row, 5);
		k->status = PQgetvalue(res, row, 6);
		k->role = PQgetvalue(res, row, 7);
		k->last_seq = strtoll(PQgetvalue(res, row, 8), NULL, 10);
		out->n++;
	}
done:
	mf_buf_dispose(&ids);
	return rc;
}

int
mf_db_ingest_subject(struct mf_db_ingest_subject *out, const char *org,
                     const char *model, const char *disclosure_hex,
                     struct mf_error *err)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	res = mf_db_execv(MF_SQL_INGEST_SUBJECT, err, 3, org, model,
	                  disclosure_hex);
	if (res == NULL)
		return err->code;
	out->org_exists = !PQgetisnull(res, 0, 0);
	snprintf(out->head_hex, sizeof(out->head_hex), "%s",
	         PQgetvalue(res, 0, 1));
	if (!PQgetisnull(res, 0, 2))
		out->disclosure_version = atoi(PQgetvalue(res, 0, 2));
	PQclear(res);
	return 0;
}

int
mf_db_accept_submission(int64_t *id, const struct mf_db_submission *s,
                        struct mf_error *err)
{
	struct mf_buf keyids = MF_BUF_INIT;
	const char *params[15];
	int lengths[15] = {0}, formats[15] = {0};
	char seq[24], *extra = NULL;
	PGresult *res = NULL;
	size_t i;
	int rc = 0;

	/* 1. The parameters: arrays and JSON as text, the envelope binary. */
	snprintf(seq, sizeof(seq), "%" PRId64, s->seq);
	mf_db_array_begin(&keyids);
	for (i = 0; i < s->nsigners; i++)
		mf_db_array_push(&keyids, s->signer_keyids[i]);
	if (mf_db_array_end(&keyids) != 0 ||
	    (extra = mf_json_dump(s->extra)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	params[0] = s->kind;
	params[1] = s->org;
	params[2] = s->keyid;
	params[3] = seq;
	params[4] = s->subject_org;
	params[5] = s->subject_model;
	params[6] = s->payload_type;
	params[7] = s->payload_hex;
	params[8] = s->envelope_hex;
	params[9] = s->envelope; /* bytea, sent as binary: the bytes exactly */
	lengths[9] = (int)s->envelope_len;
	formats[9] = 1;
	params[10] = s->payload;
	params[11] = s->issued_at;
	params[12] = keyids.data;
	params[13] = s->supersedes_hex;
	params[14] = extra;

	/* 2. One statement, one transaction. */
	res = mf_db_exec(MF_SQL_ACCEPT, 15, params, lengths, formats, err);
	if (res == NULL) {
		rc = err->code;
		goto done;
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
done:
	PQclear(res);
	free(extra);
	mf_buf_dispose(&keyids);
	return rc;
}

int
mf_db_key_status(struct mf_db_key_status *out, const char *keyid,
                 struct mf_error *err)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((res = mf_db_execv(MF_SQL_KEY_STATUS, err, 1, keyid)) == NULL)
		return err->code;
	if (PQntuples(res) > 0) {
		out->found = true;
		out->active = strcmp(PQgetvalue(res, 0, 0), "active") == 0;
		snprintf(out->org, sizeof(out->org), "%s",
		         PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return 0;
}
