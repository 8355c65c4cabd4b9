/*
 * The submission pipeline, in the order the checks run (see ingest.h).
 * Cheap, precise refusals come first; the one transaction comes last and
 * re-checks under row locks what could have changed meanwhile (seq, the
 * model's head), so racing clients get 409 rather than a lost update.
 */
#include "server/ingest.h"
#include "common/digest.h"
#include "common/doctype.h"
#include "common/encoding.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "envelope/dsse.h"
#include "envelope/keys.h"
#include "envelope/verify.h"
#include "server/app.h"
#include "server/db.h"
#include "server/ingest_doc.h"
#include "server/keycache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct signer {
	char keyid[MF_KEYID_HEX_LEN + 1];
	char org[MF_SLUG_MAX + 1];
	char role[16];
};

/* Everything one submission carries through the pipeline. */
struct ingest {
	struct mf_app *app;
	const char *body;
	size_t body_len;
	struct mf_dsse *env;
	enum mf_doctype type;
	json_t *payload; /* owned */
	char payload_hex[MF_SHA256_HEX_LEN + 1];
	char envelope_hex[MF_SHA256_HEX_LEN + 1];
	char existing_envelope_hex[MF_SHA256_HEX_LEN + 1];
	struct signer signers[MF_DSSE_MAX_SIGNATURES];
	size_t nsigners;
	struct mf_ingest_doc doc; /* the header and kind-specific fields */
	int version;              /* new disclosure version, or the one evals
				     and assessments concern (0: none) */
};

void
mf_ingest_result_init(struct mf_ingest_result *r)
{
	memset(r, 0, sizeof(*r));
}

void
mf_ingest_result_dispose(struct mf_ingest_result *r)
{
	if (r != NULL) {
		json_decref(r->warnings);
		r->warnings = NULL;
	}
}

