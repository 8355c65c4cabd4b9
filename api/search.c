/*
 * GET /v1/models: every query parameter is declared in one table and
 * checked against it before anything runs (unknown, repeated or
 * malformed: 400 naming it), as kcgi checks input against declared
 * validators. The checked values become one JSON object of filters from
 * which db/search.c writes the statement for exactly those filters, every
 * value a parameter; PostgreSQL writes the answer.
 */
#include "api/search.h"
#include "api/export.h"
#include "api/util.h"
#include "common/encoding.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "db/search.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* How often a repeatable parameter (indicator, status) may appear. */
#define MAX_REPEAT 16
/* Bounds of free-text values and of a cursor. */
#define TEXT_MAX   200
#define CURSOR_MAX 1024

enum kind {
	K_SLUG,      /* an organisation (or assessor) id */
	K_TEXT,      /* 1..TEXT_MAX bytes of UTF-8, no control characters */
	K_QUERY,     /* K_TEXT with at least one letter or digit */
	K_ID,        /* "org/model" */
	K_LIMIT,     /* an integer from 1 to 1000 */
	K_NUMBER,    /* a finite decimal number */
	K_DATE,      /* YYYY-MM-DD */
	K_ENUM,      /* one of values */
	K_ENUM_LIST, /* comma-separated values, each one of values */
	K_AS_OF,     /* a log index or an RFC 3339 instant */
	K_CURSOR,    /* a page cursor from a previous answer */
	K_INDEX,     /* an index id */
	K_INDICATOR, /* "index/indicator" */
};

static const char *const modalities[] = {
    "text",       "code",    "image", "audio", "video", "structured_data",
    "embeddings", "actions", "other", NULL};
static const char *const accesses[] = {"open_weights",   "gated_weights", "api",
                                       "hosted_product", "closed",        NULL};
static const char *const sorts[] = {
    "id",         "name",        "-name", "release_date", "-release_date",
    "parameters", "-parameters", "score", "-score",       "updated",
    "-updated",   "relevance",   NULL};
static const char *const statuses[] = {"met", "not_met", "not_applicable",
                                       "unassessed", NULL};
static const char *const formats[] = {"json", "csv", "jsonl", NULL};
static const char *const matches[] = {"all", "any", NULL};

enum param {
	P_ORG,
	P_Q,
	P_AFTER,
	P_LIMIT,
	P_CURSOR,
	P_AS_OF,
	P_SORT,
	P_INPUT,
	P_OUTPUT,
	P_ACCESS,
	P_LICENSE,
	P_RELEASED_FROM,
	P_RELEASED_TO,
	P_MIN_PARAMETERS,
	P_MAX_PARAMETERS,
	P_INDEX,
	P_JUDGE,
	P_MIN_SCORE,
	P_MAX_SCORE,
	P_INDICATOR,
	P_STATUS,
	P_MATCH,
	P_BENCHMARK,
	P_METRIC,
	P_MIN_VALUE,
	P_MAX_VALUE,
	P_ASSESSED_BY,
	P_FORMAT,
	P__MAX
};

struct param_def {
	const char *name;
	enum kind kind;
	unsigned max_count;
	const char *const *values; /* K_ENUM, K_ENUM_LIST */
	const char *must;          /* "must ..." in the error message */
};

