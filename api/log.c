/*
 * Log endpoints: checkpoints as signed notes, entries, and inclusion and
 * consistency proofs computed from stored complete subtrees.
 */
#include "api/log.h"
#include "app/app.h"
#include "common/encoding.h"
#include "common/json.h"
#include "db/cosign.h"
#include "db/read.h"
#include "api/util.h"
#include "http/cache.h"
#include "merkle/policy.h"
#include "sequencer/logstore.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INDEX ((int64_t)1 << 62)

int
mf_h_log_respond_cosigned(struct mf_request *req,
                          const struct mf_logstore_checkpoint *c,
                          const char *cache_control)
{
	struct mf_buf b = MF_BUF_INIT;
	struct mf_blob *blob = NULL;
	int rc;

	/* 1. The note, then every cosignature line stored for it: extra
	 * signature lines of the same signed note (tlog-cosignature). */
	if (mf_buf_puts(&b, c->note) != 0) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if ((rc = mf_db_cosign_lines(&b, NULL, c->size, &req->err)) != 0)
		goto done;
	/* 2. With an ETag of those bytes: it changes as cosignatures
	 * arrive, and a client that has them gets a 304. */
	if ((blob = mf_blob_new(b.data, b.len, "text/plain; charset=utf-8")) ==
	    NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	rc = mf_http_respond_blob(req, blob, cache_control);
done:
	mf_blob_unref(blob);
	mf_buf_dispose(&b);
	return rc;
}

static int
respond_checkpoint(struct mf_request *req, struct mf_logstore_checkpoint *c,
                   bool immutable)
{
	int rc;

	/* A checkpoint of the past never changes, unless witnesses may
	 * still add their cosignatures to it. */
	if (immutable && req->app->cfg->witnesses[0] != '\0')
		immutable = false;
	rc = mf_h_log_respond_cosigned(
	    req, c,
	    immutable ? "public, max-age=31536000, immutable" : "no-cache");
	mf_logstore_checkpoint_dispose(c);
	return rc;
}

int
mf_h_log_checkpoint(struct mf_request *req)
{
	struct mf_logstore_checkpoint c;
	int rc;

	if ((rc = mf_logstore_checkpoint_latest(&c, &req->err)) != 0)
		return rc;
	if (c.note == NULL)
		return mf_error_set(&req->err, MF_E_UNAVAILABLE, NULL,
		                    "the log has no checkpoint yet");
	return respond_checkpoint(req, &c, false);
}

/* A path parameter as a non-negative integer below MAX_INDEX. */
static int
param_u64(struct mf_request *req, int i, uint64_t *out)
{
	const char *v = mf_http_param(req, i);
	char *end;

	*out = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || strlen(v) > 18 ||
	    *out >= (uint64_t)MAX_INDEX)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such entry: %s", v);
	return 0;
}

int
mf_h_log_checkpoint_at(struct mf_request *req)
{
	struct mf_logstore_checkpoint c;
	uint64_t size;
	int rc;

	if (param_u64(req, 0, &size) != 0)
		return req->err.code;
	if ((rc = mf_logstore_checkpoint_at(&c, size, &req->err)) != 0)
		return rc;
	return respond_checkpoint(req, &c, true);
}

int
mf_h_log_entry(struct mf_request *req)
{
	struct mf_db_log_entry e;
	const char *format = mf_http_query(req, "format");
	uint8_t raw[32];
	char b64[64];
	uint64_t i;
	json_t *out, *env;
	bool found;
	int rc;

	if (param_u64(req, 0, &i) != 0)
		return req->err.code;
	/* 1. The entry, as sequenced. */
	if ((rc = mf_db_log_entry(&e, &found, i, &req->err)) != 0)
		goto done;
	if (!found) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "no log entry %" PRIu64 " (yet)", i);
		goto done;
	}
	/* An entry never changes once it has an index. */
	mf_http_set_header(req, "Cache-Control",
	                   "public, max-age=31536000, immutable");
	/* 2. ?format=leaf: the exact text that was hashed. */
	if (format != NULL && strcmp(format, "leaf") == 0) {
		rc = mf_http_respond(req, 200, "text/plain; charset=utf-8",
		                     e.leaf, strlen(e.leaf), false);
		goto done;
	}
	/* 3. JSON, with the leaf hash in base64 like the proofs. */
	env = mf_json_parse(e.envelope, strlen(e.envelope), "envelope", NULL,
	                    &req->err);
	mf_hex_decode(raw, 32, e.leaf_hash);
	mf_base64_encode(b64, raw, 32);
	out = json_pack("{s:I, s:s, s:s, s:o*, s:s, s:s, s:s?, s:s}", "index",
	                (json_int_t)i, "leaf", e.leaf, "leaf_hash", b64,
	                "envelope", env, "kind", e.kind, "org", e.org, "model",
	                e.model, "accepted_at", e.accepted_at);
	rc = mf_http_respond_json(req, 200, out);
done:
	mf_db_log_entry_dispose(&e);
	return rc;
}

/*
 * ?format=text answers with the proof's hashes, one base64 hash per line,
 * for verifiers that have a shell and openssl but no JSON parser.
 */
