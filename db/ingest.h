/*
 * The submission pipeline's statements (ingest/ingest.c): three round
 * trips per submission — the signing keys and any earlier acceptance of the
 * payload, the subject's state, and mf_accept() — plus the key lookups of
 * key events. Rows that carry strings keep the database's result alive in
 * the struct and lend the strings out, so the hot path copies nothing;
 * each such struct has a _dispose that frees it.
 */
#ifndef MF_DB_INGEST_H
#define MF_DB_INGEST_H

#include "common/digest.h"
#include "common/error.h"
#include "common/slug.h"
#include "envelope/dsse.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A registered key an envelope names, with its organisation's state.
 * Strings are borrowed from the enclosing mf_db_ingest_keys. */
struct mf_db_signing_key {
	const char *keyid;
	const char *org;
	const char *alg;        /* as registered, e.g. "ed25519" */
	const char *public_key; /* as registered: PEM or ssh line */
	const char *status;     /* "active" or "revoked" */
	const char *role;       /* the organisation's role */
	int64_t last_seq;       /* the organisation's last accepted seq */
};

struct mf_db_ingest_keys {
	int64_t existing_id; /* an earlier acceptance of the payload; 0: none */
	const char *existing_envelope_hex; /* its envelope digest, or "" */
	const char *existing_org;          /* who signed it, or "" */
	const char *existing_payload_type; /* its payloadType, or "" */
	bool existing_flagged; /* signed by a key reported compromised and
	                          not re-signed since: another envelope may
	                          re-sign it (migrations/0010) */
	size_t n;              /* known keys among those named */
	struct mf_db_signing_key keys[MF_DSSE_MAX_SIGNATURES];
	void *rows; /* owned: the result the strings point into */
};

/*
 * Round trip 1: the registered keys among keyids[0..n) (n at most
 * MF_DSSE_MAX_SIGNATURES) and whether the payload with this SHA-256 (hex)
 * was accepted before (with this envelope's SHA-256 if so, else the
 * original acceptance). *out is filled (dispose it even on failure).
 */
int mf_db_ingest_keys(struct mf_db_ingest_keys *out, const char *const *keyids,
                      size_t n, const char *payload_hex,
                      const char *envelope_hex, struct mf_error *err);
void mf_db_ingest_keys_dispose(struct mf_db_ingest_keys *k);

/* Round trip 2: the subject of a document (not for key events). */
struct mf_db_ingest_subject {
	bool org_exists;
	char head_hex[MF_SHA256_HEX_LEN + 1]; /* the model's head; "": none */
	int disclosure_version; /* the version disclosure_hex names; 0: none */
};

/* disclosure_hex may be NULL (the document names no disclosure). */
int mf_db_ingest_subject(struct mf_db_ingest_subject *out, const char *org,
                         const char *model, const char *disclosure_hex,
                         struct mf_error *err);

/* Everything mf_accept() stores; all borrowed from the caller. */
struct mf_db_submission {
	const char *kind;  /* doctype name */
	const char *org;   /* the signer's organisation */
	const char *keyid; /* the first verifying key */
	int64_t seq;
	const char *subject_org;
	const char *subject_model; /* NULL for key events */
	const char *payload_type;
	const char *payload_hex;
	const char *envelope_hex;
	const char *envelope; /* the request body, stored byte for byte */
	size_t envelope_len;
	const char *payload; /* the payload text, NUL-terminated */
	const char *issued_at;
	const char *const *signer_keyids; /* every verifying key */
	size_t nsigners;
	const char *supersedes_hex; /* NULL: supersedes nothing */
	const json_t *extra;        /* the type's own fields (p_extra) */
};

/*
 * Round trip 3: stores the submission in one statement (and so one
 * transaction); *id gets its id. A refusal of mf_accept() (SQLSTATE class
 * MF, see mf_db_last_sqlstate and mf_db_last_detail) or a unique
 * violation is MF_E_CONFLICT.
 */
int mf_db_accept_submission(int64_t *id, const struct mf_db_submission *s,
                            struct mf_error *err);

/* A key's registration: found, whether active, and its organisation. */
struct mf_db_key_status {
	bool found;
	bool active;
	char org[MF_SLUG_MAX + 1];
};

int mf_db_key_status(struct mf_db_key_status *out, const char *keyid,
                     struct mf_error *err);

#endif
