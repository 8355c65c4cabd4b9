/* Building a submission's record (see record.h). */
#include "sequencer/record.h"
#include "common/encoding.h"
#include "common/json.h"
#include "merkle/merkle.h"
#include "db/tlog.h"
#include "sequencer/logstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Adds leaf_hash, checkpoint and inclusion_proof for a sequenced entry:
 * from `known` when given, else against the latest checkpoint, which
 * came with the record.
 */
static int
add_log_proof(json_t *rec, const struct mf_db_submission_record *r,
              const struct mf_record_proof *known, struct mf_error *err)
{
	uint64_t index = r->log_index;
	const char *leaf = r->leaf;
	uint8_t h[MF_MERKLE_HASH_LEN];
	char b64[64];
	json_t *proof = NULL;
	uint64_t size;
	int rc;

	mf_merkle_leaf_hash(h, leaf, strlen(leaf));
	mf_base64_encode(b64, h, sizeof(h));
	json_object_set_new(rec, "leaf", json_string(leaf));
	json_object_set_new(rec, "leaf_hash", json_string(b64));
	if (known != NULL && index < known->tree_size) {
		json_object_set_new(rec, "checkpoint",
		                    json_string(known->note));
		json_object_set_new(
		    rec, "inclusion_proof",
		    mf_logstore_proof_json(index, known->tree_size,
		                           known->hashes, known->n));
		return 0;
	}
	size = r->tree_size;
	if (size <= index) /* entries and their checkpoint commit together */
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "no checkpoint covers log index %" PRIu64,
		                    index);
	if ((rc = mf_logstore_inclusion(&proof, index, size, err)) != 0)
		return rc;
	json_object_set_new(rec, "checkpoint", json_string(r->note));
	json_object_set_new(rec, "inclusion_proof", proof);
	return 0;
}

int
mf_record_build(json_t **out, int64_t submission_id, const char *public_url,
                const struct mf_record_proof *proof, struct mf_error *err)
{
	struct mf_db_submission_record r;
	char link[2048];
	json_t *rec, *links;
	int rc;

	*out = NULL;
	if ((rc = mf_db_submission_record(&r, submission_id, err)) == 0 &&
	    r.sequenced)
		rc = add_log_proof(r.record, &r, proof, err);
	rec = r.record;
	r.record = NULL;
	mf_db_submission_record_dispose(&r);
	if (rc != 0) {
		json_decref(rec);
		return rc;
	}
	links = json_object();
	if (json_is_string(json_object_get(rec, "model"))) {
		snprintf(link, sizeof(link), "%s/v1/models/%s/%s", public_url,
		         mf_json_str(rec, "org"), mf_json_str(rec, "model"));
		json_object_set_new(links, "model", json_string(link));
	}
	if (json_is_integer(json_object_get(rec, "log_index"))) {
		snprintf(link, sizeof(link),
		         "%s/v1/log/entries/%" JSON_INTEGER_FORMAT, public_url,
		         json_integer_value(json_object_get(rec, "log_index")));
		json_object_set_new(links, "log_entry", json_string(link));
	}
	json_object_set_new(rec, "links", links);
	*out = rec;
	return 0;
}
