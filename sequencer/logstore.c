/* Reading the stored Merkle log (see logstore.h). */
#include "sequencer/logstore.h"
#include "common/encoding.h"
#include "db/tlog.h"

#include <stdlib.h>
#include <string.h>

int
mf_logstore_fetch(const struct mf_merkle_plan *p,
                  uint8_t (*out)[MF_MERKLE_HASH_LEN], struct mf_error *err)
{
	uint8_t hashes[MF_MERKLE_PLAN_MAX][MF_MERKLE_HASH_LEN];
	int rc;

	if ((rc = mf_db_log_nodes_get(hashes, p->nodes, p->n_nodes, err)) != 0)
		return rc;
	mf_merkle_plan_apply(p, (const uint8_t(*)[MF_MERKLE_HASH_LEN])hashes,
	                     out);
	return 0;
}

int
mf_logstore_size(uint64_t *size, struct mf_error *err)
{
	return mf_db_log_size(size, err);
}

void
mf_logstore_checkpoint_dispose(struct mf_logstore_checkpoint *c)
{
	free(c->note);
	memset(c, 0, sizeof(*c));
}

/* Hands the database's checkpoint over (the note moves). */
static void
take(struct mf_logstore_checkpoint *c, struct mf_db_checkpoint *dc)
{
	c->size = dc->size;
	c->note = dc->note;
	memcpy(c->root, dc->root, MF_MERKLE_HASH_LEN);
	dc->note = NULL;
}

int
mf_logstore_checkpoint_latest(struct mf_logstore_checkpoint *c,
                              struct mf_error *err)
{
	struct mf_db_checkpoint dc;
	int rc = mf_db_log_checkpoint_latest(&dc, err);

	take(c, &dc);
	return rc;
}

int
mf_logstore_checkpoint_at(struct mf_logstore_checkpoint *c, uint64_t size,
                          struct mf_error *err)
{
	struct mf_db_checkpoint dc;
	int rc = mf_db_log_checkpoint_at(&dc, size, err);

	take(c, &dc);
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
