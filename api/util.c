/* Shared handler helpers (see util.h). */
#include "api/util.h"
#include "common/json.h"
#include "common/slug.h"
#include "common/timeutil.h"
#include "db/label.h"
#include "db/read.h"
#include "scoring/index.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	const char *media_type;
} formats[MF_FORMAT__MAX] = {
    [MF_FORMAT_JSON] = {"json", "application/json"},
    [MF_FORMAT_CSV] = {"csv", "text/csv; charset=utf-8; header=present"},
    [MF_FORMAT_JSONL] = {"jsonl", "application/x-ndjson"},
};

/* Media types an Accept header may name, and what each stands for. */
static const struct {
	const char *type;
	int format; /* -1: the endpoint's default */
} accepted_types[] = {
    {"application/json", MF_FORMAT_JSON},
    {"text/csv", MF_FORMAT_CSV},
    {"application/x-ndjson", MF_FORMAT_JSONL},
    {"application/jsonl", MF_FORMAT_JSONL},
    {"application/x-jsonlines", MF_FORMAT_JSONL},
    {"application/*", MF_FORMAT_JSON},
    {"text/*", MF_FORMAT_CSV},
    {"*/*", -1},
};

int
mf_h_query_int(struct mf_request *req, const char *name, int64_t min,
               int64_t max, int64_t def, int64_t *out)
{
	const char *v = mf_http_query(req, name);
	char *end;
	long long n;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter '%s' must be an integer "
		                    "from %lld to %lld",
		                    name, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int
mf_h_query_as_of(struct mf_request *req, int64_t *out, bool *given)
{
	const char *v = mf_http_query(req, "as_of");
	int64_t us;
	size_t i;

	*out = -1;
	*given = v != NULL;
	if (v == NULL)
		return 0;
	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i > 0 && v[i] == '\0')
		return mf_h_query_int(req, "as_of", 0, INT64_MAX - 1, -1, out);
	if (mf_time_parse_rfc3339(v, &us) != 0)
		return mf_error_set(&req->err, MF_E_BAD_PARAM, NULL,
		                    "query parameter 'as_of' must be a log "
		                    "index or an RFC 3339 date-time such as "
		                    "2025-06-01T00:00:00Z");
	return mf_db_log_index_at(out, v, &req->err);
}

int
mf_h_query_as_of_param(struct mf_request *req, char buf[24], const char **out)
{
	int64_t at;
	bool given;
	int rc;

	*out = NULL;
	if ((rc = mf_h_query_as_of(req, &at, &given)) != 0)
		return rc;
	snprintf(buf, 24, "%lld", (long long)at);
	*out = given ? buf : NULL;
	return 0;
}

const char *
mf_format_name(enum mf_format f)
{
	return f < MF_FORMAT__MAX ? formats[f].name : "json";
}

const char *
mf_format_media_type(enum mf_format f)
{
	return f < MF_FORMAT__MAX ? formats[f].media_type : "application/json";
}

/* The q-value of one media range's parameters ("; q=0.5"), 1 by default. */
static double
accept_q(const char *params, size_t n)
{
	const char *p = params, *end = params + n;
	double q = 1.0;

	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p > 2 && (p[0] == 'q' || p[0] == 'Q') &&
		    p[1] == '=') {
			char tmp[16];
			size_t k = 0;

			for (p += 2;
			     p < end && k < sizeof(tmp) - 1 && *p != ';'; p++)
				tmp[k++] = *p;
			tmp[k] = '\0';
			q = strtod(tmp, NULL);
			if (q < 0 || q > 1)
				q = 0;
		}
		while (p < end && *p != ';')
			p++;
	}
	return q;
}

/* Best offered format of an Accept header; -1 when none is acceptable. */
static int
accept_choose(const char *accept, unsigned offered, enum mf_format def)
{
	const char *p = accept;
	double best_q = 0;
	int best = -1;

	while (*p != '\0') {
		const char *item = p, *semi;
		size_t len, tlen, i;
		double q;

		while (*p != '\0' && *p != ',')
			p++;
		len = (size_t)(p - item);
		if (*p == ',')
			p++;
		while (len > 0 && isspace((unsigned char)*item)) {
			item++;
			len--;
		}
		semi = memchr(item, ';', len);
		tlen = semi ? (size_t)(semi - item) : len;
		while (tlen > 0 && isspace((unsigned char)item[tlen - 1]))
			tlen--;
		q = semi ? accept_q(semi, (size_t)(item + len - semi)) : 1.0;
		for (i = 0;
		     i < sizeof(accepted_types) / sizeof(*accepted_types);
		     i++) {
			int f = accepted_types[i].format;

			if (strlen(accepted_types[i].type) != tlen ||
			    strncasecmp(accepted_types[i].type, item, tlen) !=
			        0)
				continue;
			if (f < 0) /* any type: the endpoint's default */
				f = (int)def;
			else if (f == MF_FORMAT_JSON && item[tlen - 1] == '*' &&
			         !(offered & MF_FORMAT_BIT(f)))
				f = MF_FORMAT_JSONL; /* application/ *: JSONL */
			if ((offered & MF_FORMAT_BIT(f)) && q > best_q) {
				best_q = q;
				best = f;
			}
			break;
		}
	}
	return best;
}

int
mf_format_choose(const char *format, const char *accept, unsigned offered,
                 enum mf_format def, enum mf_format *out, struct mf_error *err)
{
	struct mf_buf names = MF_BUF_INIT;
	int f, rc;

