/*
 * The registry's own rows and the operator's writes: its identity (origin,
 * admin token digest, the public halves of its signing keys), what
 * /v1/registry counts, creating organisations and loading indices.
 * Strings returned through out-parameters are owned by the caller.
 */
#ifndef MF_DB_REGISTRY_H
#define MF_DB_REGISTRY_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Records origin as the registry's, unless one is recorded already. */
int mf_db_registry_init(const char *origin, struct mf_error *err);

/*
 * The recorded origin and admin token digest (64 hex digits; NULL while
 * none is set). Both NULL, with 0, when the registry row does not exist
 * yet. Either out-parameter may be NULL when not wanted; free() them.
 */
int mf_db_registry_get(char **origin, char **admin_sha256,
                       struct mf_error *err);

/*
 * Sets the admin token digest (hex) unless one is set: *won tells whether
 * this call set it, so of several servers starting at once one does.
 */
int mf_db_registry_set_admin(const char *sha256_hex, bool *won,
                             struct mf_error *err);

/*
 * Records the registry's public keys where none is recorded yet (NULL
 * leaves that one alone), then gives back what is recorded now: each of
 * *log_verifier_key and *commit_public is a new string or NULL.
 */
int mf_db_registry_set_keys(const char *log_verifier_key,
                            const char *commit_public,
                            char **recorded_log_verifier_key,
                            char **recorded_commit_public,
                            struct mf_error *err);

/* What /v1/registry and start-up read; release with _dispose. */
struct mf_db_registry_info {
	char *origin;
	char *log_verifier_key;  /* NULL until recorded */
	char *commit_public_key; /* NULL until recorded */
	int64_t orgs;
	int64_t models;
	int64_t log_entries; /* size of the newest checkpoint */
};

int mf_db_registry_info(struct mf_db_registry_info *out, struct mf_error *err);
void mf_db_registry_info_dispose(struct mf_db_registry_info *info);

/* An organisation with its first key, registered by the operator. */
struct mf_db_org_new {
	const char *org, *name, *role;
	const char *keyid, *alg; /* keyid NULL: an organisation without a key
	                            yet (e.g. a developer whose reports a
	                            curator transcribes) */
	const char *public_key;  /* as submitted (PEM or ssh line) */
	const char *spki_hex;    /* DER SubjectPublicKeyInfo, hex */
};

/*
 * Creates the organisation and its key in one transaction. MF_E_CONFLICT
 * when the organisation or the key exists already (nothing changed).
 */
int mf_db_org_create(const struct mf_db_org_new *o, struct mf_error *err);

/*
 * Registers the first key of an organisation that has no active key
 * (o->name and o->role unused). MF_E_NOT_FOUND: no such organisation;
 * MF_E_CONFLICT: it has an active key (it adds keys itself, by a signed
 * key event) or the key is registered already. Nothing changes then.
 */
int mf_db_org_first_key(const struct mf_db_org_new *o, struct mf_error *err);

/*
 * Stores index document `document` (JSON text) under id unless an index
 * with that id exists. *fresh tells whether it was stored now; *stored
 * gets the document stored under id (new string: the one just stored or
 * the one found), so the caller can tell a repeat from a conflict.
 */
int mf_db_index_put(const char *id, const char *name, const char *document,
                    bool *fresh, char **stored, struct mf_error *err);

/*
 * Backups: in a REPEATABLE READ transaction the caller began, exports its
 * snapshot (*id: a new string for pg_dump --snapshot); the transaction
 * must stay open while another session uses it.
 */
int mf_db_export_snapshot(char **id, struct mf_error *err);

/* How many tables, views and sequences the database holds outside the
 * catalogues: 0 for an empty database a backup may be restored into. */
int mf_db_count_tables(int64_t *n, struct mf_error *err);

/*
 * Key rotation, each one statement (migrations/0010): *done says whether
 * it happened (false: `old` is not the current key, or for a log key a
 * rotation is already under way / none is).
 *   commit: the current commit key old (ssh line) retires; new is current.
 *   log begin: new co-signs checkpoints beside the current log key old.
 *   log finish: the co-signer new becomes the log key; old retires.
 */
int mf_db_rotate_commit_key(const char *old, const char *new_key, bool *done,
                            struct mf_error *err);
int mf_db_rotate_log_begin(const char *old, const char *new_key, bool *done,
                           struct mf_error *err);
int mf_db_rotate_log_finish(const char *old, const char *new_key, bool *done,
                            struct mf_error *err);

/* Every key but the current two, oldest first: a JSON array (text, new
 * string) of {kind, public_key, status, valid_after, valid_before,
 * successor_valid_after, signed_after_size, signed_until_size}. */
int mf_db_registry_key_history(char **json, struct mf_error *err);

#endif
