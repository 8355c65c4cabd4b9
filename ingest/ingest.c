/*
 * The submission pipeline, in the order the checks run (see ingest.h).
 * Cheap, precise refusals come first; the database is asked three times:
 * the keys and any earlier acceptance of the payload, the subject's state,
 * and finally mf_accept() (migrations/0002), which stores everything in
 * one statement and re-checks under row locks what could have changed
 * meanwhile (seq, the model's head), so racing clients get 409 rather
 * than a lost update.
 */
#include "ingest/ingest.h"
#include "common/diag.h"
#include "common/digest.h"
#include "common/doctype.h"
#include "common/encoding.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "envelope/dsse.h"
#include "envelope/intoto.h"
#include "envelope/keys.h"
#include "envelope/verify.h"
#include "app/app.h"
#include "db/db.h"
#include "db/ingest.h"
#include "ingest/document.h"
#include "ingest/keycache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct signer {
	char keyid[MF_KEYID_HEX_LEN + 1];
	char org[MF_SLUG_MAX + 1];
	char role[16];
	int64_t last_seq;
};

/* Everything one submission carries through the pipeline. */
struct ingest {
	struct mf_app *app;
	const char *body;
	size_t body_len;
	struct mf_dsse *env;
	enum mf_doctype type;
	json_t *payload; /* owned: the document (an in-toto Statement's
	                    predicate) */
	bool intoto;     /* an eval result signed as an in-toto Statement */
	char *stored;    /* owned: the Statement's predicate bytes, the
	                    text stored as the eval result (else NULL: the
	                    payload as signed) */
	char payload_hex[MF_SHA256_HEX_LEN + 1];
	char envelope_hex[MF_SHA256_HEX_LEN + 1];
	struct mf_db_ingest_keys keys; /* the named keys; an earlier
	                                  acceptance of this payload */
	struct signer signers[MF_DSSE_MAX_SIGNATURES];
	size_t nsigners;
	struct mf_ingest_doc doc; /* the header and type-specific fields */
	int version;         /* the disclosure version evals and assessments
	                        concern (0: none) */
	bool replay_refused; /* the error is about the envelope, not
	                        the predicate's pointers */
	bool resign;         /* a re-signing of keys.existing_id, which a
	                        compromised key signed (migrations/0010) */
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

static const struct signer *
signer(const struct ingest *in)
{
	return &in->signers[0];
}

/*
 * Round trip 1: the registered keys the envelope names, and whether this
 * payload was accepted before (in->keys, replaced on a second call).
 */
static int
lookup_keys(struct ingest *in, struct mf_error *err)
{
	const char *ids[MF_DSSE_MAX_SIGNATURES];
	size_t i;

	for (i = 0; i < in->env->n_sigs && i < MF_DSSE_MAX_SIGNATURES; i++)
		ids[i] = in->env->sigs[i].keyid;
	mf_db_ingest_keys_dispose(&in->keys);
	return mf_db_ingest_keys(&in->keys, ids, i, in->payload_hex,
	                         in->envelope_hex, err);
}

/* The registered key signature i names (keys->n: none). */
static size_t
known_key(const struct mf_db_ingest_keys *keys, const struct mf_dsse *env,
          size_t i)
{
	size_t row;

	for (row = 0; row < keys->n; row++)
		if (strcmp(keys->keys[row].keyid, env->sigs[i].keyid) == 0)
			break;
	return row;
}

/*
 * The signature policy (README "Signature policy"). A signature whose
 * keyid names no registered key is ignored: a co-signer registered
 * elsewhere, published as posted. A registered key signs at most once
 * (400 duplicate_signature), and each of its signatures must verify with
 * that key's algorithm (403 bad_signature, pointing at the signature):
 * a bad signature by a key we know is never passed over. At least one
 * active key must verify, and every verifying key belongs to the same
 * organisation; authorise() then decides whether that organisation may
 * publish the document.
 */
static int
verify_signatures(struct ingest *in, struct mf_error *err)
{
	const struct mf_db_ingest_keys *keys = &in->keys;
	const struct mf_dsse *env = in->env;
	uint8_t *pae = NULL;
	size_t pae_len, i, j, row;
	int rc = 0, known = 0, r;
	char ptr[48];

	/* 1. A key signs at most once (cheap, before any verification). */
	for (i = 0; i < env->n_sigs; i++) {
		if (known_key(keys, env, i) == keys->n)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(env->sigs[j].keyid, env->sigs[i].keyid) == 0)
				break;
		if (j < i) {
			snprintf(ptr, sizeof(ptr), "/signatures/%zu", i);
			return mf_error_set(
			    err, MF_E_DUPLICATE_SIGNATURE, ptr,
			    "key %s already signed this envelope "
			    "(signature %zu): a key signs at most "
			    "once",
			    env->sigs[i].keyid, j);
		}
	}

