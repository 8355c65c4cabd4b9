/*
 * RFC 4180 CSV reader (see csv.h). One pass over the input with a small
 * state machine; unquoted field text is copied into a single buffer that
 * never moves, so field pointers stay valid for the table's lifetime.
 */
#include "importers/csv.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state {
	ST_FIELD_START, /* at the start of a field */
	ST_UNQUOTED,    /* inside an unquoted field */
	ST_QUOTED,      /* inside a quoted field */
	ST_QUOTE_SEEN,  /* a quote inside a quoted field: end or escape */
};

struct parser {
	const char *in;
	size_t len;
	size_t pos;
	size_t line;     /* current line, 1-based */
	size_t line_off; /* offset where the current line starts */
	struct mf_csv_limits lim;
	struct mf_csv *csv;
	char *out;        /* write position in csv->text_ */
	char *field;      /* start of the current field in csv->text_ */
	size_t field_pos; /* input offset where the current field starts */
	size_t rec_cap;
	size_t *firsts; /* per record: index of its first field pointer */
	size_t ptr_len, ptr_cap;
	size_t rec_first; /* index in field_ptrs_ of the record's 1st field */
	size_t rec_line;
	size_t quote_line; /* where the current quoted field opened */
	size_t quote_col;
	struct mf_error *err;
};

/* Column of byte offset off on the current line, in code points. */
static size_t
column_at(const struct parser *p, size_t off)
{
	size_t i, col = 1;

	for (i = p->line_off; i < off && i < p->len; i++)
		if (((unsigned char)p->in[i] & 0xc0) != 0x80)
			col++;
	return col;
}

static int
fail(struct parser *p, int code, size_t off, const char *what)
{
	return mf_error_set(p->err, code, NULL, "CSV line %zu, column %zu: %s",
	                    p->line, column_at(p, off), what);
}

/*
 * Returns the length of the valid UTF-8 sequence at s[0..n) (1-4), or 0
 * when it is invalid: overlong forms, surrogates and code points above
 * U+10FFFF are rejected, as is NUL.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k, i;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* Validates the whole input first, so that errors point at the byte. */
static int
check_utf8(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->in;
	size_t i = p->pos, k;

	while (i < p->len) {
		k = utf8_seq(s + i, p->len - i);
		if (k == 0) {
			/* Recompute the line of offset i for the message. */
			size_t j;

			p->line = 1;
			p->line_off = p->pos;
			for (j = p->pos; j < i; j++) {
				if (s[j] == '\n' ||
				    (s[j] == '\r' &&
				     (j + 1 >= p->len || s[j + 1] != '\n'))) {
					p->line++;
					p->line_off = j + 1;
				}
			}
			return fail(
			    p, s[i] == 0 ? MF_E_BAD_REQUEST : MF_E_BAD_UTF8, i,
			    s[i] == 0 ? "NUL byte in input" : "invalid UTF-8");
		}
		i += k;
	}
	p->line = 1;
	p->line_off = p->pos;
	return 0;
}

static int
push_ptr(struct parser *p, char *field)
{
	char **np;

	if (p->ptr_len == p->ptr_cap) {
		size_t cap = p->ptr_cap ? p->ptr_cap * 2 : 64;

		np = realloc(p->csv->field_ptrs_, cap * sizeof(*np));
		if (np == NULL)
			return mf_error_set(p->err, MF_E_NOMEM, NULL,
			                    "out of memory");
		p->csv->field_ptrs_ = np;
		p->ptr_cap = cap;
	}
	p->csv->field_ptrs_[p->ptr_len++] = field;
	return 0;
}

/* Terminates the current field and records it. */
static int
end_field(struct parser *p)
{
	*p->out++ = '\0';
	if (p->ptr_len - p->rec_first >= p->lim.max_fields)
		return fail(p, MF_E_TOO_LARGE, p->field_pos,
		            "too many fields in record");
	if (push_ptr(p, p->field) != 0)
		return MF_E_NOMEM;
	p->field = p->out;
	return 0;
}

