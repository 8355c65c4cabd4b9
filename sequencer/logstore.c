/* Reading the stored Merkle log (see logstore.h). */
#include "sequencer/logstore.h"
#include "common/buf.h"
#include "common/encoding.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_logstore_fetch(const struct mf_merkle_plan *p,
                  uint8_t (*out)[MF_MERKLE_HASH_LEN], struct mf_error *err)
{
	uint8_t hashes[MF_MERKLE_PLAN_MAX][MF_MERKLE_HASH_LEN];
	unsigned char filled[MF_MERKLE_PLAN_MAX] = {0};
	struct mf_buf levels = MF_BUF_INIT, idxs = MF_BUF_INIT;
	PGresult *res = NULL;
	size_t i;
	int r, rc = 0;

	if (p->n_nodes == 0)
		goto apply;
	mf_buf_putc(&levels, '{');
	mf_buf_putc(&idxs, '{');
	for (i = 0; i < p->n_nodes; i++) {
		mf_buf_printf(&levels, "%s%u", i ? "," : "", p->nodes[i].level);
		mf_buf_printf(&idxs, "%s%" PRIu64, i ? "," : "",
		              p->nodes[i].index);
	}
	if (mf_buf_putc(&levels, '}') != 0 || mf_buf_putc(&idxs, '}') != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	res = mf_db_execv(MF_SQL_LOG_NODES_GET, err, 2, levels.data, idxs.data);
	if (res == NULL) {
		rc = err->code;
		goto done;
	}
	/* A plan may name one node more than once: fill every place. */
	for (r = 0; r < PQntuples(res); r++) {
		unsigned level = (unsigned)atoi(PQgetvalue(res, r, 0));
		uint64_t idx = strtoull(PQgetvalue(res, r, 1), NULL, 10);

		for (i = 0; i < p->n_nodes; i++)
			if (p->nodes[i].level == level &&
			    p->nodes[i].index == idx &&
			    mf_hex_decode(hashes[i], MF_MERKLE_HASH_LEN,
			                  PQgetvalue(res, r, 2)) == 0)
				filled[i] = 1;
	}
	for (i = 0; i < p->n_nodes; i++)
		if (!filled[i]) {
			rc = mf_error_set(err, MF_E_INTERNAL, NULL,
			                  "log node %u/%" PRIu64 " is missing",
			                  p->nodes[i].level, p->nodes[i].index);
			goto done;
		}
apply:
	mf_merkle_plan_apply(p, (const uint8_t(*)[MF_MERKLE_HASH_LEN])hashes,
	                     out);
done:
	PQclear(res);
	mf_buf_dispose(&levels);
	mf_buf_dispose(&idxs);
	return rc;
}

int
mf_logstore_size(uint64_t *size, struct mf_error *err)
{
	PGresult *res = mf_db_execv(MF_SQL_LOG_SIZE, err, 0);

	if (res == NULL)
		return err->code;
	*size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

void
mf_logstore_checkpoint_dispose(struct mf_logstore_checkpoint *c)
{
	free(c->note);
	memset(c, 0, sizeof(*c));
}

static int
checkpoint_row(struct mf_logstore_checkpoint *c, PGresult *res,
               struct mf_error *err)
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
mf_logstore_checkpoint_latest(struct mf_logstore_checkpoint *c,
                              struct mf_error *err)
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
mf_logstore_checkpoint_at(struct mf_logstore_checkpoint *c, uint64_t size,
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

static json_t *
hashes_json(const uint8_t (*h)[MF_MERKLE_HASH_LEN], size_t n)
{
	char b64[64];
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		mf_base64_encode(b64, h[i], MF_MERKLE_HASH_LEN);
		json_array_append_new(a, json_string(b64));
	}
	return a;
}

int
mf_logstore_inclusion(json_t **out, uint64_t index, uint64_t size,
                      struct mf_error *err)
{
	uint8_t proof[MF_MERKLE_MAX_PROOF][MF_MERKLE_HASH_LEN];
	struct mf_merkle_plan plan;
	int rc;

	*out = NULL;
	if (index >= size || mf_merkle_plan_inclusion(&plan, index, size) != 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "index must be less than size");
	if ((rc = mf_logstore_fetch(&plan, proof, err)) != 0)
		return rc;
	*out = mf_logstore_proof_json(
	    index, size, (const uint8_t(*)[MF_MERKLE_HASH_LEN])proof,
	    plan.n_out);
	return *out ? 0 : MF_E_NOMEM;
}

json_t *
mf_logstore_proof_json(uint64_t index, uint64_t size,
                       const uint8_t (*hashes)[MF_MERKLE_HASH_LEN], size_t n)
{
	return json_pack("{s:I, s:I, s:o}", "index", (json_int_t)index,
	                 "tree_size", (json_int_t)size, "hashes",
	                 hashes_json(hashes, n));
}

int
mf_logstore_consistency(json_t **out, uint64_t from, uint64_t to,
                        struct mf_error *err)
{
	uint8_t proof[MF_MERKLE_MAX_PROOF][MF_MERKLE_HASH_LEN];
	struct mf_merkle_plan plan;
	int rc;

	*out = NULL;
	if (from == 0 || from > to ||
	    mf_merkle_plan_consistency(&plan, from, to) != 0)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "need 0 < from <= to");
	if ((rc = mf_logstore_fetch(&plan, proof, err)) != 0)
		return rc;
	*out =
	    json_pack("{s:I, s:I, s:o}", "from", (json_int_t)from, "to",
	              (json_int_t)to, "hashes",
	              hashes_json((const uint8_t(*)[MF_MERKLE_HASH_LEN])proof,
	                          plan.n_out));
	return *out ? 0 : MF_E_NOMEM;
}
