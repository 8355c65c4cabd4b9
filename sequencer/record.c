/* Building a submission's record (see record.h). */
#include "sequencer/record.h"
#include "common/encoding.h"
#include "common/json.h"
#include "merkle/merkle.h"
#include "db/exec.h"
#include "sequencer/logstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Adds leaf_hash, checkpoint and inclusion_proof for a sequenced entry:
 * from `known` when given, else against the latest checkpoint, which
 * came with the record (columns 3 and 4).
 */
static int
add_log_proof(json_t *rec, PGresult *res, const struct mf_record_proof *known,
              struct mf_error *err)
{
	uint64_t index = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	const char *leaf = PQgetvalue(res, 0, 2);
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
	size = PQgetisnull(res, 0, 3)
	           ? 0
	           : strtoull(PQgetvalue(res, 0, 3), NULL, 10);
	if (size <= index) /* entries and their checkpoint commit together */
		return mf_error_set(err, MF_E_INTERNAL, NULL,
		                    "no checkpoint covers log index %" PRIu64,
		                    index);
	if ((rc = mf_logstore_inclusion(&proof, index, size, err)) != 0)
		return rc;
	json_object_set_new(rec, "checkpoint",
	                    json_string(PQgetvalue(res, 0, 4)));
	json_object_set_new(rec, "inclusion_proof", proof);
	return 0;
}

int
mf_record_build(json_t **out, int64_t submission_id, const char *public_url,
                const struct mf_record_proof *proof, struct mf_error *err)
{
	char id[24], link[2048];
	json_t *rec, *links;
	PGresult *res;
	int rc = 0;

	*out = NULL;
	snprintf(id, sizeof(id), "%" PRId64, submission_id);
	if ((res = mf_db_execv(MF_SQL_SUBMISSION_RECORD, err, 1, id)) == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                    "no such submission");
	}
	rec =
	    mf_json_parse(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0),
	                  "record", NULL, err);
	if (rec == NULL) {
		PQclear(res);
		return MF_E_INTERNAL;
	}
	if (!PQgetisnull(res, 0, 1))
		rc = add_log_proof(rec, res, proof, err);
	PQclear(res);
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
