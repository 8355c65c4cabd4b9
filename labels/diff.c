/*
 * JSON and text differences (see diff.h). The text diff trims the common
 * head and tail, then finds a longest common subsequence of the middle by
 * dynamic programming (labels are short), and prints unified hunks.
 */
#include "labels/diff.h"
#include "common/error.h"
#include "common/json.h"

#include <stdlib.h>
#include <string.h>

/* Largest middle part (lines x lines) the LCS table covers. */
#define LCS_CELLS (8u << 20)

struct jdiff {
	json_t *out;
	struct mf_buf ptr;
	size_t count;
	int rc;
};

static void
note(struct jdiff *d, const char *op, const json_t *from, const json_t *to)
{
	json_t *c;

	if (d->rc != 0 || ++d->count > MF_DIFF_MAX_CHANGES)
		return;
	c = json_pack("{s:s, s:s}", "pointer", d->ptr.data ? d->ptr.data : "",
	              "op", op);
	if (c == NULL) {
		d->rc = MF_E_NOMEM;
		return;
	}
	if (from != NULL)
		json_object_set_new(c, "from", json_deep_copy(from));
	if (to != NULL)
		json_object_set_new(c, "to", json_deep_copy(to));
	if (json_array_append_new(d->out, c) != 0)
		d->rc = MF_E_NOMEM;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void walk(struct jdiff *d, const json_t *a, const json_t *b);

/* Recurses into one member or element with the pointer extended. */
static void
child(struct jdiff *d, const char *key, size_t index, const json_t *a,
      const json_t *b)
{
	size_t len = d->ptr.len;

	if (key != NULL)
		d->rc = d->rc ? d->rc : mf_json_pointer_push(&d->ptr, key);
	else
		d->rc =
		    d->rc ? d->rc : mf_json_pointer_push_index(&d->ptr, index);
	if (a == NULL)
		note(d, "added", NULL, b);
	else if (b == NULL)
		note(d, "removed", a, NULL);
	else
		walk(d, a, b);
	d->ptr.len = len;
	if (d->ptr.data != NULL)
		d->ptr.data[len] = '\0';
}

static void
walk(struct jdiff *d, const json_t *a, const json_t *b)
{
	size_t i, n = 0;

	if (d->rc != 0)
		return;
	if (json_is_object(a) && json_is_object(b)) {
		const char **keys, *k;
		const json_t *v;

		keys = malloc((json_object_size(a) + json_object_size(b) + 1) *
		              sizeof(*keys));
		if (keys == NULL) {
			d->rc = MF_E_NOMEM;
			return;
		}
		json_object_foreach((json_t *)a, k, v) keys[n++] = k;
		json_object_foreach((json_t *)b, k,
		                    v) if (json_object_get(a, k) == NULL)
		    keys[n++] = k;
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (i = 0; i < n; i++)
			child(d, keys[i], 0, json_object_get(a, keys[i]),
			      json_object_get(b, keys[i]));
		free(keys);
		return;
	}
	if (json_is_array(a) && json_is_array(b)) {
		n = json_array_size(a) > json_array_size(b)
		        ? json_array_size(a)
		        : json_array_size(b);
		for (i = 0; i < n; i++)
			child(d, NULL, i, json_array_get(a, i),
			      json_array_get(b, i));
		return;
	}
	if (!json_equal((json_t *)a, (json_t *)b))
		note(d, "changed", a, b);
}

int
mf_diff_json(json_t **out, const json_t *from, const json_t *to)
{
	struct jdiff d;

	memset(&d, 0, sizeof(d));
	*out = NULL;
	if ((d.out = json_array()) == NULL)
		return MF_E_NOMEM;
	if (mf_buf_putc(&d.ptr, '\0') == 0)
		d.ptr.len = 0; /* an empty pointer: the document itself */
	walk(&d, from, to);
	mf_buf_dispose(&d.ptr);
	if (d.rc != 0) {
		json_decref(d.out);
		return d.rc;
	}
	*out = d.out;
	return 0;
}

struct lines {
	const char **at; /* start of each line */
	size_t *len;     /* its length without the newline */
	size_t n;
};

static int
split(struct lines *l, const char *s)
{
	size_t cap = 64;

	l->n = 0;
	l->at = malloc(cap * sizeof(*l->at));
	l->len = malloc(cap * sizeof(*l->len));
	while (l->at != NULL && l->len != NULL && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (l->n == MF_DIFF_MAX_LINES)
			return MF_E_TOO_LARGE;
		if (l->n == cap) {
			const char **a2;
			size_t *l2;

			cap *= 2;
			a2 = realloc(l->at, cap * sizeof(*l->at));
			if (a2 != NULL)
				l->at = a2;
			l2 = realloc(l->len, cap * sizeof(*l->len));
			if (l2 != NULL)
				l->len = l2;
			if (a2 == NULL || l2 == NULL)
				return MF_E_NOMEM;
		}
		l->at[l->n] = s;
		l->len[l->n++] = len;
		s += len + (nl != NULL);
	}
	return l->at && l->len ? 0 : MF_E_NOMEM;
}

static int
same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] &&
	       memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