static int
respond_proof(struct mf_request *req, json_t *proof)
{
	const char *format = mf_http_query(req, "format");
	struct mf_buf b = MF_BUF_INIT;
	json_t *h;
	size_t i;
	int rc;

	if (format == NULL || strcmp(format, "json") == 0)
		return mf_http_respond_json(req, 200, proof);
	if (strcmp(format, "text") != 0) {
		json_decref(proof);
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "format must be json or text");
	}
	json_array_foreach(json_object_get(proof, "hashes"), i, h)
	    mf_buf_printf(&b, "%s\n", json_string_value(h));
	rc = mf_http_respond(req, 200, "text/plain; charset=utf-8",
	                     b.data ? b.data : "", b.len, false);
	mf_buf_dispose(&b);
	json_decref(proof);
	return rc;
}

/* The current tree size: the latest checkpoint's. */
static int
current_size(struct mf_request *req, uint64_t *size)
{
	struct mf_logstore_checkpoint c;
	int rc;

	if ((rc = mf_logstore_checkpoint_latest(&c, &req->err)) != 0)
		return rc;
	*size = c.size;
	mf_logstore_checkpoint_dispose(&c);
	return 0;
}

int
mf_h_log_inclusion(struct mf_request *req)
{
	int64_t index, size;
	uint64_t cur;
	json_t *proof;
	int rc;

	if ((rc = current_size(req, &cur)) != 0)
		return rc;
	if (mf_http_query(req, "index") == NULL)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'index' is required");
	if (mf_h_query_int(req, "index", 0, MAX_INDEX, 0, &index) != 0 ||
	    mf_h_query_int(req, "size", 1, MAX_INDEX, (int64_t)cur, &size) != 0)
		return req->err.code;
	if ((uint64_t)size > cur)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "size %" PRId64 " is beyond the latest "
		                    "checkpoint (%" PRIu64 ")",
		                    size, cur);
	if (index >= size)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "index %" PRId64 " is not in a tree of "
		                    "size %" PRId64,
		                    index, size);
	if ((rc = mf_logstore_inclusion(&proof, (uint64_t)index, (uint64_t)size,
	                                &req->err)) != 0)
		return rc;
	return respond_proof(req, proof);
}

int
mf_h_log_consistency(struct mf_request *req)
{
	int64_t from, to;
	uint64_t cur;
	json_t *proof;
	int rc;

	if ((rc = current_size(req, &cur)) != 0)
		return rc;
	if (mf_http_query(req, "from") == NULL)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'from' is required");
	if (mf_h_query_int(req, "from", 1, MAX_INDEX, 1, &from) != 0 ||
	    mf_h_query_int(req, "to", 1, MAX_INDEX, (int64_t)cur, &to) != 0)
		return req->err.code;
	if ((uint64_t)to > cur || from > to)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "need 1 <= from <= to <= %" PRIu64, cur);
	if ((rc = mf_logstore_consistency(&proof, (uint64_t)from, (uint64_t)to,
	                                  &req->err)) != 0)
		return rc;
	return respond_proof(req, proof);
}

int
mf_h_log_witnessed(struct mf_request *req)
{
	json_t *cosigs = NULL, *c, *out;
	struct mf_buf b = MF_BUF_INIT;
	uint64_t i, cur, size;
	char *note = NULL;
	int64_t k;
	bool found;
	size_t n;
	int rc;

	/* 1. An entry of the log, and how many cosignatures. */
	if (param_u64(req, 0, &i) != 0)
		return req->err.code;
	if (mf_h_query_int(req, "k", 1, MF_POLICY_MAX_WITNESSES, 1, &k) != 0)
		return req->err.code;
	if ((rc = current_size(req, &cur)) != 0)
		return rc;
	if (i >= cur)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no log entry %" PRIu64 " (yet)", i);
	/* 2. The smallest checkpoint that covers it with k of them. */
	if ((rc = mf_db_cosign_witnessed(&found, &size, &note, &cosigs, i + 1,
	                                 (unsigned)k, &req->err)) != 0)
		goto done;
	if (!found) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, "/query/k",
		                  "log entry %" PRIu64 " is not covered by a "
		                  "checkpoint with %" PRId64
		                  " cosignatures (yet)",
		                  i, k);
		goto done;
	}
	/* 3. The checkpoint as served, and its cosignatures one by one. */
	if (mf_buf_puts(&b, note) != 0)
		goto nomem;
	json_array_foreach(cosigs, n, c)
	{
		const char *line = mf_json_str(c, "line");

		if (line != NULL && mf_buf_puts(&b, line) != 0)
			goto nomem;
	}
	out = json_pack("{s:I, s:I, s:I, s:s, s:O}", "index", (json_int_t)i,
	                "k", (json_int_t)k, "tree_size", (json_int_t)size,
	                "checkpoint", b.data, "cosignatures", cosigs);
	if (out == NULL)
		goto nomem;
	mf_http_set_header(req, "Cache-Control", "no-cache");
	rc = mf_http_respond_json(req, 200, out);
	goto done;
nomem:
	rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
done:
	json_decref(cosigs);
	mf_buf_dispose(&b);
	free(note);
	return rc;
}
