/*
 * Streamed exports (see export.h): rows pulled from db/rows.h as the
 * client reads, each written as a CSV record, a JSON Lines line or a
 * member of a JSON array into a buffer of about one HTTP block.
 */
#include "api/export.h"
#include "common/buf.h"
#include "common/diag.h"
#include "common/json.h"
#include "db/rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows rendered per refill: the buffer stays about one block long. */
#define ROWS_PER_REFILL 64

/* A cell's member name in its source column, and the cell it fills. */
struct cell_key {
	int source;
	const char *key; /* borrowed from cell_names' storage */
	size_t len;
	size_t cell;
	char *owned;
};

/* A JSON value token of the current row; tok NULL: absent. */
struct token {
	const char *tok;
	size_t len;
};

struct export_state {
	struct mf_db_rows *rows; /* the statement's rows, or NULL and: */
	json_t *jrows;           /* rows in memory (export.h), owned */
	char **columns;          /* their columns, copied */
	size_t ncolumns;
	size_t jnext;        /* the index of the next row in jrows */
	const json_t *jcur;  /* the current row */
	struct mf_buf jcell; /* a rendered number, list or object */
	enum mf_format fmt;
	struct mf_buf out; /* rendered, not yet handed to the client */
	size_t pos;        /* how much of out has been handed over */
	bool finished;     /* the suffix is in out */
	size_t nrows;
	/* cells from JSON objects (export.h): names, keys, where from */
	size_t ncells;
	char **cell_names;
	struct cell_key *keys; /* sorted by (source, key) for bsearch */
	int first_source;      /* where the cells stand, or -1 */
	bool *is_source;       /* per statement column */
	struct token *vals;    /* one row's cell values */
	struct mf_buf scratch;
	char id[24]; /* the request's, for log lines after it is gone */
	struct mf_error err;
};

/* --- the rows' source: a statement's stream or a JSON array ---------- */

static int
src_ncols(const struct export_state *st)
{
	return st->rows ? mf_db_rows_ncols(st->rows) : (int)st->ncolumns;
}

static const char *
src_name(const struct export_state *st, int c)
{
	return st->rows ? mf_db_rows_name(st->rows, c) : st->columns[c];
}

/* A member of the current in-memory row; NULL when absent or null. */
static const json_t *
src_member(const struct export_state *st, int c)
{
	const json_t *v = json_object_get(st->jcur, st->columns[c]);

	return json_is_null(v) ? NULL : v;
}

static enum mf_db_coltype
src_type(const struct export_state *st, int c)
{
	const json_t *v;

	if (st->rows)
		return mf_db_rows_type(st->rows, c);
	v = src_member(st, c);
	if (json_is_number(v))
		return MF_DB_COL_NUMBER;
	if (json_is_boolean(v))
		return MF_DB_COL_BOOL;
	if (json_is_object(v) || json_is_array(v))
		return MF_DB_COL_JSON;
	return MF_DB_COL_TEXT;
}

/*
 * Column c of the current row as text (as db/rows.h gives it: booleans
 * "t"/"f", numbers, lists and objects as their JSON text), NULL for
 * null. Valid until the next call.
 */
static const char *
src_value(struct export_state *st, int c, size_t *len)
{
	const json_t *v;

	if (st->rows)
		return mf_db_rows_value(st->rows, c, len);
	if ((v = src_member(st, c)) == NULL)
		return NULL;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_boolean(v)) {
		*len = 1;
		return json_is_true(v) ? "t" : "f";
	}
	mf_buf_clear(&st->jcell);
	if (mf_json_dump_buf(&st->jcell, v) != 0 || st->jcell.data == NULL)
		return NULL;
	*len = st->jcell.len;
	return st->jcell.data;
}

static int
src_next(struct export_state *st, bool *have)
{
	if (st->rows)
		return mf_db_rows_next(st->rows, have, &st->err);
	*have = st->jnext < json_array_size(st->jrows);
	st->jcur = *have ? json_array_get(st->jrows, st->jnext++) : NULL;
	return 0;
}

/* --- CSV and JSON text ------------------------------------------------ */

