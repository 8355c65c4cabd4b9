/*
 * The document side of ingest: reading a payload's header and the fields
 * each document type stores in its own table, validating the payload
 * (schema and semantic rules), and the type-specific rows of the one
 * submission transaction.
 */
#ifndef MF_INGEST_DOC_H
#define MF_INGEST_DOC_H

#include "common/digest.h"
#include "common/doctype.h"
#include "common/error.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Strings are borrowed from the payload unless marked owned. */
struct mf_ingest_doc {
	const char *registry;
	const char *org;
	const char *model; /* NULL for key events */
	const char *issued_at;
	int64_t issued_at_us;
	int64_t seq;
	char supersedes_hex[MF_SHA256_HEX_LEN + 1]; /* "": null */
	char disclosure_hex[MF_SHA256_HEX_LEN + 1]; /* evals, assessments */
	/* disclosures */
	const char *model_version;
	const char *release_date;
	json_t *scores; /* owned: modelfacts-v1 score of this disclosure */
	int score_total, score_max;
	/* eval results */
	bool third_party;
	const char *benchmark;
	const char *metric;
	double value;
	/* assessments */
	const char *index_id;
	const char *assessor; /* the judge a transcribed assessment names
	                         (its signer is a curator), or NULL */
	json_t *grades;       /* owned: {indicator: 0|1} */
	int grade_total;
	/* key events */
	const char *action; /* "add", "rotate", "revoke" */
	const char *target_keyid;
	const char *public_key; /* the new key, as the payload gives it */
	struct mf_key *new_key; /* owned */
	/* withdrawals */
	char withdraws_hex[MF_SHA256_HEX_LEN + 1]; /* the withdrawn payload */
	const char *reason;
	const char *date;
};

void mf_ingest_doc_dispose(struct mf_ingest_doc *d);

/*
 * Reads the header (type, registry, subject, issued_at, seq, supersedes)
 * and the type's own fields. MF_E_VALIDATION with the payload pointer of
 * the first field that is missing or malformed.
 */
int mf_ingest_doc_read(struct mf_ingest_doc *d, enum mf_doctype type,
                       json_t *payload, struct mf_error *err);

/*
 * Schema and semantic validation; computes the disclosure's score.
 * *warnings becomes a new array (possibly empty). MF_E_VALIDATION with
 * every error in err->details.
 */
int mf_ingest_doc_validate(struct mf_ingest_doc *d, enum mf_doctype type,
                           json_t *payload, json_t **warnings,
                           struct mf_error *err);

/*
 * Key events: "add" and "rotate" must also be signed by the new key
 * (proof of possession); "rotate" must be signed by the key it replaces;
 * "revoke" and "rotate" name an active key of the organisation.
 * signer_keyids are the registered keys whose signatures verified.
 */
int mf_ingest_doc_check_key_event(struct mf_ingest_doc *d,
                                  const struct mf_dsse *env,
                                  const char *const *signer_keyids,
                                  size_t nsigners, struct mf_error *err);

/*
 * The type's own fields as mf_accept()'s p_extra argument (new reference,
 * NULL when out of memory). version is the disclosure version an eval or
 * assessment concerns, 0 for none.
 */
json_t *mf_ingest_doc_extra(const struct mf_ingest_doc *d, enum mf_doctype type,
                            int version);

#endif
