/*
 * The models list (see search.h): the statement is written for the
 * filters a request gives, from the fragments below, with every value a
 * parameter ($n). Rows current at the position `at` are those with
 * from_at <= at < to_at (to_at NULL: still current).
 *
 * Why composed and not one statement: 0006's single statement tested
 * every filter on every row (`$1 ->> 'org' IS NULL OR c.org = ...`) and
 * worked out each model's judgement per request; its plans could not use
 * an index for the filter actually given (bench/query: 0.3 to 1.1 s a
 * page over 10,000 models x 5 versions).
 */
#include "db/search.h"
#include "db/exec.h"
#include "db/label.h"
#include "db/publish.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 96

struct q {
	struct mf_buf sql;
	const char *v[MAX_PARAMS];
	char *own[MAX_PARAMS];
	int n;
	int rc;
	/* what the filters asked for */
	const json_t *f;
	bool text;      /* q given: list_search joined, tq and words */
	bool early;     /* the judgement is filtered or sorted on */
	const char *at; /* $n of the position */
	const char *ix; /* $n of the index */
	const char *jg; /* $n of the judge ('*': the default) */
	char pbuf[MAX_PARAMS][16];
};

static void add(struct q *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add(struct q *q, const char *fmt, ...)
{
	va_list ap;

	if (q->rc != 0)
		return;
	va_start(ap, fmt);
	q->rc = mf_buf_vprintf(&q->sql, fmt, ap);
	va_end(ap);
}

/* A parameter holding value (copied); returns its "$n". */
static const char *
arg(struct q *q, const char *value)
{
	if (q->rc != 0 || q->n >= MAX_PARAMS) {
		q->rc = q->rc ? q->rc : MF_E_INTERNAL;
		return "NULL";
	}
	if (value != NULL && (q->own[q->n] = strdup(value)) == NULL) {
		q->rc = MF_E_NOMEM;
		return "NULL";
	}
	q->v[q->n] = q->own[q->n];
	snprintf(q->pbuf[q->n], sizeof(q->pbuf[0]), "$%d", q->n + 1);
	return q->pbuf[q->n++];
}

/* A JSON scalar as a parameter's text (NULL for null or absent). */
static const char *
jarg(struct q *q, const json_t *v)
{
	char num[40];

	if (json_is_string(v))
		return arg(q, json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
		         (long long)json_integer_value(v));
		return arg(q, num);
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return arg(q, num);
	}
	if (json_is_true(v) || json_is_false(v))
		return arg(q, json_is_true(v) ? "true" : "false");
	return arg(q, NULL);
}

/* A JSON array of strings as a text[] parameter. */
static const char *
aarg(struct q *q, const json_t *a)
{
	struct mf_buf b = MF_BUF_INIT;
	const char *p;
	size_t i;
	int rc = mf_db_array_begin(&b);

	for (i = 0; rc == 0 && i < json_array_size(a); i++)
		rc = json_is_string(json_array_get(a, i))
		         ? mf_db_array_push(
		               &b, json_string_value(json_array_get(a, i)))
		         : MF_E_INTERNAL;
	if (rc == 0)
		rc = mf_db_array_end(&b);
	if (rc == 0)
		rc = mf_buf_putc(&b, '\0');
	if (rc != 0) {
		q->rc = MF_E_NOMEM;
		mf_buf_dispose(&b);
		return "NULL";
	}
	p = arg(q, b.data);
	mf_buf_dispose(&b);
	return p;
}

static const json_t *
get(const struct q *q, const char *name)
{
	const json_t *v = json_object_get(q->f, name);

	return json_is_null(v) ? NULL : v;
}

/* Rows of table alias t current at the position. */
static void
current(struct q *q, const char *t)
{
	add(q, "%s.from_at <= %s AND (%s.to_at IS NULL OR %s.to_at > %s)", t,
	    q->at, t, t, q->at);
}

