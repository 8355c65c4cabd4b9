/*
 * Operator endpoints. Every one checks the admin token first and answers
 * 401 without a hint of what exists; bad input changes nothing.
 */
#include "api/admin.h"
#include "api/util.h"
#include "common/encoding.h"
#include "common/json.h"
#include "common/slug.h"
#include "envelope/keys.h"
#include "app/registry.h"
#include "db/registry.h"

#include <stdlib.h>
#include <string.h>

int
mf_h_require_admin(struct mf_request *req)
{
	bool ok;
	int rc;

	rc = mf_registry_check_admin(mf_http_header(req, "Authorization"), &ok,
	                             &req->err);
	if (rc != 0)
		return rc;
	if (!ok) {
		mf_http_set_header(req, "WWW-Authenticate",
		                   "Bearer realm=\"modelfacts admin\"");
		return mf_error_set(&req->err, MF_E_UNAUTHORIZED, NULL,
		                    "this needs the registry's admin token "
		                    "(Authorization: Bearer <token>)");
	}
	return 0;
}

static int
bad_field(struct mf_request *req, const char *pointer, const char *msg)
{
	mf_error_set(&req->err, MF_E_VALIDATION, pointer, "%s", msg);
	mf_error_detail(&req->err, pointer, msg);
	return MF_E_VALIDATION;
}

/*
 * The public key of an admin request: parsed, with its DER
 * SubjectPublicKeyInfo in hex (*spki_hex, new). MF_E_BAD_KEY at
 * /public_key when it is neither PEM SPKI nor an ssh-ed25519 line.
 */
static int
parse_key(struct mf_request *req, const char *pem, struct mf_key **key,
          char **spki_hex)
{
	const uint8_t *der;
	size_t n;

	if (mf_key_parse_public(key, pem, strlen(pem), &req->err) != 0) {
		req->err.code = MF_E_BAD_KEY;
		snprintf(req->err.pointer, sizeof(req->err.pointer),
		         "/public_key");
		return MF_E_BAD_KEY;
	}
	der = mf_key_spki_der(*key, &n);
	if ((*spki_hex = malloc(2 * n + 1)) == NULL)
		return MF_E_NOMEM;
	mf_hex_encode(*spki_hex, der, n);
	return 0;
}

/*
 * The request body as a JSON object with no member outside `allowed`
 * (NULL-terminated): a new reference in *out, or MF_E_VALIDATION (or the
 * parser's error) in req->err naming what is wrong.
 */
static int
object_body(struct mf_request *req, const char *const *allowed, json_t **out)
{
	const char *key_name;
	json_t *body, *v;
	size_t i;

	*out = NULL;
	body = mf_json_parse(req->body.data ? req->body.data : "",
	                     req->body.len, "request body", "", &req->err);
	if (body == NULL)
		return req->err.code;
	if (!json_is_object(body)) {
		json_decref(body);
		return bad_field(req, "", "the body must be a JSON object");
	}
	json_object_foreach(body, key_name, v)
	{
		struct mf_buf b = MF_BUF_INIT;

		for (i = 0;
		     allowed[i] != NULL && strcmp(allowed[i], key_name) != 0;
		     i++)
			;
		if (allowed[i] != NULL)
			continue;
		mf_json_pointer_push(&b, key_name);
		bad_field(req, b.data ? b.data : "", "unknown member");
		mf_buf_dispose(&b);
		json_decref(body);
		return MF_E_VALIDATION;
	}
	*out = body;
	return 0;
}

