/*
 * YAML through libyaml's event parser, built into a jansson tree with the
 * core schema's scalar resolution; and a small block-style writer whose
 * scalars are JSON-quoted, so whatever it writes parses back exactly.
 */
#include "common/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct builder {
	yaml_parser_t parser;
	size_t nodes;
	struct mf_error *err;
};

static bool
is_plain_null(const char *s)
{
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* A plain scalar as the YAML 1.2 core schema reads it. */
static json_t *
plain_scalar(const char *s)
{
	char *end;
	size_t n = strlen(s);

	if (is_plain_null(s))
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0)
		return json_false();
	if (n > 0 && n < 20) {
		size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		bool digits = i < n;

		for (; i < n; i++)
			if (!isdigit((unsigned char)s[i]))
				digits = false;
		if (digits) {
			errno = 0;
			long long v = strtoll(s, &end, 10);
			if (errno == 0 && *end == '\0')
				return json_integer(v);
		}
	}
	/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	if (n > 0 && n < 64) {
		size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0, d = 0;

		while (i < n && isdigit((unsigned char)s[i]))
			i++, d++;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && isdigit((unsigned char)s[i]))
				i++, d++;
		}
		if (d > 0 && i < n && (s[i] == 'e' || s[i] == 'E')) {
			size_t e = 0;

			i++;
			if (i < n && (s[i] == '-' || s[i] == '+'))
				i++;
			while (i < n && isdigit((unsigned char)s[i]))
				i++, e++;
			if (e == 0)
				d = 0;
		}
		if (d > 0 && i == n) {
			double v = strtod(s, &end);
			if (*end == '\0' && isfinite(v))
				return json_real(v);
		}
	}
	return json_stringn(s, n);
}

static int
fail_at(struct builder *b, const yaml_mark_t *m, const char *what)
{
	return mf_error_set(b->err, MF_E_BAD_REQUEST, NULL,
	                    "%s (line %zu, column %zu)", what, m->line + 1,
	                    m->column + 1);
}

static int
next_event(struct builder *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->parser, ev)) {
		yaml_mark_t m = b->parser.problem_mark;

		return fail_at(b, &m,
		               b->parser.problem ? b->parser.problem
		                                 : "invalid YAML");
	}
	return 0;
}

static int build(struct builder *b, yaml_event_t *ev, int depth, json_t **out);

/* Builds the mapping or sequence whose start event was just read. */
static int
build_container(struct builder *b, bool mapping, int depth, json_t **out)
{
	yaml_event_t ev;
	json_t *c, *key = NULL, *val = NULL;
	int rc = 0;

	if ((c = mapping ? json_object() : json_array()) == NULL)
		return MF_E_NOMEM;
	for (;;) {
		if ((rc = next_event(b, &ev)) != 0)
			goto done;
		if (ev.type == YAML_MAPPING_END_EVENT ||
		    ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (mapping && key == NULL) {
			yaml_mark_t m = ev.start_mark;

			rc = build(b, &ev, depth + 1, &key);
			if (rc == 0 && !json_is_string(key)) {
				/* a key that reads as a number or boolean
				 * keeps its text: keys are names */
				json_decref(key);
				key = NULL;
				rc = fail_at(b, &m,
				             "a mapping key must be a "
				             "scalar");
			}
			if (rc != 0)
				goto done;
			continue;
		}
		if ((rc = build(b, &ev, depth + 1, &val)) != 0)
			goto done;
		if (mapping) {
			if (json_object_get(c, json_string_value(key)) !=
			    NULL) {
				rc =
				    mf_error_set(b->err, MF_E_BAD_REQUEST, NULL,
				                 "duplicate key '%s' in a "
				                 "mapping",
				                 json_string_value(key));
				goto done;
			}
			if (json_object_set_new(c, json_string_value(key),
			                        val) != 0)
				rc = MF_E_NOMEM;
			val = NULL;
			json_decref(key);
			key = NULL;
		} else {
			rc =
			    json_array_append_new(c, val) != 0 ? MF_E_NOMEM : 0;
			val = NULL;
		}
		if (rc != 0)
			goto done;
	}
done:
	json_decref(key);
	json_decref(val);
	if (rc != 0)
		json_decref(c);
	else
		*out = c;
	return rc;
}

/* Builds the node that ev starts; consumes ev. */
static int
build(struct builder *b, yaml_event_t *ev, int depth, json_t **out)
{
	int rc = 0;

	*out = NULL;
	if (++b->nodes > MF_YAML_MAX_NODES) {
		yaml_event_delete(ev);
		return mf_error_set(b->err, MF_E_TOO_LARGE, NULL,
		                    "more than %d YAML nodes",
		                    MF_YAML_MAX_NODES);
	}
	if (depth > MF_YAML_MAX_DEPTH) {
		rc = fail_at(b, &ev->start_mark, "nested too deeply");
		yaml_event_delete(ev);
		return rc;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *v = (const char *)ev->data.scalar.value;
		size_t n = ev->data.scalar.length;

		if (memchr(v, '\0', n) != NULL)
			rc = fail_at(b, &ev->start_mark,
			             "a scalar holds a NUL character");
		else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		         ev->data.scalar.tag == NULL)
			*out = plain_scalar(v);
		else
			*out = json_stringn(v, n);
		if (rc == 0 && *out == NULL)
			rc = MF_E_NOMEM;
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool mapping = ev->type == YAML_MAPPING_START_EVENT;

		yaml_event_delete(ev);
		return build_container(b, mapping, depth, out);
	}
	case YAML_ALIAS_EVENT:
		rc = fail_at(b, &ev->start_mark,
		             "aliases (*name) are not accepted");
		break;
	default:
		rc = fail_at(b, &ev->start_mark, "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	return rc;
}

int
mf_yaml_parse(json_t **out, const char *text, size_t len, struct mf_error *err)
{
	struct builder b;
	yaml_event_t ev;
	json_t *root = NULL;
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.err = err;
	if (!yaml_parser_initialize(&b.parser))
		return MF_E_NOMEM;
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text,
	                             len);
	/* 1. Skip the stream and document start events. */
	for (;;) {
		if ((rc = next_event(&b, &ev)) != 0)
			goto done;
		if (ev.type == YAML_STREAM_START_EVENT ||
		    ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		break;
	}
	/* 2. An empty stream is null; otherwise build the root node. */
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		root = json_null();
		goto done;
	}
	rc = build(&b, &ev, 0, &root);
done:
	yaml_parser_delete(&b.parser);
	if (rc == 0)
		*out = root;
	else
		json_decref(root);
	return rc;
}