/* The edit script: ' ' keep, '-' from a, '+' from b, with line numbers. */
struct op {
	char kind;
	size_t ai, bi;
};

static int
script(struct op **out, size_t *nout, const struct lines *a,
       const struct lines *b)
{
	size_t pre = 0, suf = 0, n, m, i, j, k = 0;
	unsigned short *t = NULL;
	struct op *ops;

	while (pre < a->n && pre < b->n && same(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       same(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	n = a->n - pre - suf;
	m = b->n - pre - suf;
	if ((ops = malloc((a->n + b->n + 1) * sizeof(*ops))) == NULL)
		return MF_E_NOMEM;
	/* LCS lengths of suffixes of the middle parts, when small enough */
	if (n > 0 && m > 0 && (size_t)(n + 1) * (m + 1) <= LCS_CELLS &&
	    (t = calloc((n + 1) * (m + 1), sizeof(*t))) != NULL)
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				t[i * (m + 1) + j] =
				    same(a, pre + i, b, pre + j)
				        ? t[(i + 1) * (m + 1) + j + 1] + 1
				    : t[(i + 1) * (m + 1) + j] >
				            t[i * (m + 1) + j + 1]
				        ? t[(i + 1) * (m + 1) + j]
				        : t[i * (m + 1) + j + 1];
	for (i = 0; i < pre; i++)
		ops[k++] = (struct op){' ', i, i};
	i = j = 0;
	while (i < n || j < m) {
		if (t != NULL && i < n && j < m &&
		    same(a, pre + i, b, pre + j)) {
			ops[k++] = (struct op){' ', pre + i, pre + j};
			i++;
			j++;
		} else if (i < n && (j == m || t == NULL ||
		                     t[(i + 1) * (m + 1) + j] >=
		                         t[i * (m + 1) + j + 1])) {
			ops[k++] = (struct op){'-', pre + i, pre + j};
			i++;
		} else {
			ops[k++] = (struct op){'+', pre + i, pre + j};
			j++;
		}
	}
	for (i = 0; i < suf; i++)
		ops[k++] = (struct op){' ', pre + n + i, pre + m + i};
	free(t);
	*out = ops;
	*nout = k;
	return 0;
}

/* Prints the hunks of the edit script with 3 lines of context. */
static int
hunks(struct mf_buf *o, const struct op *ops, size_t n, const struct lines *a,
      const struct lines *b)
{
	size_t i = 0, start, end, k, ac, bc;
	int rc = 0;

	while (i < n && rc == 0) {
		while (i < n && ops[i].kind == ' ')
			i++;
		if (i == n)
			break;
		start = i > 3 ? i - 3 : 0;
		/* extend while the next change is within 6 lines */
		end = i;
		for (k = i; k < n; k++)
			if (ops[k].kind != ' ')
				end = k;
			else if (k - end > 6)
				break;
		end = end + 4 < n ? end + 4 : n;
		for (ac = bc = 0, k = start; k < end; k++) {
			ac += ops[k].kind != '+';
			bc += ops[k].kind != '-';
		}
		/* as diff -u: a count of 1 is left out; an empty side names
		 * the line before it */
		rc = mf_buf_printf(o, "@@ -%zu",
		                   ac ? ops[start].ai + 1 : ops[start].ai);
		if (rc == 0 && ac != 1)
			rc = mf_buf_printf(o, ",%zu", ac);
		if (rc == 0)
			rc = mf_buf_printf(
			    o, " +%zu", bc ? ops[start].bi + 1 : ops[start].bi);
		if (rc == 0 && bc != 1)
			rc = mf_buf_printf(o, ",%zu", bc);
		if (rc == 0)
			rc = mf_buf_puts(o, " @@\n");
		for (k = start; k < end && rc == 0; k++) {
			const struct lines *l = ops[k].kind == '+' ? b : a;
			size_t li = ops[k].kind == '+' ? ops[k].bi : ops[k].ai;

			rc = mf_buf_printf(o, "%c%.*s\n", ops[k].kind,
			                   (int)l->len[li], l->at[li]);
		}
		i = end;
	}
	return rc;
}

int
mf_diff_text(struct mf_buf *out, const char *a, const char *b,
             const char *name_a, const char *name_b)
{
	struct lines la = {0}, lb = {0};
	struct op *ops = NULL;
	size_t n;
	int rc;

	if (strcmp(a, b) == 0)
		return 0;
	if ((rc = split(&la, a)) != 0 || (rc = split(&lb, b)) != 0 ||
	    (rc = script(&ops, &n, &la, &lb)) != 0)
		goto done;
	if ((rc = mf_buf_printf(out, "--- %s\n+++ %s\n", name_a, name_b)) == 0)
		rc = hunks(out, ops, n, &la, &lb);
done:
	free(ops);
	free(la.at);
	free(la.len);
	free(lb.at);
	free(lb.len);
	return rc;
}
