/*
 * /v1/registry: the values every client pins. They come from the
 * database, so every server process of one registry answers the same.
 */
#include "api/registry.h"
#include "common/doctype.h"
#include "common/version.h"
#include "app/app.h"
#include "app/registry_keys.h"
#include "db/registry.h"

#include <stdio.h>
#include <string.h>

int
mf_h_registry(struct mf_request *req)
{
	struct mf_db_registry_info info;
	json_t *types, *out;
	int t;

	if (mf_db_registry_info(&info, &req->err) != 0) {
		mf_db_registry_info_dispose(&info);
		return req->err.code;
	}
	types = json_object();
	for (t = 0; t < MF_DOC__MAX; t++)
		json_object_set_new(types, mf_doctype_name(t),
		                    json_string(mf_doctype_payload_type(t)));
	out = json_pack(
	    "{s:s, s:s?, s:s?, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I},"
	    " s:{s:s, s:s, s:s}}",
	    "origin", info.origin, "log_public_key", info.log_verifier_key,
	    "commit_signing_key", info.commit_public_key, "commit_principal",
	    MF_REGISTRY_PRINCIPAL, "ssh_namespace", "modelfacts", "version",
	    MF_VERSION, "payload_types", types, "counts", "organisations",
	    (json_int_t)info.orgs, "models", (json_int_t)info.models,
	    "log_entries", (json_int_t)info.log_entries, "links", "openapi",
	    "/v1/openapi.json", "checkpoint", "/v1/log/checkpoint", "git",
	    "/labels.git");
	mf_db_registry_info_dispose(&info);
	return mf_http_respond_json(req, 200, out);
}

int
mf_h_allowed_signers(struct mf_request *req)
{
	char line[1024];
	const char *key = req->app->keys.commit_public;
	size_t n;

	if (key == NULL)
		return mf_error_set(&req->err, MF_E_UNAVAILABLE, NULL,
		                    "no commit signing key yet");
	/* "ssh-ed25519 AAAA..." without the comment */
	n = strcspn(key, " ");
	n += 1 + strcspn(key + n + 1, " ");
	snprintf(line, sizeof(line), "%s namespaces=\"git\" %.*s\n",
	         MF_REGISTRY_PRINCIPAL, (int)n, key);
	return mf_http_respond(req, 200, "text/plain; charset=utf-8", line,
	                       strlen(line), false);
}