/* judgement_facts alias j of the row of alias c, for index ix, judge jg. */
static void
judgement_on(struct q *q, const char *j, const char *c, const char *ix)
{
	add(q,
	    "%s.org = %s.org AND %s.model = %s.model AND %s.version = "
	    "%s.version AND %s.index_id = %s AND %s.judge = %s AND ",
	    j, c, j, c, j, c, j, ix, j, q->jg);
	current(q, j);
}

/* Free text: every word a prefix; when no current model matches them
 * all, any word may ("IBM flagship": IBM's models), rarer words weighing
 * more (IDF over the current models). */
static void
text_ctes(struct q *q)
{
	const char *words = arg(q, json_string_value(get(q, "q")));

	add(q,
	    "w0 AS MATERIALIZED (SELECT"
	    " to_tsquery('simple', string_agg(w || ':*', ' & ')) AS tq_all,"
	    " to_tsquery('simple', string_agg(w || ':*', ' | ')) AS tq_any"
	    " FROM regexp_split_to_table(lower(%s::text), '[^[:alnum:]]+') w"
	    " WHERE w <> ''),"
	    "tq AS MATERIALIZED (SELECT CASE WHEN numnode(tq_all) = 1 OR EXISTS"
	    " (SELECT 1 FROM list_search s JOIN list_facts c ON c.id = s.id"
	    "  WHERE s.search @@ w0.tq_all AND ",
	    words);
	current(q, "c");
	add(q, ") THEN 'all' ELSE 'any' END AS qm FROM w0),"
	       "tqq AS MATERIALIZED (SELECT tq.qm, CASE tq.qm WHEN 'all' THEN"
	       " w0.tq_all ELSE w0.tq_any END AS q FROM tq, w0),"
	       /* MATERIALIZED, or the weights are counted again per hit */
	       "words AS MATERIALIZED (SELECT wq, ln(1 + (SELECT count(*)"
	       " FROM list_facts c WHERE ");
	current(q, "c");
	add(q, ")::float8 / greatest(1, (SELECT count(*) FROM list_search s"
	       " JOIN list_facts c ON c.id = s.id WHERE s.search @@ wq AND ");
	current(q, "c");
	add(q,
	    "))) AS idf FROM tqq, LATERAL (SELECT DISTINCT"
	    " to_tsquery('simple', w || ':*') AS wq"
	    " FROM regexp_split_to_table(lower(%s::text), '[^[:alnum:]]+') w"
	    " WHERE w <> '') x WHERE tqq.qm = 'any'),",
	    words);
}

/* One indicator filter [index, indicator, status]. */
static void
indicator_clause(struct q *q, const json_t *t)
{
	const char *ix = jarg(q, json_array_get(t, 0));
	const char *ind = jarg(q, json_array_get(t, 1));
	const char *st = json_string_value(json_array_get(t, 2));
	const char *set = "i.met || i.not_met || i.not_applicable";
	bool unassessed = strcmp(st, "unassessed") == 0;

	if (strcmp(st, "met") == 0)
		set = "i.met";
	else if (strcmp(st, "not_met") == 0)
		set = "i.not_met";
	else if (strcmp(st, "not_applicable") == 0)
		set = "i.not_applicable";
	add(q, "%sEXISTS (SELECT 1 FROM judgement_facts i WHERE ",
	    unassessed ? "NOT " : "");
	judgement_on(q, "i", "c", ix);
	add(q,
	    " AND (%s) @> ARRAY[(SELECT ic.code FROM indicator_codes ic"
	    " WHERE ic.index_id = %s AND ic.indicator = %s)])",
	    set, ix, ind);
}

