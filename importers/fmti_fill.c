/*
 * FMTI answers into disclosure fields (see fmti_fill.h). fills[] says how
 * each crosswalk pointer is written: as the words themselves (text
 * fields), as words plus an extracted value (quantities, hardware,
 * architecture), or only when a value can be read (URLs, licenses,
 * channels). Every filled field is a status wrapper whose explanation
 * names the FMTI indicator and the report, and whose first reference is
 * the report row.
 */
#include "importers/fmti_fill.h"

#include "common/embedded.h"
#include "common/json.h"
#include "importers/csv.h"
#include "importers/extract.h"
#include "validators/semantic.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TEXT  2000  /* code points: the schema's text */
#define MAX_LONG  20000 /* code points: the schema's long-text */
#define MAX_NAME  200
#define MAX_URLS  50
#define MAX_ITEMS 100

enum fill {
	F_TEXT,         /* text: the words, shortened to 2,000 */
	F_LONG,         /* long-text: the words */
	F_LIST,         /* text-list: one item per line */
	F_NAME,         /* a one-line name: only when the answer is one */
	F_URL,          /* a URL: only when the answer gives exactly one */
	F_URLS,         /* a list of URLs: those the answer gives */
	F_CHANNEL,      /* {url | email, description}: exactly one of them */
	F_DATA_RELEASE, /* {url, description}: exactly one URL */
	F_LICENSE,      /* {spdx}: exactly one known license named */
	F_QTY,          /* {amount, unit, basis?, note} or {note} */
	F_DURATION,     /* F_QTY, and accelerator hours when stated */
	F_HARDWARE,     /* {type?, count?, description} */
	F_ARCH,         /* {type?, description} */
	F_MITIGATIONS,  /* [{description}] */
	F_MEMBER_TEXT,  /* text member of the record the wrapper holds */
	F_MEMBER_LIST,  /* text-list member of that record */
};

static const struct {
	const char *pointer;
	enum fill fill;
	enum mf_extract_kind kind; /* F_QTY, F_DURATION */
} fills[] = {
    {"/data/size", F_QTY, MF_EXTRACT_DATA},
    {"/data/selection", F_LONG, 0},
    {"/data/characteristics", F_LONG, 0},
    {"/data/release", F_DATA_RELEASE, 0},
    {"/data/curation/filtering", F_TEXT, 0},
    {"/data/curation/harmful_content", F_TEXT, 0},
    {"/data/curation/decontamination", F_TEXT, 0},
    {"/data/personal_data/mitigations", F_TEXT, 0},
    {"/data/copyright/copyrighted_material", F_TEXT, 0},
    {"/data/copyright/licensing", F_TEXT, 0},
    {"/data/copyright/opt_out", F_TEXT, 0},
    {"/labour/tasks", F_LIST, 0},
    {"/labour/workforce", F_TEXT, 0},
    {"/labour/geography", F_LIST, 0},
    {"/labour/wages", F_TEXT, 0},
    {"/labour/instructions", F_URL, 0},
    {"/labour/protections", F_TEXT, 0},
    {"/compute/training_flop", F_QTY, MF_EXTRACT_FLOP},
    {"/compute/duration", F_DURATION, MF_EXTRACT_DURATION},
    {"/compute/hardware", F_HARDWARE, 0},
    {"/compute/provider", F_NAME, 0},
    {"/compute/energy", F_QTY, MF_EXTRACT_ENERGY},
    {"/compute/emissions", F_QTY, MF_EXTRACT_EMISSIONS},
    {"/compute/inference", F_TEXT, 0},
    {"/training/objective", F_TEXT, 0},
    {"/training/code", F_URL, 0},
    {"/model/parameters", F_QTY, MF_EXTRACT_PARAMETERS},
    {"/model/architecture", F_ARCH, 0},
    {"/model/capabilities", F_LIST, 0},
    {"/model/limitations", F_LIST, 0},
    {"/identity/documentation", F_URLS, 0},
    {"/distribution/research_access", F_TEXT, 0},
    {"/distribution/release_decision", F_LONG, 0},
    {"/distribution/license", F_LICENSE, 0},
    {"/distribution/terms_of_service", F_URL, 0},
    {"/evaluations/strategy", F_LONG, 0},
    {"/evaluations/reproducibility", F_TEXT, 0},
    {"/risks/mitigations", F_MITIGATIONS, 0},
    {"/risks/safety_framework", F_URL, 0},
    {"/uses/intended_users", F_TEXT, 0},
    {"/uses/prohibited", F_LIST, 0},
    {"/downstream/ai_interaction_notice", F_TEXT, 0},
    {"/downstream/content_provenance", F_TEXT, 0},
    {"/downstream/user_data/privacy_policy", F_URL, 0},
    {"/downstream/user_data/retention", F_TEXT, 0},
    {"/downstream/versioning", F_TEXT, 0},
    {"/downstream/changelog", F_URL, 0},
    {"/downstream/deprecation/policy", F_MEMBER_TEXT, 0},
    {"/downstream/feedback", F_CHANNEL, 0},
    {"/downstream/vulnerability_reporting", F_CHANNEL, 0},
    {"/downstream/monitoring", F_TEXT, 0},
    {"/downstream/usage/users", F_MEMBER_TEXT, 0},
    {"/downstream/usage/sectors", F_MEMBER_LIST, 0},
    {"/downstream/usage/regions", F_MEMBER_LIST, 0},
    {"/downstream/impact_assessment", F_URL, 0},
    {"/downstream/accountability/redress", F_TEXT, 0},
    {"/downstream/accountability/whistleblowing", F_URL, 0},
};

