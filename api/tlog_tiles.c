/*
 * C2SP tlog-tiles endpoints (see tlog_tiles.h): paths parsed by
 * merkle/tile.c, availability judged against the latest signed
 * checkpoint (nothing past it is served), bytes read by db/tiles.c from
 * the hashes and leaves PostgreSQL already holds. Full tiles never change
 * and are cached for a year; partial tiles are replaced by full ones and
 * the checkpoint moves, so both are cached briefly.
 */
#include "api/tlog_tiles.h"
#include "db/tiles.h"
#include "merkle/tile.h"
#include "sequencer/logstore.h"

#include <inttypes.h>
#include <string.h>

#define CACHE_FULL       "public, max-age=31536000, immutable"
#define CACHE_PARTIAL    "public, max-age=60"
#define CACHE_CHECKPOINT "public, max-age=5"

int
mf_h_tlog_checkpoint(struct mf_request *req)
{
	struct mf_logstore_checkpoint c;
	int rc;

	if ((rc = mf_logstore_checkpoint_latest(&c, &req->err)) != 0)
		return rc;
	if (c.note == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "the log has no checkpoint yet");
		goto done;
	}
	if ((rc = mf_http_set_header(req, "Cache-Control", CACHE_CHECKPOINT)) !=
	    0)
		goto done;
	rc = mf_http_respond(req, 200, "text/plain; charset=utf-8", c.note,
	                     strlen(c.note), false);
done:
	mf_logstore_checkpoint_dispose(&c);
	return rc;
}

int
mf_h_tlog_tile(struct mf_request *req)
{
	struct mf_logstore_checkpoint c = {0};
	struct mf_buf body = MF_BUF_INIT;
	struct mf_tile t;
	int rc;

	/* 1. A well-formed tile path, else 400. */
	if ((rc = mf_tile_parse(&t, mf_http_param(req, 0), &req->err)) != 0)
		return rc;
	/* 2. In the tree of the latest checkpoint, else 404. */
	if ((rc = mf_logstore_checkpoint_latest(&c, &req->err)) != 0)
		goto done;
	if (!mf_tile_available(&t, c.size)) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "no such tile in the tree of size %" PRIu64,
		                  c.size);
		goto done;
	}
	/* 3. The hashes or the entries, as stored. */
	if (t.entries)
		rc = mf_db_tlog_bundle(&body, mf_tile_first_node(&t), t.width,
		                       &req->err);
	else
		rc =
		    mf_db_tlog_tile(&body, mf_tile_node_level(&t),
		                    mf_tile_first_node(&t), t.width, &req->err);
	if (rc != 0)
		goto done;
	/* 4. Cached for good once full. */
	if ((rc = mf_http_set_header(
	         req, "Cache-Control",
	         t.width == MF_TILE_WIDTH ? CACHE_FULL : CACHE_PARTIAL)) != 0)
		goto done;
	rc = mf_http_respond(req, 200, "application/octet-stream",
	                     body.data ? body.data : "", body.len, false);
done:
	mf_buf_dispose(&body);
	mf_logstore_checkpoint_dispose(&c);
	return rc;
}
