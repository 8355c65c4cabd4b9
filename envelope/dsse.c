/*
 * DSSE envelope parsing, PAE and encoding (see dsse.h). Parsing is strict
 * because the envelope is stored and published byte for byte: anything we
 * accept here, every verifier downstream must be able to accept too.
 */
#include "envelope/dsse.h"
#include "common/buf.h"
#include "common/encoding.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
mf_dsse_free(struct mf_dsse *env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; i < env->n_sigs; i++) {
		free(env->sigs[i].keyid);
		free(env->sigs[i].sig);
	}
	free(env->sigs);
	free(env->payload_type);
	free(env->payload);
	free(env);
}

/* Rejects members other than the allowed ones, naming the first. */
static int
only_members(json_t *obj, const char *const *allowed, const char *base,
             struct mf_error *err)
{
	const char *key;
	json_t *v;
	size_t i;
	struct mf_buf ptr = MF_BUF_INIT;
	int rc = 0;

	json_object_foreach(obj, key, v)
	{
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		if (mf_buf_puts(&ptr, base) != 0 ||
		    mf_json_pointer_push(&ptr, key) != 0) {
			rc = mf_error_set(err, MF_E_NOMEM, NULL,
			                  "out of memory");
			break;
		}
		rc = mf_error_set(err, MF_E_ENVELOPE, ptr.data,
		                  "unknown envelope member \"%s\"", key);
		break;
	}
	mf_buf_dispose(&ptr);
	return rc;
}

static int
decode_b64(uint8_t **out, size_t *out_len, json_t *v, const char *pointer,
           const char *what, struct mf_error *err)
{
	int rc;

	if (!json_is_string(v))
		return mf_error_set(err, MF_E_ENVELOPE, pointer,
		                    "%s must be a base64 string", what);
	rc = mf_base64_decode(out, out_len, json_string_value(v),
	                      json_string_length(v));
	if (rc == MF_E_NOMEM)
		return mf_error_set(err, rc, pointer, "out of memory");
	if (rc != 0)
		return mf_error_set(err, MF_E_BAD_BASE64, pointer,
		                    "%s is not valid base64", what);
	return 0;
}