#define N_FILLS (sizeof(fills) / sizeof(fills[0]))

static long
fill_of(const char *pointer)
{
	size_t i;

	for (i = 0; i < N_FILLS; i++)
		if (strcmp(fills[i].pointer, pointer) == 0)
			return (long)i;
	return -1;
}

bool
mf_fmti_fill_supported(const char *pointer)
{
	return fill_of(pointer) >= 0;
}

/* ------------------------------------------------------------------ */
/* The crosswalk                                                       */

static int
bad_row(struct mf_error *err, const char *path, size_t line, const char *what)
{
	return mf_error_set(err, MF_E_BAD_REQUEST, NULL, "%s, line %zu: %s",
	                    path, line, what);
}

int
mf_fmti_crosswalk_load(struct mf_fmti_crosswalk **out, const char *path,
                       struct mf_error *err)
{
	static const char *const header[] = {
	    "fmti_number", "fmti_indicator", "modelfacts_indicator",
	    "pointer",     "match",          "citation"};
	const struct mf_embedded *e = mf_embedded_get(path);
	struct mf_fmti_crosswalk *cw = NULL;
	struct mf_csv *csv = NULL;
	size_t i, k;
	int rc;

	*out = NULL;
	if (e == NULL)
		return mf_error_set(err, MF_E_IO, NULL, "%s is not compiled in",
		                    path);
	if ((rc = mf_csv_parse(&csv, (const char *)e->data, e->len, NULL,
	                       err)) != 0)
		return rc;
	if ((cw = calloc(1, sizeof(*cw))) == NULL) {
		rc = mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	cw->file = path;
	for (k = 0; k < 6; k++)
		if (csv->n_records == 0 || csv->records[0].n_fields != 6 ||
		    strcmp(csv->records[0].fields[k], header[k]) != 0) {
			rc = bad_row(err, path, 1, "unexpected header");
			goto done;
		}
	if (csv->n_records != MF_FMTI_CROSSWALK_ROWS + 1) {
		rc = bad_row(err, path, 1, "expected 100 rows");
		goto done;
	}
	for (i = 1; i < csv->n_records; i++) {
		const struct mf_csv_record *r = &csv->records[i];
		struct mf_fmti_xrow *x = &cw->rows[i - 1];
		bool none;

		if (r->n_fields != 6 || atoi(r->fields[0]) != (int)i) {
			rc = bad_row(err, path, r->line,
			             "rows are numbered 1-100 in order");
			goto done;
		}
		x->number = (int)i;
		if (strlen(r->fields[1]) >= sizeof(x->name) ||
		    strlen(r->fields[2]) >= sizeof(x->mf_id) ||
		    strlen(r->fields[3]) >= sizeof(x->pointer) ||
		    strlen(r->fields[4]) >= sizeof(x->match)) {
			rc = bad_row(err, path, r->line, "a cell is too long");
			goto done;
		}
		snprintf(x->name, sizeof(x->name), "%s", r->fields[1]);
		snprintf(x->mf_id, sizeof(x->mf_id), "%s", r->fields[2]);
		snprintf(x->pointer, sizeof(x->pointer), "%s", r->fields[3]);
		snprintf(x->match, sizeof(x->match), "%s", r->fields[4]);
		none = strcmp(x->match, "none") == 0;
		if ((!none && strcmp(x->match, "exact") != 0 &&
		     strcmp(x->match, "partial") != 0) ||
		    none != (x->mf_id[0] == '\0')) {
			rc = bad_row(err, path, r->line,
			             "match is exact or partial with an "
			             "indicator, none without");
			goto done;
		}
		if (x->pointer[0] != '\0' && fill_of(x->pointer) < 0) {
			rc = bad_row(err, path, r->line,
			             "the importer cannot fill this pointer");
			goto done;
		}
		for (k = 0; k + 1 < i; k++)
			if (x->pointer[0] != '\0' &&
			    strcmp(cw->rows[k].pointer, x->pointer) == 0) {
				rc = bad_row(err, path, r->line,
				             "a pointer is filled from one "
				             "row only");
				goto done;
			}
	}
	*out = cw;
	cw = NULL;
	rc = 0;
done:
	free(cw);
	mf_csv_free(csv);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

json_t *
mf_fmti_urls(const char *text, bool *other_words)
{
	json_t *urls = json_array();
	const char *p = text;
	bool words = false;

	if (urls == NULL)
		return NULL;
	while (p != NULL && *p) {
		const char *h = strstr(p, "http"), *e;
		char *u;
		size_t i, n;

		if (h == NULL || (strncasecmp(h, "http://", 7) != 0 &&
		                  strncasecmp(h, "https://", 8) != 0)) {
			const char *stop = h != NULL ? h + 4 : p + strlen(p);

			for (; p < stop; p++)
				words |= isalnum((unsigned char)*p) != 0;
			continue;
		}
		for (; p < h; p++)
			words |= isalnum((unsigned char)*p) != 0;
		for (e = h; *e && !isspace((unsigned char)*e) &&
		            !strchr(",;\"'<>", *e);
		     e++)
			;
		n = (size_t)(e - h);
		while (n > 0 && strchr(".:)]}", h[n - 1]) != NULL)
			n--;
		p = e;
		if ((u = strndup(h, n)) == NULL)
			goto nomem;
		if (!mf_semantic_url_ok(u, NULL) ||
		    json_array_size(urls) >= MAX_URLS) {
			words = true; /* kept as words, not as a link */
			free(u);
			continue;
		}
		for (i = 0; i < json_array_size(urls); i++)
			if (strcmp(json_string_value(json_array_get(urls, i)),
			           u) == 0)
				break;
		if (i == json_array_size(urls) &&
		    json_array_append_new(urls, json_string(u)) != 0) {
			free(u);
			goto nomem;
		}
		free(u);
	}
	if (other_words != NULL)
		*other_words = words;
	return urls;
nomem:
	json_decref(urls);
	return NULL;
}

/* At most max code points of s (n bytes), cut on a character boundary,
 * with "…" when cut. New string or NULL. */
static char *
shortened(const char *s, size_t n, size_t max)
{
	size_t i, cps = 0;
	char *o;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cps++ == max - 1)
			break;
	if (i == n)
		return strndup(s, n);
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\n'))
		i--;
	if ((o = malloc(i + 4)) == NULL)
		return NULL;
	memcpy(o, s, i);
	memcpy(o + i, "\xe2\x80\xa6", 4);
	return o;
}

static json_t *
text_value(const char *s, size_t max)
{
	char *t = shortened(s, strlen(s), max);
	json_t *v = t != NULL ? json_string(t) : NULL;

	free(t);
	return v;
}

/* One item per non-empty line (bullets kept), each at most 2,000 code
 * points; more than 100 lines: the whole answer as one item. */
static json_t *
list_value(const char *s)
{
	json_t *items = json_array();
	const char *p = s;

	if (items == NULL)
		return NULL;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		size_t a = 0;
		char *t;

		while (a < n && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (n > a && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > a) {
			if (json_array_size(items) == MAX_ITEMS) {
				json_array_clear(items);
				if (json_array_append_new(
				        items, text_value(s, MAX_TEXT)) != 0)
					goto fail;
				return items;
			}
			t = shortened(p + a, n - a, MAX_TEXT);
			if (t == NULL ||
			    json_array_append_new(items, json_string(t)) != 0) {
				free(t);
				goto fail;
			}
			free(t);
		}
		p = e != NULL ? e + 1 : p + strlen(p);
	}
	return items;
fail:
	json_decref(items);
	return NULL;
}

/* The one e-mail address in text, into out; false when none or several. */
static bool
one_email(const char *text, char *out, size_t n)
{
	const char *p = text, *at;
	int found = 0;

	while ((at = strchr(p, '@')) != NULL) {
		const char *a = at, *b = at + 1;

		while (a > text && (isalnum((unsigned char)a[-1]) ||
		                    strchr("._%+-", a[-1]) != NULL))
			a--;
		while (isalnum((unsigned char)*b) || *b == '.' || *b == '-')
			b++;
		while (b > at + 1 && b[-1] == '.')
			b--;
		p = at + 1;
		if (a == at ||
		    memchr(at + 1, '.', (size_t)(b - at - 1)) == NULL ||
		    (size_t)(b - a) >= n)
			continue;
		if (found > 0 && (strlen(out) != (size_t)(b - a) ||
		                  strncmp(out, a, (size_t)(b - a)) != 0))
			return false;
		memcpy(out, a, (size_t)(b - a));
		out[b - a] = '\0';
		found = 1;
	}
	return found == 1;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* The object at pointer (its parents made as plain objects). Borrowed;
 * NULL when out of memory or when a parent is not an object. */
static json_t *
object_at(json_t *doc, const char *pointer, size_t len)
{
	const char *p = pointer, *end = pointer + len;
	json_t *cur = doc;

	while (p < end) {
		const char *s = memchr(p + 1, '/', (size_t)(end - p - 1));
		char key[64];
		size_t n;
		json_t *next;

		if (s == NULL)
			s = end;
		n = (size_t)(s - p - 1);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p + 1, n);
		key[n] = '\0';
		next = json_object_get(cur, key);
		if (next == NULL) {
			if ((next = json_object()) == NULL ||
			    json_object_set_new(cur, key, next) != 0)
				return NULL;
		}
		if (!json_is_object(next))
			return NULL;
		cur = next;
		p = s;
	}
	return cur;
}

struct filler {
	const struct mf_fmti_fill_ctx *ctx;
	json_t *doc;
};

/* {"status": "disclosed", "value", "explanation", "references"}. */
static json_t *
wrapper(const struct filler *f, const struct mf_fmti_xrow *x,
        const struct mf_fmti_answer *a, json_t *value, bool cut)
{
	char expl[600], ref[1200];
	json_t *w, *refs = NULL, *more = NULL;
	size_t i;

	if (value == NULL)
		return NULL;
	snprintf(expl, sizeof(expl),
	         "Answer to FMTI %s indicator %d (%s) in the transparency "
	         "report for %s, prepared by %s; transcribed from the FMTI "
	         "data set (CC BY 4.0)%s.",
	         f->ctx->edition, x->number, x->name, f->ctx->developer,
	         f->ctx->prepared_by,
	         cut ? ". Shortened here; the full answer is under /indices"
	             : "");
	snprintf(ref, sizeof(ref), "%s#L%zu", f->ctx->row_url, a->line);
	w = json_pack("{s:s, s:o, s:s, s:[s]}", "status", "disclosed", "value",
	              value, "explanation", expl, "references", ref);
	if (w == NULL)
		return NULL;
	refs = json_object_get(w, "references");
	/* then the URLs of the answer and of its references cell */
	if ((more = mf_fmti_urls(a->text, NULL)) == NULL)
		goto fail;
	if (a->references != NULL) {
		json_t *r2 = mf_fmti_urls(a->references, NULL);

		if (r2 == NULL || json_array_extend(more, r2) != 0) {
			json_decref(r2);
			goto fail;
		}
		json_decref(r2);
	}
	for (i = 0;
	     i < json_array_size(more) && json_array_size(refs) < MAX_URLS;
	     i++) {
		const char *u = json_string_value(json_array_get(more, i));
		size_t k;

		for (k = 0; k < json_array_size(refs); k++)
			if (strcmp(json_string_value(json_array_get(refs, k)),
			           u) == 0)
				break;
		if (k == json_array_size(refs) &&
		    json_array_append_new(refs, json_string(u)) != 0)
			goto fail;
	}
	json_decref(more);
	return w;
fail:
	json_decref(more);
	json_decref(w);
	return NULL;
}

/* Sets the wrapper at pointer. */
static int
put(struct filler *f, const char *pointer, json_t *w)
{
	const char *last = strrchr(pointer, '/');
	json_t *parent;

	if (w == NULL)
		return MF_E_NOMEM;
	parent = object_at(f->doc, pointer, (size_t)(last - pointer));
	if (parent == NULL || json_object_set_new(parent, last + 1, w) != 0)
		return MF_E_NOMEM;
	return 0;
}

/* A member of a record wrapped as a whole (/downstream/usage/users):
 * the record's wrapper is made or extended. */
static int
put_member(struct filler *f, const struct mf_fmti_xrow *x,
           const struct mf_fmti_answer *a, json_t *value)
{
	const char *last = strrchr(x->pointer, '/');
	char rec[96];
	json_t *w, *v;

	if (value == NULL)
		return MF_E_NOMEM;
	snprintf(rec, sizeof(rec), "%.*s", (int)(last - x->pointer),
	         x->pointer);
	w = mf_json_pointer_get(f->doc, rec);
	if (w == NULL) {
		json_t *obj = json_object();

		if (obj == NULL ||
		    json_object_set_new(obj, last + 1, value) != 0) {
			json_decref(obj);
			return MF_E_NOMEM;
		}
		return put(f, rec, wrapper(f, x, a, obj, false));
	}
	v = json_object_get(w, "value");
	if (!json_is_object(v) || json_object_set_new(v, last + 1, value) != 0)
		return MF_E_NOMEM;
	/* the record now answers several indicators */
	{
		char expl[600];
		json_t *r = mf_fmti_urls(a->text, NULL);
		size_t i;

		snprintf(expl, sizeof(expl),
		         "Answers to FMTI %s indicators in the transparency "
		         "report for %s, prepared by %s; transcribed from the "
		         "FMTI data set (CC BY 4.0). Rows: see references.",
		         f->ctx->edition, f->ctx->developer,
		         f->ctx->prepared_by);
		json_object_set_new(w, "explanation", json_string(expl));
		{
			char ref[1200];

			snprintf(ref, sizeof(ref), "%s#L%zu", f->ctx->row_url,
			         a->line);
			json_array_insert_new(json_object_get(w, "references"),
			                      1, json_string(ref));
		}
		for (i = 0; r != NULL && i < json_array_size(r); i++)
			if (json_array_size(json_object_get(w, "references")) <
			    MAX_URLS)
				json_array_append(
				    json_object_get(w, "references"),
				    json_array_get(r, i));
		json_decref(r);
	}
	return 0;
}

static int
note_report(json_t *list, int number, const char *key, const char *val)
{
	json_t *o = json_pack("{s:i}", "fmti", number);

	if (o == NULL ||
	    (val != NULL &&
	     json_object_set_new(o, key, json_string(val)) != 0) ||
	    json_array_append_new(list, o) != 0)
		return MF_E_NOMEM;
	return 0;
}

/* "12T tokens" style text of an extracted quantity. */
static void
qty_text(char *buf, size_t n, const struct mf_extract_qty *q)
{
	snprintf(buf, n, "%.6g %s%s%s", q->amount, q->unit,
	         q->basis != NULL ? ", " : "",
	         q->basis != NULL ? q->basis : "");
}

static json_t *
qty_value(const struct mf_extract_qty *q, bool have, const char *words)
{
	json_t *v = json_object(), *note = text_value(words, MAX_TEXT);

	if (v == NULL || note == NULL || json_object_set_new(v, "note", note)) {
		json_decref(v);
		return NULL;
	}
	if (have &&
	    (json_object_set_new(v, "amount", json_real(q->amount)) != 0 ||
	     json_object_set_new(v, "unit", json_string(q->unit)) != 0 ||
	     (q->basis != NULL &&
	      json_object_set_new(v, "basis", json_string(q->basis)) != 0))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Fills one row; *extracted gets what was read (static buffer), or "".
 * *why gets the reason it stayed free text, NULL when filled. */
static int
fill_row(struct filler *f, const struct mf_fmti_xrow *x,
         const struct mf_fmti_answer *a, char *extracted, size_t n,
         const char **why)
{
	long fi = fill_of(x->pointer);
	const char *text = a->text;
	size_t len = strlen(text);
	json_t *v = NULL, *urls = NULL;
	bool cut = false;
	int rc = 0;

	extracted[0] = '\0';
	*why = NULL;
	switch (fills[fi].fill) {
	case F_TEXT:
		cut = len > MAX_TEXT;
		return put(f, x->pointer,
		           wrapper(f, x, a, text_value(text, MAX_TEXT), cut));
	case F_LONG:
		return put(f, x->pointer,
		           wrapper(f, x, a, text_value(text, MAX_LONG), false));
	case F_LIST:
		return put(f, x->pointer,
		           wrapper(f, x, a, list_value(text), false));
	case F_MEMBER_TEXT:
		return put_member(f, x, a, text_value(text, MAX_TEXT));
	case F_MEMBER_LIST:
		return put_member(f, x, a, list_value(text));
	case F_MITIGATIONS:
		v = json_pack("[{s:o}]", "description",
		              text_value(text, MAX_TEXT));
		return put(f, x->pointer, wrapper(f, x, a, v, len > MAX_TEXT));
	case F_NAME:
		if (len > MAX_NAME || strchr(text, '\n') != NULL) {
			*why = "longer than a one-line name";
			return 0;
		}
		return put(f, x->pointer,
		           wrapper(f, x, a, json_string(text), false));
	case F_URL:
	case F_URLS:
	case F_DATA_RELEASE:
	case F_CHANNEL: {
		char mail[256];
		bool has_mail = fills[fi].fill == F_CHANNEL &&
		                one_email(text, mail, sizeof(mail));

		if ((urls = mf_fmti_urls(text, NULL)) == NULL)
			return MF_E_NOMEM;
		if (json_array_size(urls) == 0 && a->references != NULL) {
			json_decref(urls);
			if ((urls = mf_fmti_urls(a->references, NULL)) == NULL)
				return MF_E_NOMEM;
		}
		if (fills[fi].fill == F_URLS && json_array_size(urls) > 0) {
			snprintf(extracted, n, "%zu URL(s)",
			         json_array_size(urls));
			return put(f, x->pointer,
			           wrapper(f, x, a, urls, false));
		}
		if (fills[fi].fill == F_CHANNEL && has_mail &&
		    json_array_size(urls) != 1) {
			snprintf(extracted, n, "%s", mail);
			json_decref(urls);
			v = json_pack("{s:s, s:o}", "email", mail,
			              "description",
			              text_value(text, MAX_TEXT));
			return put(f, x->pointer, wrapper(f, x, a, v, false));
		}
		if (json_array_size(urls) != 1 || fills[fi].fill == F_URLS) {
			*why = json_array_size(urls) == 0
			           ? "no URL to link"
			           : "several URLs: which one is meant is "
			             "not stated";
			json_decref(urls);
			return 0;
		}
		snprintf(extracted, n, "%s",
		         json_string_value(json_array_get(urls, 0)));
		if (fills[fi].fill == F_URL)
			v = json_incref(json_array_get(urls, 0));
		else
			v = json_pack("{s:O, s:o}",
			              fills[fi].fill == F_CHANNEL ? "url"
			                                          : "url",
			              json_array_get(urls, 0), "description",
			              text_value(text, MAX_TEXT));
		json_decref(urls);
		return put(f, x->pointer, wrapper(f, x, a, v, false));
	}
	case F_LICENSE: {
		const char *spdx = NULL;

		if (mf_extract_license(text, &spdx) != MF_EXTRACT_ONE) {
			*why = "no single known license named";
			return 0;
		}
		snprintf(extracted, n, "%s", spdx);
		return put(
		    f, x->pointer,
		    wrapper(f, x, a, json_pack("{s:s}", "spdx", spdx), false));
	}
	case F_QTY:
	case F_DURATION: {
		struct mf_extract_qty q;
		bool have = mf_extract_quantity(text, fills[fi].kind, &q) ==
		            MF_EXTRACT_ONE;

		if (have)
			qty_text(extracted, n, &q);
		rc = put(f, x->pointer,
		         wrapper(f, x, a, qty_value(&q, have, text),
		                 len > MAX_TEXT));
		if (rc == 0 && fills[fi].fill == F_DURATION &&
		    mf_extract_quantity(text, MF_EXTRACT_ACC_HOURS, &q) ==
		        MF_EXTRACT_ONE) {
			size_t used = strlen(extracted);

			snprintf(extracted + used, n - used, "%s%.6g GPU-hours",
			         used > 0 ? "; " : "", q.amount);
			rc = put(f, "/compute/accelerator_hours",
			         wrapper(f, x, a, qty_value(&q, true, text),
			                 len > MAX_TEXT));
		}
		return rc;
	}
	case F_HARDWARE: {
		char type[64];
		long count = -1;

		v = json_pack("{s:o}", "description",
		              text_value(text, MAX_TEXT));
		if (v != NULL &&
		    mf_extract_hardware(text, type, sizeof(type), &count) ==
		        MF_EXTRACT_ONE) {
			json_object_set_new(v, "type", json_string(type));
			if (count > 0) {
				json_object_set_new(v, "count",
				                    json_integer(count));
				snprintf(extracted, n, "%ld x %s", count, type);
			} else {
				snprintf(extracted, n, "%s", type);
			}
		}
		return put(f, x->pointer, wrapper(f, x, a, v, len > MAX_TEXT));
	}
	case F_ARCH: {
		const char *type = NULL;

		v = json_pack("{s:o}", "description",
		              text_value(text, MAX_LONG));
		if (v != NULL &&
		    mf_extract_architecture(text, &type) == MF_EXTRACT_ONE) {
			json_object_set_new(v, "type", json_string(type));
			snprintf(extracted, n, "%s", type);
		}
		return put(f, x->pointer, wrapper(f, x, a, v, false));
	}
	}
	return 0;
}

int
mf_fmti_fill(json_t *doc, const struct mf_fmti_crosswalk *cw,
             const struct mf_fmti_answer *answers,
             const struct mf_fmti_fill_ctx *ctx, json_t **report)
{
	struct filler f = {ctx, doc};
	json_t *rep, *undisclosed, *mapped, *free_text;
	size_t k;
	int n = 0, rc = 0;

	*report = NULL;
	rep = json_pack("{s:i, s:[], s:[], s:[]}", "answers", 0, "undisclosed",
	                "mapped", "free_text");
	if (rep == NULL)
		return MF_E_NOMEM;
	undisclosed = json_object_get(rep, "undisclosed");
	mapped = json_object_get(rep, "mapped");
	free_text = json_object_get(rep, "free_text");
	for (k = 0; k < MF_FMTI_CROSSWALK_ROWS && rc == 0; k++) {
		const struct mf_fmti_xrow *x = &cw->rows[k];
		const struct mf_fmti_answer *a = &answers[k];
		char extracted[300];
		const char *why = NULL;

		if (a->text == NULL)
			continue;
		n++;
		if (mf_extract_says_undisclosed(a->text)) {
			rc = json_array_append_new(undisclosed,
			                           json_integer(x->number))
			         ? MF_E_NOMEM
			         : 0;
			continue;
		}
		if (x->pointer[0] == '\0') {
			rc = note_report(free_text, x->number, "reason",
			                 x->mf_id[0] != '\0'
			                     ? "its field needs structure the "
			                       "text does not give"
			                     : "no modelfacts-v1 field");
			continue;
		}
		if ((rc = fill_row(&f, x, a, extracted, sizeof(extracted),
		                   &why)) != 0)
			break;
		if (why != NULL) {
			rc = note_report(free_text, x->number, "reason", why);
			continue;
		}
		rc = note_report(mapped, x->number, "pointer", x->pointer);
		if (rc == 0 && extracted[0] != '\0')
			rc = json_object_set_new(
			         json_array_get(mapped,
			                        json_array_size(mapped) - 1),
			         "extracted", json_string(extracted))
			         ? MF_E_NOMEM
			         : 0;
	}
	json_object_set_new(rep, "answers", json_integer(n));
	if (rc != 0) {
		json_decref(rep);
		return MF_E_NOMEM;
	}
	*report = rep;
	return 0;
}
