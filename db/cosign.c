/*
 * The cosignatures' tables (see cosign.h): one declared statement each
 * (db/sql.c, MF_SQL_COSIG_*), values as text parameters.
 */
#include "db/cosign.h"
#include "db/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mf_db_cosign_state(uint64_t *size, bool *known, const char *witness,
                   struct mf_error *err)
{
	PGresult *res;

	*size = 0;
	*known = false;
	if ((res = mf_db_execv(MF_SQL_COSIG_STATE, err, 1, witness)) == NULL)
		return err->code;
	if (PQntuples(res) > 0) {
		*size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		*known = true;
	}
	PQclear(res);
	return 0;
}

int
mf_db_cosign_set_state(const char *witness, uint64_t size, struct mf_error *err)
{
	char s[24];
	PGresult *res;

	snprintf(s, sizeof(s), "%" PRIu64, size);
	if ((res = mf_db_execv(MF_SQL_COSIG_SET_STATE, err, 2, witness, s)) ==
	    NULL)
		return err->code;
	PQclear(res);
	return 0;
}

int
mf_db_cosign_store(uint64_t size, const char *witness, const char *line,
                   uint64_t timestamp, struct mf_error *err)
{
	char s[24], t[24];
	PGresult *res;

	snprintf(s, sizeof(s), "%" PRIu64, size);
	snprintf(t, sizeof(t), "%" PRIu64, timestamp);
	if ((res = mf_db_execv(MF_SQL_COSIG_STORE, err, 4, s, witness, line,
	                       t)) == NULL)
		return err->code;
	PQclear(res);
	return 0;
}

int
mf_db_cosign_has(bool *has, uint64_t size, const char *witness,
                 struct mf_error *err)
{
	char s[24];
	PGresult *res;

	*has = false;
	snprintf(s, sizeof(s), "%" PRIu64, size);
	if ((res = mf_db_execv(MF_SQL_COSIG_HAS, err, 2, s, witness)) == NULL)
		return err->code;
	*has = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

int
mf_db_cosign_lines(struct mf_buf *out, size_t *n, uint64_t size,
                   struct mf_error *err)
{
	char s[24];
	PGresult *res;
	int r, rc = 0;

	if (n != NULL)
		*n = 0;
	snprintf(s, sizeof(s), "%" PRIu64, size);
	if ((res = mf_db_execv(MF_SQL_COSIG_LINES, err, 1, s)) == NULL)
		return err->code;
	for (r = 0; r < PQntuples(res); r++)
		if (mf_buf_puts(out, PQgetvalue(res, r, 1)) != 0) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
	if (n != NULL)
		*n = (size_t)PQntuples(res);
done:
	PQclear(res);
	return rc;
}

int
mf_db_cosign_witnessed(bool *found, uint64_t *size, char **note,
                       json_t **cosigs, uint64_t min_size, unsigned k,
                       struct mf_error *err)
{
	char s[24], kk[16];
	const char *text;
	PGresult *res;
	int rc = 0;

	*found = false;
	*size = 0;
	*note = NULL;
	*cosigs = NULL;
	/* 1. One statement: the checkpoint and its lines. */
	snprintf(s, sizeof(s), "%" PRIu64, min_size);
	snprintf(kk, sizeof(kk), "%u", k);
	if ((res = mf_db_execv(MF_SQL_COSIG_WITNESSED, err, 2, s, kk)) == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		goto done;
	/* 2. Copied out of the result. */
	*size = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	text = PQgetvalue(res, 0, 2);
	if ((*note = strdup(PQgetvalue(res, 0, 1))) == NULL ||
	    (*cosigs = json_loads(text, 0, NULL)) == NULL) {
		free(*note);
		*note = NULL;
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	*found = true;
done:
	PQclear(res);
	return rc;
}
