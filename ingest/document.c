/*
 * Document-specific parts of ingest (see document.h): the header every
 * payload carries, the fields each type keeps in its own table, key-event
 * rules, and the type's rows in the submission transaction.
 */
#include "ingest/document.h"
#include "common/encoding.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "envelope/verify.h"
#include "scoring/index.h"
#include "scoring/score.h"
#include "db/ingest.h"
#include "validators/document.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
mf_ingest_doc_dispose(struct mf_ingest_doc *d)
{
	json_decref(d->scores);
	json_decref(d->grades);
	mf_key_free(d->new_key);
	memset(d, 0, sizeof(*d));
}

static int
invalid(struct mf_error *err, const char *pointer, const char *message)
{
	mf_error_set(err, MF_E_VALIDATION, pointer, "%s", message);
	mf_error_detail(err, pointer, message);
	return MF_E_VALIDATION;
}

static const char *
str_at(json_t *payload, const char *pointer)
{
	return json_string_value(mf_json_pointer_get(payload, pointer));
}

/*
 * A disclosure field may be bare or wrapped in {"status", "value", ...};
 * this is its value when disclosed, else NULL.
 */
static json_t *
disclosed_value(json_t *field)
{
	const char *status;

	if (!json_is_object(field) || json_object_get(field, "status") == NULL)
		return field;
	status = json_string_value(json_object_get(field, "status"));
	if (status == NULL || strcmp(status, "disclosed") != 0)
		return NULL;
	return json_object_get(field, "value");
}

/* "sha256:<64 lowercase hex>" into hex; -1 when malformed. */
static int
parse_digest_ref(const char *s, char hex[MF_SHA256_HEX_LEN + 1])
{
	if (s == NULL || strncmp(s, "sha256:", 7) != 0 ||
	    strlen(s) != 7 + MF_SHA256_HEX_LEN ||
	    !mf_hex_is_lower(s + 7, MF_SHA256_HEX_LEN))
		return -1;
	memcpy(hex, s + 7, MF_SHA256_HEX_LEN + 1);
	return 0;
}

static int
read_header(struct mf_ingest_doc *d, enum mf_doctype type, json_t *p,
            struct mf_error *err)
{
	const char *t = str_at(p, "/type");
	json_t *seq, *sup;

	if (!json_is_object(p))
		return invalid(err, "", "the payload must be a JSON object");
	if (t == NULL || mf_doctype_from_name(t) != (int)type)
		return invalid(err, "/type",
		               "type must match the envelope's payloadType");
	if ((d->registry = str_at(p, "/registry")) == NULL)
		return invalid(err, "/registry",
		               "registry (this registry's origin) is required");
	d->org = str_at(p, "/subject/org");
	if (!mf_slug_valid(d->org))
		return invalid(err, "/subject/org",
		               "subject.org must be an organisation id "
		               "([a-z0-9][a-z0-9-]{0,62})");
	if (type != MF_DOC_KEY_EVENT) {
		d->model = str_at(p, "/subject/model");
		if (!mf_slug_valid(d->model))
			return invalid(err, "/subject/model",
			               "subject.model must be a model id "
			               "([a-z0-9][a-z0-9-]{0,62})");
	}
	d->issued_at = str_at(p, "/issued_at");
	if (d->issued_at == NULL ||
	    mf_time_parse_rfc3339(d->issued_at, &d->issued_at_us) != 0)
		return invalid(err, "/issued_at",
		               "issued_at must be an RFC 3339 date-time");
	seq = json_object_get(p, "seq");
	if (!json_is_integer(seq) || json_integer_value(seq) < 1)
		return invalid(err, "/seq", "seq must be an integer >= 1");
	d->seq = json_integer_value(seq);
	if (type == MF_DOC_DISCLOSURE) {
		sup = json_object_get(p, "supersedes");
		if (sup == NULL)
			return invalid(err, "/supersedes",
			               "supersedes is required (null for a "
			               "model's first version)");
		if (!json_is_null(sup) &&
		    parse_digest_ref(json_string_value(sup),
		                     d->supersedes_hex) != 0)
			return invalid(err, "/supersedes",
			               "supersedes must be null or "
			               "\"sha256:<64 lowercase hex digits>\"");
	} else if (type != MF_DOC_KEY_EVENT) {
		json_t *ref = mf_json_pointer_get(p, "/subject/disclosure");

		if (ref != NULL && parse_digest_ref(json_string_value(ref),
		                                    d->disclosure_hex) != 0)
			return invalid(err, "/subject/disclosure",
			               "subject.disclosure must be "
			               "\"sha256:<64 lowercase hex digits>\"");
	}
	return 0;
}

