/*
 * `modelfacts import fmti --submit`: puts an imported FMTI data set into a
 * running registry, as its operator and as the curator that transcribes
 * it (DESIGN.md section 2): registers the developers and the assessor
 * without keys (their words are transcribed, never signed in their name),
 * and the curator "fmti-import" with one Ed25519 key (kept in a directory
 * so a later run can sign again), loads the index documents, then signs
 * and submits every disclosure and assessment in order as the curator.
 * Re-running it submits only what changed: each document is compared,
 * without its per-submission members (issued_at, seq, registry,
 * supersedes, the pinned disclosure), with what the registry already
 * holds for that model, read back through the public GET endpoints; a
 * changed report becomes a new version on top of the current head. A
 * registry that already holds a model under its old flagship-* id keeps
 * that id (published history is never rewritten).
 */
#include "cli/commands.h"
#include "cli/util.h"
#include "common/doctype.h"
#include "common/encoding.h"
#include "common/json.h"
#include "envelope/keys.h"
#include "envelope/verify.h"
#include "importers/fmti.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct submitter {
	const char *url;
	char auth[4200];
	const char *keys_dir;
	json_t *seqs;          /* org -> last seq used */
	struct mf_key *signer; /* the curator's */
	unsigned orgs, indices, disclosures, assessments, already, unchanged;
};

/* GET or POST; returns the status, the body in *out (new, or NULL). */
static long
call(struct submitter *s, const char *method, const char *path,
     const char *body, int admin, json_t **out)
{
	struct mf_buf resp = MF_BUF_INIT;
	char url[4096];
	long status = 0;

	*out = NULL;
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	if (mf_cli_http(method, url, body, body ? strlen(body) : 0,
	                admin ? s->auth : NULL, &status, &resp) == 0 &&
	    resp.data != NULL)
		*out = json_loads(resp.data, 0, NULL);
	if (status >= 400 && status != 404 && status != 409)
		mf_cli_print_api_error(status, resp.data);
	mf_buf_dispose(&resp);
	return status;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The organisation's key: loaded from KEYS/<org>.key, or made and kept. */
static struct mf_key *
org_key(struct submitter *s, const char *org)
{
	char path[4096];
	struct mf_key *key = NULL;
	struct mf_error err;
	char *pem = NULL;

	mf_error_init(&err);
	snprintf(path, sizeof(path), "%s/%s.key", s->keys_dir, org);
	if (mf_key_load_private_file(&key, path, NULL, &err) == 0)
		goto done;
	mf_error_dispose(&err);
	mf_error_init(&err);
	if (mf_key_generate(&key, MF_KEY_ED25519, &err) != 0 ||
	    mf_key_private_pem(key, &pem) != 0 ||
	    mf_key_write_secret_file(path, pem, &err) != 0) {
		fprintf(stderr, "modelfacts import: key for %s: %s\n", org,
		        err.message);
		mf_key_free(key);
		key = NULL;
	}
done:
	free(pem);
	mf_error_dispose(&err);
	return key;
}

/*
 * Registers org, with its key or (key NULL) without one; when it exists,
 * checks that the key is already its.
 */
static int
ensure_org(struct submitter *s, const json_t *o, struct mf_key *key)
{
	const char *org = mf_json_str(o, "org");
	char path[256], *pub = NULL, *body = NULL;
	json_t *req = NULL, *r = NULL, *k;
	long st;
	size_t i;
	int rc = -1, found = 0;

	if (key != NULL && mf_key_public_pem(key, &pub) != 0)
		return -1;
	req = json_pack("{s:s, s:s, s:s, s:s*}", "org", org, "name",
	                mf_json_str(o, "name"), "role", mf_json_str(o, "role"),
	                "public_key", pub);
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL)
		goto done;
	st = call(s, "POST", "/v1/admin/orgs", body, 1, &r);
	if (st == 201) {
		s->orgs++;
		rc = 0;
		goto done;
	}
	if (st != 409)
		goto done;
	if (key == NULL) { /* it exists: whatever its keys, we sign nothing */
		rc = 0;
		goto done;
	}
	json_decref(r);
	snprintf(path, sizeof(path), "/v1/orgs/%s/keys", org);
	if (call(s, "GET", path, NULL, 0, &r) != 200)
		goto done;
	json_array_foreach(r, i, k) found |=
	    strcmp(mf_json_str(k, "keyid") ? mf_json_str(k, "keyid") : "",
	           mf_key_id(key)) == 0 &&
	    strcmp(mf_json_str(k, "status") ? mf_json_str(k, "status") : "",
	           "active") == 0;
	if (!found)
		fprintf(stderr,
		        "modelfacts import: %s is registered with other keys; "
		        "use the --keys directory of the run that registered "
		        "it\n",
		        org);
	rc = found ? 0 : -1;
done:
	json_decref(req);
	json_decref(r);
	free(body);
	free(pub);
	return rc;
}