int
mf_h_admin_create_org(struct mf_request *req)
{
	static const char *const allowed[] = {"org", "name", "role",
	                                      "public_key", NULL};
	const char *org, *name, *role, *pem;
	struct mf_key *key = NULL;
	json_t *body;
	char *spki_hex = NULL;
	int rc;

	if ((rc = mf_h_require_admin(req)) != 0 ||
	    (rc = object_body(req, allowed, &body)) != 0)
		return rc;
	rc = MF_E_VALIDATION;
	org = mf_json_str(body, "org");
	name = mf_json_str(body, "name");
	role = mf_json_str(body, "role");
	pem = mf_json_str(body, "public_key");
	if (!mf_slug_valid(org)) {
		bad_field(req, "/org",
		          "org must match [a-z0-9][a-z0-9-]{0,62}");
		goto done;
	}
	if (name == NULL || name[0] == '\0' || strlen(name) > 200) {
		bad_field(req, "/name", "name must be 1 to 200 characters");
		goto done;
	}
	if (role == NULL ||
	    (strcmp(role, "developer") != 0 && strcmp(role, "evaluator") != 0 &&
	     strcmp(role, "assessor") != 0 && strcmp(role, "curator") != 0)) {
		bad_field(req, "/role",
		          "role must be developer, evaluator, "
		          "assessor or curator");
		goto done;
	}
	/* No key: an organisation others write about (a curator transcribes
	 * its reports) until the operator registers its first key. */
	if (pem != NULL && (rc = parse_key(req, pem, &key, &spki_hex)) != 0)
		goto done;
	{
		const struct mf_db_org_new o = {
		    .org = org,
		    .name = name,
		    .role = role,
		    .keyid = key ? mf_key_id(key) : NULL,
		    .alg = key ? mf_key_alg_name(mf_key_alg(key)) : NULL,
		    .public_key = pem,
		    .spki_hex = spki_hex,
		};

		rc = mf_db_org_create(&o, &req->err);
	}
	if (rc == MF_E_CONFLICT) {
		mf_error_dispose(&req->err);
		mf_error_init(&req->err);
		mf_error_set(&req->err, MF_E_CONFLICT, "/org",
		             "the organisation or this key is already "
		             "registered");
	}
	if (rc != 0)
		goto done;
	rc = mf_http_respond_json(
	    req, 201,
	    json_pack("{s:s, s:s, s:s?, s:s?}", "org", org, "role", role,
	              "keyid", key ? mf_key_id(key) : NULL, "alg",
	              key ? mf_key_alg_name(mf_key_alg(key)) : NULL));
done:
	free(spki_hex);
	mf_key_free(key);
	json_decref(body);
	return rc;
}

/*
 * POST /v1/admin/orgs/{org}/keys {"public_key"}: the first key of an
 * organisation registered without one. Later keys are the
 * organisation's own business: key events signed by a current key.
 */
int
mf_h_admin_first_key(struct mf_request *req)
{
	static const char *const allowed[] = {"public_key", NULL};
	const char *org, *pem;
	struct mf_key *key = NULL;
	char *spki_hex = NULL;
	json_t *body;
	int rc;

	if ((rc = mf_h_require_admin(req)) != 0 ||
	    (rc = mf_h_param_slug(req, 0, &org)) != 0 ||
	    (rc = object_body(req, allowed, &body)) != 0)
		return rc;
	rc = MF_E_VALIDATION;
	if ((pem = mf_json_str(body, "public_key")) == NULL) {
		bad_field(req, "/public_key",
		          "public_key (PEM SubjectPublicKeyInfo or an "
		          "ssh-ed25519 line) is required");
		goto done;
	}
	if ((rc = parse_key(req, pem, &key, &spki_hex)) != 0)
		goto done;
	{
		const struct mf_db_org_new o = {
		    .org = org,
		    .keyid = mf_key_id(key),
		    .alg = mf_key_alg_name(mf_key_alg(key)),
		    .public_key = pem,
		    .spki_hex = spki_hex,
		};

		if ((rc = mf_db_org_first_key(&o, &req->err)) != 0)
			goto done;
	}
	rc = mf_http_respond_json(req, 201,
	                          json_pack("{s:s, s:s, s:s}", "org", org,
	                                    "keyid", mf_key_id(key), "alg",
	                                    mf_key_alg_name(mf_key_alg(key))));
done:
	free(spki_hex);
	mf_key_free(key);
	json_decref(body);
	return rc;
}