/* Returns the id of an already accepted submission with this payload. */
static int
find_existing(struct ingest *in, int64_t *id, struct mf_error *err)
{
	PGresult *res;

	*id = 0;
	in->existing_envelope_hex[0] = '\0';
	res = mf_db_execv(MF_SQL_SUBMISSION_BY_DIGEST, err, 1,
			  in->payload_hex);
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 1) {
		*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		snprintf(in->existing_envelope_hex,
			 sizeof(in->existing_envelope_hex), "%s",
			 PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return 0;
}

/*
 * Finds the registered keys the envelope names and verifies each
 * signature with the algorithm of the registered key. At least one must
 * verify with an active key; every verifying key must belong to the same
 * organisation. Signatures by keys we do not know are ignored when another
 * verifies (DSSE allows extra signatures), refused when none does.
 */
static int
verify_signatures(struct ingest *in, struct mf_error *err)
{
	char array[MF_DSSE_MAX_SIGNATURES * (MF_DSSE_MAX_KEYID_LEN + 3) + 3];
	uint8_t *pae = NULL;
	size_t pae_len, i;
	PGresult *res = NULL;
	int rc = 0, known = 0, revoked = 0, bad = 0, r, row;
	struct mf_buf b = MF_BUF_INIT;

	/* keyids as a text[] literal; they are hints, quoted defensively */
	mf_buf_putc(&b, '{');
	for (i = 0; i < in->env->n_sigs; i++) {
		const char *k = in->env->sigs[i].keyid;

		if (strspn(k, "0123456789abcdef") != strlen(k))
			continue;
		mf_buf_printf(&b, "%s\"%s\"", b.len > 1 ? "," : "", k);
	}
	if (mf_buf_putc(&b, '}') != 0 || b.len >= sizeof(array)) {
		mf_buf_dispose(&b);
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	}
	memcpy(array, b.data, b.len + 1);
	mf_buf_dispose(&b);

	res = mf_db_execv(MF_SQL_KEYS_LOOKUP, err, 1, array);
	if (res == NULL)
		return err->code;
	if ((rc = mf_dsse_pae(&pae, &pae_len, in->env->payload_type,
			      strlen(in->env->payload_type), in->env->payload,
			      in->env->payload_len)) != 0) {
		mf_error_set(err, rc, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < in->env->n_sigs; i++) {
		const struct mf_dsse_sig *sig = &in->env->sigs[i];
		const struct mf_key *key;
		struct mf_error verr;
		int owned;

		for (row = 0; row < PQntuples(res); row++)
			if (strcmp(PQgetvalue(res, row, 0), sig->keyid) == 0)
				break;
		if (row == PQntuples(res))
			continue;
		known++;
		mf_error_init(&verr);
		r = mf_keycache_get(&key, &owned, sig->keyid,
				    PQgetvalue(res, row, 2),
				    PQgetvalue(res, row, 3), &verr);
		if (r == 0) {
			/* The registered key's algorithm decides, never the
			 * envelope's. */
			r = mf_verify_message(key, pae, pae_len, sig->sig,
					      sig->sig_len, NULL, &verr);
			if (owned)
				mf_key_free((struct mf_key *)key);
		}
		mf_error_dispose(&verr);
		if (r != 0) {
			bad++;
			continue;
		}
		if (strcmp(PQgetvalue(res, row, 4), "active") != 0) {
			revoked++;
			continue;
		}
		if (in->nsigners > 0 &&
		    strcmp(in->signers[0].org, PQgetvalue(res, row, 1)) != 0) {
			rc = mf_error_set(err, MF_E_FORBIDDEN, "/signatures",
					  "signatures from more than one "
					  "organisation");
			goto done;
		}
		snprintf(in->signers[in->nsigners].keyid,
			 sizeof(in->signers[0].keyid), "%s", sig->keyid);
		snprintf(in->signers[in->nsigners].org,
			 sizeof(in->signers[0].org), "%s",
			 PQgetvalue(res, row, 1));
		snprintf(in->signers[in->nsigners].role,
			 sizeof(in->signers[0].role), "%s",
			 PQgetvalue(res, row, 5));
		in->nsigners++;
	}
	if (in->nsigners > 0)
		goto done;
	if (known == 0)
		rc = mf_error_set(err, MF_E_UNKNOWN_KEY, "/signatures/0/keyid",
				  "no signature is by a key registered here");
	else if (revoked > 0)
		rc = mf_error_set(err, MF_E_KEY_REVOKED, "/signatures",
				  "the signing key has been revoked");
	else
		rc = mf_error_set(err, MF_E_BAD_SIGNATURE, "/signatures",
				  "the signature does not verify over the "
				  "payload with the registered key (%d tried)",
				  bad);
done:
	free(pae);
	PQclear(res);
	return rc;
}

static const struct signer *
signer(const struct ingest *in)
{
	return &in->signers[0];
}

/* Who may publish what (DESIGN.md §1, issue 4's roles). */
static int
authorise(struct ingest *in, struct mf_error *err)
{
	const struct signer *s = signer(in);
	const struct mf_ingest_doc *d = &in->doc;
	int own = strcmp(s->org, d->org) == 0;

	switch (in->type) {
	case MF_DOC_DISCLOSURE:
		if (strcmp(s->role, "developer") != 0)
			return mf_error_set(err, MF_E_WRONG_ROLE, "/subject/org",
					    "only developers publish "
					    "disclosures; %s is an %s",
					    s->org, s->role);
		if (!own)
			return mf_error_set(err, MF_E_WRONG_ORG, "/subject/org",
					    "%s may not publish a disclosure "
					    "for %s's models",
					    s->org, d->org);
		return 0;
	case MF_DOC_EVAL_RESULT:
		if (d->third_party) {
			if (strcmp(s->role, "evaluator") != 0)
				return mf_error_set(
					err, MF_E_WRONG_ROLE, "/assurance",
					"third-party results come from "
					"registered evaluators; %s is a %s",
					s->org, s->role);
			if (own)
				return mf_error_set(
					err, MF_E_WRONG_ORG, "/assurance",
					"an organisation cannot be a third "
					"party to its own model");
			return 0;
		}
		if (strcmp(s->role, "developer") != 0 || !own)
			return mf_error_set(err, MF_E_WRONG_ORG, "/assurance",
					    "self-reported results come from "
					    "the model's own developer");
		return 0;
	case MF_DOC_ASSESSMENT:
		if (strcmp(s->role, "assessor") != 0)
			return mf_error_set(err, MF_E_WRONG_ROLE, "/type",
					    "assessments come from registered "
					    "assessors; %s is a %s",
					    s->org, s->role);
		return 0;
	case MF_DOC_KEY_EVENT:
		if (!own)
			return mf_error_set(err, MF_E_WRONG_ORG, "/subject/org",
					    "%s may not change %s's keys",
					    s->org, d->org);
		return 0;
	default:
		return mf_error_set(err, MF_E_INTERNAL, NULL, "bad type");
	}
}

/* seq, issued_at and the registry name: replay and staleness checks. */
static int
check_freshness(struct ingest *in, struct mf_error *err)
{
	const struct mf_ingest_doc *d = &in->doc;
	int64_t now_us = mf_time_now_ms() * 1000, window;
	PGresult *res;
	int64_t last;

	if (strcmp(d->registry, in->app->cfg->origin) != 0)
		return mf_error_set(err, MF_E_WRONG_REGISTRY, "/registry",
				    "this payload is for registry '%s'; this "
				    "registry is '%s'",
				    d->registry, in->app->cfg->origin);
	window = (int64_t)in->app->cfg->issued_at_window * 1000000;
	if (d->issued_at_us < now_us - window ||
	    d->issued_at_us > now_us + window)
		return mf_error_set(err, MF_E_ISSUED_AT, "/issued_at",
				    "issued_at must be within %lu seconds of "
				    "the registry's clock (%s)",
				    in->app->cfg->issued_at_window,
				    d->issued_at);
	res = mf_db_execv(MF_SQL_ORG_LAST_SEQ, err, 1, signer(in)->org);
	if (res == NULL)
		return err->code;
	last = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (d->seq <= last)
		return mf_error_set(err, MF_E_STALE_SEQ, "/seq",
				    "seq %" PRId64 " is not greater than %s's "
				    "last accepted seq %" PRId64,
				    d->seq, signer(in)->org, last);
	return 0;
}

/* The 409 body names the current head so the client can rebase. */
static int
stale_supersedes(const char *head_hex, struct mf_error *err)
{
	char head[80];

	if (head_hex != NULL && head_hex[0])
		snprintf(head, sizeof(head), "sha256:%s", head_hex);
	mf_error_set(err, MF_E_STALE_SUPERSEDES, "/supersedes",
		     "supersedes must name the current version (%s)",
		     head_hex && head_hex[0] ? head : "null: no version yet");
	json_decref(err->extra);
	err->extra = json_pack("{s:s?}", "current_head",
			       head_hex && head_hex[0] ? head : NULL);
	return err->code;
}

/* The subject's organisation must exist; evals and assessments may name
 * the disclosure they concern. */
static int
check_subject(struct ingest *in, struct mf_error *err)
{
	const struct mf_ingest_doc *d = &in->doc;
	PGresult *res;
	const char *head;
	int rc = 0;

	if (in->type == MF_DOC_KEY_EVENT)
		return 0;
	if (in->type != MF_DOC_DISCLOSURE) {
		res = mf_db_execv(MF_SQL_ORG_LAST_SEQ, err, 1, d->org);
		if (res == NULL)
			return err->code;
		if (PQntuples(res) == 0)
			rc = mf_error_set(err, MF_E_UNKNOWN_SUBJECT,
					  "/subject/org",
					  "no organisation '%s' is registered",
					  d->org);
		PQclear(res);
		if (rc != 0 || d->disclosure_hex[0] == '\0')
			return rc;
		res = mf_db_execv(MF_SQL_VERSION_BY_DIGEST, err, 3, d->org,
				  d->model, d->disclosure_hex);
		if (res == NULL)
			return err->code;
		if (PQntuples(res) == 0)
			rc = mf_error_set(err, MF_E_UNKNOWN_SUBJECT,
					  "/subject/disclosure",
					  "%s/%s has no disclosure with this "
					  "digest",
					  d->org, d->model);
		else
			in->version = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		return rc;
	}
	/* Disclosures: an early, friendly 409; the transaction re-checks. */
	res = mf_db_execv(MF_SQL_MODEL_HEAD, err, 2, d->org, d->model);
	if (res == NULL)
		return err->code;
	head = PQntuples(res) ? PQgetvalue(res, 0, 1) : "";
	if (strcmp(head, d->supersedes_hex) != 0)
		rc = stale_supersedes(head, err);
	PQclear(res);
	return rc;
}

static int
store(struct ingest *in, int64_t *id_out, struct mf_error *err)
{
	const struct mf_ingest_doc *d = &in->doc;
	char seq[24], id[24], version[16];
	const char *params[13];
	int lengths[13] = {0}, formats[13] = {0};
	struct mf_buf keyids = MF_BUF_INIT;
	PGresult *res = NULL;
	size_t i;
	int rc;

	snprintf(seq, sizeof(seq), "%" PRId64, d->seq);
	mf_buf_putc(&keyids, '{');
	for (i = 0; i < in->nsigners; i++)
		mf_buf_printf(&keyids, "%s%s", i ? "," : "",
			      in->signers[i].keyid);
	if ((rc = mf_buf_putc(&keyids, '}')) != 0)
		return mf_error_set(err, rc, NULL, "out of memory");

	if ((rc = mf_db_begin(err)) != 0)
		goto done;
	res = mf_db_execv(MF_SQL_ORG_BUMP_SEQ, err, 2, signer(in)->org, seq);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		rc = mf_error_set(err, MF_E_STALE_SEQ, "/seq",
				  "seq %s is no longer greater than %s's last "
				  "accepted seq",
				  seq, signer(in)->org);
		goto fail;
	}
	PQclear(res);
	res = NULL;
	if (in->type != MF_DOC_KEY_EVENT) {
		/* Locks the model row until commit: racing disclosures for
		 * the same model serialise here, and the loser sees 409. */
		res = mf_db_execv(MF_SQL_MODEL_UPSERT_LOCK, err, 2, d->org,
				  d->model);
		if (res == NULL)
			goto fail;
		if (in->type == MF_DOC_DISCLOSURE) {
			const char *head = PQgetvalue(res, 0, 1);

			if (strcmp(head, d->supersedes_hex) != 0) {
				rc = stale_supersedes(head, err);
				goto fail;
			}
			in->version = atoi(PQgetvalue(res, 0, 0)) + 1;
		}
		PQclear(res);
		res = NULL;
	}
	params[0] = mf_doctype_name(in->type);
	params[1] = signer(in)->org;
	params[2] = signer(in)->keyid;
	params[3] = seq;
	params[4] = d->org;
	params[5] = in->type == MF_DOC_KEY_EVENT ? NULL : d->model;
	params[6] = in->env->payload_type;
	params[7] = in->payload_hex;
	params[8] = in->envelope_hex;
	params[9] = in->body;
	lengths[9] = (int)in->body_len;
	formats[9] = 1; /* bytea, sent as binary: the bytes exactly */
	params[10] = (const char *)in->env->payload;
	params[11] = d->issued_at;
	params[12] = keyids.data;
	res = mf_db_exec(MF_SQL_SUBMISSION_INSERT, 13, params, lengths,
			 formats, err);
	if (res == NULL)
		goto fail;
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	snprintf(version, sizeof(version), "%d", in->version);
	if ((rc = mf_ingest_doc_store(&in->doc, in->type, id, version,
				      signer(in)->org, err)) != 0)
		goto fail;
	if ((rc = mf_db_commit(err)) != 0)
		goto done;
	*id_out = strtoll(id, NULL, 10);
	goto done;
fail:
	if (rc == 0)
		rc = err->code ? err->code : MF_E_INTERNAL;
	PQclear(res);
	mf_db_rollback();
done:
	mf_buf_dispose(&keyids);
	return rc;
}

int
mf_ingest_submit(struct mf_app *app, const char *body, size_t len,
		 struct mf_ingest_result *out, struct mf_error *err)
{
	struct ingest in;
	int64_t existing = 0;
	int rc, t;

	memset(&in, 0, sizeof(in));
	in.app = app;
	in.body = body;
	in.body_len = len;
	out->submission_id = 0;
	out->existing = false;

	/* 1. The envelope's shape (duplicate keys, base64, UTF-8). */
	if ((rc = mf_dsse_parse(&in.env, body, len, app->cfg->max_body,
				err)) != 0)
		goto done;
	t = mf_doctype_from_payload_type(in.env->payload_type,
					 strlen(in.env->payload_type));
	if (t < 0) {
		rc = mf_error_set(err, MF_E_PAYLOAD_TYPE, "/payloadType",
				  "unsupported payloadType; expected one of "
				  "application/vnd.modelfacts.{disclosure,"
				  "eval-result,assessment,key-event}.v1+json");
		goto done;
	}
	in.type = (enum mf_doctype)t;
	mf_sha256_hex(in.payload_hex, in.env->payload, in.env->payload_len);
	mf_sha256_hex(in.envelope_hex, body, len);

	/*
	 * 2. Already accepted? The same envelope again is a harmless replay
	 * (it was verified when accepted, even if its key was revoked since).
	 */
	if ((rc = find_existing(&in, &existing, err)) != 0)
		goto done;
	if (existing != 0 && strcmp(in.existing_envelope_hex, in.envelope_hex) == 0) {
		out->submission_id = existing;
		out->existing = true;
		goto done;
	}

	/* 3. Keys and signatures, before the payload is even parsed. */
	if ((rc = verify_signatures(&in, err)) != 0)
		goto done;
	if (existing != 0) { /* same payload, re-signed: still the record */
		out->submission_id = existing;
		out->existing = true;
		goto done;
	}

	/* 4. The payload and its header fields. */
	in.payload = mf_json_parse((const char *)in.env->payload,
				   in.env->payload_len, "payload", "/payload",
				   err);
	if (in.payload == NULL) {
		rc = err->code;
		goto done;
	}
	if ((rc = mf_ingest_doc_read(&in.doc, in.type, in.payload, err)) != 0)
		goto done;

	/* 5. Who signed may publish this; it is fresh and for us. */
	if ((rc = authorise(&in, err)) != 0 ||
	    (rc = check_freshness(&in, err)) != 0 ||
	    (rc = check_subject(&in, err)) != 0)
		goto done;

	/* 6. Schema and semantic rules, then the key event's own keys. */
	if ((rc = mf_ingest_doc_validate(&in.doc, in.type, in.payload,
					 &out->warnings, err)) != 0)
		goto done;
	if (in.type == MF_DOC_KEY_EVENT) {
		const char *ids[MF_DSSE_MAX_SIGNATURES];
		size_t i;

		for (i = 0; i < in.nsigners; i++)
			ids[i] = in.signers[i].keyid;
		rc = mf_ingest_doc_check_key_event(&in.doc, in.env, ids,
						   in.nsigners, err);
		if (rc != 0)
			goto done;
	}

	/* 7. One transaction. */
	rc = store(&in, &out->submission_id, err);
	if (rc == MF_E_STALE_SEQ || rc == MF_E_CONFLICT) {
		/* A concurrent twin may have won: then this is a replay. */
		struct mf_error e2;

		mf_error_init(&e2);
		if (find_existing(&in, &existing, &e2) == 0 && existing) {
			mf_error_dispose(err);
			mf_error_init(err);
			out->submission_id = existing;
			out->existing = true;
			rc = 0;
		}
		mf_error_dispose(&e2);
	}
done:
	mf_ingest_doc_dispose(&in.doc);
	json_decref(in.payload);
	mf_dsse_free(in.env);
	return rc;
}
