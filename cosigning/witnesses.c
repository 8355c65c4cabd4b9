/*
 * The `witness` lines of a tlog-policy file (see witnesses.h): split on
 * ASCII spaces and tabs only, '#' lines and blank lines ignored, octets
 * 0x09, 0x0A, 0x20-0x7E and 0x80-0xFF allowed (tlog-policy, "Character
 * set").
 */
#include "cosigning/witnesses.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS_MAX 5

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits line[0..len) into at most FIELDS_MAX fields; *n how many
 * (FIELDS_MAX + 1 when there were more). */
static void
split(const char *line, size_t len, const char *f[], size_t fl[], size_t *n)
{
	size_t i = 0, start;

	*n = 0;
	while (i < len) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(line[i]))
			i++;
		if (*n == FIELDS_MAX) {
			*n = FIELDS_MAX + 1;
			return;
		}
		f[*n] = line + start;
		fl[*n] = i - start;
		(*n)++;
	}
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static bool
is_http_url(const char *u, size_t n)
{
	return (n > 7 && strncmp(u, "http://", 7) == 0) ||
	       (n > 8 && strncmp(u, "https://", 8) == 0);
}

/* Adds one witness line's fields (name, vkey, url). */
static int
add(struct mf_witness_list *l, const char *f[], const size_t fl[],
    unsigned lineno, struct mf_error *err)
{
	struct mf_witness_line *w;
	size_t i, ulen = fl[3];

	/* 1. A URL we can POST to, and a name not seen before. */
	while (ulen > 0 && f[3][ulen - 1] == '/')
		ulen--;
	if (!is_http_url(f[3], ulen) || ulen > MF_WITNESS_URL_MAX)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "line %u: the witness URL must be an "
		                    "http:// or https:// URL",
		                    lineno);
	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) == fl[1] &&
		    memcmp(l->v[i].name, f[1], fl[1]) == 0)
			return mf_error_set(err, MF_E_BAD_PARAM, NULL,
			                    "line %u: witness %.*s is defined "
			                    "twice",
			                    lineno, (int)fl[1], f[1]);
	if (l->n == MF_WITNESSES_MAX)
		return mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                    "line %u: more than %d witnesses", lineno,
		                    MF_WITNESSES_MAX);
	/* 2. Copied. */
	w = &l->v[l->n];
	w->name = dup_n(f[1], fl[1]);
	w->vkey = dup_n(f[2], fl[2]);
	w->url = dup_n(f[3], ulen);
	l->n++;
	if (w->name == NULL || w->vkey == NULL || w->url == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	return 0;
}

int
mf_witnesses_parse(struct mf_witness_list *out, const char *text, size_t len,
                   struct mf_error *err)
{
	const char *f[FIELDS_MAX];
	size_t fl[FIELDS_MAX], nf, pos = 0, end, i;
	unsigned lineno = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		/* 1. One line, its bytes allowed. */
		lineno++;
		for (end = pos; end < len && text[end] != '\n'; end++)
			;
		for (i = pos; i < end; i++) {
			unsigned char c = (unsigned char)text[i];

			if (c < 0x20 && c != '\t') {
				rc = mf_error_set(
				    err, MF_E_BAD_PARAM, NULL,
				    "line %u: control byte 0x%02x", lineno, c);
				goto done;
			}
			if (c == 0x7f) {
				rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
				                  "line %u: control byte 0x7f",
				                  lineno);
				goto done;
			}
		}
		/* 2. A witness line: name, vkey, and a URL to ask it at. */
		split(text + pos, end - pos, f, fl, &nf);
		if (nf > 0 && f[0][0] != '#' && fl[0] == 7 &&
		    memcmp(f[0], "witness", 7) == 0) {
			if (nf < 3 || nf > 4) {
				rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
				                  "line %u: want 'witness NAME "
				                  "VKEY [URL]'",
				                  lineno);
				goto done;
			}
			if (nf == 3)
				out->skipped++;
			else if ((rc = add(out, f, fl, lineno, err)) != 0)
				goto done;
		}
		pos = end + 1;
	}
done:
	if (rc != 0)
		mf_witnesses_dispose(out);
	return rc;
}

void
mf_witnesses_dispose(struct mf_witness_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].vkey);
		free(l->v[i].url);
	}
	memset(l, 0, sizeof(*l));
}
