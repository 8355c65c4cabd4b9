/*
 * Reading JSON texts for validation. The registry's own documents go
 * through mf_json_parse, which refuses "\u0000"; general validation
 * (`modelfacts validate --schema`) must accept any JSON a user may give,
 * and a string with U+0000 in it is valid JSON. With
 * MF_SCHEMA_JSON_ALLOW_NUL such a text is read by jansson's decoder with
 * JSON_ALLOW_NUL, every other text still by the fast parser; both are
 * equally strict otherwise (duplicate keys, UTF-8, depth).
 */
#include "validators/jsonschema.h"

#include "common/json.h"

#include <string.h>

/* True when the text contains the escape "\u0000" (perhaps as part of
 * "\\u0000", which is harmless: that text just takes the slower path). */
static bool
has_nul_escape(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (end - p >= 6 &&
	       (p = memchr(p, '\\', (size_t)(end - p - 5))) != NULL) {
		if (memcmp(p + 1, "u0000", 5) == 0)
			return true;
		p++;
	}
	return false;
}

/* Line and column (1-based) of byte offset off, as the parsers count. */
static void
line_col(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

json_t *
mf_schema_json_parse(const char *text, size_t len, const char *what,
                     unsigned flags, struct mf_error *err)
{
	const char *nul;
	json_error_t je;
	json_t *v;
	int code, line, col;

	if (!(flags & MF_SCHEMA_JSON_ALLOW_NUL) || !has_nul_escape(text, len))
		return mf_json_parse(text, len, what, NULL, err);
	/* A NUL byte is never valid JSON text (jansson 2.14 lets one
	 * through right after a number; mf_json_parse does not). */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		line_col(text, (size_t)(nul - text), &line, &col);
		mf_error_set(err, MF_E_BAD_JSON, NULL,
		             "%s: NUL byte in the text (line %d, column %d)",
		             what ? what : "JSON", line, col);
		return NULL;
	}
	v = json_loadb(
	    text, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (v != NULL)
		return v;
	switch (json_error_code(&je)) {
	case json_error_duplicate_key:
		code = MF_E_DUPLICATE_KEY;
		break;
	case json_error_invalid_utf8:
		code = MF_E_BAD_UTF8;
		break;
	case json_error_out_of_memory:
		code = MF_E_NOMEM;
		break;
	default:
		code = MF_E_BAD_JSON;
		break;
	}
	mf_error_set(err, code, NULL, "%s: %s (line %d, column %d)",
	             what ? what : "JSON", je.text, je.line, je.column);
	return NULL;
}