	/* 2. Every signature by a registered key verifies, or none counts. */
	if ((rc = mf_dsse_pae(&pae, &pae_len, env->payload_type,
	                      strlen(env->payload_type), env->payload,
	                      env->payload_len)) != 0)
		return mf_error_set(err, rc, NULL, "out of memory");
	for (i = 0; i < env->n_sigs; i++) {
		const struct mf_dsse_sig *sig = &env->sigs[i];
		const struct mf_db_signing_key *reg;
		const struct mf_key *key;
		struct mf_error verr;
		struct signer *s;
		int owned;

		if ((row = known_key(keys, env, i)) == keys->n)
			continue;
		reg = &keys->keys[row];
		known++;
		mf_error_init(&verr);
		r = mf_keycache_get(&key, &owned, sig->keyid, reg->alg,
		                    reg->public_key, &verr);
		if (r == 0) {
			/* The registered key's algorithm decides. */
			r = mf_verify_message(key, pae, pae_len, sig->sig,
			                      sig->sig_len, NULL, &verr);
			if (owned)
				mf_key_free((struct mf_key *)key);
		}
		if (r != 0) {
			snprintf(ptr, sizeof(ptr), "/signatures/%zu", i);
			rc = r == MF_E_NOMEM
			         ? mf_error_set(err, r, NULL, "out of memory")
			         : mf_error_set(err, MF_E_BAD_SIGNATURE, ptr,
			                        "signature %zu, by registered "
			                        "key %s, does not verify over "
			                        "the payload: %s",
			                        i, sig->keyid, verr.message);
			mf_error_dispose(&verr);
			goto done;
		}
		mf_error_dispose(&verr);
		if (strcmp(reg->status, "active") != 0)
			continue; /* verifies, but counts for nothing */
		if (in->nsigners > 0 &&
		    strcmp(signer(in)->org, reg->org) != 0) {
			rc = mf_error_set(err, MF_E_FORBIDDEN, "/signatures",
			                  "signatures from more than one "
			                  "organisation");
			goto done;
		}
		s = &in->signers[in->nsigners++];
		snprintf(s->keyid, sizeof(s->keyid), "%s", sig->keyid);
		snprintf(s->org, sizeof(s->org), "%s", reg->org);
		snprintf(s->role, sizeof(s->role), "%s", reg->role);
		s->last_seq = reg->last_seq;
	}

	/* 3. At least one active registered key. */
	if (in->nsigners > 0)
		goto done;
	if (known == 0)
		rc = mf_error_set(err, MF_E_UNKNOWN_KEY, "/signatures/0/keyid",
		                  "no signature is by a key registered here");
	else
		rc = mf_error_set(err, MF_E_KEY_REVOKED, "/signatures",
		                  "the signing key has been revoked");
done:
	free(pae);
	return rc;
}

/*
 * A transcribed document (one with "transcribed_from") is signed by a
 * curator, and a curator signs nothing else: so "transcribed from ..." on
 * a label is always the truth, and a curator's signature never passes
 * for the words of the developer or assessor it quotes (DESIGN.md §2).
 */
static int
authorise_curation(const struct ingest *in, const struct signer *s,
                   struct mf_error *err)
{
	bool curator = strcmp(s->role, "curator") == 0;
	bool transcribed =
	    json_object_get(in->payload, "transcribed_from") != NULL;