/* The WHERE clause of the hits: each filter given, ANDed. */
static void
filters(struct q *q)
{
	static const struct {
		const char *name, *before, *after; /* before $n after */
	} simple[] = {
	    {"org", "c.org = ", ""},
	    {"license", "lower(c.license) = lower(", "::text)"},
	    {"released_from", "c.release_date >= ", "::date"},
	    {"released_to", "c.release_date <= ", "::date"},
	    {"min_parameters", "c.parameters >= ", "::float8"},
	    {"max_parameters", "c.parameters <= ", "::float8"},
	    {"min_score", "j.score >= ", "::float8"},
	    {"max_score", "j.score <= ", "::float8"},
	};
	const json_t *v, *inds;
	size_t i;

	current(q, "c");
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if ((v = get(q, simple[i].name)) != NULL)
			add(q, " AND %s%s%s", simple[i].before, jarg(q, v),
			    simple[i].after);
	if ((v = get(q, "input")) != NULL)
		add(q, " AND c.input_modalities @> %s::text[]", aarg(q, v));
	if ((v = get(q, "output")) != NULL)
		add(q, " AND c.output_modalities @> %s::text[]", aarg(q, v));
	if ((v = get(q, "access")) != NULL)
		add(q, " AND c.access = ANY (%s::text[])", aarg(q, v));
	if (q->text)
		add(q, " AND s.search @@ tqq.q");
	if ((inds = get(q, "indicators")) != NULL &&
	    json_array_size(inds) > 0) {
		bool any =
		    json_is_string(get(q, "match")) &&
		    strcmp(json_string_value(get(q, "match")), "any") == 0;

		add(q, " AND (");
		for (i = 0; i < json_array_size(inds); i++) {
			if (i > 0)
				add(q, any ? " OR " : " AND ");
			indicator_clause(q, json_array_get(inds, i));
		}
		add(q, ")");
	}
	if ((v = get(q, "benchmark")) != NULL) {
		add(q,
		    " AND EXISTS (SELECT 1 FROM evals e JOIN submissions es"
		    " ON es.id = e.submission_id WHERE e.org = c.org"
		    " AND e.model = c.model AND es.log_index <= %s"
		    " AND e.benchmark = %s",
		    q->at, jarg(q, v));
		if ((v = get(q, "metric")) != NULL)
			add(q, " AND e.metric = %s", jarg(q, v));
		if ((v = get(q, "min_value")) != NULL)
			add(q, " AND e.value >= %s::float8", jarg(q, v));
		if ((v = get(q, "max_value")) != NULL)
			add(q, " AND e.value <= %s::float8", jarg(q, v));
		add(q, ")");
	}
	if ((v = get(q, "assessed_by")) != NULL)
		add(q,
		    " AND EXISTS (SELECT 1 FROM assessments a JOIN submissions"
		    " sa ON sa.id = a.submission_id WHERE a.org = c.org"
		    " AND a.model = c.model AND a.assessor = %s"
		    " AND (a.version IS NULL OR a.version = c.version)"
		    " AND sa.log_index <= %s)",
		    jarg(q, v), q->at);
}

/* The sort key of a hit h: kt text, kn number, nf 1 for rows without one
 * (last in either direction). */
static void
sort_keys(struct q *q, const char *sort)
{
	static const struct {
		const char *sort, *kt, *kn;
	} keys[] = {
	    {"id", "NULL::text", "NULL::float8"},
	    {"name", "lower(coalesce(h.name, h.model)) COLLATE \"C\"",
	     "NULL::float8"},
	    {"release_date", "NULL::text",
	     "(h.release_date - date '1970-01-01')::float8"},
	    {"parameters", "NULL::text", "h.parameters"},
	    {"score", "NULL::text", "h.score::float8"},
	    {"updated", "NULL::text",
	     "extract(epoch FROM h.updated_at)::float8"},
	    {"relevance", "NULL::text", "h.rank"},
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].sort, sort) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		i = 0;
	add(q, "keyed AS (SELECT h.*, %s AS kt, %s AS kn FROM hit h),",
	    keys[i].kt, keys[i].kn);
	add(q,
	    "nk AS (SELECT k.*, CASE WHEN %s OR k.kn IS NOT NULL THEN 0"
	    " ELSE 1 END AS nf FROM keyed k)",
	    i <= 1 ? "true" : "false");
}

