/* Aligned text tables from JSON (see table.h). */
#include "common/table.h"
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value at a dotted path of an object, or NULL. */
static const json_t *
at_path(const json_t *o, const char *path)
{
	char key[128];
	const char *dot;
	size_t n;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return o ? json_object_get(o, path) : NULL;
}

static int
scalar_text(struct mf_buf *b, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return mf_buf_append(b, json_string_value(v),
		                     json_string_length(v));
	case JSON_INTEGER:
		return mf_buf_printf(b, "%lld",
		                     (long long)json_integer_value(v));
	case JSON_REAL:
		return mf_buf_printf(b, "%.6g", json_real_value(v));
	case JSON_TRUE:
		return mf_buf_puts(b, "true");
	case JSON_FALSE:
		return mf_buf_puts(b, "false");
	case JSON_NULL:
		return mf_buf_puts(b, "-");
	default:
		return mf_buf_puts(b, "{...}");
	}
}

/* A cell's text (NUL-terminated, one line) and whether it is a number. */
static char *
cell_text(const json_t *v, int *numeric)
{
	struct mf_buf b = MF_BUF_INIT;
	const json_t *x;
	size_t i;
	int rc = 0;

	*numeric = json_is_number(v);
	if (v == NULL)
		rc = mf_buf_puts(&b, "-");
	else if (json_is_array(v))
		json_array_foreach(v, i, x)
		{
			if (rc == 0 && i > 0)
				rc = mf_buf_puts(&b, ", ");
			if (rc == 0)
				rc = scalar_text(&b, x);
		}
	else
		rc = scalar_text(&b, v);
	if (rc == 0)
		rc = mf_buf_putc(&b, '\0');
	if (rc != 0) {
		mf_buf_dispose(&b);
		return NULL;
	}
	for (i = 0; b.data[i]; i++)
		if (b.data[i] == '\n' || b.data[i] == '\r' || b.data[i] == '\t')
			b.data[i] = ' ';
	return mf_buf_detach(&b, NULL);
}

/* Characters (UTF-8 code points) of s; cuts s to max, ending in "...". */
static size_t
width_cut(char *s)
{
	size_t chars = 0, i, cut = 0;

	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (chars == MF_TABLE_CELL_MAX - 3)
				cut = i;
			chars++;
		}
	if (chars <= MF_TABLE_CELL_MAX)
		return chars;
	memcpy(s + cut, "...", 4);
	return MF_TABLE_CELL_MAX;
}

static int
pad(struct mf_buf *out, size_t n)
{
	int rc = 0;

	while (rc == 0 && n-- > 0)
		rc = mf_buf_putc(out, ' ');
	return rc;
}

int
mf_table_render(struct mf_buf *out, const json_t *rows,
                const struct mf_table_column *cols, size_t ncols)
{
	size_t nrows = json_array_size(rows), r, c, i, cells = 0;
	size_t *width = calloc(ncols + 1, sizeof(size_t));
	size_t *w = calloc((nrows + 1) * ncols + 1, sizeof(size_t));
	int *num = calloc((nrows + 1) * ncols + 1, sizeof(int));
	char **text = calloc((nrows + 1) * ncols + 1, sizeof(char *));
	int rc = MF_E_NOMEM;

	if (width == NULL || w == NULL || num == NULL || text == NULL)
		goto done;
	/* 1. Every cell's text and width; row 0 is the header. */
	for (r = 0; r <= nrows; r++)
		for (c = 0; c < ncols; c++, cells++) {
			if (r == 0) {
				text[cells] = strdup(cols[c].header);
			} else {
				text[cells] = cell_text(
				    at_path(json_array_get(rows, r - 1),
				            cols[c].path),
				    &num[cells]);
			}
			if (text[cells] == NULL)
				goto done;
			w[cells] = width_cut(text[cells]);
			if (w[cells] > width[c])
				width[c] = w[cells];
		}
	/* 2. Lines: two spaces between columns, a rule under the header. */
	rc = 0;
	for (r = 0, i = 0; r <= nrows && rc == 0; r++) {
		for (c = 0; c < ncols && rc == 0; c++, i++) {
			size_t gap = width[c] - w[i];
			int last = c + 1 == ncols;

			if (c > 0)
				rc = mf_buf_puts(out, "  ");
			if (rc == 0 && num[i])
				rc = pad(out, gap);
			if (rc == 0)
				rc = mf_buf_puts(out, text[i]);
			if (rc == 0 && !num[i] && !last)
				rc = pad(out, gap);
		}
		if (rc == 0)
			rc = mf_buf_putc(out, '\n');
		for (c = 0; r == 0 && c < ncols && rc == 0; c++) {
			size_t k;

			if (c > 0)
				rc = mf_buf_puts(out, "  ");
			for (k = 0; k < width[c] && rc == 0; k++)
				rc = mf_buf_putc(out, '-');
		}
		if (r == 0 && rc == 0)
			rc = mf_buf_putc(out, '\n');
	}
done:
	for (i = 0; text != NULL && i < cells; i++)
		free(text[i]);
	free(text);
	free(num);
	free(w);
	free(width);
	return rc;
}

/* Scalars and arrays of scalars are cells; objects are not. */
static int
is_cell(const json_t *v)
{
	const json_t *x;
	size_t i;

	if (json_is_object(v))
		return 0;
	if (json_is_array(v))
		json_array_foreach(v, i, x) if (json_is_object(x) ||
		                                json_is_array(x)) return 0;
	return 1;
}

int
mf_table_render_auto(struct mf_buf *out, const json_t *rows)
{
	struct mf_table_column cols[64];
	size_t ncols = 0, i, c;
	const json_t *row, *v;
	const char *key;

	json_array_foreach(rows, i, row)
	{
		json_object_foreach((json_t *)row, key, v)
		{
			if (!is_cell(v))
				continue;
			for (c = 0; c < ncols; c++)
				if (strcmp(cols[c].path, key) == 0)
					break;
			if (c == ncols && ncols < 64) {
				cols[ncols].header = key;
				cols[ncols].path = key;
				ncols++;
			}
		}
	}
	return mf_table_render(out, rows, cols, ncols);
}