/* The parameters of GET /v1/models (openapi.json documents each). */
static const struct param_def param_defs[P__MAX] = {
    [P_ORG] = {"org", K_SLUG, 1, NULL, "be an organisation id"},
    [P_Q] = {"q", K_QUERY, 1, NULL,
             "be up to 200 characters with a letter or digit"},
    [P_AFTER] = {"after", K_ID, 1, NULL, "be org/model"},
    [P_LIMIT] = {"limit", K_LIMIT, 1, NULL, "be an integer from 1 to 1000"},
    [P_CURSOR] = {"cursor", K_CURSOR, 1, NULL,
                  "be the cursor of a previous page"},
    [P_AS_OF] = {"as_of", K_AS_OF, 1, NULL,
                 "be a log index or an RFC 3339 date-time"},
    [P_SORT] = {"sort", K_ENUM, 1, sorts,
                "be id, name, release_date, parameters, score or updated "
                "(- before it: descending), or relevance"},
    [P_INPUT] = {"input", K_ENUM_LIST, 1, modalities,
                 "be modalities (text, code, image, audio, video, "
                 "structured_data, embeddings, actions, other), "
                 "comma-separated"},
    [P_OUTPUT] = {"output", K_ENUM_LIST, 1, modalities,
                  "be modalities (text, code, image, audio, video, "
                  "structured_data, embeddings, actions, other), "
                  "comma-separated"},
    [P_ACCESS] = {"access", K_ENUM_LIST, 1, accesses,
                  "be open_weights, gated_weights, api, hosted_product or "
                  "closed, comma-separated"},
    [P_LICENSE] = {"license", K_TEXT, 1, NULL,
                   "be an SPDX expression or license name"},
    [P_RELEASED_FROM] = {"released_from", K_DATE, 1, NULL,
                         "be a date such as 2025-01-31"},
    [P_RELEASED_TO] = {"released_to", K_DATE, 1, NULL,
                       "be a date such as 2025-01-31"},
    [P_MIN_PARAMETERS] = {"min_parameters", K_NUMBER, 1, NULL,
                          "be a number such as 7e9"},
    [P_MAX_PARAMETERS] = {"max_parameters", K_NUMBER, 1, NULL,
                          "be a number such as 7e9"},
    [P_INDEX] = {"index", K_INDEX, 1, NULL, "be an index id"},
    [P_JUDGE] = {"judge", K_SLUG, 1, NULL,
                 "be auto or an assessor organisation id"},
    [P_MIN_SCORE] = {"min_score", K_NUMBER, 1, NULL, "be a number"},
    [P_MAX_SCORE] = {"max_score", K_NUMBER, 1, NULL, "be a number"},
    [P_INDICATOR] = {"indicator", K_INDICATOR, MAX_REPEAT, NULL,
                     "be index/indicator, such as modelfacts-v1/data-size"},
    [P_STATUS] = {"status", K_ENUM, MAX_REPEAT, statuses,
                  "be met, not_met, not_applicable or unassessed"},
    [P_MATCH] = {"match", K_ENUM, 1, matches, "be all or any"},
    [P_FORMAT] = {"format", K_ENUM, 1, formats, "be json, csv or jsonl"},
    [P_BENCHMARK] = {"benchmark", K_TEXT, 1, NULL, "be a benchmark id"},
    [P_METRIC] = {"metric", K_TEXT, 1, NULL, "be a metric name"},
    [P_MIN_VALUE] = {"min_value", K_NUMBER, 1, NULL, "be a number"},
    [P_MAX_VALUE] = {"max_value", K_NUMBER, 1, NULL, "be a number"},
    [P_ASSESSED_BY] = {"assessed_by", K_SLUG, 1, NULL,
                       "be an assessor organisation id"},
};

/* The query string, sorted by parameter (values borrowed from MHD). */
struct given {
	struct mf_request *req;
	const char *v[P__MAX][MAX_REPEAT];
	unsigned n[P__MAX];
	const char *const *extra; /* another endpoint's own parameters */
};

/* An error naming the parameter, in the message and the pointer. */
static int bad(struct mf_request *req, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct mf_request *req, const char *name, const char *fmt, ...)
{
	char pointer[160] = "/query/";
	size_t o = strlen(pointer), i;
	va_list ap;
	int rc;

	/* RFC 6901 escapes; a hostile name is cut short */
	for (i = 0; name[i] && i < 64 && o + 3 < sizeof(pointer); i++) {
		if (name[i] == '~' || name[i] == '/') {
			pointer[o++] = '~';
			pointer[o++] = name[i] == '~' ? '0' : '1';
		} else {
			pointer[o++] = name[i];
		}
	}
	pointer[o] = '\0';
	va_start(ap, fmt);
	rc = mf_error_setv(&req->err, MF_E_BAD_PARAM, pointer, fmt, ap);
	va_end(ap);
	return rc;
}

static int
must(struct mf_request *req, enum param p)
{
	return bad(req, param_defs[p].name, "query parameter '%s' must %s",
	           param_defs[p].name, param_defs[p].must);
}