int
mf_export_csv_field(struct mf_buf *b, const char *s, size_t len)
{
	size_t i, start;
	int rc;

	if (s == NULL || len == 0)
		return 0;
	if (strcspn(s, ",\"\r\n") >= len && memchr(s, '\0', len) == NULL)
		return mf_buf_append(b, s, len);
	if ((rc = mf_buf_putc(b, '"')) != 0)
		return rc;
	for (i = start = 0; i < len; i++)
		if (s[i] == '"') {
			if ((rc = mf_buf_append(b, s + start, i - start + 1)) !=
			        0 ||
			    (rc = mf_buf_putc(b, '"')) != 0)
				return rc;
			start = i + 1;
		}
	if ((rc = mf_buf_append(b, s + start, len - start)) != 0)
		return rc;
	return mf_buf_putc(b, '"');
}

int
mf_export_json_string(struct mf_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start;
	char esc[7];
	int rc;

	if ((rc = mf_buf_putc(b, '"')) != 0)
		return rc;
	for (i = start = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if ((rc = mf_buf_append(b, s + start, i - start)) != 0 ||
		    (rc = mf_buf_append(b, esc, n)) != 0)
			return rc;
		start = i + 1;
	}
	if ((rc = mf_buf_append(b, s + start, len - start)) != 0)
		return rc;
	return mf_buf_putc(b, '"');
}

/* The UTF-8 form of code point cp. */
static int
put_utf8(struct mf_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return mf_buf_append(b, u, n);
}

static long
hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

int
mf_export_json_unescape(struct mf_buf *b, const char *tok, size_t len)
{
	size_t i;
	int rc = 0;

	if (len < 2 || tok[0] != '"' || tok[len - 1] != '"')
		return MF_E_BAD_JSON;
	for (i = 1; i < len - 1 && rc == 0; i++) {
		long cp, lo;

		if (tok[i] != '\\') {
			rc = mf_buf_putc(b, tok[i]);
			continue;
		}
		if (++i >= len - 1)
			return MF_E_BAD_JSON;
		switch (tok[i]) {
		case 'b':
			rc = mf_buf_putc(b, '\b');
			break;
		case 'f':
			rc = mf_buf_putc(b, '\f');
			break;
		case 'n':
			rc = mf_buf_putc(b, '\n');
			break;
		case 'r':
			rc = mf_buf_putc(b, '\r');
			break;
		case 't':
			rc = mf_buf_putc(b, '\t');
			break;
		case 'u':
			if (i + 4 >= len - 1 + 1 ||
			    (cp = hex4(tok + i + 1)) < 0)
				return MF_E_BAD_JSON;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < len &&
			    tok[i + 1] == '\\' && tok[i + 2] == 'u' &&
			    (lo = hex4(tok + i + 3)) >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i += 6;
			}
			rc = put_utf8(b, (unsigned long)cp);
			break;
		default:
			rc = mf_buf_putc(b, tok[i]);
		}
	}
	return rc;
}

