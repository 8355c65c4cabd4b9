/*
 * The registry's identity rows and the operator's writes (see
 * registry.h): each function is one declared statement, except creating an
 * organisation, which is one transaction of two.
 */
#include "db/registry.h"
#include "db/exec.h"

#include <stdlib.h>
#include <string.h>

int
mf_db_registry_init(const char *origin, struct mf_error *err)
{
	PGresult *res = mf_db_execv(MF_SQL_REGISTRY_INIT, err, 1, origin);

	if (res == NULL)
		return err->code;
	PQclear(res);
	return 0;
}

int
mf_db_registry_get(char **origin, char **admin_sha256, struct mf_error *err)
{
	char *o = NULL, *a = NULL;
	PGresult *res;
	int rc = 0;

	/* 1. The one registry row, if it exists. */
	if (origin != NULL)
		*origin = NULL;
	if (admin_sha256 != NULL)
		*admin_sha256 = NULL;
	if ((res = mf_db_execv(MF_SQL_REGISTRY_GET, err, 0)) == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		goto done;
	/* 2. Only what the caller asked for. */
	if ((origin != NULL && mf_db_dup_value(&o, res, 0) != 0) ||
	    (admin_sha256 != NULL && mf_db_dup_value(&a, res, 1) != 0)) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (origin != NULL)
		*origin = o, o = NULL;
	if (admin_sha256 != NULL)
		*admin_sha256 = a, a = NULL;
done:
	free(o);
	free(a);
	PQclear(res);
	return rc;
}

int
mf_db_registry_set_admin(const char *sha256_hex, bool *won,
                         struct mf_error *err)
{
	PGresult *res;

	*won = false;
	res = mf_db_execv(MF_SQL_REGISTRY_SET_ADMIN, err, 1, sha256_hex);
	if (res == NULL)
		return err->code;
	/* RETURNING 1: a row only when this call set it. */
	*won = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

int
mf_db_registry_set_keys(const char *log_verifier_key, const char *commit_public,
                        char **recorded_log_verifier_key,
                        char **recorded_commit_public, struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	*recorded_log_verifier_key = *recorded_commit_public = NULL;
	res = mf_db_execv(MF_SQL_REGISTRY_SET_KEYS, err, 2, log_verifier_key,
	                  commit_public);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 1 &&
	    (mf_db_dup_value(recorded_log_verifier_key, res, 0) != 0 ||
	     mf_db_dup_value(recorded_commit_public, res, 1) != 0)) {
		free(*recorded_log_verifier_key);
		*recorded_log_verifier_key = NULL;
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	PQclear(res);
	return rc;
}

int
mf_db_registry_info(struct mf_db_registry_info *out, struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	/* 1. One row: identity and counts. */
	memset(out, 0, sizeof(*out));
	if ((res = mf_db_execv(MF_SQL_REGISTRY_INFO, err, 0)) == NULL)
		return err->code;
	if (PQntuples(res) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "the registry is not set up");
		goto done;
	}
	/* 2. Copied out. */
	if (mf_db_dup_value(&out->origin, res, 0) != 0 ||
	    mf_db_dup_value(&out->log_verifier_key, res, 1) != 0 ||
	    mf_db_dup_value(&out->commit_public_key, res, 2) != 0) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	out->orgs = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	out->models = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	out->log_entries = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
done:
	PQclear(res);
	return rc;
}

void
mf_db_registry_info_dispose(struct mf_db_registry_info *info)
{
	free(info->origin);
	free(info->log_verifier_key);
	free(info->commit_public_key);
	memset(info, 0, sizeof(*info));
}

int
mf_db_org_create(const struct mf_db_org_new *o, struct mf_error *err)
{
	PGresult *res;
	int rc;

	/* 1. Both rows or neither. */
	if ((rc = mf_db_begin(err)) != 0)
		return rc;
	res = mf_db_execv(MF_SQL_ORG_CREATE, err, 3, o->org, o->name, o->role);
	if (res != NULL && o->keyid != NULL) {
		PQclear(res);
		/* $6 NULL: registered by the operator, not by a key event */
		res = mf_db_execv(MF_SQL_KEY_INSERT, err, 6, o->keyid, o->org,
		                  o->alg, o->public_key, o->spki_hex, NULL);
	}
	if (res == NULL) {
		mf_db_rollback();
		return err->code;
	}
	PQclear(res);
	/* 2. Committed. */
	return mf_db_commit(err);
}

int
mf_db_org_first_key(const struct mf_db_org_new *o, struct mf_error *err)
{
	PGresult *res;
	int rc;

	/* 1. The organisation's row locked, so two first keys cannot race. */
	if ((rc = mf_db_begin(err)) != 0)
		return rc;
	if ((res = mf_db_execv(MF_SQL_ORG_LOCK_KEYS, err, 1, o->org)) == NULL)
		goto fail;
	if (PQntuples(res) == 0)
		rc = mf_error_set(err, MF_E_NOT_FOUND, NULL,
		                  "no such organisation");
	else if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		rc = mf_error_set(err, MF_E_CONFLICT, "/public_key",
		                  "%s has an active key: it adds keys itself, "
		                  "with a key event signed by that key",
		                  o->org);
	PQclear(res);
	if (rc != 0) {
		mf_db_rollback();
		return rc;
	}
	/* 2. The key, registered by the operator ($6 NULL). */
	res = mf_db_execv(MF_SQL_KEY_INSERT, err, 6, o->keyid, o->org, o->alg,
	                  o->public_key, o->spki_hex, NULL);
	if (res == NULL)
		goto fail;
	PQclear(res);
	return mf_db_commit(err);
fail:
	mf_db_rollback();
	return err->code;
}

int
mf_db_index_put(const char *id, const char *name, const char *document,
                bool *fresh, char **stored, struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	/* 1. Insert unless present; one row either way. */
	*fresh = false;
	*stored = NULL;
	res = mf_db_execv(MF_SQL_INDEX_PUT, err, 3, id, name, document);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) != 1) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "index %s neither stored nor found", id);
		goto done;
	}
	/* 2. Whether it was inserted, and what is stored. */
	*fresh = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	if (mf_db_dup_value(stored, res, 1) != 0)
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
done:
	PQclear(res);
	return rc;
}

