/*
 * The Merkle log's statements (see tlog.h): the SQL of MF_SQL_LOG_* and
 * MF_SQL_SUBMISSION_RECORD, and how their rows become the structs the
 * sequencer and the log readers use.
 */
#include "db/tlog.h"
#include "common/encoding.h"
#include "common/json.h"
#include "db/db.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The channel MF_SQL_LOG_CHECKPOINT_INSERT notifies. */
#define LOG_CHANNEL "mf_log"

int
mf_db_log_size(uint64_t *size, struct mf_error *err)
{
	PGresult *res = mf_db_execv(MF_SQL_LOG_SIZE, err, 0);

	if (res == NULL)
		return err->code;
	*size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int
mf_db_log_nodes_get(uint8_t (*hashes)[MF_MERKLE_HASH_LEN],
                    const struct mf_merkle_node_id *ids, size_t n,
                    struct mf_error *err)
{
	struct mf_buf levels = MF_BUF_INIT, idxs = MF_BUF_INIT;
	unsigned char filled[MF_MERKLE_PLAN_MAX] = {0};
	PGresult *res = NULL;
	size_t i;
	int r, rc = 0;

	if (n == 0)
		return 0;
	if (n > MF_MERKLE_PLAN_MAX)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "too many log nodes");
	/* 1. The nodes as two parallel array parameters. */
	mf_buf_putc(&levels, '{');
	mf_buf_putc(&idxs, '{');
	for (i = 0; i < n; i++) {
		mf_buf_printf(&levels, "%s%u", i ? "," : "", ids[i].level);
		mf_buf_printf(&idxs, "%s%" PRIu64, i ? "," : "", ids[i].index);
	}
	if (mf_buf_putc(&levels, '}') != 0 || mf_buf_putc(&idxs, '}') != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}

	/* 2. One query; a node named more than once fills every place. */
	res = mf_db_execv(MF_SQL_LOG_NODES_GET, err, 2, levels.data, idxs.data);
	if (res == NULL) {
		rc = err->code;
		goto done;
	}
	for (r = 0; r < PQntuples(res); r++) {
		unsigned level = (unsigned)atoi(PQgetvalue(res, r, 0));
		uint64_t idx = strtoull(PQgetvalue(res, r, 1), NULL, 10);

		for (i = 0; i < n; i++)
			if (ids[i].level == level && ids[i].index == idx &&
			    mf_hex_decode(hashes[i], MF_MERKLE_HASH_LEN,
			                  PQgetvalue(res, r, 2)) == 0)
				filled[i] = 1;
	}

	/* 3. Every node must be there. */
	for (i = 0; i < n; i++)
		if (!filled[i]) {
			rc = mf_error_set(err, MF_E_INTERNAL, NULL,
			                  "log node %u/%" PRIu64 " is missing",
			                  ids[i].level, ids[i].index);
			goto done;
		}
done:
	PQclear(res);
	mf_buf_dispose(&levels);
	mf_buf_dispose(&idxs);
	return rc;
}