static int
read_disclosure(struct mf_ingest_doc *d, json_t *p)
{
	json_t *v =
	    disclosed_value(mf_json_pointer_get(p, "/identity/version"));
	int64_t days;

	d->model_version = json_string_value(v);
	v = disclosed_value(mf_json_pointer_get(p, "/identity/release_date"));
	d->release_date = json_string_value(v);
	if (d->release_date != NULL &&
	    mf_time_parse_date(d->release_date, &days) != 0)
		d->release_date = NULL; /* the validator reports it */
	return 0;
}

static int
read_eval(struct mf_ingest_doc *d, json_t *p, struct mf_error *err)
{
	const char *assurance = str_at(p, "/assurance");
	json_t *value = json_object_get(p, "value");

	if (assurance == NULL || (strcmp(assurance, "self_reported") != 0 &&
	                          strcmp(assurance, "third_party") != 0))
		return invalid(err, "/assurance",
		               "assurance must be self_reported or "
		               "third_party");
	d->third_party = strcmp(assurance, "third_party") == 0;
	if ((d->benchmark = str_at(p, "/benchmark/id")) == NULL)
		return invalid(err, "/benchmark/id",
		               "benchmark.id is required");
	if ((d->metric = str_at(p, "/metric/name")) == NULL)
		return invalid(err, "/metric/name", "metric.name is required");
	if (!json_is_number(value) || !isfinite(json_number_value(value)))
		return invalid(err, "/value", "value must be a number");
	d->value = json_number_value(value);
	return 0;
}

static int
read_assessment(struct mf_ingest_doc *d, json_t *p, struct mf_error *err)
{
	json_t *scores = json_object_get(p, "scores"), *g;
	const char *id;

	if ((d->index_id = str_at(p, "/index")) == NULL)
		return invalid(err, "/index", "index is required");
	d->assessor = str_at(p, "/assessor");
	if (!json_is_object(scores) || json_object_size(scores) == 0)
		return invalid(err, "/scores",
		               "scores must be an object of grades");
	if ((d->grades = json_object()) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	json_object_foreach(scores, id, g)
	{
		json_t *s = json_object_get(g, "score");

		if (!json_is_integer(s) || json_integer_value(s) < 0 ||
		    json_integer_value(s) > 1)
			return invalid(err, "/scores",
			               "each grade needs a score of 0 or 1");
		d->grade_total += (int)json_integer_value(s);
		json_object_set_new(d->grades, id,
		                    json_integer(json_integer_value(s)));
	}
	return 0;
}

static int
read_key_event(struct mf_ingest_doc *d, json_t *p, struct mf_error *err)
{
	const char *pem;

	d->action = str_at(p, "/action");
	if (d->action == NULL)
		return invalid(err, "/action",
		               "action must be add, rotate or revoke");
	if (strcmp(d->action, "revoke") == 0) {
		d->target_keyid = str_at(p, "/keyid");
		if (d->target_keyid == NULL)
			return invalid(err, "/keyid",
			               "revoke names the key id to revoke");
		return 0;
	}
	if (strcmp(d->action, "add") != 0 && strcmp(d->action, "rotate") != 0)
		return invalid(err, "/action",
		               "action must be add, rotate or revoke");
	if (strcmp(d->action, "rotate") == 0 &&
	    (d->target_keyid = str_at(p, "/replaces")) == NULL)
		return invalid(err, "/replaces",
		               "rotate names the key id it replaces");
	if ((pem = d->public_key = str_at(p, "/key/public_key")) == NULL)
		return invalid(err, "/key/public_key",
		               "the new key's public_key is required");
	if (mf_key_parse_public(&d->new_key, pem, strlen(pem), err) != 0) {
		char msg[MF_ERROR_MESSAGE_MAX];

		snprintf(msg, sizeof(msg), "%s", err->message);
		mf_error_dispose(err);
		mf_error_init(err);
		return invalid(err, "/key/public_key", msg);
	}
	if (str_at(p, "/key/keyid") != NULL &&
	    strcmp(str_at(p, "/key/keyid"), mf_key_id(d->new_key)) != 0)
		return invalid(err, "/key/keyid",
		               "key.keyid does not match the public key");
	return 0;
}

/* A withdrawal names the payload it withdraws, why, and since when. */
static int
read_withdrawal(struct mf_ingest_doc *d, json_t *p, struct mf_error *err)
{
	int64_t days;

	if (parse_digest_ref(str_at(p, "/withdraws"), d->withdraws_hex) != 0)
		return invalid(err, "/withdraws",
		               "withdraws must be \"sha256:<64 lowercase hex "
		               "digits>\", the payload digest of the withdrawn "
		               "document");
	if ((d->reason = str_at(p, "/reason")) == NULL || d->reason[0] == '\0')
		return invalid(err, "/reason",
		               "reason (why the document is withdrawn) is "
		               "required");
	if ((d->date = str_at(p, "/date")) == NULL ||
	    mf_time_parse_date(d->date, &days) != 0)
		return invalid(err, "/date", "date must be a YYYY-MM-DD date");
	return 0;
}

int
mf_ingest_doc_read(struct mf_ingest_doc *d, enum mf_doctype type,
                   json_t *payload, struct mf_error *err)
{
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = read_header(d, type, payload, err)) != 0)
		return rc;
	switch (type) {
	case MF_DOC_DISCLOSURE:
		return read_disclosure(d, payload);
	case MF_DOC_EVAL_RESULT:
		return read_eval(d, payload, err);
	case MF_DOC_ASSESSMENT:
		return read_assessment(d, payload, err);
	case MF_DOC_KEY_EVENT:
		return read_key_event(d, payload, err);
	case MF_DOC_WITHDRAWAL:
		return read_withdrawal(d, payload, err);
	default:
		return mf_error_set(err, MF_E_INTERNAL, NULL, "bad type");
	}
}