static int
collect(void *ctx, const char *name, const char *value)
{
	struct given *g = ctx;
	size_t p;

	if (*name == '\0')
		return 0; /* "?&a=1": an empty pair, not a parameter */
	for (p = 0; p < P__MAX; p++)
		if (strcmp(param_defs[p].name, name) == 0)
			break;
	if (p == P__MAX && g->extra != NULL)
		for (size_t i = 0; g->extra[i] != NULL; i++)
			if (strcmp(g->extra[i], name) == 0)
				return 0; /* the caller's to read */
	if (p == P__MAX)
		return bad(g->req, name,
		           "unknown query parameter '%.64s': see "
		           "/v1/openapi.json",
		           name);
	if (g->n[p] == param_defs[p].max_count)
		return bad(g->req, name,
		           "query parameter '%s' is given too often (at most "
		           "%u times)",
		           name, param_defs[p].max_count);
	if (value == NULL || *value == '\0')
		return must(g->req, (enum param)p);
	g->v[p][g->n[p]++] = value;
	return 0;
}

static bool
in_list(const char *const *values, const char *s, size_t n)
{
	size_t i;

	for (i = 0; values[i]; i++)
		if (strlen(values[i]) == n && strncmp(values[i], s, n) == 0)
			return true;
	return false;
}

/* Index ids: ^[a-z0-9][a-z0-9.-]{0,62}$ (schema/common.v1.json). */
static bool
index_id_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 ||
	    !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* A slug of n bytes (s need not end there). */
static bool
slug_n(const char *s, size_t n)
{
	char b[MF_SLUG_MAX + 1];

	if (n == 0 || n > MF_SLUG_MAX)
		return false;
	memcpy(b, s, n);
	b[n] = '\0';
	return mf_slug_valid(b);
}

static bool
number_valid(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 && isfinite(*out) &&
	       strlen(s) <= 40;
}

/*
 * A cursor: base64url of [as_of, sort, nf, kn, kt, org, model] as the
 * statement wrote it. Into *out {"nf", "kn", "kt", "org", "model"},
 * *as_of and *sort (borrowed from *keep, which the caller frees).
 */
static int
cursor_read(struct mf_request *req, const char *v, json_t **out, int64_t *as_of,
            const char **sort, json_t **keep)
{
	uint8_t *raw = NULL;
	size_t n = 0;
	json_t *a = NULL, *kn, *kt;
	double d;
	int rc = 0;

	*keep = NULL;
	if (strlen(v) > CURSOR_MAX ||
	    mf_base64_decode(&raw, &n, v, strlen(v)) != 0 ||
	    (a = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES,
	                    NULL)) == NULL ||
	    !json_is_array(a) || json_array_size(a) != 7)
		goto malformed;
	kn = json_array_get(a, 3);
	kt = json_array_get(a, 4);
	if (!json_is_integer(json_array_get(a, 0)) ||
	    json_integer_value(json_array_get(a, 0)) < -1 ||
	    !json_is_string(json_array_get(a, 1)) ||
	    !in_list(sorts, json_string_value(json_array_get(a, 1)),
	             strlen(json_string_value(json_array_get(a, 1)))) ||
	    !json_is_integer(json_array_get(a, 2)) ||
	    json_integer_value(json_array_get(a, 2)) < 0 ||
	    json_integer_value(json_array_get(a, 2)) > 1 ||
	    !(json_is_null(kn) || (json_is_string(kn) &&
	                           number_valid(json_string_value(kn), &d))) ||
	    !(json_is_null(kt) ||
	      (json_is_string(kt) && json_string_length(kt) <= CURSOR_MAX)) ||
	    !json_is_string(json_array_get(a, 5)) ||
	    !mf_slug_valid(json_string_value(json_array_get(a, 5))) ||
	    !json_is_string(json_array_get(a, 6)) ||
	    !mf_slug_valid(json_string_value(json_array_get(a, 6))))
		goto malformed;
	*out = json_pack("{s:O, s:O, s:O, s:O, s:O}", "nf",
	                 json_array_get(a, 2), "kn", kn, "kt", kt, "org",
	                 json_array_get(a, 5), "model", json_array_get(a, 6));
	if (*out == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	*as_of = json_integer_value(json_array_get(a, 0));
	*sort = json_string_value(json_array_get(a, 1));
	*keep = a;
	a = NULL;
	goto done;
malformed:
	rc = must(req, P_CURSOR);
done:
	json_decref(a);
	free(raw);
	return rc;
}

