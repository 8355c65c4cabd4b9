/*
 * /v1/registry: the values every client pins. They come from the
 * database, so every server process of one registry answers the same.
 */
#include "api/registry.h"
#include "common/buf.h"
#include "common/doctype.h"
#include "common/json.h"
#include "common/version.h"
#include "app/app.h"
#include "app/registry_keys.h"
#include "db/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The keys of one kind (migrations/0010): the current one first
 * ({public_key, status: "current"}), then the co-signing next key and the
 * retired ones with their windows. *out is a new array.
 */
static int
history_keys(struct mf_request *req, const char *kind, const char *current,
             json_t **out)
{
	json_t *hist, *row;
	char *text = NULL;
	size_t i;

	*out = json_array();
	if (mf_db_registry_key_history(&text, &req->err) != 0) {
		json_decref(*out);
		*out = NULL;
		return req->err.code;
	}
	if (current != NULL)
		json_array_append_new(*out,
		                      json_pack("{s:s, s:s}", "public_key",
		                                current, "status", "current"));
	hist = json_loads(text, 0, NULL);
	json_array_foreach(hist, i,
	                   row) if (strcmp(mf_json_str(row, "kind"), kind) == 0)
	    json_array_append(*out, row);
	json_decref(hist);
	free(text);
	return 0;
}

/* "2026-12-03T00:40:00Z" as allowed_signers writes it: "20261203004000Z". */
static void
compact_time(char *out, size_t n, const char *rfc3339)
{
	size_t j = 0;

	for (; rfc3339 != NULL && *rfc3339 != '\0' && j + 1 < n; rfc3339++)
		if (strchr("-:T", *rfc3339) == NULL)
			out[j++] = *rfc3339;
	out[j] = '\0';
}

/* One allowed_signers line: "ssh-ed25519 AAAA..." without its comment. */
static int
signer_line(struct mf_buf *b, const char *key, const char *after,
            const char *before)
{
	char a[32], z[32];
	size_t n = strcspn(key, " ");

	n += 1 + strcspn(key + n + 1, " ");
	compact_time(a, sizeof(a), after);
	compact_time(z, sizeof(z), before);
	return mf_buf_printf(b, "%s namespaces=\"git\"%s%s%s%s%s%s %.*s\n",
	                     MF_REGISTRY_PRINCIPAL,
	                     a[0] ? ",valid-after=\"" : "", a, a[0] ? "\"" : "",
	                     z[0] ? ",valid-before=\"" : "", z,
	                     z[0] ? "\"" : "", (int)n, key);
}

int
mf_h_registry(struct mf_request *req)
{
	struct mf_db_registry_info info;
	json_t *types, *out, *keys = NULL;
	int t;

	if (mf_db_registry_info(&info, &req->err) != 0) {
		mf_db_registry_info_dispose(&info);
		return req->err.code;
	}
	types = json_object();
	for (t = 0; t < MF_DOC__MAX; t++)
		json_object_set_new(types, mf_doctype_name(t),
		                    json_string(mf_doctype_payload_type(t)));
	if ((t = history_keys(req, "log", info.log_verifier_key, &keys)) != 0) {
		mf_db_registry_info_dispose(&info);
		json_decref(types);
		return t;
	}
	out = json_pack(
	    "{s:s, s:s?, s:o, s:s?, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I},"
	    " s:{s:s, s:s, s:s}}",
	    "origin", info.origin, "log_public_key", info.log_verifier_key,
	    "log_public_keys", keys, "commit_signing_key",
	    info.commit_public_key, "commit_principal", MF_REGISTRY_PRINCIPAL,
	    "ssh_namespace", "modelfacts", "version", MF_VERSION,
	    "payload_types", types, "counts", "organisations",
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
	struct mf_buf b = MF_BUF_INIT;
	const char *key = req->app->keys.commit_public, *after = NULL;
	json_t *keys = NULL, *row;
	size_t i;
	int rc;

	if (key == NULL)
		return mf_error_set(&req->err, MF_E_UNAVAILABLE, NULL,
		                    "no commit signing key yet");
	/* 1. Retired keys with their windows, oldest first. */
	if ((rc = history_keys(req, "commit", NULL, &keys)) != 0)
		return rc;
	json_array_foreach(keys, i, row)
	{
		signer_line(&b, mf_json_str(row, "public_key"),
		            mf_json_str(row, "valid_after"),
		            mf_json_str(row, "valid_before"));
		after = mf_json_str(row, "successor_valid_after");
	}
	/* 2. The current key, valid from its rotation on. */
	signer_line(&b, key, after, NULL);
	rc = b.data != NULL
	         ? mf_http_respond(req, 200, "text/plain; charset=utf-8",
	                           b.data, b.len, false)
	         : mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
	json_decref(keys);
	mf_buf_dispose(&b);
	return rc;
}