static void
order_by(struct q *q, const char *k, bool desc)
{
	const char *d = desc ? " DESC" : "";

	add(q,
	    "%s.nf, %s.kn%s, %s.kt%s, %s.org COLLATE \"C\", %s.model "
	    "COLLATE \"C\"",
	    k, k, d, k, d, k, k);
}

/* After the previous page's last row (the cursor), in sort order. */
static void
after_cursor(struct q *q, bool desc)
{
	const json_t *c = get(q, "cursor");
	const char *nf, *kn, *kt, *org, *model;

	if (c == NULL)
		return;
	nf = jarg(q, json_object_get(c, "nf"));
	kn = jarg(q, json_object_get(c, "kn"));
	kt = jarg(q, json_object_get(c, "kt"));
	org = jarg(q, json_object_get(c, "org"));
	model = jarg(q, json_object_get(c, "model"));
	add(q,
	    " WHERE k.nf > %s::int OR (k.nf = %s::int AND ("
	    "(k.kn IS NOT DISTINCT FROM %s::float8"
	    " AND k.kt IS NOT DISTINCT FROM %s::text COLLATE \"C\""
	    " AND (k.org COLLATE \"C\", k.model COLLATE \"C\") > (%s::text,"
	    " %s::text)) OR coalesce(k.kn %s %s::float8 OR k.kt %s %s::text"
	    " COLLATE \"C\", false)))",
	    nf, nf, kn, kt, org, model, desc ? "<" : ">", kn, desc ? "<" : ">",
	    kt);
}

/* WITH ... hit, keyed, nk: the matching models with their sort keys. */
static void
hits(struct q *q)
{
	const json_t *sort = get(q, "sort");
	const char *s = json_is_string(sort) ? json_string_value(sort) : "id";

	q->early = get(q, "min_score") != NULL || get(q, "max_score") != NULL ||
	           strcmp(s, "score") == 0;
	add(q, "WITH ");
	if (q->text)
		text_ctes(q);
	add(q, "hit AS MATERIALIZED (SELECT c.id, c.org, c.model, c.version,"
	       " c.name, c.developer, c.access, c.license, c.input_modalities,"
	       " c.output_modalities, c.parameters, c.release_date,"
	       " c.updated_at, c.model_version, c.score_total, c.score_max, ");
	if (q->early)
		add(q, "j.judged_by AS judge, j.score, j.max, ");
	if (q->text)
		add(q, "CASE WHEN tqq.qm = 'any' THEN (SELECT sum(idf) FROM"
		       " words WHERE s.search @@ words.wq) + ts_rank(s.search,"
		       " tqq.q)::float8 ELSE ts_rank(s.search, tqq.q)::float8"
		       " END AS rank");
	else
		add(q, "NULL::float8 AS rank");
	add(q, " FROM list_facts c");
	if (q->text)
		add(q, " JOIN list_search s ON s.id = c.id CROSS JOIN tqq");
	if (q->early) {
		add(q, " LEFT JOIN judgement_facts j ON ");
		judgement_on(q, "j", "c", q->ix);
	}
	add(q, " WHERE ");
	filters(q);
	add(q, "),");
	sort_keys(q, s);
}

static bool
descending(const struct q *q)
{
	return json_is_true(get(q, "desc"));
}

