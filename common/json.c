/* Strict JSON decoding, deterministic encoding and JSON pointers. */
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
mf_json_parse_reference(const char *text, size_t len, const char *what,
                        const char *pointer, struct mf_error *err)
{
	json_error_t je;
	json_t *v;
	int code;

	v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	               &je);
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
	mf_error_set(err, code, pointer, "%s: %s (line %d, column %d)", what,
	             je.text, je.line, je.column);
	return NULL;
}

char *
mf_json_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static int
dump_cb(const char *data, size_t size, void *ud)
{
	return mf_buf_append(ud, data, size) == 0 ? 0 : -1;
}

int
mf_json_dump_buf(struct mf_buf *b, const json_t *v)
{
	if (json_dump_callback(v, dump_cb, b,
	                       JSON_COMPACT | JSON_SORT_KEYS |
	                           JSON_ENCODE_ANY) != 0)
		return MF_E_NOMEM;
	return 0;
}

int
mf_json_pointer_push(struct mf_buf *b, const char *token)
{
	int rc = mf_buf_putc(b, '/');

	for (; rc == 0 && *token; token++) {
		if (*token == '~')
			rc = mf_buf_puts(b, "~0");
		else if (*token == '/')
			rc = mf_buf_puts(b, "~1");
		else
			rc = mf_buf_putc(b, *token);
	}
	return rc;
}

int
mf_json_pointer_push_index(struct mf_buf *b, size_t index)
{
	return mf_buf_printf(b, "/%zu", index);
}

json_t *
mf_json_pointer_get(json_t *doc, const char *pointer)
{
	char token[512];
	const char *p = pointer;
	size_t n;
	char *end;

	if (*p == '\0')
		return doc;
	while (doc != NULL && *p == '/') {
		p++;
		for (n = 0; *p && *p != '/'; p++) {
			if (n + 1 >= sizeof(token))
				return NULL;
			if (p[0] == '~' && p[1] == '0') {
				token[n++] = '~';
				p++;
			} else if (p[0] == '~' && p[1] == '1') {
				token[n++] = '/';
				p++;
			} else {
				token[n++] = *p;
			}
		}
		token[n] = '\0';
		if (json_is_object(doc)) {
			doc = json_object_get(doc, token);
		} else if (json_is_array(doc)) {
			unsigned long i = strtoul(token, &end, 10);

			if (n == 0 || *end != '\0' ||
			    (token[0] == '0' && n > 1))
				return NULL;
			doc = json_array_get(doc, i);
		} else {
			return NULL;
		}
	}
	return *p == '\0' ? doc : NULL;
}

const char *
mf_json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}