static int
cell_key_cmp(const void *a, const void *b)
{
	const struct cell_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if ((c = memcmp(x->key, y->key, n)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The end of the JSON string token starting at p (its closing quote). */
static const char *
string_end(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p : NULL;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/*
 * Fills st->vals from the flat JSON object of source column col: each
 * member that names a cell. Nested values are not cells' business: an
 * error.
 */
static int
scan_object(struct export_state *st, int col)
{
	const char *v, *p, *end, *k, *ke, *tok;
	struct cell_key probe, *hit;
	size_t len;

	if ((v = src_value(st, col, &len)) == NULL)
		return 0;
	end = v + len;
	p = skip_ws(v, end);
	if (p >= end || *p != '{')
		return MF_E_INTERNAL;
	for (p = skip_ws(p + 1, end); p < end && *p != '}';) {
		if (*p != '"' || (ke = string_end(p, end)) == NULL)
			return MF_E_INTERNAL;
		k = p + 1;
		p = skip_ws(ke + 1, end);
		if (p >= end || *p != ':')
			return MF_E_INTERNAL;
		p = tok = skip_ws(p + 1, end);
		if (p < end && *p == '"') {
			if ((p = string_end(p, end)) == NULL)
				return MF_E_INTERNAL;
			p++;
		} else {
			while (p < end && *p != ',' && *p != '}' && *p != ' ')
				p++;
		}
		if (tok < end && (*tok == '{' || *tok == '['))
			return MF_E_INTERNAL;
		probe.source = col;
		probe.key = k;
		probe.len = (size_t)(ke - k);
		hit = bsearch(&probe, st->keys, st->ncells, sizeof(*st->keys),
		              cell_key_cmp);
		if (hit != NULL) {
			st->vals[hit->cell].tok = tok;
			st->vals[hit->cell].len = (size_t)(p - tok);
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return 0;
}

/* The current row's cells in st->vals (tok NULL where absent). */
static int
cell_values(struct export_state *st)
{
	int c, rc;
	size_t i;

	for (i = 0; i < st->ncells; i++)
		st->vals[i].tok = NULL;
	for (c = 0; c < src_ncols(st); c++)
		if (st->is_source[c] && (rc = scan_object(st, c)) != 0)
			return rc;
	return 0;
}

/* Writes the separator before a field, then the field's name or value. */
static int
sep(struct export_state *st, bool *first)
{
	bool was = *first;

	*first = false;
	return was ? 0 : mf_buf_putc(&st->out, ',');
}

/* The CSV header row: the statement's names, the cells in place. */
static int
csv_header(struct export_state *st)
{
	bool first = true;
	int c, rc = 0;
	size_t i;

	for (c = 0; c < src_ncols(st) && rc == 0; c++) {
		const char *name = src_name(st, c);

		if (c == st->first_source)
			for (i = 0; i < st->ncells && rc == 0; i++)
				if ((rc = sep(st, &first)) == 0)
					rc = mf_export_csv_field(
					    &st->out, st->cell_names[i],
					    strlen(st->cell_names[i]));
		if (st->is_source[c] || rc != 0)
			continue;
		if ((rc = sep(st, &first)) == 0)
			rc = mf_export_csv_field(&st->out, name, strlen(name));
	}
	return rc ? rc : mf_buf_append(&st->out, "\r\n", 2);
}

/* One value of the current row as JSON. */
static int
json_value(struct mf_buf *b, enum mf_db_coltype type, const char *v, size_t len)
{
	if (v == NULL)
		return mf_buf_append(b, "null", 4);
	switch (type) {
	case MF_DB_COL_NUMBER:
		/* float8 NaN and Infinity have no JSON form */
		if (len == 0 || strspn(v, "0123456789+-.eE") != len)
			return mf_buf_append(b, "null", 4);
		return mf_buf_append(b, v, len);
	case MF_DB_COL_BOOL:
		return v[0] == 't' ? mf_buf_append(b, "true", 4)
		                   : mf_buf_append(b, "false", 5);
	case MF_DB_COL_JSON:
		return mf_buf_append(b, v, len);
	default:
		return mf_export_json_string(b, v, len);
	}
}

/* A cell's value as a CSV field: strings decoded, null empty. */
static int
csv_cell(struct export_state *st, const struct token *t)
{
	int rc;

	if (t->tok == NULL || (t->len == 4 && memcmp(t->tok, "null", 4) == 0))
		return 0;
	if (t->tok[0] != '"')
		return mf_export_csv_field(&st->out, t->tok, t->len);
	mf_buf_clear(&st->scratch);
	if ((rc = mf_export_json_unescape(&st->scratch, t->tok, t->len)) != 0)
		return rc;
	return mf_export_csv_field(&st->out, st->scratch.data, st->scratch.len);
}

static int
csv_row(struct export_state *st)
{
	bool first = true;
	int c, rc = 0;
	size_t i, len;

	if (st->ncells > 0 && (rc = cell_values(st)) != 0)
		return rc;
	for (c = 0; c < src_ncols(st) && rc == 0; c++) {
		const char *v = src_value(st, c, &len);

		if (c == st->first_source)
			for (i = 0; i < st->ncells && rc == 0; i++)
				if ((rc = sep(st, &first)) == 0)
					rc = csv_cell(st, &st->vals[i]);
		if (st->is_source[c] || rc != 0)
			continue;
		if ((rc = sep(st, &first)) != 0 || v == NULL)
			continue;
		if (src_type(st, c) == MF_DB_COL_BOOL)
			rc = mf_buf_puts(&st->out,
			                 v[0] == 't' ? "true" : "false");
		else
			rc = mf_export_csv_field(&st->out, v, len);
	}
	return rc ? rc : mf_buf_append(&st->out, "\r\n", 2);
}

/* "name": */
static int
json_name(struct export_state *st, const char *name)
{
	int rc = mf_export_json_string(&st->out, name, strlen(name));

	return rc ? rc : mf_buf_putc(&st->out, ':');
}

static int
json_row(struct export_state *st)
{
	bool first = true;
	int c, rc = 0;
	size_t i, len;

	if (st->ncells > 0 && (rc = cell_values(st)) != 0)
		return rc;
	if (st->fmt == MF_FORMAT_JSON && st->nrows > 0)
		rc = mf_buf_putc(&st->out, ',');
	if (rc == 0)
		rc = mf_buf_putc(&st->out, '{');
	for (c = 0; c < src_ncols(st) && rc == 0; c++) {
		const char *v = src_value(st, c, &len);

		if (c == st->first_source)
			for (i = 0; i < st->ncells && rc == 0; i++) {
				const struct token *t = &st->vals[i];

				if ((rc = sep(st, &first)) == 0)
					rc = json_name(st, st->cell_names[i]);
				if (rc == 0)
					rc =
					    t->tok
					        ? mf_buf_append(&st->out,
					                        t->tok, t->len)
					        : mf_buf_puts(&st->out, "null");
			}
		if (st->is_source[c] || rc != 0)
			continue;
		if ((rc = sep(st, &first)) == 0)
			rc = json_name(st, src_name(st, c));
		if (rc == 0)
			rc = json_value(&st->out, src_type(st, c), v, len);
	}
	if (rc == 0)
		rc = mf_buf_putc(&st->out, '}');
	if (rc == 0 && st->fmt == MF_FORMAT_JSONL)
		rc = mf_buf_putc(&st->out, '\n');
	return rc;
}

/* Renders up to ROWS_PER_REFILL rows, or the end of the export. */
static int
refill(struct export_state *st)
{
	bool have;
	int i, rc;

	for (i = 0; i < ROWS_PER_REFILL; i++) {
		if ((rc = src_next(st, &have)) != 0)
			return rc;
		if (!have) {
			st->finished = true;
			if (st->fmt == MF_FORMAT_JSON)
				return mf_buf_append(&st->out, "]}\n", 3);
			return 0;
		}
		rc = st->fmt == MF_FORMAT_CSV ? csv_row(st) : json_row(st);
		if (rc != 0)
			return rc;
		st->nrows++;
	}
	return 0;
}

static long
export_fill(void *cls, char *buf, size_t max)
{
	struct export_state *st = cls;
	size_t n;
	int rc;

	/* 1. Drop what was handed over; keep the rest at the front. */
	if (st->pos > 0) {
		memmove(st->out.data, st->out.data + st->pos,
		        st->out.len - st->pos);
		st->out.len -= st->pos;
		st->pos = 0;
	}
	/* 2. Render until a block is ready or the rows end. */
	while (st->out.len < max && !st->finished)
		if ((rc = refill(st)) != 0) {
			mf_diag_warn("req=%s export stopped after %zu rows: %s",
			             st->id, st->nrows,
			             st->err.message[0] ? st->err.message
			                                : mf_error_name(rc));
			return rc;
		}
	/* 3. Hand over one block. */
	n = st->out.len < max ? st->out.len : max;
	if (n > 0)
		memcpy(buf, st->out.data, n);
	st->pos = n;
	return (long)n;
}

static void
export_done(void *cls)
{
	struct export_state *st = cls;
	size_t i;

	if (st == NULL)
		return;
	mf_db_rows_free(st->rows);
	json_decref(st->jrows);
	for (i = 0; st->columns != NULL && i < st->ncolumns; i++)
		free(st->columns[i]);
	free(st->columns);
	mf_buf_dispose(&st->jcell);
	for (i = 0; i < st->ncells; i++) {
		if (st->cell_names != NULL)
			free(st->cell_names[i]);
		if (st->keys != NULL)
			free(st->keys[i].owned);
	}
	free(st->cell_names);
	free(st->keys);
	free(st->vals);
	free(st->is_source);
	mf_buf_dispose(&st->out);
	mf_buf_dispose(&st->scratch);
	mf_error_dispose(&st->err);
	free(st);
}

static struct export_state *
state_new(const struct mf_export *x, enum mf_format fmt, const char *id)
{
	struct export_state *st = calloc(1, sizeof(*st));
	size_t i;

	if (st == NULL)
		return NULL;
	st->fmt = fmt;
	st->first_source = -1;
	mf_buf_init(&st->out, 0);
	mf_buf_init(&st->scratch, 0);
	mf_buf_init(&st->jcell, 0);
	mf_error_init(&st->err);
	snprintf(st->id, sizeof(st->id), "%s", id);
	if (x->rows != NULL) {
		st->jrows = json_incref((json_t *)x->rows);
		st->ncolumns = x->ncolumns;
		if ((st->columns = calloc(x->ncolumns + 1, sizeof(char *))) ==
		    NULL)
			goto fail;
		for (i = 0; i < x->ncolumns; i++)
			if ((st->columns[i] = strdup(x->columns[i])) == NULL)
				goto fail;
	}
	if (x->ncells == 0)
		return st;
	st->ncells = x->ncells;
	st->cell_names = calloc(x->ncells, sizeof(char *));
	st->keys = calloc(x->ncells, sizeof(*st->keys));
	st->vals = calloc(x->ncells, sizeof(*st->vals));
	if (st->cell_names == NULL || st->keys == NULL || st->vals == NULL)
		goto fail;
	for (i = 0; i < x->ncells; i++) {
		if ((st->cell_names[i] = strdup(x->cells[i].name)) == NULL ||
		    (st->keys[i].owned = strdup(x->cells[i].key)) == NULL)
			goto fail;
		st->keys[i].key = st->keys[i].owned;
		st->keys[i].len = strlen(st->keys[i].key);
		st->keys[i].cell = i;
		st->keys[i].source = -1;
	}
	return st;
fail:
	export_done(st);
	return NULL;
}

/* Finds the cells' source columns once the statement's columns are known. */
static int
resolve_sources(struct export_state *st, const struct mf_export *x)
{
	int c, ncols = src_ncols(st);
	size_t i;

	if ((st->is_source = calloc((size_t)ncols + 1, sizeof(bool))) == NULL)
		return MF_E_NOMEM;
	for (i = 0; i < st->ncells; i++) {
		for (c = 0; c < ncols; c++)
			if (strcmp(src_name(st, c), x->cells[i].source) == 0)
				break;
		if (c == ncols)
			return MF_E_INTERNAL; /* the handler names a column
			                         its statement lacks */
		st->keys[i].source = c;
		st->is_source[c] = true;
		if (st->first_source < 0 || c < st->first_source)
			st->first_source = c;
	}
	if (st->ncells > 0) /* keys is NULL without cells: qsort's UB */
		qsort(st->keys, st->ncells, sizeof(*st->keys), cell_key_cmp);
	return 0;
}

int
mf_h_export(struct mf_request *req, const struct mf_export *x,
            enum mf_format fmt)
{
	struct export_state *st;
	char disposition[256];
	int rc;

	if ((st = state_new(x, fmt, req->id)) == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	/* 1. The statement, up to its first row: errors answer properly
	 * (rows in memory: there, and they take no cells). */
	if (x->rows != NULL && (!json_is_array(x->rows) || x->ncells > 0)) {
		rc =
		    mf_error_set(&req->err, MF_E_INTERNAL, NULL, "export rows");
		goto fail;
	}
	if (x->rows != NULL)
		rc = 0;
	else if (x->open != NULL)
		rc = x->open(&st->rows, x->open_arg, &req->err);
	else
		rc = mf_db_rows_open(&st->rows, x->stmt, x->nparams, x->params,
		                     &req->err);
	if (rc != 0)
		goto fail;
	if ((rc = resolve_sources(st, x)) != 0) {
		mf_error_set(&req->err, rc, NULL, "export columns");
		goto fail;
	}
	/* 2. What comes before the rows. */
	if (fmt == MF_FORMAT_CSV)
		rc = csv_header(st);
	else if (fmt == MF_FORMAT_JSON)
		rc = mf_buf_printf(&st->out, "{\"%s\":[", x->list_key);
	if (rc != 0) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	/* 3. The headers, then the body as the client reads it. */
	if (fmt != MF_FORMAT_JSON) {
		snprintf(disposition, sizeof(disposition),
		         "attachment; filename=\"%s.%s\"", x->filename,
		         mf_format_name(fmt));
		if ((rc = mf_http_set_header(req, "Content-Disposition",
		                             disposition)) != 0)
			goto fail;
	}
	return mf_http_respond_stream(req, 200, mf_format_media_type(fmt),
	                              export_fill, export_done, st);
fail:
	export_done(st);
	return rc;
}