/* One page as JSON: the rows, total, cursor (and next for sort=id). */
static void
page_json(struct q *q)
{
	const json_t *sort = get(q, "sort");
	const char *s = json_is_string(sort) ? json_string_value(sort) : "id";
	bool desc = descending(q);
	char shown[40];
	const char *lim = jarg(q, get(q, "limit"));
	const char *shown_p, *judge_shown;

	snprintf(shown, sizeof(shown), "%s%s",
	         desc && strcmp(s, "relevance") != 0 ? "-" : "", s);
	shown_p = arg(q, shown);
	judge_shown = jarg(q, get(q, "judge"));
	add(q, ", page AS (SELECT k.* FROM nk k");
	after_cursor(q, desc);
	add(q, " ORDER BY ");
	order_by(q, "k", desc);
	add(q, " LIMIT %s::int + 1),", lim);
	add(q, "numbered AS (SELECT k.*, row_number() OVER (ORDER BY ");
	order_by(q, "k", desc);
	add(q, ") AS rn FROM page k)");
	if (q->early)
		add(q, ", shown AS (SELECT n.*, n.judge AS jj, n.score AS js,"
		       " n.max AS jm FROM numbered n)");
	else {
		add(q, ", shown AS (SELECT n.*, j.judged_by AS jj, j.score AS"
		       " js, j.max AS jm FROM numbered n LEFT JOIN"
		       " judgement_facts j ON ");
		judgement_on(q, "j", "n", q->ix);
		add(q, ")");
	}
	add(q,
	    " SELECT json_build_object('as_of', CASE WHEN %s::bigint >= 0"
	    " THEN %s::bigint END, 'sort', %s::text, 'index', %s::text,"
	    " 'judge', coalesce(%s::text, 'default'), 'q_matched', %s,"
	    " 'total', (SELECT count(*) FROM hit),"
	    " 'models', coalesce((SELECT json_agg(json_build_object("
	    "  'org', n.org, 'model', n.model, 'name', n.name,"
	    "  'version', nullif(n.version, 0),"
	    "  'assessment_only', n.version = 0,"
	    "  'model_version', n.model_version, 'developer', n.developer,"
	    "  'release_date', n.release_date, 'access', n.access,"
	    "  'license', n.license, 'parameters', n.parameters,"
	    "  'modalities', json_build_object('input', n.input_modalities,"
	    "   'output', n.output_modalities),"
	    "  'updated_at', n.updated_at,"
	    "  'score', json_build_object('total', n.score_total,"
	    "   'max', n.score_max),"
	    "  'judgement', CASE WHEN n.jj IS NOT NULL THEN"
	    "   json_build_object('index', %s::text, 'judge', n.jj,"
	    "   'score', n.js, 'max', n.jm) END,"
	    "  'rank', n.rank) ORDER BY n.rn)"
	    "  FROM shown n WHERE n.rn <= %s::int), '[]'),"
	    " 'cursor', (SELECT translate(encode(convert_to(json_build_array("
	    "   %s::bigint, %s::text, n.nf, n.kn::text, n.kt, n.org,"
	    "   n.model)::text, 'UTF8'), 'base64'), E'+/=\\n', '-_')"
	    "  FROM numbered n WHERE n.rn = %s::int AND EXISTS (SELECT 1"
	    "   FROM numbered m WHERE m.rn > %s::int)),"
	    " 'next', (SELECT n.org || '/' || n.model FROM numbered n"
	    "  WHERE %s::text = 'id' AND n.rn = %s::int AND EXISTS (SELECT 1"
	    "   FROM numbered m WHERE m.rn > %s::int)))",
	    q->at, q->at, shown_p, q->ix, judge_shown,
	    q->text ? "(SELECT qm FROM tq)" : "NULL::text", q->ix, lim, q->at,
	    shown_p, lim, lim, shown_p, lim, lim);
}