	if (transcribed && !curator)
		return mf_error_set(err, MF_E_WRONG_ROLE, "/transcribed_from",
		                    "only curators sign transcribed documents; "
		                    "%s is a %s",
		                    s->org, s->role);
	if (curator && !transcribed)
		return mf_error_set(err, MF_E_WRONG_ROLE, "/transcribed_from",
		                    "a curator signs only documents it "
		                    "transcribed, which say where from "
		                    "(transcribed_from)");
	if (curator && in->type != MF_DOC_DISCLOSURE &&
	    in->type != MF_DOC_ASSESSMENT)
		return mf_error_set(err, MF_E_WRONG_ROLE, "/type",
		                    "curators transcribe disclosures and "
		                    "assessments only");
	/* whose grading it is: the signer's, or the one it transcribes */
	if (in->type == MF_DOC_ASSESSMENT && !curator &&
	    in->doc.assessor != NULL)
		return mf_error_set(
		    err, MF_E_WRONG_ROLE, "/assessor",
		    "only a transcribed assessment names its "
		    "assessor: %s's own assessments are its own",
		    s->org);
	if (in->type == MF_DOC_ASSESSMENT && curator &&
	    in->doc.assessor == NULL)
		return mf_error_set(err, MF_E_WRONG_ROLE, "/assessor",
		                    "a transcribed assessment names the "
		                    "registered assessor whose grading it is "
		                    "(assessor)");
	return 0;
}