/* Closes the current record (its fields are already recorded). */
static int
end_record(struct parser *p)
{
	struct mf_csv *csv = p->csv;
	struct mf_csv_record *r;

	if (csv->n_records >= p->lim.max_records)
		return fail(p, MF_E_TOO_LARGE, p->pos, "too many records");
	if (csv->n_records == p->rec_cap) {
		size_t cap = p->rec_cap ? p->rec_cap * 2 : 64;
		size_t *nf;

		r = realloc(csv->records, cap * sizeof(*r));
		if (r == NULL)
			return mf_error_set(p->err, MF_E_NOMEM, NULL,
			                    "out of memory");
		csv->records = r;
		nf = realloc(p->firsts, cap * sizeof(*nf));
		if (nf == NULL)
			return mf_error_set(p->err, MF_E_NOMEM, NULL,
			                    "out of memory");
		p->firsts = nf;
		p->rec_cap = cap;
	}
	/* Field pointers are set at the end: their array may still move. */
	p->firsts[csv->n_records] = p->rec_first;
	r = &csv->records[csv->n_records++];
	r->line = p->rec_line;
	r->n_fields = p->ptr_len - p->rec_first;
	r->fields = NULL;
	p->rec_first = p->ptr_len;
	return 0;
}

static int
put_byte(struct parser *p, char c)
{
	if ((size_t)(p->out - p->field) >= p->lim.max_field)
		return fail(p, MF_E_TOO_LARGE, p->pos, "field too long");
	*p->out++ = c;
	return 0;
}

/* Consumes a line break at p->pos (CRLF, LF or lone CR). */
static void
skip_newline(struct parser *p)
{
	if (p->in[p->pos] == '\r' && p->pos + 1 < p->len &&
	    p->in[p->pos + 1] == '\n')
		p->pos++;
	p->pos++;
	p->line++;
	p->line_off = p->pos;
}

static int
run(struct parser *p)
{
	enum state st = ST_FIELD_START;
	bool record_open = false;
	int rc;

	while (p->pos < p->len) {
		char c = p->in[p->pos];

		if (!record_open) {
			/* Empty lines between records are skipped. */
			if (c == '\n' || c == '\r') {
				skip_newline(p);
				continue;
			}
			record_open = true;
			p->rec_line = p->line;
			p->field_pos = p->pos;
		}
		switch (st) {
		case ST_FIELD_START:
		case ST_UNQUOTED:
			if (c == ',') {
				if ((rc = end_field(p)) != 0)
					return rc;
				st = ST_FIELD_START;
				p->field_pos = ++p->pos;
			} else if (c == '\n' || c == '\r') {
				if ((rc = end_field(p)) != 0 ||
				    (rc = end_record(p)) != 0)
					return rc;
				skip_newline(p);
				st = ST_FIELD_START;
				record_open = false;
			} else if (c == '"' && st == ST_FIELD_START) {
				st = ST_QUOTED;
				p->quote_line = p->line;
				p->quote_col = column_at(p, p->pos);
				p->pos++;
			} else if (c == '"') {
				return fail(p, MF_E_BAD_REQUEST, p->pos,
				            "quote inside an unquoted field "
				            "(quote the whole field and "
				            "double the quote)");
			} else {
				if ((rc = put_byte(p, c)) != 0)
					return rc;
				st = ST_UNQUOTED;
				p->pos++;
			}
			break;
		case ST_QUOTED:
			if (c == '"') {
				st = ST_QUOTE_SEEN;
				p->pos++;
				break;
			}
			if ((rc = put_byte(p, c)) != 0)
				return rc;
			/* Line breaks inside quotes are data, but still
			 * count as lines for error messages. */
			if (c == '\n' ||
			    (c == '\r' && (p->pos + 1 >= p->len ||
			                   p->in[p->pos + 1] != '\n'))) {
				p->line++;
				p->line_off = p->pos + 1;
			}
			p->pos++;
			break;
		case ST_QUOTE_SEEN:
			if (c == '"') {
				if ((rc = put_byte(p, '"')) != 0)
					return rc;
				st = ST_QUOTED;
				p->pos++;
			} else if (c == ',' || c == '\n' || c == '\r') {
				st = ST_UNQUOTED; /* handled as separator */
			} else {
				return fail(p, MF_E_BAD_REQUEST, p->pos,
				            "unexpected character after a "
				            "closing quote");
			}
			break;
		}
	}
	if (st == ST_QUOTED) {
		char msg[96];

		snprintf(msg, sizeof(msg),
		         "unterminated quoted field (opened on line %zu, "
		         "column %zu)",
		         p->quote_line, p->quote_col);
		return fail(p, MF_E_BAD_REQUEST, p->pos, msg);
	}
	if (record_open) {
		if ((rc = end_field(p)) != 0 || (rc = end_record(p)) != 0)
			return rc;
	}
	return 0;
}