/* Row 0 (tree_size, note, root hex) of a checkpoint query, if any. */
static int
checkpoint_row(struct mf_db_checkpoint *c, PGresult *res, struct mf_error *err)
{
	if (PQntuples(res) == 0)
		return 0;
	c->size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	if ((c->note = strdup(PQgetvalue(res, 0, 1))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "no memory");
	if (mf_hex_decode(c->root, MF_MERKLE_HASH_LEN, PQgetvalue(res, 0, 2)) !=
	    0)
		return mf_error_set(err, MF_E_INTERNAL, NULL, "bad root");
	return 0;
}

int
mf_db_log_checkpoint_latest(struct mf_db_checkpoint *c, struct mf_error *err)
{
	PGresult *res;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((res = mf_db_execv(MF_SQL_LOG_CHECKPOINT_LATEST, err, 0)) == NULL)
		return err->code;
	rc = checkpoint_row(c, res, err);
	PQclear(res);
	return rc;
}

int
mf_db_log_checkpoint_at(struct mf_db_checkpoint *c, uint64_t size,
                        struct mf_error *err)
{
	char s[24];
	PGresult *res;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(s, sizeof(s), "%" PRIu64, size);
	if ((res = mf_db_execv(MF_SQL_LOG_CHECKPOINT_AT, err, 1, s)) == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		rc = mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                  "no checkpoint was signed at size %s", s);
	else
		rc = checkpoint_row(c, res, err);
	PQclear(res);
	return rc;
}

int
mf_db_log_checkpoint_insert(uint64_t size,
                            const uint8_t root[MF_MERKLE_HASH_LEN],
                            const char *note, struct mf_error *err)
{
	char hex[2 * MF_MERKLE_HASH_LEN + 1], s[24];
	PGresult *res;

	snprintf(s, sizeof(s), "%" PRIu64, size);
	mf_hex_encode(hex, root, MF_MERKLE_HASH_LEN);
	res = mf_db_execv(MF_SQL_LOG_CHECKPOINT_INSERT, err, 3, s, hex, note);
	if (res == NULL)
		return err->code;
	PQclear(res);
	return 0;
}

void
mf_db_log_pending_dispose(struct mf_db_log_pending *p)
{
	if (p == NULL)
		return;
	free(p->ids);
	free(p->entries);
	PQclear(p->rows);
	memset(p, 0, sizeof(*p));
}

int
mf_db_log_pending(struct mf_db_log_pending *out, unsigned limit,
                  struct mf_error *err)
{
	char lim[16];
	PGresult *res;
	size_t n, r;

	memset(out, 0, sizeof(*out));
	snprintf(lim, sizeof(lim), "%u", limit);
	if ((res = mf_db_execv(MF_SQL_LOG_PENDING, err, 1, lim)) == NULL)
		return err->code;
	out->rows = res;
	if ((n = (size_t)PQntuples(res)) == 0)
		return 0;
	out->ids = malloc(n * sizeof(*out->ids));
	out->entries = malloc(n * sizeof(*out->entries));
	if (out->ids == NULL || out->entries == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	for (r = 0; r < n; r++) {
		struct mf_log_entry *e = &out->entries[r];
		int row = (int)r;

		out->ids[r] = strtoll(PQgetvalue(res, row, 0), NULL, 10);
		e->origin = NULL;
		e->kind = PQgetvalue(res, row, 1);
		e->org = PQgetvalue(res, row, 2);
		e->keyids = PQgetvalue(res, row, 3);
		e->seq = PQgetvalue(res, row, 4);
		e->subject_org = PQgetvalue(res, row, 5);
		e->subject_model = PQgetvalue(res, row, 6);
		e->payload_type = PQgetvalue(res, row, 7);
		e->payload_sha256 = PQgetvalue(res, row, 8);
		e->envelope_sha256 = PQgetvalue(res, row, 9);
		e->accepted_at = PQgetvalue(res, row, 10);
	}
	out->n = n;
	return 0;
}

void
mf_db_log_batch_init(struct mf_db_log_batch *b)
{
	memset(b, 0, sizeof(*b));
	mf_db_array_begin(&b->ids);
	mf_db_array_begin(&b->indices);
	mf_db_array_begin(&b->leaves);
	mf_db_array_begin(&b->levels);
	mf_db_array_begin(&b->idxs);
	if (mf_db_array_begin(&b->hashes) != 0)
		b->rc = MF_E_NOMEM;
}

void
mf_db_log_batch_dispose(struct mf_db_log_batch *b)
{
	mf_buf_dispose(&b->ids);
	mf_buf_dispose(&b->indices);
	mf_buf_dispose(&b->leaves);
	mf_buf_dispose(&b->levels);
	mf_buf_dispose(&b->idxs);
	mf_buf_dispose(&b->hashes);
}

/* Remembers the first failure; later pushes are harmless. */
static void
push(struct mf_db_log_batch *b, struct mf_buf *a, const char *s)
{
	int rc = mf_db_array_push(a, s);

	if (rc != 0 && b->rc == 0)
		b->rc = rc;
}

void
mf_db_log_batch_entry(struct mf_db_log_batch *b, int64_t submission_id,
                      uint64_t log_index, const char *leaf)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, submission_id);
	push(b, &b->ids, num);
	snprintf(num, sizeof(num), "%" PRIu64, log_index);
	push(b, &b->indices, num);
	push(b, &b->leaves, leaf);
}

void
mf_db_log_batch_node(struct mf_db_log_batch *b,
                     const struct mf_merkle_node *node)
{
	char num[24], hex[MF_MERKLE_HASH_LEN * 2 + 1];

	snprintf(num, sizeof(num), "%u", node->level);
	push(b, &b->levels, num);
	snprintf(num, sizeof(num), "%" PRIu64, node->index);
	push(b, &b->idxs, num);
	mf_hex_encode(hex, node->hash, MF_MERKLE_HASH_LEN);
	push(b, &b->hashes, hex);
}

int
mf_db_log_batch_store(struct mf_db_log_batch *b, struct mf_error *err)
{
	PGresult *res;

	/* 1. Close the arrays. */
	if (mf_db_array_end(&b->ids) != 0 ||
	    mf_db_array_end(&b->indices) != 0 ||
	    mf_db_array_end(&b->leaves) != 0 ||
	    mf_db_array_end(&b->levels) != 0 ||
	    mf_db_array_end(&b->idxs) != 0 ||
	    mf_db_array_end(&b->hashes) != 0 || b->rc != 0)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");

	/* 2. The entries' indices and leaves, then the nodes. */
	if ((res = mf_db_execv(MF_SQL_LOG_ASSIGN, err, 3, b->ids.data,
	                       b->indices.data, b->leaves.data)) == NULL)
		return err->code;
	PQclear(res);
	if ((res = mf_db_execv(MF_SQL_LOG_NODES_INSERT, err, 3, b->levels.data,
	                       b->idxs.data, b->hashes.data)) == NULL)
		return err->code;
	PQclear(res);
	return 0;
}

int
mf_db_log_sequenced(struct mf_db_log_position *pos, size_t n,
                    struct mf_error *err)
{
	struct mf_buf ids = MF_BUF_INIT;
	char num[24];
	PGresult *res;
	size_t i;
	int r, rc = 0;