int
mf_db_export_snapshot(char **id, struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	*id = NULL;
	if ((res = mf_db_execv(MF_SQL_BACKUP_SNAPSHOT, err, 0)) == NULL)
		return err->code;
	if (PQntuples(res) != 1 || mf_db_dup_value(id, res, 0) != 0 ||
	    *id == NULL)
		rc = mf_error_set(err, MF_E_INTERNAL, NULL,
		                  "no snapshot was exported");
	PQclear(res);
	return rc;
}

int
mf_db_count_tables(int64_t *n, struct mf_error *err)
{
	PGresult *res;

	*n = 0;
	if ((res = mf_db_execv(MF_SQL_BACKUP_TABLES, err, 0)) == NULL)
		return err->code;
	if (PQntuples(res) == 1)
		*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* Runs a rotation statement: one row counting what it changed. */
static int
rotate(enum mf_sql stmt, const char *old, const char *new_key, bool *done,
       struct mf_error *err)
{
	PGresult *res;

	*done = false;
	if ((res = mf_db_execv(stmt, err, 2, old, new_key)) == NULL)
		return err->code;
	*done = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "1") == 0;
	PQclear(res);
	return 0;
}

int
mf_db_rotate_commit_key(const char *old, const char *new_key, bool *done,
                        struct mf_error *err)
{
	return rotate(MF_SQL_ROTATE_COMMIT, old, new_key, done, err);
}

int
mf_db_rotate_log_begin(const char *old, const char *new_key, bool *done,
                       struct mf_error *err)
{
	return rotate(MF_SQL_ROTATE_LOG_BEGIN, old, new_key, done, err);
}

int
mf_db_rotate_log_finish(const char *old, const char *new_key, bool *done,
                        struct mf_error *err)
{
	return rotate(MF_SQL_ROTATE_LOG_FINISH, old, new_key, done, err);
}

int
mf_db_registry_key_history(char **json, struct mf_error *err)
{
	PGresult *res;
	int rc = 0;

	*json = NULL;
	if ((res = mf_db_execv(MF_SQL_REGISTRY_KEY_HISTORY, err, 0)) == NULL)
		return err->code;
	if (PQntuples(res) != 1 || mf_db_dup_value(json, res, 0) != 0)
		rc = mf_error_set(err, MF_E_INTERNAL, NULL, "no key history");
	PQclear(res);
	return rc;
}