/* Who may publish what (DESIGN.md §1, issue 4's roles). */
static int
authorise(struct ingest *in, struct mf_error *err)
{
	const struct signer *s = signer(in);
	const struct mf_ingest_doc *d = &in->doc;
	int own = strcmp(s->org, d->org) == 0;
	int rc;

	if (in->type != MF_DOC_KEY_EVENT &&
	    (rc = authorise_curation(in, s, err)) != 0)
		return rc;
	/* a curator transcribes for any organisation the registry knows */
	if (strcmp(s->role, "curator") == 0)
		return 0;
	switch (in->type) {
	case MF_DOC_DISCLOSURE:
		if (strcmp(s->role, "developer") != 0)
			return mf_error_set(err, MF_E_WRONG_ROLE,
			                    "/subject/org",
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
	case MF_DOC_WITHDRAWAL:
		/* any role; mf_accept() checks, under lock, that the signer's
		 * organisation signed the withdrawn document (MF006) */
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
	if (d->seq <= signer(in)->last_seq)
		return mf_error_set(err, MF_E_STALE_SEQ, "/seq",
		                    "seq %" PRId64 " is not greater than %s's "
		                    "last accepted seq %" PRId64,
		                    d->seq, signer(in)->org,
		                    signer(in)->last_seq);
	return 0;
}

/* The 409 body names the current head so the client can rebase. */
static int
stale_supersedes(const char *head_hex, struct mf_error *err)
{
	char head[80];
	int have = head_hex != NULL && head_hex[0] != '\0';

	if (have)
		snprintf(head, sizeof(head), "sha256:%s", head_hex);
	mf_error_set(err, MF_E_STALE_SUPERSEDES, "/supersedes",
	             "supersedes must name the current version (%s)",
	             have ? head : "null: no version yet");
	json_decref(err->extra);
	err->extra = json_pack("{s:s?}", "current_head", have ? head : NULL);
	return err->code;
}

/*
 * Round trip 2: the subject. Its organisation must exist; a disclosure's
 * supersedes must name the model's head (an early, friendly 409: the
 * accepting statement checks again under lock); evals and assessments may
 * name the disclosure they concern.
 */
static int
check_subject(struct ingest *in, struct mf_error *err)
{
	const struct mf_ingest_doc *d = &in->doc;
	struct mf_db_ingest_subject subj;
	int rc;

	if (in->type == MF_DOC_KEY_EVENT)
		return 0;
	if ((rc = mf_db_ingest_subject(
	         &subj, d->org, d->model,
	         d->disclosure_hex[0] ? d->disclosure_hex : NULL, err)) != 0)
		return rc;
	if (!subj.org_exists)
		return mf_error_set(err, MF_E_UNKNOWN_SUBJECT, "/subject/org",
		                    "no organisation '%s' is registered",
		                    d->org);
	if (in->type == MF_DOC_DISCLOSURE) {
		if (strcmp(subj.head_hex, d->supersedes_hex) != 0)
			return stale_supersedes(subj.head_hex, err);
	} else if (d->disclosure_hex[0] != '\0') {
		if (subj.disclosure_version == 0)
			return mf_error_set(err, MF_E_UNKNOWN_SUBJECT,
			                    "/subject/disclosure",
			                    "%s/%s has no disclosure with this "
			                    "digest",
			                    d->org, d->model);
		in->version = subj.disclosure_version;
	}
	return 0;
}

/*
 * An in-toto Statement: checked (envelope/intoto.h), then its predicate
 * is the document every later step reads, and its exact bytes are what
 * is stored as the eval result's text; the envelope stays as signed.
 */
static int
unwrap_statement(struct ingest *in, struct mf_error *err)
{
	json_t *predicate;
	size_t off, n;
	int rc;

	if ((rc = mf_intoto_unwrap(&predicate, in->payload, err)) != 0 ||
	    (rc = mf_intoto_predicate_span((const char *)in->env->payload,
	                                   in->env->payload_len, &off, &n,
	                                   err)) != 0)
		return rc;
	if ((in->stored = strndup((const char *)in->env->payload + off, n)) ==
	    NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	json_incref(predicate);
	json_decref(in->payload);
	in->payload = predicate;
	return 0;
}

/*
 * The payload was accepted before, from another envelope: it is the same
 * submission again only if the same organisation signs it under the same
 * payloadType. Runs after verify_signatures() and authorise(), the
 * checks a new submission gets, so a replay never skips them.
 */
static int
check_replay(struct ingest *in, struct mf_error *err)
{
	const struct mf_db_ingest_keys *k = &in->keys;

	in->replay_refused = true;
	if (strcmp(k->existing_payload_type, in->env->payload_type) != 0)
		return mf_error_set(err, MF_E_CONFLICT, "/payloadType",
		                    "this payload was accepted as %s",
		                    k->existing_payload_type);
	if (strcmp(k->existing_org, signer(in)->org) != 0)
		return mf_error_set(err, MF_E_WRONG_ORG, "/signatures",
		                    "this payload was accepted from %s; "
		                    "%s's signature does not make it %s's",
		                    k->existing_org, signer(in)->org,
		                    signer(in)->org);
	in->replay_refused = false;
	return 0;
}

/* Maps mf_accept()'s refusals (SQLSTATE class MF) to error codes. */
static int
accept_refused(struct ingest *in, struct mf_error *err)
{
	const char *state = mf_db_last_sqlstate();

	mf_error_dispose(err);
	mf_error_init(err);
	if (strcmp(state, "MF001") == 0)
		return mf_error_set(err, MF_E_STALE_SEQ, "/seq",
		                    "seq %" PRId64 " is no longer greater "
		                    "than %s's last accepted seq",
		                    in->doc.seq, signer(in)->org);
	if (strcmp(state, "MF002") == 0)
		return stale_supersedes(mf_db_last_detail(), err);
	if (strcmp(state, "MF003") == 0)
		return mf_error_set(err, MF_E_CONFLICT, "/keyid",
		                    "the key was revoked meanwhile");
	if (strcmp(state, "MF004") == 0)
		return mf_error_set(err, MF_E_WRONG_ROLE, "/assessor",
		                    "%s is not a registered assessor",
		                    in->doc.assessor ? in->doc.assessor : "");
	/* withdrawals (migrations/0009) */
	if (strcmp(state, "MF005") == 0)
		return mf_error_set(err, MF_E_UNKNOWN_SUBJECT, "/withdraws",
		                    "%s/%s has no disclosure, eval result or "
		                    "assessment with this payload digest",
		                    in->doc.org, in->doc.model);
	if (strcmp(state, "MF006") == 0)
		return mf_error_set(err, MF_E_WRONG_ORG, "/withdraws",
		                    "only the organisation that signed a "
		                    "document may withdraw it; %s did not "
		                    "sign this one",
		                    signer(in)->org);
	if (strcmp(state, "MF007") == 0)
		return mf_error_set(err, MF_E_CONFLICT, "/withdraws",
		                    "this document was already withdrawn");
	/* re-signings (migrations/0010): a twin re-signed it first */
	if (strcmp(state, "MF008") == 0)
		return mf_error_set(err, MF_E_CONFLICT, "/signatures",
		                    "this document was re-signed meanwhile");
	return mf_error_set(err, MF_E_CONFLICT, NULL,
	                    "this payload was accepted meanwhile");
}

/* Round trip 3: everything, in one statement and one transaction. */
static int
store(struct ingest *in, int64_t *id_out, struct mf_error *err)
{
	const struct mf_ingest_doc *d = &in->doc;
	const char *keyids[MF_DSSE_MAX_SIGNATURES];
	struct mf_db_submission sub;
	json_t *x;
	size_t i;
	int rc;

	for (i = 0; i < in->nsigners; i++)
		keyids[i] = in->signers[i].keyid;
	x = in->resign ? json_pack("{s:I}", "resigns",
	                           (json_int_t)in->keys.existing_id)
	               : mf_ingest_doc_extra(&in->doc, in->type, in->version);
	if (x == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	sub.kind = in->resign ? "resigning" : mf_doctype_name(in->type);
	sub.org = signer(in)->org;
	sub.keyid = signer(in)->keyid;
	sub.seq = d->seq;
	sub.subject_org = d->org;
	sub.subject_model = in->type == MF_DOC_KEY_EVENT ? NULL : d->model;
	sub.payload_type = in->env->payload_type;
	sub.payload_hex = in->payload_hex;
	sub.envelope_hex = in->envelope_hex;
	sub.envelope = in->body;
	sub.envelope_len = in->body_len;
	sub.payload = in->stored ? in->stored : (const char *)in->env->payload;
	sub.issued_at = d->issued_at;
	sub.signer_keyids = keyids;
	sub.nsigners = in->nsigners;
	sub.supersedes_hex =
	    d->supersedes_hex[0] && !in->resign ? d->supersedes_hex : NULL;
	sub.extra = x;
	rc = mf_db_accept_submission(id_out, &sub, err);
	if (rc != 0 && (strncmp(mf_db_last_sqlstate(), "MF", 2) == 0 ||
	                rc == MF_E_CONFLICT))
		rc = accept_refused(in, err);
	json_decref(x);
	return rc;
}

/*
 * The connection was lost (or timed out) after mf_accept() was sent: it may
 * have committed, and a client told 503 would retry into a 409. Reconnect
 * and look the payload up: stored with this very envelope, the submission
 * is ours (answered as accepted); stored with another, a twin won (a
 * replay). 0 when it was stored, else the caller's 503 stands.
 */
static int
commit_outcome(struct ingest *in, struct mf_ingest_result *out)
{
	struct mf_error e;
	int rc;

	mf_error_init(&e);
	rc = lookup_keys(in, &e);
	mf_error_dispose(&e);
	if (rc != 0 || in->keys.existing_id == 0)
		return MF_E_UNAVAILABLE;
	mf_diag_warn("submission %lld: outcome unknown after the connection "
	             "was lost; found it stored",
	             (long long)in->keys.existing_id);
	out->submission_id = in->keys.existing_id;
	out->existing =
	    strcmp(in->keys.existing_envelope_hex, in->envelope_hex) != 0;
	return 0;
}

int
mf_ingest_submit(struct mf_app *app, const char *body, size_t len,
                 struct mf_ingest_result *out, struct mf_error *err)
{
	struct ingest in;
	int rc, t;

	memset(&in, 0, sizeof(in));
	in.app = app;
	in.body = body;
	in.body_len = len;
	out->submission_id = 0;
	out->existing = false;

	/* 1. The envelope's shape (duplicate keys, base64, UTF-8). */
	if ((rc = mf_dsse_parse(&in.env, body, len, app->cfg->max_body, err)) !=
	    0)
		goto done;
	t = mf_doctype_from_payload_type(in.env->payload_type,
	                                 strlen(in.env->payload_type));
	if (t < 0 &&
	    strcmp(in.env->payload_type, MF_INTOTO_PAYLOAD_TYPE) == 0) {
		/* an eval result as an in-toto Statement (DESIGN.md §1) */
		t = MF_DOC_EVAL_RESULT;
		in.intoto = true;
	}
	if (t < 0) {
		rc = mf_error_set(
		    err, MF_E_PAYLOAD_TYPE, "/payloadType",
		    "unsupported payloadType; expected one of "
		    "application/vnd.modelfacts.{disclosure,"
		    "eval-result,assessment,key-event,withdrawal}.v1+json "
		    "or " MF_INTOTO_PAYLOAD_TYPE);
		goto done;
	}
	in.type = (enum mf_doctype)t;
	mf_sha256_hex(in.payload_hex, in.env->payload, in.env->payload_len);
	mf_sha256_hex(in.envelope_hex, body, len);

	/*
	 * 2. Keys, and an earlier acceptance. The same envelope again is a
	 * harmless replay (verified and authorised when it was accepted,
	 * even if its key was revoked since); the same payload in another
	 * envelope goes through the signature policy and authorisation
	 * (step 4) like a new submission before it is called a replay.
	 */
	if ((rc = lookup_keys(&in, err)) != 0)
		goto done;
	if (in.keys.existing_id != 0 &&
	    strcmp(in.keys.existing_envelope_hex, in.envelope_hex) == 0)
		goto existing;
	if ((rc = verify_signatures(&in, err)) != 0)
		goto done;

	/* 3. The payload and its header fields. */
	in.payload =
	    mf_json_parse((const char *)in.env->payload, in.env->payload_len,
	                  "payload", "/payload", err);
	if (in.payload == NULL) {
		rc = err->code;
		goto done;
	}
	if (in.intoto && (rc = unwrap_statement(&in, err)) != 0)
		goto done;
	if ((rc = mf_ingest_doc_read(&in.doc, in.type, in.payload, err)) != 0)
		goto done;

	/* 4. Who signed may publish this (a replay: and did); it is fresh
	 * and for us. */
	if ((rc = authorise(&in, err)) != 0)
		goto done;
	if (in.keys.existing_id != 0) {
		if ((rc = check_replay(&in, err)) != 0)
			goto done;
		/* A document flagged as signed by a compromised key, in a
		 * new envelope its organisation's active keys signed: a
		 * re-signing, stored as a new submission (its payload was
		 * validated, and its seq and issued_at judged, when first
		 * accepted). Anything else is the earlier acceptance. */
		if (!in.keys.existing_flagged)
			goto existing;
		in.resign = true;
		goto stored_anew;
	}
	if ((rc = check_freshness(&in, err)) != 0 ||
	    (rc = check_subject(&in, err)) != 0)
		goto done;

	/* 5. Schema and semantic rules, then the key event's own keys. */
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

	/* 6. One statement, one transaction; an unknown outcome looked up. */
stored_anew:
	rc = store(&in, &out->submission_id, err);
	if (rc == MF_E_UNAVAILABLE) {
		mf_error_dispose(err);
		mf_error_init(err);
		if (commit_outcome(&in, out) == 0) {
			rc = 0;
			goto done;
		}
		rc = mf_error_set(
		    err, MF_E_UNAVAILABLE, NULL,
		    "the database went away before this "
		    "submission's outcome was known; send the same "
		    "envelope again (if it was stored, the answer "
		    "is 200 already_accepted)");
	}
	if (rc == MF_E_STALE_SEQ || rc == MF_E_CONFLICT) {
		/* A concurrent twin may have won: then this is a replay. */
		struct mf_error e2;

		mf_error_init(&e2);
		lookup_keys(&in, &e2);
		mf_error_dispose(&e2);
		if (in.keys.existing_id != 0) {
			mf_error_dispose(err);
			mf_error_init(err);
			if ((rc = check_replay(&in, err)) != 0)
				goto done;
			goto existing;
		}
	}
	goto done;
existing:
	out->submission_id = in.keys.existing_id;
	out->existing = true;
done:
	/* the predicate's pointers, as the Statement has them */
	if (rc != 0 && in.stored != NULL && !in.replay_refused)
		mf_intoto_error_under(err, "/predicate");
	free(in.stored);
	mf_db_ingest_keys_dispose(&in.keys);
	mf_ingest_doc_dispose(&in.doc);
	json_decref(in.payload);
	mf_dsse_free(in.env);
	return rc;
}