static int
parse_sig(struct mf_dsse_sig *s, json_t *v, size_t i, struct mf_error *err)
{
	static const char *const allowed[] = {"keyid", "sig", NULL};
	char base[64], ptr[80];
	json_t *keyid, *sig;
	int rc;

	snprintf(base, sizeof(base), "/signatures/%zu", i);
	if (!json_is_object(v))
		return mf_error_set(err, MF_E_ENVELOPE, base,
		                    "each signature must be an object with "
		                    "\"keyid\" and \"sig\"");
	if ((rc = only_members(v, allowed, base, err)) != 0)
		return rc;
	keyid = json_object_get(v, "keyid");
	sig = json_object_get(v, "sig");
	snprintf(ptr, sizeof(ptr), "%s/keyid", base);
	if (keyid == NULL)
		return mf_error_set(err, MF_E_ENVELOPE, ptr,
		                    "\"keyid\" is required (the registered "
		                    "key's id)");
	if (!json_is_string(keyid) || json_string_length(keyid) == 0 ||
	    json_string_length(keyid) > MF_DSSE_MAX_KEYID_LEN)
		return mf_error_set(err, MF_E_ENVELOPE, ptr,
		                    "\"keyid\" must be a non-empty string of "
		                    "at most %d characters",
		                    MF_DSSE_MAX_KEYID_LEN);
	if ((s->keyid = strdup(json_string_value(keyid))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	snprintf(ptr, sizeof(ptr), "%s/sig", base);
	if (sig == NULL)
		return mf_error_set(err, MF_E_ENVELOPE, ptr,
		                    "\"sig\" is required");
	if ((rc = decode_b64(&s->sig, &s->sig_len, sig, ptr, "\"sig\"", err)) !=
	    0)
		return rc;
	if (s->sig_len == 0 || s->sig_len > MF_DSSE_MAX_SIG_LEN)
		return mf_error_set(err, MF_E_ENVELOPE, ptr,
		                    "\"sig\" must decode to 1..%d bytes",
		                    MF_DSSE_MAX_SIG_LEN);
	return 0;
}

int
mf_dsse_parse(struct mf_dsse **out, const char *text, size_t len,
              size_t max_size, struct mf_error *err)
{
	static const char *const allowed[] = {"payloadType", "payload",
	                                      "signatures", NULL};
	struct mf_dsse *env = NULL;
	json_t *doc = NULL, *type, *payload, *sigs;
	size_t i, n;
	int rc;

	*out = NULL;
	if (max_size == 0)
		max_size = MF_DSSE_DEFAULT_MAX_SIZE;
	if (len > max_size)
		return mf_error_set(err, MF_E_TOO_LARGE, "",
		                    "envelope is larger than %zu bytes",
		                    max_size);
	if ((doc = mf_json_parse(text, len, "envelope", "", err)) == NULL)
		return err != NULL ? err->code : MF_E_BAD_JSON;
	if (!json_is_object(doc)) {
		rc = mf_error_set(err, MF_E_ENVELOPE, "",
		                  "envelope must be a JSON object");
		goto done;
	}
	if ((rc = only_members(doc, allowed, "", err)) != 0)
		goto done;
	if ((env = calloc(1, sizeof(*env))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	type = json_object_get(doc, "payloadType");
	if (type == NULL || !json_is_string(type) ||
	    json_string_length(type) == 0 ||
	    json_string_length(type) > MF_DSSE_MAX_TYPE_LEN) {
		rc = mf_error_set(err, MF_E_ENVELOPE, "/payloadType",
		                  "\"payloadType\" must be a non-empty "
		                  "string of at most %d bytes",
		                  MF_DSSE_MAX_TYPE_LEN);
		goto done;
	}
	if ((env->payload_type = strdup(json_string_value(type))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	payload = json_object_get(doc, "payload");
	if (payload == NULL) {
		rc = mf_error_set(err, MF_E_ENVELOPE, "/payload",
		                  "\"payload\" is required");
		goto done;
	}
	if ((rc = decode_b64(&env->payload, &env->payload_len, payload,
	                     "/payload", "\"payload\"", err)) != 0)
		goto done;
	sigs = json_object_get(doc, "signatures");
	if (sigs == NULL || !json_is_array(sigs) ||
	    json_array_size(sigs) == 0) {
		rc = mf_error_set(err, MF_E_ENVELOPE, "/signatures",
		                  "\"signatures\" must be a non-empty array");
		goto done;
	}
	n = json_array_size(sigs);
	if (n > MF_DSSE_MAX_SIGNATURES) {
		rc = mf_error_set(err, MF_E_ENVELOPE, "/signatures",
		                  "at most %d signatures are accepted, got "
		                  "%zu",
		                  MF_DSSE_MAX_SIGNATURES, n);
		goto done;
	}
	if ((env->sigs = calloc(n, sizeof(*env->sigs))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		env->n_sigs = i + 1;
		rc = parse_sig(&env->sigs[i], json_array_get(sigs, i), i, err);
		if (rc != 0)
			goto done;
	}
	*out = env;
	env = NULL;
	rc = 0;
done:
	json_decref(doc);
	mf_dsse_free(env);
	return rc;
}

int
mf_dsse_pae(uint8_t **out, size_t *out_len, const char *type, size_t type_len,
            const uint8_t *body, size_t body_len)
{
	struct mf_buf b = MF_BUF_INIT;
	int rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = mf_buf_printf(&b, "DSSEv1 %zu ", type_len)) != 0 ||
	    (rc = mf_buf_append(&b, type, type_len)) != 0 ||
	    (rc = mf_buf_printf(&b, " %zu ", body_len)) != 0 ||
	    (rc = mf_buf_append(&b, body, body_len)) != 0) {
		mf_buf_dispose(&b);
		return rc;
	}
	*out = (uint8_t *)mf_buf_detach(&b, out_len);
	return *out != NULL ? 0 : MF_E_NOMEM;
}

/* Adds key: base64(data) to obj. */
static int
set_b64(json_t *obj, const char *key, const uint8_t *data, size_t len)
{
	char *s = mf_base64_encode_alloc(data, len);
	int rc;

	if (s == NULL)
		return MF_E_NOMEM;
	rc =
	    json_object_set_new(obj, key, json_string(s)) == 0 ? 0 : MF_E_NOMEM;
	free(s);
	return rc;
}

int
mf_dsse_encode(char **out, const char *payload_type, const uint8_t *payload,
               size_t payload_len, const struct mf_dsse_sig *sigs,
               size_t n_sigs)
{
	json_t *doc = NULL, *arr = NULL, *s;
	size_t i;
	int rc = MF_E_NOMEM;

	*out = NULL;
	if ((doc = json_object()) == NULL || (arr = json_array()) == NULL)
		goto done;
	if (json_object_set_new(doc, "payloadType",
	                        json_string(payload_type)) != 0 ||
	    set_b64(doc, "payload", payload, payload_len) != 0)
		goto done;
	for (i = 0; i < n_sigs; i++) {
		if ((s = json_object()) == NULL ||
		    json_array_append_new(arr, s) != 0)
			goto done;
		if (json_object_set_new(s, "keyid",
		                        json_string(sigs[i].keyid)) != 0 ||
		    set_b64(s, "sig", sigs[i].sig, sigs[i].sig_len) != 0)
			goto done;
	}
	if (json_object_set(doc, "signatures", arr) != 0)
		goto done;
	/* jansson keeps insertion order, which gives the documented order. */
	if ((*out = json_dumps(doc, JSON_COMPACT)) == NULL)
		goto done;
	rc = 0;
done:
	json_decref(arr);
	json_decref(doc);
	return rc;
}