/* Warnings as [{"pointer", "code", "message"}]. */
static json_t *
warnings_json(const struct mf_doc_report *rep)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < rep->n_warnings; i++)
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:s}", "pointer",
		                 rep->warnings[i].pointer, "code",
		                 rep->warnings[i].code, "message",
		                 rep->warnings[i].message));
	return a;
}

/* The disclosure's score against the registry's own index. */
static int
score_disclosure(struct mf_ingest_doc *d, json_t *payload, struct mf_error *err)
{
	const struct mf_index *idx = mf_index_modelfacts_v1();
	struct mf_score *score = NULL;
	int rc;

	if (idx == NULL)
		return mf_error_set(err, MF_E_SCHEMA, NULL,
		                    "the modelfacts-v1 index does not load");
	if ((rc = mf_score_compute(&score, idx, payload, NULL, 0, err)) != 0)
		return rc;
	/* Names and reasons come back when a label recomputes the score;
	 * a version stores the results (the full form outweighs a payload). */
	d->scores = mf_score_summary_json(score);
	d->score_total = (int)score->total.met;
	d->score_max = (int)score->total.max;
	mf_score_free(score);
	return d->scores ? 0 : mf_error_set(err, MF_E_NOMEM, NULL, "no memory");
}

int
mf_ingest_doc_validate(struct mf_ingest_doc *d, enum mf_doctype type,
                       json_t *payload, json_t **warnings, struct mf_error *err)
{
	struct mf_doc_report rep;
	int rc;

	*warnings = NULL;
	if ((rc = mf_document_check(payload, (int)type, &rep)) != 0) {
		mf_doc_report_dispose(&rep);
		return mf_error_set(err, rc, NULL, "cannot check documents");
	}
	if ((rc = mf_doc_report_to_error(&rep, err)) == 0) {
		*warnings = warnings_json(&rep);
		if (*warnings == NULL)
			rc = mf_error_set(err, MF_E_NOMEM, NULL, "no memory");
	}
	mf_doc_report_dispose(&rep);
	if (rc == 0 && type == MF_DOC_DISCLOSURE)
		rc = score_disclosure(d, payload, err);
	return rc;
}

int
mf_ingest_doc_check_key_event(struct mf_ingest_doc *d,
                              const struct mf_dsse *env,
                              const char *const *signer_keyids, size_t nsigners,
                              struct mf_error *err)
{
	struct mf_db_key_status ks;
	struct mf_error e;
	size_t i;
	int found = 0, rc;

