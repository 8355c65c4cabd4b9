/*
 * Writes label.json byte for byte the same for the same tree: object
 * keys sorted by their UTF-8 bytes, two-space indent, reals in their
 * shortest exact form, and escapes that keep the text inert when pasted
 * into HTML or shown in a terminal (see README.md, "Escaping").
 */
#include "labels/jsonout.h"

#include "common/error.h"
#include "labels/label.h"
#include "labels/number.h"
#include "labels/text.h"

#include <stdlib.h>
#include <string.h>

static int write_value(struct mf_buf *out, const json_t *v, int depth);

static int
indent(struct mf_buf *out, int depth)
{
	int rc = 0;

	while (rc == 0 && depth-- > 0)
		rc = mf_buf_puts(out, "  ");
	return rc;
}

/* Code points written as \uXXXX although JSON allows them raw. */
static int
needs_u_escape(uint32_t cp)
{
	return cp < 0x20 || cp == '<' || cp == '>' || cp == '&' ||
	       (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
	       mf_label_char_class(cp) == MF_LABEL_CHAR_BAD;
}

static const unsigned char json_stop[128] = {
    ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1,
};

int
mf_label_json_string(struct mf_buf *out, const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;
	int rc = mf_buf_putc(out, '"');

	while (rc == 0 && i < len) {
		if ((n = mf_label_plain_run(s + i, len - i, json_stop)) > 0) {
			rc = mf_buf_append(out, s + i, n);
			i += n;
			continue;
		}
		n = mf_label_utf8_next(s + i, len - i, &cp);
		if (cp == '"')
			rc = mf_buf_puts(out, "\\\"");
		else if (cp == '\\')
			rc = mf_buf_puts(out, "\\\\");
		else if (cp == '\n')
			rc = mf_buf_puts(out, "\\n");
		else if (cp == '\r')
			rc = mf_buf_puts(out, "\\r");
		else if (cp == '\t')
			rc = mf_buf_puts(out, "\\t");
		else if (cp == MF_LABEL_INVALID)
			rc = mf_buf_puts(out, "\\ufffd");
		else if (needs_u_escape(cp))
			rc = mf_buf_printf(out, "\\u%04x", (unsigned)cp);
		else
			rc = mf_buf_append(out, s + i, n);
		i += n;
	}
	return rc != 0 ? rc : mf_buf_putc(out, '"');
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
write_object(struct mf_buf *out, const json_t *v, int depth)
{
	const char **keys = NULL, *key;
	size_t n = json_object_size(v), i = 0;
	json_t *member;
	int rc = 0;

	if (n == 0)
		return mf_buf_puts(out, "{}");
	if ((keys = malloc(n * sizeof(*keys))) == NULL)
		return MF_E_NOMEM;
	json_object_foreach((json_t *)v, key, member)
	{
		if (i < n)
			keys[i++] = key;
	}
	n = i;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	if ((rc = mf_buf_puts(out, "{\n")) != 0)
		goto done;
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = indent(out, depth + 1)) != 0 ||
		    (rc = mf_label_json_string(out, keys[i],
		                               strlen(keys[i]))) != 0 ||
		    (rc = mf_buf_puts(out, ": ")) != 0 ||
		    (rc = write_value(out, json_object_get(v, keys[i]),
		                      depth + 1)) != 0)
			goto done;
		rc = mf_buf_puts(out, i + 1 < n ? ",\n" : "\n");
	}
	if (rc == 0 && (rc = indent(out, depth)) == 0)
		rc = mf_buf_putc(out, '}');
done:
	free(keys);
	return rc;
}

static int
write_array(struct mf_buf *out, const json_t *v, int depth)
{
	size_t n = json_array_size(v), i;
	int rc;

	if (n == 0)
		return mf_buf_puts(out, "[]");
	if ((rc = mf_buf_puts(out, "[\n")) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = indent(out, depth + 1)) != 0 ||
		    (rc = write_value(out, json_array_get(v, i), depth + 1)) !=
		        0)
			return rc;
		rc = mf_buf_puts(out, i + 1 < n ? ",\n" : "\n");
	}
	if (rc == 0 && (rc = indent(out, depth)) == 0)
		rc = mf_buf_putc(out, ']');
	return rc;
}

static int
write_value(struct mf_buf *out, const json_t *v, int depth)
{
	char num[MF_LABEL_NUM_MAX];

	if (depth > MF_LABEL_JSON_MAX_DEPTH)
		return MF_E_TOO_LARGE;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return write_object(out, v, depth);
	case JSON_ARRAY:
		return write_array(out, v, depth);
	case JSON_STRING:
		return mf_label_json_string(out, json_string_value(v),
		                            json_string_length(v));
	case JSON_INTEGER:
		return mf_buf_printf(out, "%" JSON_INTEGER_FORMAT,
		                     json_integer_value(v));
	case JSON_REAL:
		mf_label_num_json(num, json_real_value(v));
		return mf_buf_puts(out, num);
	case JSON_TRUE:
		return mf_buf_puts(out, "true");
	case JSON_FALSE:
		return mf_buf_puts(out, "false");
	default:
		return mf_buf_puts(out, "null");
	}
}

int
mf_label_json_write(struct mf_buf *out, const json_t *v)
{
	size_t mark = out->len;
	int rc;

	if (v == NULL)
		return MF_E_BAD_PARAM;
	if ((rc = write_value(out, v, 0)) == 0)
		rc = mf_buf_putc(out, '\n');
	if (rc != 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}
