/*
 * The one table from error codes to HTTP statuses and machine-readable
 * names, and the error record's helpers.
 */
#include "common/error.h"

#include <stdio.h>
#include <string.h>

struct mf_error_row {
	int code;
	unsigned status;
	const char *name;
};

static const struct mf_error_row error_table[] = {
    {MF_OK, 200, "ok"},
    {MF_E_NOMEM, 500, "out_of_memory"},
    {MF_E_INTERNAL, 500, "internal_error"},
    {MF_E_IO, 500, "io_error"},
    {MF_E_UNAVAILABLE, 503, "service_unavailable"},
    {MF_E_BAD_REQUEST, 400, "bad_request"},
    {MF_E_NOT_FOUND, 404, "not_found"},
    {MF_E_METHOD, 405, "method_not_allowed"},
    {MF_E_TOO_LARGE, 413, "payload_too_large"},
    {MF_E_BAD_PARAM, 400, "invalid_parameter"},
    {MF_E_UNSUPPORTED_MEDIA, 415, "unsupported_media_type"},
    {MF_E_UNAUTHORIZED, 401, "unauthorized"},
    {MF_E_FORBIDDEN, 403, "forbidden"},
    {MF_E_CONFLICT, 409, "conflict"},
    {MF_E_NOT_ACCEPTABLE, 406, "not_acceptable"},
    {MF_E_BAD_PATH, 400, "invalid_path"},
    {MF_E_BAD_JSON, 400, "invalid_json"},
    {MF_E_DUPLICATE_KEY, 400, "duplicate_json_key"},
    {MF_E_BAD_UTF8, 400, "invalid_utf8"},
    {MF_E_BAD_BASE64, 400, "invalid_base64"},
    {MF_E_ENVELOPE, 400, "invalid_envelope"},
    {MF_E_UNKNOWN_KEY, 403, "unknown_key"},
    {MF_E_BAD_SIGNATURE, 403, "bad_signature"},
    {MF_E_KEY_REVOKED, 403, "key_revoked"},
    {MF_E_BAD_KEY, 400, "invalid_key"},
    {MF_E_PAYLOAD_TYPE, 415, "unsupported_payload_type"},
    {MF_E_BAD_PROOF, 422, "invalid_proof"},
    {MF_E_BAD_NOTE, 400, "invalid_note"},
    {MF_E_DUPLICATE_SIGNATURE, 400, "duplicate_signature"},
    {MF_E_WRONG_REGISTRY, 400, "wrong_registry"},
    {MF_E_STALE_SEQ, 409, "stale_seq"},
    {MF_E_ISSUED_AT, 400, "issued_at_out_of_window"},
    {MF_E_STALE_SUPERSEDES, 409, "stale_supersedes"},
    {MF_E_VALIDATION, 422, "validation_failed"},
    {MF_E_WRONG_ORG, 403, "wrong_organisation"},
    {MF_E_WRONG_ROLE, 403, "role_not_permitted"},
    {MF_E_UNKNOWN_SUBJECT, 404, "unknown_subject"},
    {MF_E_PREDICATE_TYPE, 415, "unsupported_predicate_type"},
    {MF_E_SCHEMA, 500, "invalid_schema"},
};

static const struct mf_error_row *
error_row(int code)
{
	size_t i;

	for (i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++)
		if (error_table[i].code == code)
			return &error_table[i];
	return &error_table[2]; /* internal_error */
}

const char *
mf_error_name(int code)
{
	return error_row(code)->name;
}

unsigned
mf_error_status(int code)
{
	return error_row(code)->status;
}

void
mf_error_init(struct mf_error *err)
{
	memset(err, 0, sizeof(*err));
}

void
mf_error_dispose(struct mf_error *err)
{
	if (err == NULL)
		return;
	json_decref(err->details);
	json_decref(err->extra);
	mf_error_init(err);
}

/*
 * Replaces in place every byte of s that is not part of a well-formed
 * UTF-8 character with '?': a message may quote input that is not UTF-8
 * (a path with %FF) or be cut inside a character, and an error body must
 * still be JSON (jansson refuses such strings).
 */
static void
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p != '\0') {
		unsigned c = *p;
		size_t n, i;
		unsigned long cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		n = c >= 0xc2 && c <= 0xdf   ? 1
		    : c >= 0xe0 && c <= 0xef ? 2
		    : c >= 0xf0 && c <= 0xf4 ? 3
		                             : 0;
		cp = c & (n == 1 ? 0x1f : n == 2 ? 0x0f : 0x07);
		for (i = 1; n > 0 && i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				n = 0;
				break;
			}
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (n == 0 || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			*p++ = '?';
			continue;
		}
		p += n + 1;
	}
}

int
mf_error_setv(struct mf_error *err, int code, const char *pointer,
              const char *fmt, va_list ap)
{
	if (err == NULL || err->code != 0)
		return code;
	err->code = code;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	snprintf(err->pointer, sizeof(err->pointer), "%s",
	         pointer != NULL ? pointer : "");
	utf8_scrub(err->message);
	utf8_scrub(err->pointer);
	return code;
}

int
mf_error_set(struct mf_error *err, int code, const char *pointer,
             const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = mf_error_setv(err, code, pointer, fmt, ap);
	va_end(ap);
	return code;
}

int
mf_error_detail(struct mf_error *err, const char *pointer, const char *message)
{
	json_t *d;

	if (err == NULL)
		return 0;
	if (err->details == NULL && (err->details = json_array()) == NULL)
		return MF_E_NOMEM;
	d = json_pack("{s:s, s:s}", "pointer", pointer ? pointer : "",
	              "message", message ? message : "");
	if (d == NULL || json_array_append_new(err->details, d) != 0)
		return MF_E_NOMEM;
	return 0;
}

json_t *
mf_error_json(const struct mf_error *err)
{
	json_t *inner, *details;
	int code = err->code != 0 ? err->code : MF_E_INTERNAL;

	if (err->details != NULL)
		details = json_copy(err->details);
	else if (err->pointer[0] != '\0' || err->code == MF_E_VALIDATION)
		details = json_pack("[{s:s, s:s}]", "pointer", err->pointer,
		                    "message", err->message);
	else
		details = json_array();
	inner = json_pack("{s:s, s:s, s:o*}", "code", mf_error_name(code),
	                  "message",
	                  err->message[0] ? err->message : mf_error_name(code),
	                  "details", details);
	if (inner == NULL)
		return NULL;
	if (err->extra != NULL)
		json_object_update(inner, err->extra);
	return json_pack("{s:o}", "error", inner);
}
