/*
 * What a label is made of, read from the database as of a log position:
 * one disclosure version, the sequenced evals of its model and the
 * sequenced assessments with their index documents (the LABEL_*
 * statements of sql.c). Plain C values and jansson documents; putting
 * them together and scoring is publish/label_data.c's work.
 *
 * as_of: a log index (entries at or before it count), or NULL for now
 * (every sequenced entry, and a version even when not yet sequenced).
 */
#ifndef MF_DB_LABEL_H
#define MF_DB_LABEL_H

#include "common/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mf_db_label_version {
	int version;
	int latest_version; /* the newest version as of the position; 0:
	                       none was sequenced by then */
	char payload_sha256[65];
	char accepted_at[40]; /* UTC, to the second */
	int64_t log_index;    /* -1: not yet sequenced */
	json_t *signed_by;    /* owned: array of key ids */
	json_t *disclosure;   /* owned: the signed payload */
	json_t *withdrawn;    /* owned: its withdrawal as of the position,
	                         or NULL (label.h) */
	json_t *compromised;  /* owned: its compromised-key flag, or NULL */
};

/*
 * Version `version` of org/model (0: the newest that counts then, neither
 * withdrawn nor flagged compromised: migrations/0010; -1: the newest,
 * whether it counts or not) as of as_of.
 * MF_E_NOT_FOUND when the model had no such version then. On success the caller
 * owns out's documents: mf_db_label_version_dispose (also safe after a
 * failure).
 */
int mf_db_label_version(struct mf_db_label_version *out, const char *org,
                        const char *model, int version, const int64_t *as_of,
                        struct mf_error *err);
void mf_db_label_version_dispose(struct mf_db_label_version *v);

/* The model's sequenced evals as of as_of, in log order: *out gets a new
 * reference to a JSON array (empty when there are none). */
int mf_db_label_evals(json_t **out, const char *org, const char *model,
                      const int64_t *as_of, struct mf_error *err);

/* The assessments about version `version` (0: the model as a whole only)
 * flagged as signed by a compromised key as of as_of (migrations/0010):
 * *out gets a new reference to a JSON array of {assessor, index,
 * payload_sha256, log_index, compromised} (empty when there are none). */
int mf_db_label_compromised(json_t **out, const char *org, const char *model,
                            int version, const int64_t *as_of,
                            struct mf_error *err);

/* One judge's latest assessment of one version against one index. */
struct mf_db_judgement {
	char *assessor;      /* owned: the assessor's org id */
	char *assessor_name; /* owned: its display name */
	char *index_id;      /* owned */
	json_t *payload;     /* owned: the signed assessment */
	json_t *document;    /* owned: its index's document, NULL when the
	                        registry does not have that index */
	int64_t log_index;
	char payload_sha256[65];
	char accepted_at[40]; /* UTC, to the second */
	int version;          /* the version it is pinned to; 0: unpinned,
	                         about the model */
};

/*
 * The judgements about version `version` of org/model as of as_of: per
 * (index, assessor) the latest sequenced assessment pinned to that
 * version or to none (a later one by the same judge supersedes an
 * earlier one), newest first. version 0 (a model without a disclosure)
 * takes the unpinned ones only. At most max rows are read. *out gets a
 * new array of *n (NULL when none), freed with mf_db_judgements_free.
 */
int mf_db_label_judgements(struct mf_db_judgement **out, size_t *n,
                           const char *org, const char *model, int version,
                           const int64_t *as_of, size_t max,
                           struct mf_error *err);
void mf_db_judgements_free(struct mf_db_judgement *j, size_t n);

/*
 * The last log entry accepted at or before instant (RFC 3339, already
 * checked by the caller) into *out; -1 when there was none.
 */
int mf_db_log_index_at(int64_t *out, const char *instant, struct mf_error *err);

#endif