/* The organisation's next seq, continuing from what the registry has. */
static long long
next_seq(struct submitter *s, const char *org)
{
	json_t *v = json_object_get(s->seqs, org), *r = NULL;
	char path[256];
	long long seq;

	if (v == NULL) {
		snprintf(path, sizeof(path), "/v1/orgs/%s", org);
		if (call(s, "GET", path, NULL, 0, &r) != 200)
			return -1;
		v = json_integer(
		    json_integer_value(json_object_get(r, "last_seq")));
		json_object_set_new(s->seqs, org, v);
		json_decref(r);
	}
	seq = json_integer_value(v) + 1;
	json_integer_set(v, seq);
	return seq;
}

/* Signs doc (after the caller set seq etc.) and submits it. On success
 * *sha (may be NULL) gets the accepted payload digest. */
static int
sign_submit(struct submitter *s, json_t *doc, struct mf_key *key,
            enum mf_doctype type, char sha[65])
{
	const char *ptype = mf_doctype_payload_type(type);
	char *payload = mf_json_dump(doc), *env = NULL;
	struct mf_error err;
	json_t *r = NULL;
	long st;
	int rc = -1;

	mf_error_init(&err);
	if (payload == NULL ||
	    mf_dsse_sign(&env, key, ptype, (const uint8_t *)payload,
	                 strlen(payload), NULL, &err) != 0)
		goto done;
	st = call(s, "POST", "/v1/submissions", env, 0, &r);
	if (st == 201 || st == 200) {
		if (sha != NULL)
			snprintf(sha, 65, "%s",
			         mf_json_str(r, "payload_sha256")
			             ? mf_json_str(r, "payload_sha256")
			             : "");
		if (st == 200)
			s->already++;
		rc = 0;
	} else {
		fprintf(stderr, "modelfacts import: %s/%s refused\n",
		        mf_json_str(json_object_get(doc, "subject"), "org"),
		        mf_doctype_name(type));
	}
done:
	json_decref(r);
	free(payload);
	free(env);
	mf_error_dispose(&err);
	return rc;
}

/* The payload of a DSSE envelope (a JSON object), parsed; NULL if not. */
static json_t *
envelope_payload(const json_t *env)
{
	const char *b64 = mf_json_str(env, "payload");
	uint8_t *raw = NULL;
	size_t n = 0;
	json_t *v = NULL;

	if (b64 != NULL && mf_base64_decode(&raw, &n, b64, strlen(b64)) == 0)
		v = json_loadb((const char *)raw, n, 0, NULL);
	free(raw);
	return v;
}

/* A payload without the members that change with every submission. */
static json_t *
comparable(const json_t *payload)
{
	json_t *c = json_deep_copy(payload);

	if (c == NULL)
		return NULL;
	json_object_del(c, "issued_at");
	json_object_del(c, "seq");
	json_object_del(c, "registry");
	json_object_del(c, "supersedes");
	json_object_del(json_object_get(c, "subject"), "disclosure");
	return c;
}

static bool
same_document(const json_t *a, const json_t *b)
{
	json_t *x = comparable(a), *y = comparable(b);
	bool same = x != NULL && y != NULL && json_equal(x, y);

	json_decref(x);
	json_decref(y);
	return same;
}

/*
 * The model id this run uses for dev: its real-name id, unless the
 * registry already holds the model under the old flagship-* id.
 */
static const char *
model_id(struct submitter *s, const struct mf_fmti_developer *dev)
{
	char path[512];
	json_t *r = NULL;
	long st;

	if (strcmp(dev->model, dev->legacy_model) == 0)
		return dev->model;
	snprintf(path, sizeof(path), "/v1/models/%s/%s/history", dev->org,
	         dev->legacy_model);
	st = call(s, "GET", path, NULL, 0, &r);
	json_decref(r);
	return st == 200 ? dev->legacy_model : dev->model;
}