	*out = def;
	/* 1. The parameter wins. */
	if (format != NULL) {
		for (f = 0; f < MF_FORMAT__MAX; f++)
			if ((offered & MF_FORMAT_BIT(f)) &&
			    strcmp(format, formats[f].name) == 0) {
				*out = (enum mf_format)f;
				return 0;
			}
		for (f = 0; f < MF_FORMAT__MAX; f++)
			if (offered & MF_FORMAT_BIT(f))
				mf_buf_printf(&names, "%s%s",
				              names.len ? ", " : "",
				              formats[f].name);
		rc = mf_error_set(err, MF_E_BAD_PARAM, NULL,
		                  "query parameter 'format' must be one of: %s",
		                  names.data ? names.data : "");
		mf_buf_dispose(&names);
		return rc;
	}
	/* 2. Else the Accept header, when there is one. */
	if (accept == NULL || accept[strspn(accept, " \t")] == '\0')
		return 0;
	if ((f = accept_choose(accept, offered, def)) >= 0) {
		*out = (enum mf_format)f;
		return 0;
	}
	for (f = 0; f < MF_FORMAT__MAX; f++)
		if (offered & MF_FORMAT_BIT(f))
			mf_buf_printf(&names, "%s%s", names.len ? ", " : "",
			              formats[f].media_type);
	rc = mf_error_set(err, MF_E_NOT_ACCEPTABLE, NULL,
	                  "no acceptable format; this resource is available "
	                  "as %s (or ask with format=)",
	                  names.data ? names.data : "");
	mf_buf_dispose(&names);
	return rc;
}

int
mf_h_format(struct mf_request *req, unsigned offered, enum mf_format def,
            enum mf_format *out)
{
	/* The answer depends on Accept: caches must key on it. */
	if (mf_http_set_header(req, "Vary", "Accept") != 0)
		return mf_error_set(&req->err, MF_E_NOMEM, NULL,
		                    "out of memory");
	return mf_format_choose(mf_http_query(req, "format"),
	                        mf_http_header(req, "Accept"), offered, def,
	                        out, &req->err);
}

int
mf_h_param_slug(struct mf_request *req, int i, const char **out)
{
	const char *v = mf_http_param(req, i);

	*out = v;
	if (!mf_slug_valid(v))
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such resource: %s", req->path);
	return 0;
}

int
mf_h_respond_sql_json(struct mf_request *req, enum mf_sql stmt,
                      const char *missing, int nparams,
                      const char *const *params)
{
	struct mf_buf body = MF_BUF_INIT;
	bool found;
	int rc;

	/* 1. The statement's single json column. */
	if ((rc = mf_db_read_json(&body, &found, stmt, nparams, params,
	                          &req->err)) != 0)
		goto done;
	if (!found) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL, "%s",
		                  missing);
		goto done;
	}
	/* 2. Answered byte for byte. */
	rc = mf_http_respond(req, 200, "application/json",
	                     body.data ? body.data : "", body.len, false);
done:
	mf_buf_dispose(&body);
	return rc;
}

/* What mf_h_query_allowed checks each argument against. */
struct query_allowed {
	struct mf_request *req;
	const char *const *allowed, *const *repeatable;
	const char *seen[32];
	size_t nseen;
};

static bool
listed(const char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static int
query_allowed_one(void *ctx, const char *name, const char *value)
{
	struct query_allowed *q = ctx;
	size_t i;

	(void)value;
	if (!listed(q->allowed, name))
		return mf_error_set(&q->req->err, MF_E_BAD_PARAM, NULL,
		                    "unknown query parameter '%.64s'", name);
	if (listed(q->repeatable, name))
		return 0;
	for (i = 0; i < q->nseen; i++)
		if (strcmp(q->seen[i], name) == 0)
			return mf_error_set(&q->req->err, MF_E_BAD_PARAM, NULL,
			                    "query parameter '%.64s' is given "
			                    "more than once",
			                    name);
	if (q->nseen < sizeof(q->seen) / sizeof(q->seen[0]))
		q->seen[q->nseen++] = name;
	return 0;
}

int
mf_h_query_allowed(struct mf_request *req, const char *const *allowed,
                   const char *const *repeatable)
{
	struct query_allowed q = {req, allowed, repeatable, {0}, 0};

	return mf_http_query_each(req, query_allowed_one, &q);
}

int
mf_h_sql_json(struct mf_request *req, enum mf_sql stmt, int nparams,
              const char *const *params, json_t **out)
{
	struct mf_buf text = MF_BUF_INIT;
	bool found;
	int rc;

	*out = NULL;
	if ((rc = mf_db_read_json(&text, &found, stmt, nparams, params,
	                          &req->err)) != 0 ||
	    !found)
		goto done;
	/* the database wrote it: a parse failure is ours */
	if ((*out = mf_json_parse(text.data, text.len, "result", NULL,
	                          &req->err)) == NULL)
		rc = req->err.code ? req->err.code : MF_E_INTERNAL;
done:
	mf_buf_dispose(&text);
	return rc;
}

int
mf_h_index(struct mf_request *req, const char *id, const struct mf_index **out,
           struct mf_index **owned)
{
	json_t *doc = NULL;
	int rc;

	*owned = NULL;
	*out = NULL;
	if (strcmp(id, MF_INDEX_MODELFACTS_V1) == 0) {
		if ((*out = mf_index_modelfacts_v1()) == NULL)
			return mf_error_set(&req->err, MF_E_INTERNAL, NULL,
			                    "the built-in index does not load");
		return 0;
	}
	if (!mf_index_id_valid(id))
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such index");
	if ((rc = mf_h_sql_json(req, MF_SQL_INDEX_GET, 1, &id, &doc)) != 0)
		return rc;
	if (doc == NULL)
		return mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                    "no such index: %s", id);
	/* it was checked when it was loaded: a failure is ours */
	if ((rc = mf_index_load(owned, doc, &req->err)) != 0)
		rc = MF_E_INTERNAL;
	json_decref(doc);
	*out = *owned;
	return rc;
}
