/*
 * What the public read endpoints (api/) ask of the database. Most reads
 * are one declared statement whose single JSON column is the response
 * body byte for byte: mf_db_read_json runs any of them. The few reads the
 * caller takes apart get typed functions returning plain C values.
 * Everything returned through an out-parameter is owned by the caller.
 */
#ifndef MF_DB_READ_H
#define MF_DB_READ_H

#include "common/buf.h"
#include "common/error.h"
#include "db/sql.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Runs stmt with text parameters (params[i] may be NULL for SQL NULL)
 * and appends the first column of its first row to *out (cleared first)
 * exactly as PostgreSQL produced it. *found is false, and *out empty,
 * when there is no row or the value is NULL.
 */
int mf_db_read_json(struct mf_buf *out, bool *found, enum mf_sql stmt,
                    int nparams, const char *const *params,
                    struct mf_error *err);

/* The signed envelope of org/model version `version` (decimal), as the
 * bytes that were submitted. *found false: no such version. */
int mf_db_version_envelope(struct mf_buf *out, bool *found, const char *org,
                           const char *model, const char *version,
                           struct mf_error *err);

/* One version as a diff compares it. */
struct mf_db_diff_version {
	json_t *payload; /* new reference: the signed payload */
	json_t *scores;  /* new reference: the stored score summary */
	int score_total;
	int score_max;
};

/*
 * Loads org/model version `version` (decimal) into *out, which the caller
 * releases with mf_db_diff_version_dispose (also after an error). *found
 * false: no such version.
 */
int mf_db_version_for_diff(struct mf_db_diff_version *out, bool *found,
                           const char *org, const char *model,
                           const char *version, struct mf_error *err);
void mf_db_diff_version_dispose(struct mf_db_diff_version *v);

/* One sequenced log entry; every string is owned (freed by _dispose). */
struct mf_db_log_entry {
	char *leaf;        /* the leaf text that was hashed */
	char *leaf_hash;   /* its hash as stored, hex */
	char *envelope;    /* the envelope JSON as text */
	char *kind;        /* submission kind */
	char *org;         /* subject organisation */
	char *model;       /* subject model; NULL for organisation entries */
	char *accepted_at; /* RFC 3339 UTC with microseconds */
};

/*
 * Loads log entry `index` into *out (release with
 * mf_db_log_entry_dispose, also after an error). *found false: no entry
 * with that index (yet).
 */
int mf_db_log_entry(struct mf_db_log_entry *out, bool *found, uint64_t index,
                    struct mf_error *err);
void mf_db_log_entry_dispose(struct mf_db_log_entry *e);

#endif