/* Every hit as a row, for the exports. */
static void
rows_select(struct q *q)
{
	const json_t *lim = get(q, "limit");
	bool desc = descending(q);

	/* the first eight columns as the export had them first; the rest
	 * after them (README, versioning: new columns at the end) */
	add(q, " SELECT n.org, n.model, nullif(n.version, 0) AS version,"
	       " n.model_version, n.release_date::text AS release_date,"
	       " n.score_total, n.score_max,"
	       " to_json(n.updated_at) #>> '{}' AS updated_at, n.name,"
	       " n.developer, n.access, n.license, n.parameters,"
	       " array_to_string(n.input_modalities, ' ') AS input_modalities,"
	       " array_to_string(n.output_modalities, ' ')"
	       " AS output_modalities, ");
	if (q->early)
		add(q, "n.judge, n.score AS judge_score, n.max AS judge_max");
	else
		add(q, "j.judged_by AS judge, j.score AS judge_score,"
		       " j.max AS judge_max");
	add(q, " FROM (SELECT k.* FROM nk k");
	after_cursor(q, desc);
	add(q, ") n");
	if (!q->early) {
		add(q, " LEFT JOIN judgement_facts j ON ");
		judgement_on(q, "j", "n", q->ix);
	}
	add(q, " ORDER BY ");
	order_by(q, "n", desc);
	if (lim != NULL)
		add(q, " LIMIT %s::int", jarg(q, lim));
}

static void
q_dispose(struct q *q)
{
	int i;

	for (i = 0; i < q->n; i++)
		free(q->own[i]);
	mf_buf_dispose(&q->sql);
}

/* The parameters every statement starts with: position, index, judge. */
static int
q_begin(struct q *q, const json_t *f, struct mf_error *err)
{
	const json_t *as_of = json_object_get(f, "as_of");
	const json_t *judge = json_object_get(f, "judge");
	const json_t *ix = json_object_get(f, "index");
	int64_t at = -1;
	char buf[24];
	int rc;

	memset(q, 0, sizeof(*q));
	mf_buf_init(&q->sql, 0);
	q->f = f;
	q->text = json_is_string(json_object_get(f, "q"));
	/* the newest entry, read first so the plan knows the position */
	if (json_is_integer(as_of))
		at = json_integer_value(as_of);
	else if ((rc = mf_db_log_index_at(&at, "infinity", err)) != 0)
		return rc;
	/* the facts as far as that position (a read after a 201 shows it) */
	if (at >= 0 &&
	    (rc = mf_db_facts_catch_up(at, INT32_MAX, NULL, err)) != 0)
		return rc;
	snprintf(buf, sizeof(buf), "%lld", (long long)at);
	q->at = arg(q, buf);
	q->ix = arg(q, json_is_string(ix) ? json_string_value(ix)
	                                  : "modelfacts-v1");
	q->jg = arg(q, json_is_string(judge) ? json_string_value(judge) : "*");
	return q->rc ? mf_error_set(err, q->rc, NULL, "out of memory") : 0;
}

static int
q_end(struct q *q, struct mf_error *err)
{
	if (q->rc == 0)
		q->rc = mf_buf_putc(&q->sql, '\0');
	if (q->rc != 0)
		return mf_error_set(err, q->rc, NULL, "out of memory");
	return 0;
}