/*
 * The current disclosure of org/model: *head gets "sha256:<hex>" (empty
 * when the model has none) and *current its payload (new, or NULL).
 */
static int
current_disclosure(struct submitter *s, const char *org, const char *model,
                   char head[80], json_t **current)
{
	char path[512];
	json_t *r = NULL, *env = NULL;
	json_int_t version;
	long st;

	head[0] = '\0';
	*current = NULL;
	snprintf(path, sizeof(path), "/v1/models/%s/%s", org, model);
	st = call(s, "GET", path, NULL, 0, &r);
	if (st == 404) {
		json_decref(r);
		return 0;
	}
	if (st != 200) {
		json_decref(r);
		return -1;
	}
	version = json_integer_value(json_object_get(r, "version"));
	if (mf_json_str(r, "payload_sha256") != NULL && version > 0) {
		snprintf(head, 80, "sha256:%s",
		         mf_json_str(r, "payload_sha256"));
		snprintf(path, sizeof(path),
		         "/v1/models/%s/%s/versions/%" JSON_INTEGER_FORMAT
		         "/envelope",
		         org, model, version);
		if (call(s, "GET", path, NULL, 0, &env) == 200)
			*current = envelope_payload(env);
		json_decref(env);
	}
	json_decref(r);
	return 0;
}

/*
 * Whether org/model already has an assessment by the FMTI equal to doc
 * (GET .../history, then each assessment's log entry). Entries not yet
 * sequenced have no log index: the check waits for them a little.
 */
static int
has_assessment(struct submitter *s, const char *org, const char *model,
               const json_t *doc, bool *found)
{
	char path[512];
	json_t *r = NULL, *h, *e, *entry = NULL, *payload;
	size_t i;
	int tries;

	*found = false;
	for (tries = 0; tries < 20; tries++) {
		bool pending = false;

		json_decref(r);
		r = NULL;
		snprintf(path, sizeof(path), "/v1/models/%s/%s/history", org,
		         model);
		if (call(s, "GET", path, NULL, 0, &r) != 200) {
			json_decref(r);
			return 0; /* no such model yet */
		}
		h = json_object_get(r, "history");
		json_array_foreach(h, i, e)
		{
			if (strcmp(mf_json_str(e, "kind")
			               ? mf_json_str(e, "kind")
			               : "",
			           "assessment") != 0 ||
			    strcmp(mf_json_str(e, "signer")
			               ? mf_json_str(e, "signer")
			               : "",
			           MF_FMTI_CURATOR) != 0)
				continue;
			pending |=
			    !json_is_integer(json_object_get(e, "log_index"));
		}
		if (!pending)
			break;
		sleep_ms(250);
	}
	json_array_foreach(h, i, e)
	{
		if (*found ||
		    !json_is_integer(json_object_get(e, "log_index")) ||
		    strcmp(mf_json_str(e, "kind") ? mf_json_str(e, "kind") : "",
		           "assessment") != 0)
			continue;
		snprintf(path, sizeof(path),
		         "/v1/log/entries/%" JSON_INTEGER_FORMAT,
		         json_integer_value(json_object_get(e, "log_index")));
		if (call(s, "GET", path, NULL, 0, &entry) == 200 &&
		    (payload = envelope_payload(
		         json_object_get(entry, "envelope"))) != NULL) {
			*found = same_document(payload, doc);
			json_decref(payload);
		}
		json_decref(entry);
		entry = NULL;
	}
	json_decref(r);
	return 0;
}

