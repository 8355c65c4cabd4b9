/*
 * The log's tiles and entry bundles (see tiles.h): one range query each,
 * over log_nodes' and submissions' unique indexes, checked for gaps.
 */
#include "db/tiles.h"
#include "common/encoding.h"
#include "db/exec.h"
#include "merkle/merkle.h"
#include "merkle/tile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_db_tlog_tile(struct mf_buf *out, unsigned level, uint64_t first,
                unsigned width, struct mf_error *err)
{
	char l[8], a[24], b[24];
	const char *hex;
	PGresult *res;
	size_t n;
	int rc = 0;

	/* 1. The hashes, concatenated in index order by the database. */
	snprintf(l, sizeof(l), "%u", level);
	snprintf(a, sizeof(a), "%" PRIu64, first);
	snprintf(b, sizeof(b), "%" PRIu64, first + width);
	if ((res = mf_db_execv(MF_SQL_TLOG_TILE, err, 3, l, a, b)) == NULL)
		return err->code;
	/* 2. All of them, or the tree is damaged. */
	hex = PQgetvalue(res, 0, 1);
	n = (size_t)width * MF_MERKLE_HASH_LEN;
	if (strtoull(PQgetvalue(res, 0, 0), NULL, 10) != width ||
	    strlen(hex) != 2 * n) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "log nodes %u/%" PRIu64 "+%u are missing",
		                  level, first, width);
		goto done;
	}
	if (mf_buf_reserve(out, n) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (mf_hex_decode((uint8_t *)out->data + out->len, n, hex) != 0) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL, "bad node hash");
		goto done;
	}
	out->len += n;
done:
	PQclear(res);
	return rc;
}

int
mf_db_tlog_bundle(struct mf_buf *out, uint64_t first, unsigned width,
                  struct mf_error *err)
{
	char a[24], b[24];
	PGresult *res;
	int r, rc = 0;

	/* 1. The leaves in index order. */
	snprintf(a, sizeof(a), "%" PRIu64, first);
	snprintf(b, sizeof(b), "%" PRIu64, first + width);
	if ((res = mf_db_execv(MF_SQL_TLOG_ENTRIES, err, 2, a, b)) == NULL)
		return err->code;
	if (PQntuples(res) != (int)width) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "log entries %" PRIu64 "+%u are missing",
		                  first, width);
		goto done;
	}
	/* 2. Each framed by its length, gap-free. */
	for (r = 0; r < PQntuples(res); r++) {
		const char *leaf = PQgetvalue(res, r, 1);

		if (strtoull(PQgetvalue(res, r, 0), NULL, 10) != first + r) {
			rc = mf_error_set(err, MF_E_INTERNAL, NULL,
			                  "log entry %" PRIu64 " is missing",
			                  first + r);
			goto done;
		}
		if ((rc = mf_tile_bundle_put(out, leaf, strlen(leaf))) != 0) {
			rc = mf_error_set(
			    err, rc == MF_E_NOMEM ? MF_E_NOMEM : MF_E_INTERNAL,
			    NULL, "log entry %" PRIu64 " does not fit a bundle",
			    first + r);
			goto done;
		}
	}
done:
	PQclear(res);
	return rc;
}