int
mf_db_models_search(struct mf_buf *out, const json_t *f, struct mf_error *err)
{
	PGresult *res = NULL;
	struct q q;
	int rc;

	/* 1. The statement for these filters. */
	mf_buf_clear(out);
	if ((rc = q_begin(&q, f, err)) != 0)
		goto done;
	hits(&q);
	page_json(&q);
	if ((rc = q_end(&q, err)) != 0)
		goto done;
	/* 2. Its single JSON value, as PostgreSQL wrote it. */
	if ((res = mf_db_exec_text(q.sql.data, q.n, q.v, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		rc = mf_error_set(err, MF_E_INTERNAL, NULL, "internal error");
		goto done;
	}
	if ((rc = mf_buf_append(out, PQgetvalue(res, 0, 0),
	                        (size_t)PQgetlength(res, 0, 0))) != 0)
		mf_error_set(err, rc, NULL, "out of memory");
done:
	PQclear(res);
	q_dispose(&q);
	return rc;
}

int
mf_db_models_rows(struct mf_db_rows **out, const json_t *f,
                  struct mf_error *err)
{
	struct q q;
	int rc;

	*out = NULL;
	if ((rc = q_begin(&q, f, err)) != 0)
		goto done;
	hits(&q);
	rows_select(&q);
	if ((rc = q_end(&q, err)) != 0)
		goto done;
	rc = mf_db_rows_open_text(out, q.sql.data, q.n, q.v, err);
done:
	q_dispose(&q);
	return rc;
}

int
mf_db_coverage(json_t **out, const json_t *f, bool with_models,
               struct mf_error *err)
{
	static const char *const sets[] = {"met", "not_met", "not_applicable"};
	PGresult *res = NULL;
	json_error_t jerr;
	struct q q;
	size_t i;
	int rc;

	/* 1. The models the filters select, and their judgements. */
	*out = NULL;
	if ((rc = q_begin(&q, f, err)) != 0)
		goto done;
	hits(&q);
	add(&q, ", jf AS MATERIALIZED (SELECT h.org, h.model, h.version,"
	        " j.judged_by, j.score, j.max, j.from_at, j.met, j.not_met,"
	        " j.not_applicable FROM hit h JOIN judgement_facts j ON ");
	judgement_on(&q, "j", "h", q.ix);
	/* 2. Counted per indicator: models with the same set counted once
	 * (bench/query: 4,415 sets among 10,000 models), codes named last. */
	add(&q, ") SELECT json_build_object('models', (SELECT count(*) FROM"
	        " hit), 'judges', (SELECT coalesce(json_object_agg(x.judged_by,"
	        " x.n), '{}') FROM (SELECT judged_by, count(*) AS n FROM jf"
	        " GROUP BY 1) x)");
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		add(&q,
		    ", '%s', (SELECT coalesce(json_object_agg(ic.indicator,"
		    " x.n), '{}') FROM (SELECT u.code, sum(g.n) AS n FROM"
		    " (SELECT jf.%s AS codes, count(*) AS n FROM jf GROUP BY 1)"
		    " g, unnest(g.codes) u(code) GROUP BY u.code) x JOIN"
		    " indicator_codes ic ON ic.index_id = %s AND ic.code ="
		    " x.code)",
		    sets[i], sets[i], q.ix);
	/* 3. The matrix: per model its judgement shown, the indicator sets
	 * as codes, and the codes' names */
	if (with_models)
		add(&q,
		    ", 'rows', (SELECT "
		    "coalesce(json_agg(json_build_array(h.org,"
		    " h.model, h.version, jf.judged_by, o.name, jf.score,"
		    " jf.max, jf.met, jf.not_met, jf.not_applicable,"
		    " s.accepted_at) ORDER BY h.org COLLATE \"C\", h.model"
		    " COLLATE \"C\"), '[]') FROM hit h LEFT JOIN jf"
		    " ON jf.org = h.org AND jf.model = h.model"
		    " AND jf.version = h.version LEFT JOIN orgs o"
		    " ON o.org = jf.judged_by LEFT JOIN submissions s"
		    " ON s.log_index = jf.from_at), 'codes', (SELECT"
		    " coalesce(json_object_agg(ic.code, ic.indicator), '{}')"
		    " FROM indicator_codes ic WHERE ic.index_id = %s)",
		    q.ix);
	add(&q, ")");
	if ((rc = q_end(&q, err)) != 0)
		goto done;
	if ((res = mf_db_exec_text(q.sql.data, q.n, q.v, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	/* 4. Handed over as JSON. */
	if (PQntuples(res) != 1 ||
	    (*out = json_loadb(PQgetvalue(res, 0, 0),
	                       (size_t)PQgetlength(res, 0, 0), 0, &jerr)) ==
	        NULL)
		rc = mf_error_set(err, MF_E_INTERNAL, NULL, "internal error");
done:
	PQclear(res);
	q_dispose(&q);
	return rc;
}