	for (i = 0; i < n; i++)
		pos[i].log_index = -1;
	if (n == 0)
		return 0;
	mf_db_array_begin(&ids);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%" PRId64, pos[i].submission_id);
		mf_db_array_push(&ids, num);
	}
	if (mf_db_array_end(&ids) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if ((res = mf_db_execv(MF_SQL_LOG_SEQUENCED, err, 1, ids.data)) ==
	    NULL) {
		rc = err->code;
		goto done;
	}
	for (r = 0; r < PQntuples(res); r++) {
		int64_t id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		int64_t index = strtoll(PQgetvalue(res, r, 1), NULL, 10);

		for (i = 0; i < n; i++)
			if (pos[i].submission_id == id)
				pos[i].log_index = index;
	}
	PQclear(res);
done:
	mf_buf_dispose(&ids);
	return rc;
}

int
mf_db_log_listen(unsigned long *session, struct mf_error *err)
{
	int rc;

	if (mf_db_conn(err) == NULL)
		return err->code;
	if (*session == mf_db_generation())
		return 0;
	if ((rc = mf_db_listen(LOG_CHANNEL, err)) != 0)
		return rc;
	*session = mf_db_generation();
	return 0;
}

void
mf_db_submission_record_dispose(struct mf_db_submission_record *r)
{
	if (r == NULL)
		return;
	json_decref(r->record);
	PQclear(r->rows);
	memset(r, 0, sizeof(*r));
}

int
mf_db_submission_record(struct mf_db_submission_record *out,
                        int64_t submission_id, struct mf_error *err)
{
	char id[24];
	PGresult *res;

	memset(out, 0, sizeof(*out));
	out->leaf = out->note = "";
	snprintf(id, sizeof(id), "%" PRId64, submission_id);
	if ((res = mf_db_execv(MF_SQL_SUBMISSION_RECORD, err, 1, id)) == NULL)
		return err->code;
	out->rows = res;
	if (PQntuples(res) == 0)
		return mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                    "no such submission");
	out->record =
	    mf_json_parse(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0),
	                  "record", NULL, err);
	if (out->record == NULL)
		return MF_E_INTERNAL;
	if (PQgetisnull(res, 0, 1))
		return 0;
	out->sequenced = true;
	out->log_index = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	out->leaf = PQgetvalue(res, 0, 2);
	if (!PQgetisnull(res, 0, 3))
		out->tree_size = strtoull(PQgetvalue(res, 0, 3), NULL, 10);
	out->note = PQgetvalue(res, 0, 4);
	return 0;
}

int
mf_db_lease_acquire(int64_t *token, const char *role, const char *holder,
                    unsigned ms, bool reclaim, struct mf_error *err)
{
	char m[16];
	PGresult *res;

	*token = 0;
	snprintf(m, sizeof(m), "%u", ms);
	if ((res = mf_db_execv(MF_SQL_LEASE_ACQUIRE, err, 4, role, holder, m,
	                       reclaim ? "t" : "f")) == NULL)
		return err->code;
	if (!PQgetisnull(res, 0, 0))
		*token = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int
mf_db_lease_renew(bool *held, const char *role, int64_t token, unsigned ms,
                  struct mf_error *err)
{
	char t[24], m[16];
	PGresult *res;

	*held = false;
	snprintf(t, sizeof(t), "%" PRId64, token);
	snprintf(m, sizeof(m), "%u", ms);
	if ((res = mf_db_execv(MF_SQL_LEASE_RENEW, err, 3, role, t, m)) == NULL)
		return err->code;
	*held = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return 0;
}

int
mf_db_lease_release(const char *role, int64_t token, struct mf_error *err)
{
	char t[24];
	PGresult *res;

	snprintf(t, sizeof(t), "%" PRId64, token);
	if ((res = mf_db_execv(MF_SQL_LEASE_RELEASE, err, 2, role, t)) == NULL)
		return err->code;
	PQclear(res);
	return 0;
}

int
mf_db_lease_fence(const char *role, int64_t token, struct mf_error *err)
{
	char t[24];
	PGresult *res;

	snprintf(t, sizeof(t), "%" PRId64, token);
	if ((res = mf_db_execv(MF_SQL_LEASE_FENCE, err, 2, role, t)) == NULL) {
		if (strcmp(mf_db_last_sqlstate(), "MFL01") == 0) {
			mf_error_dispose(err);
			mf_error_init(err);
			return mf_error_set(err, MF_E_CONFLICT, NULL,
			                    "the %s lease has another holder",
			                    role);
		}
		return err->code;
	}
	PQclear(res);
	return 0;
}

int
mf_db_lease_session(unsigned idle_ms, struct mf_error *err)
{
	char m[16];
	PGresult *res;

	snprintf(m, sizeof(m), "%u", idle_ms);
	if ((res = mf_db_execv(MF_SQL_LEASE_SESSION, err, 1, m)) == NULL)
		return err->code;
	PQclear(res);
	return 0;
}