/* One value checked against its declaration, as JSON (new reference). */
static int
check(struct mf_request *req, enum param p, const char *v, json_t **out)
{
	const struct param_def *d = &param_defs[p];
	const char *s, *comma, *slash;
	int64_t days;
	double x;
	char *end;
	long long n;
	size_t i;

	*out = NULL;
	switch (d->kind) {
	case K_SLUG:
		if (!mf_slug_valid(v))
			return must(req, p);
		*out = json_string(v);
		break;
	case K_QUERY:
		for (s = v; *s; s++)
			if (isalnum((unsigned char)*s) ||
			    (unsigned char)*s >= 0x80)
				break;
		if (*s == '\0')
			return must(req, p);
		/* fall through */
	case K_TEXT:
		for (s = v; *s; s++)
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				return must(req, p); /* control characters */
		if (strlen(v) > TEXT_MAX ||
		    (*out = json_string(v)) == NULL) /* not UTF-8 */
			return must(req, p);
		return 0;
	case K_ID:
		slash = strchr(v, '/');
		if (slash == NULL || !slug_n(v, (size_t)(slash - v)) ||
		    !mf_slug_valid(slash + 1))
			return must(req, p);
		*out = json_pack("{s:s%, s:s}", "org", v, (size_t)(slash - v),
		                 "model", slash + 1);
		break;
	case K_LIMIT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (*end != '\0' || errno != 0 || n < 1 || n > 1000)
			return must(req, p);
		*out = json_integer(n);
		break;
	case K_NUMBER:
		if (!number_valid(v, &x))
			return must(req, p);
		*out = json_real(x);
		break;
	case K_DATE:
		if (strlen(v) != 10 || mf_time_parse_date(v, &days) != 0)
			return must(req, p);
		*out = json_string(v);
		break;
	case K_ENUM:
		if (!in_list(d->values, v, strlen(v)))
			return must(req, p);
		*out = json_string(v);
		break;
	case K_ENUM_LIST:
		if ((*out = json_array()) == NULL)
			break;
		for (s = v, i = 0;; s = comma + 1, i++) {
			comma = strchr(s, ',');
			n = comma ? comma - s : (long long)strlen(s);
			if (i >= 9 || !in_list(d->values, s, (size_t)n)) {
				json_decref(*out);
				*out = NULL;
				return must(req, p);
			}
			json_array_append_new(*out, json_stringn(s, (size_t)n));
			if (comma == NULL)
				break;
		}
		break;
	case K_INDEX:
		if (!index_id_valid(v, strlen(v)))
			return must(req, p);
		*out = json_string(v);
		break;
	case K_INDICATOR:
		slash = strchr(v, '/');
		if (slash == NULL || !index_id_valid(v, (size_t)(slash - v)) ||
		    !mf_slug_valid(slash + 1))
			return must(req, p);
		*out = json_pack("[s%, s]", v, (size_t)(slash - v), slash + 1);
		break;
	case K_AS_OF: /* read by mf_h_query_as_of: here its form only */
		for (i = 0; isdigit((unsigned char)v[i]) && i < 19; i++)
			;
		if ((i == 0 || v[i] != '\0') &&
		    mf_time_parse_rfc3339(v, &days) != 0)
			return must(req, p);
		return 0;
	case K_CURSOR:
		return 0; /* read apart: it pins the position */
	}
	if (*out == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	return 0;
}

/* Filters that mean nothing without another one. */
static int
check_combinations(struct mf_request *req, const struct given *g)
{
	static const struct {
		enum param p, needs;
	} needs[] = {{P_STATUS, P_INDICATOR},
	             {P_MATCH, P_INDICATOR},
	             {P_METRIC, P_BENCHMARK},
	             {P_MIN_VALUE, P_BENCHMARK},
	             {P_MAX_VALUE, P_BENCHMARK}};
	size_t i;

	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (g->n[needs[i].p] > 0 && g->n[needs[i].needs] == 0)
			return bad(req, param_defs[needs[i].p].name,
			           "query parameter '%s' needs %s",
			           param_defs[needs[i].p].name,
			           param_defs[needs[i].needs].name);
	if (g->n[P_INDICATOR] != g->n[P_STATUS])
		return bad(req, "status",
		           "query parameter 'status' must be given once for "
		           "each indicator, in the same order");
	if (g->n[P_CURSOR] > 0 && g->n[P_AFTER] > 0)
		return bad(req, "cursor",
		           "query parameter 'cursor' replaces 'after': give "
		           "one");
	return 0;
}

/* sort (with its direction) and the position the page is read at. */
static int
order_and_position(struct mf_request *req, const struct given *g, json_t *f)
{
	const char *sort = g->n[P_SORT] ? g->v[P_SORT][0] : NULL;
	const char *csort = NULL;
	json_t *cursor = NULL, *keep = NULL;
	int64_t at = -1, cat = -1;
	bool given;
	int rc;

	/* 1. as_of, then a cursor's own position, which must agree. */
	if ((rc = mf_h_query_as_of(req, &at, &given)) != 0)
		return rc;
	if (g->n[P_CURSOR] > 0) {
		if ((rc = cursor_read(req, g->v[P_CURSOR][0], &cursor, &cat,
		                      &csort, &keep)) != 0)
			return rc;
		if ((given && at != cat) ||
		    (sort != NULL && strcmp(sort, csort) != 0)) {
			rc =
			    bad(req, "cursor",
			        "query parameter 'cursor' was made for another "
			        "sort or as_of: repeat the first page's");
			goto done;
		}
		sort = csort;
		at = cat;
		given = true;
		json_object_set_new(f, "cursor", cursor);
		cursor = NULL;
	}
	/* 2. The order: relevance needs words to be relevant to. */
	if (sort == NULL)
		sort = g->n[P_Q] ? "relevance" : "id";
	if (strcmp(sort, "relevance") == 0 && g->n[P_Q] == 0) {
		rc = bad(req, "sort",
		         "query parameter 'sort': relevance needs q");
		goto done;
	}
	if (g->n[P_AFTER] > 0) {
		json_t *c = NULL;

		if (strcmp(sort, "id") != 0) {
			rc = bad(req, "after",
			         "query parameter 'after' pages the sort by id "
			         "only: use cursor");
			goto done;
		}
		if ((rc = check(req, P_AFTER, g->v[P_AFTER][0], &c)) != 0)
			goto done;
		json_object_set_new(c, "nf", json_integer(0));
		json_object_set_new(c, "kn", json_null());
		json_object_set_new(c, "kt", json_null());
		json_object_set_new(f, "cursor", c);
	}
	if (given)
		json_object_set_new(f, "as_of", json_integer(at));
	json_object_set_new(f, "sort",
	                    json_string(sort[0] == '-' ? sort + 1 : sort));
	json_object_set_new(
	    f, "desc",
	    json_boolean(sort[0] == '-' || strcmp(sort, "relevance") == 0));
	rc = 0;
done:
	json_decref(cursor);
	json_decref(keep);
	return rc;
}

/* The filters object: every checked value under its parameter's name. */
static int
filters(struct mf_request *req, const struct given *g, json_t *f)
{
	json_t *v, *inds = NULL;
	unsigned i;
	size_t p;
	int rc;

	for (p = 0; p < P__MAX; p++) {
		if (p == P_AFTER || p == P_INDICATOR || p == P_STATUS ||
		    p == P_FORMAT)
			continue;
		for (i = 0; i < g->n[p]; i++) {
			if ((rc = check(req, (enum param)p, g->v[p][i], &v)) !=
			    0)
				return rc;
			if (v != NULL)
				json_object_set_new(f, param_defs[p].name, v);
		}
	}
	/* indicator/status pairs, in the order given; each value checked
	 * even when the counts differ, which check_combinations refuses */
	for (i = 0; i < g->n[P_INDICATOR] || i < g->n[P_STATUS]; i++) {
		json_t *st = NULL;

		v = NULL;
		if (inds == NULL && (inds = json_array()) == NULL)
			return mf_error_set(&req->err, MF_E_NOMEM, NULL,
			                    "out of memory");
		if ((i < g->n[P_INDICATOR] &&
		     (rc = check(req, P_INDICATOR, g->v[P_INDICATOR][i], &v)) !=
		         0) ||
		    (i < g->n[P_STATUS] &&
		     (rc = check(req, P_STATUS, g->v[P_STATUS][i], &st)) !=
		         0)) {
			json_decref(v);
			json_decref(inds);
			return rc;
		}
		if (v != NULL && st != NULL) {
			json_array_append_new(v, st);
			json_array_append_new(inds, v);
		} else {
			json_decref(v);
			json_decref(st);
		}
	}
	if (inds != NULL)
		json_object_set_new(f, "indicators", inds);
	if (json_object_get(f, "index") == NULL)
		json_object_set_new(f, "index", json_string("modelfacts-v1"));
	if (json_object_get(f, "limit") == NULL)
		json_object_set_new(f, "limit", json_integer(100));
	return 0;
}

static int
open_rows(struct mf_db_rows **out, const void *f, struct mf_error *err)
{
	return mf_db_models_rows(out, f, err);
}

int
mf_h_models_search(struct mf_request *req)
{
	struct mf_buf body = MF_BUF_INIT;
	struct given *g = NULL;
	enum mf_format fmt;
	json_t *f = NULL;
	int rc;

	/* 1. Every parameter declared, each at most as often as allowed. */
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (f = json_object()) == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	g->req = req;
	if ((rc = mf_http_query_each(req, collect, g)) != 0)
		goto done;
	/* format checked like every parameter (its error names it), then
	 * negotiated with Accept */
	if (g->n[P_FORMAT] > 0) {
		json_t *v = NULL;

		rc = check(req, P_FORMAT, g->v[P_FORMAT][0], &v);
		json_decref(v);
		if (rc != 0)
			goto done;
	}
	if ((rc = mf_h_format(req, MF_FORMATS_ALL, MF_FORMAT_JSON, &fmt)) != 0)
		goto done;
	/* 2. Each value checked, then combinations, order and position. */
	if ((rc = filters(req, g, f)) != 0 ||
	    (rc = check_combinations(req, g)) != 0 ||
	    (rc = order_and_position(req, g, f)) != 0)
		goto done;
	/* 3. One statement answers: a page of JSON, or every model (up to
	 * limit, when given) streamed as CSV or JSON Lines. */
	if (fmt != MF_FORMAT_JSON) {
		struct mf_export x = {.open = open_rows,
		                      .open_arg = f,
		                      .filename = "models",
		                      .list_key = "models"};

		if (g->n[P_LIMIT] == 0)
			json_object_del(f, "limit");
		rc = mf_h_export(req, &x, fmt);
		goto done;
	}
	if ((rc = mf_db_models_search(&body, f, &req->err)) == 0)
		rc = mf_http_respond(req, 200, "application/json",
		                     body.data ? body.data : "", body.len,
		                     false);
done:
	mf_buf_dispose(&body);
	json_decref(f);
	free(g);
	return rc;
}

int
mf_h_search_filters(struct mf_request *req, json_t *f, const char *const *extra,
                    const char *index)
{
	/* what orders or pages a list means nothing to a count */
	static const enum param list_only[] = {P_SORT, P_CURSOR, P_AFTER,
	                                       P_LIMIT, P_INDEX};
	struct given *g;
	int64_t at;
	bool given;
	size_t i;
	int rc;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	g->req = req;
	g->extra = extra;
	if ((rc = mf_http_query_each(req, collect, g)) != 0)
		goto done;
	for (i = 0; i < sizeof(list_only) / sizeof(list_only[0]); i++)
		if (g->n[list_only[i]] > 0) {
			rc = bad(req, param_defs[list_only[i]].name,
			         "query parameter '%s' orders or pages a list; "
			         "it means nothing here",
			         param_defs[list_only[i]].name);
			goto done;
		}
	if ((rc = filters(req, g, f)) != 0 ||
	    (rc = check_combinations(req, g)) != 0 ||
	    (rc = mf_h_query_as_of(req, &at, &given)) != 0)
		goto done;
	json_object_del(f, "limit");
	json_object_set_new(f, "index", json_string(index));
	if (given)
		json_object_set_new(f, "as_of", json_integer(at));
done:
	free(g);
	return rc;
}