static int
submit_developer(struct submitter *s, const struct mf_fmti_developer *dev)
{
	const char *model = model_id(s, dev);
	char sha[65] = "", head[80];
	json_t *doc = NULL, *current = NULL;
	long long seq;
	bool found;

	if (dev->disclosure.payload != NULL) {
		doc = json_deep_copy(dev->disclosure.payload);
		json_object_set_new(json_object_get(doc, "subject"), "model",
		                    json_string(model));
		if (current_disclosure(s, dev->org, model, head, &current) != 0)
			goto fail;
		if (current != NULL && same_document(current, doc)) {
			/* nothing changed: the assessment pins the head */
			snprintf(sha, sizeof(sha), "%.64s", head + 7);
			s->unchanged++;
		} else {
			if ((seq = next_seq(s, MF_FMTI_CURATOR)) < 0)
				goto fail;
			json_object_set_new(doc, "seq", json_integer(seq));
			if (head[0] != '\0')
				json_object_set_new(doc, "supersedes",
				                    json_string(head));
			if (sign_submit(s, doc, s->signer, MF_DOC_DISCLOSURE,
			                sha) != 0)
				goto fail;
			s->disclosures++;
		}
		json_decref(current);
		current = NULL;
		json_decref(doc);
	}
	doc = json_deep_copy(dev->assessment.payload);
	json_object_set_new(json_object_get(doc, "subject"), "model",
	                    json_string(model));
	/* name the disclosure as accepted (its digest changed with seq) */
	if (sha[0] != '\0') {
		snprintf(head, sizeof(head), "sha256:%s", sha);
		json_object_set_new(json_object_get(doc, "subject"),
		                    "disclosure", json_string(head));
	} else {
		json_object_del(json_object_get(doc, "subject"), "disclosure");
	}
	if (has_assessment(s, dev->org, model, doc, &found) != 0)
		goto fail;
	if (found) {
		s->unchanged++;
		json_decref(doc);
		return 0;
	}
	if ((seq = next_seq(s, MF_FMTI_CURATOR)) < 0)
		goto fail;
	json_object_set_new(doc, "seq", json_integer(seq));
	if (sign_submit(s, doc, s->signer, MF_DOC_ASSESSMENT, NULL) != 0)
		goto fail;
	json_decref(doc);
	s->assessments++;
	return 0;
fail:
	json_decref(current);
	json_decref(doc);
	return -1;
}

int
mf_cli_fmti_submit(const struct mf_fmti_import *imp, const char *url,
                   const char *token_file, const char *keys_dir)
{
	struct submitter s;
	json_t *o, *r = NULL;
	char *token = NULL, *body;
	size_t i, e, j;
	int rc = MF_EXIT_FAIL;

	memset(&s, 0, sizeof(s));
	s.url = url;
	s.keys_dir = keys_dir;
	if ((s.seqs = json_object()) == NULL)
		goto done;
	if ((token = mf_cli_admin_token(token_file, url)) == NULL)
		return MF_EXIT_USAGE;
	i = 0;
	snprintf(s.auth, sizeof(s.auth), "Authorization: Bearer %s", token);
	free(token);
	if (mkdir(keys_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "modelfacts import: cannot create %s: %s\n",
		        keys_dir, strerror(errno));
		rc = MF_EXIT_USAGE;
		goto done;
	}
	if ((s.signer = org_key(&s, MF_FMTI_CURATOR)) == NULL)
		goto done;
	json_array_foreach(imp->orgs, i, o)
	{
		bool curator =
		    strcmp(mf_json_str(o, "org"), MF_FMTI_CURATOR) == 0;

		if (ensure_org(&s, o, curator ? s.signer : NULL) != 0)
			goto done;
	}
	for (e = 0; e < MF_FMTI_EDITIONS; e++) {
		const struct mf_fmti_edition *ed = &imp->editions[e];
		long st;

		if ((body = json_dumps(ed->index, JSON_COMPACT)) == NULL)
			goto done;
		st = call(&s, "POST", "/v1/admin/indices", body, 1, &r);
		free(body);
		json_decref(r);
		r = NULL;
		if (st != 201 && st != 200)
			goto done;
		s.indices += st == 201;
		for (j = 0; j < ed->n_devs; j++)
			if (submit_developer(&s, &ed->devs[j]) != 0)
				goto done;
	}
	printf("registered %u organisations and %u indices; submitted %u "
	       "disclosures and %u assessments (%u already there); %u "
	       "documents unchanged\n",
	       s.orgs, s.indices, s.disclosures, s.assessments, s.already,
	       s.unchanged);
	if (s.disclosures + s.assessments == 0)
		printf("nothing changed since the last import: nothing "
		       "submitted\n");
	rc = MF_EXIT_OK;
done:
	mf_key_free(s.signer);
	json_decref(s.seqs);
	return rc;
}