int
mf_csv_parse(struct mf_csv **out, const char *data, size_t len,
             const struct mf_csv_limits *lim, struct mf_error *err)
{
	struct parser p;
	struct mf_csv *csv = NULL;
	size_t i;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (lim != NULL)
		p.lim = *lim;
	if (p.lim.max_input == 0)
		p.lim.max_input = MF_CSV_DEFAULT_MAX_INPUT;
	if (p.lim.max_field == 0)
		p.lim.max_field = MF_CSV_DEFAULT_MAX_FIELD;
	if (p.lim.max_fields == 0)
		p.lim.max_fields = MF_CSV_DEFAULT_MAX_FIELDS;
	if (p.lim.max_records == 0)
		p.lim.max_records = MF_CSV_DEFAULT_MAX_RECORDS;
	if (len > p.lim.max_input)
		return mf_error_set(err, MF_E_TOO_LARGE, NULL,
		                    "CSV input of %zu bytes exceeds the "
		                    "limit of %zu",
		                    len, p.lim.max_input);
	if ((csv = calloc(1, sizeof(*csv))) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	/* Unquoted text never outgrows the input plus one NUL per field,
	 * and every field but the last is followed by a separator byte. */
	if ((csv->text_ = malloc(len + 1)) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	p.in = data;
	p.len = len;
	p.csv = csv;
	p.err = err;
	p.out = p.field = csv->text_;
	p.line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		csv->had_bom = true;
		p.pos = p.line_off = 3;
	}
	if ((rc = check_utf8(&p)) != 0 || (rc = run(&p)) != 0)
		goto done;
	for (i = 0; i < csv->n_records; i++)
		csv->records[i].fields = csv->field_ptrs_ + p.firsts[i];
	*out = csv;
	csv = NULL;
	rc = 0;
done:
	free(p.firsts);
	mf_csv_free(csv);
	return rc;
}

int
mf_csv_read_file(struct mf_csv **out, const char *path,
                 const struct mf_csv_limits *lim, struct mf_error *err)
{
	size_t max = lim != NULL && lim->max_input ? lim->max_input
	                                           : MF_CSV_DEFAULT_MAX_INPUT;
	size_t len = 0, cap = 0, n;
	char *data = NULL, *nd;
	FILE *f;
	int rc;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return mf_error_set(err, MF_E_IO, NULL, "%s: %s", path,
		                    strerror(errno));
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nd = realloc(data, cap)) == NULL) {
				rc = mf_error_set(err, MF_E_NOMEM, NULL,
				                  "out of memory");
				goto done;
			}
			data = nd;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
		if (len > max) {
			rc = mf_error_set(err, MF_E_TOO_LARGE, NULL,
			                  "%s: larger than %zu bytes", path,
			                  max);
			goto done;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = mf_error_set(err, MF_E_IO, NULL, "%s: read error", path);
		goto done;
	}
	rc = mf_csv_parse(out, data, len, lim, err);
	if (rc != 0 && err != NULL && err->code == rc) {
		/* Prefix the file name so the message stands alone. */
		char msg[MF_ERROR_MESSAGE_MAX + 4096];

		snprintf(msg, sizeof(msg), "%s: %s", path, err->message);
		snprintf(err->message, sizeof(err->message), "%.*s",
		         (int)sizeof(err->message) - 1, msg);
	}
done:
	free(data);
	fclose(f);
	return rc;
}

void
mf_csv_free(struct mf_csv *csv)
{
	if (csv == NULL)
		return;
	free(csv->records);
	free(csv->field_ptrs_);
	free(csv->text_);
	free(csv);
}

const char *
mf_csv_field(const struct mf_csv *csv, size_t record, size_t field)
{
	if (csv == NULL || record >= csv->n_records ||
	    field >= csv->records[record].n_fields)
		return NULL;
	return csv->records[record].fields[field];
}