int
mf_yaml_quote(struct mf_buf *out, const char *s)
{
	json_t *str;
	char *q;
	int rc;

	if ((str = json_string(s)) == NULL)
		return MF_E_BAD_PARAM; /* not UTF-8 */
	q = json_dumps(str, JSON_ENCODE_ANY);
	json_decref(str);
	if (q == NULL)
		return MF_E_NOMEM;
	rc = mf_buf_puts(out, q);
	free(q);
	return rc;
}

static bool
plain_key(const char *k)
{
	size_t i;

	if (!isalpha((unsigned char)k[0]))
		return false;
	for (i = 0; k[i]; i++)
		if (!isalnum((unsigned char)k[i]) && k[i] != '_' && k[i] != '-')
			return false;
	return !is_plain_null(k) && strcmp(k, "true") != 0 &&
	       strcmp(k, "false") != 0;
}

static int
scalar(struct mf_buf *out, const json_t *v)
{
	char *t;
	int rc;

	if (json_is_string(v))
		return mf_yaml_quote(out, json_string_value(v));
	if (json_is_real(v)) {
		/* the shortest text that reads back as the same double */
		char num[40];
		int p;

		for (p = 1; p <= 17; p++) {
			snprintf(num, sizeof(num), "%.*g", p,
			         json_real_value(v));
			if (strtod(num, NULL) == json_real_value(v))
				break;
		}
		return mf_buf_puts(out, num);
	}
	if ((t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))) ==
	    NULL)
		return MF_E_NOMEM;
	rc = mf_buf_puts(out, t);
	free(t);
	return rc;
}

static int
indent_to(struct mf_buf *out, int n)
{
	int rc = 0;

	while (rc == 0 && n-- > 0)
		rc = mf_buf_putc(out, ' ');
	return rc;
}

/*
 * Writes v's lines at indent; when first_done the first line's indent is
 * already written (after "- "). Containers only.
 */
static int
emit(struct mf_buf *out, const json_t *v, int indent, bool first_done,
     int depth)
{
	bool first = true;
	int rc = 0;

	if (depth > MF_YAML_MAX_DEPTH)
		return MF_E_BAD_PARAM;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;

		json_object_foreach((json_t *)v, k, c)
		{
			if (!(first && first_done))
				rc = indent_to(out, indent);
			first = false;
			if (rc == 0)
				rc = plain_key(k) ? mf_buf_puts(out, k)
				                  : mf_yaml_quote(out, k);
			if (rc == 0)
				rc = mf_buf_putc(out, ':');
			if (rc == 0 &&
			    (json_is_object(c) || json_is_array(c)) &&
			    json_object_size(c) + json_array_size(c) > 0) {
				rc = mf_buf_putc(out, '\n');
				if (rc == 0)
					rc = emit(
					    out, c,
					    indent + (json_is_array(c) ? 0 : 2),
					    false, depth + 1);
			} else if (rc == 0) {
				rc = mf_buf_putc(out, ' ');
				if (rc == 0 && json_is_object(c))
					rc = mf_buf_puts(out, "{}");
				else if (rc == 0 && json_is_array(c))
					rc = mf_buf_puts(out, "[]");
				else if (rc == 0)
					rc = scalar(out, c);
				if (rc == 0)
					rc = mf_buf_putc(out, '\n');
			}
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *c;

		json_array_foreach(v, i, c)
		{
			if (!(first && first_done))
				rc = indent_to(out, indent);
			first = false;
			if (rc == 0)
				rc = mf_buf_puts(out, "- ");
			if (rc == 0 &&
			    (json_is_object(c) || json_is_array(c)) &&
			    json_object_size(c) + json_array_size(c) > 0)
				rc = emit(out, c, indent + 2, true, depth + 1);
			else if (rc == 0) {
				if (json_is_object(c))
					rc = mf_buf_puts(out, "{}");
				else if (json_is_array(c))
					rc = mf_buf_puts(out, "[]");
				else
					rc = scalar(out, c);
				if (rc == 0)
					rc = mf_buf_putc(out, '\n');
			}
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if ((rc = indent_to(out, indent)) == 0 && (rc = scalar(out, v)) == 0)
		rc = mf_buf_putc(out, '\n');
	return rc;
}

int
mf_yaml_emit(struct mf_buf *out, const json_t *v, int indent)
{
	size_t mark = out->len;
	int rc = emit(out, v, indent, false, 0);

	if (rc != 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}