	if (d->target_keyid != NULL) {
		if ((rc = mf_db_key_status(&ks, d->target_keyid, err)) != 0)
			return rc;
		if (!ks.found || !ks.active || strcmp(ks.org, d->org) != 0)
			return mf_error_set(err, MF_E_VALIDATION,
			                    strcmp(d->action, "rotate") == 0
			                        ? "/replaces"
			                        : "/keyid",
			                    "%s is not an active key of %s",
			                    d->target_keyid, d->org);
	}
	if (strcmp(d->action, "rotate") == 0) {
		for (i = 0; i < nsigners; i++)
			found |= strcmp(signer_keyids[i], d->target_keyid) == 0;
		if (!found)
			return mf_error_set(err, MF_E_FORBIDDEN, "/signatures",
			                    "a rotation is signed by the key "
			                    "it replaces");
	}
	if (d->new_key == NULL)
		return 0;
	if ((rc = mf_db_key_status(&ks, mf_key_id(d->new_key), err)) != 0)
		return rc;
	if (ks.found)
		return mf_error_set(err, MF_E_CONFLICT, "/key/public_key",
		                    "this key is already registered");
	mf_error_init(&e);
	found = mf_dsse_verify(env, d->new_key, NULL, NULL, &e) == 0;
	mf_error_dispose(&e);
	if (!found)
		return mf_error_set(err, MF_E_BAD_SIGNATURE, "/signatures",
		                    "the new key must also sign the key event "
		                    "(proof of possession)");
	return 0;
}

json_t *
mf_ingest_doc_extra(const struct mf_ingest_doc *d, enum mf_doctype type,
                    int version)
{
	json_t *x = json_object();
	char *spki_hex;
	const uint8_t *der;
	size_t n;

	if (x == NULL)
		return NULL;
	if (version > 0)
		json_object_set_new(x, "version", json_integer(version));
	switch (type) {
	case MF_DOC_DISCLOSURE:
		json_object_set_new(x, "model_version",
		                    d->model_version
		                        ? json_string(d->model_version)
		                        : json_null());
		json_object_set_new(x, "release_date",
		                    d->release_date
		                        ? json_string(d->release_date)
		                        : json_null());
		if (d->scores != NULL) {
			json_object_set(x, "scores", d->scores);
			json_object_set_new(x, "score_total",
			                    json_integer(d->score_total));
			json_object_set_new(x, "score_max",
			                    json_integer(d->score_max));
		}
		break;
	case MF_DOC_EVAL_RESULT:
		json_object_set_new(x, "assurance",
		                    json_string(d->third_party
		                                    ? "third_party"
		                                    : "self_reported"));
		json_object_set_new(x, "benchmark", json_string(d->benchmark));
		json_object_set_new(x, "metric", json_string(d->metric));
		json_object_set_new(x, "value", json_real(d->value));
		break;
	case MF_DOC_ASSESSMENT:
		json_object_set_new(x, "index", json_string(d->index_id));
		json_object_set(x, "grades", d->grades);
		json_object_set_new(x, "total", json_integer(d->grade_total));
		if (d->assessor != NULL)
			json_object_set_new(x, "assessor",
			                    json_string(d->assessor));
		break;
	case MF_DOC_KEY_EVENT:
		if (d->target_keyid != NULL)
			json_object_set_new(x, "target_keyid",
			                    json_string(d->target_keyid));
		if (d->new_key == NULL)
			break;
		der = mf_key_spki_der(d->new_key, &n);
		if ((spki_hex = malloc(2 * n + 1)) == NULL) {
			json_decref(x);
			return NULL;
		}
		mf_hex_encode(spki_hex, der, n);
		json_object_set_new(x, "new_keyid",
		                    json_string(mf_key_id(d->new_key)));
		json_object_set_new(
		    x, "new_alg",
		    json_string(mf_key_alg_name(mf_key_alg(d->new_key))));
		json_object_set_new(x, "new_public_key",
		                    json_string(d->public_key));
		json_object_set_new(x, "new_spki", json_string(spki_hex));
		free(spki_hex);
		break;
	case MF_DOC_WITHDRAWAL:
		json_object_set_new(x, "withdraws",
		                    json_string(d->withdraws_hex));
		json_object_set_new(x, "reason", json_string(d->reason));
		json_object_set_new(x, "date", json_string(d->date));
		break;
	default:
		break;
	}
	return x;
}
