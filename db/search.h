/*
 * The models list across the registry (GET /v1/models and its exports):
 * one statement composed from declared fragments for the filters given,
 * over the narrow temporal tables of migrations/0008 (list_facts,
 * list_search, judgement_facts), so PostgreSQL plans each request's
 * actual filters with their values instead of one statement testing
 * every filter on every row.
 */
#ifndef MF_DB_SEARCH_H
#define MF_DB_SEARCH_H

#include "common/buf.h"
#include "common/error.h"
#include "db/rows.h"

#include <jansson.h>
#include <stdbool.h>

/*
 * The checked filters, as api/search.c builds them: members named as the
 * query parameters (org, q, input, output, access, license,
 * released_from, released_to, min_parameters, max_parameters, judge,
 * min_score, max_score, match, benchmark, metric, min_value, max_value,
 * assessed_by), plus index (default modelfacts-v1), sort (id, name,
 * release_date, parameters, score, updated, relevance), desc, limit,
 * as_of (a log index; absent: the newest entry), cursor
 * ({nf, kn, kt, org, model}: the last row of the previous page) and
 * indicators ([[index, indicator, status], ...]). Values were checked
 * by the caller; they travel as parameters.
 */

/* One page as the JSON of GET /v1/models, appended to *out (cleared). */
int mf_db_models_search(struct mf_buf *out, const json_t *f,
                        struct mf_error *err);

/*
 * Every matching model in sort order (up to f's limit when it has one),
 * one row each, for the CSV and JSON Lines exports: a stream that the
 * caller releases with mf_db_rows_free.
 */
int mf_db_models_rows(struct mf_db_rows **out, const json_t *f,
                      struct mf_error *err);

/*
 * Coverage of index f.index among the models the filters select (as of
 * f.as_of), by judge f.judge (absent: DESIGN.md section 2's default), into
 * *out (new reference): {"models": n, "judges": {judge: models},
 * "met" / "not_met" / "not_applicable": {indicator: models}} and, with
 * with_models, the matrix: "rows": [[org, model, version, judge,
 * judge name, score, max, met codes, not met codes, not applicable codes,
 * when that judgement became the one shown], ...] (judge NULL: none) in
 * org/model order, "codes": {code: indicator id}.
 */
int mf_db_coverage(json_t **out, const json_t *f, bool with_models,
                   struct mf_error *err);

#endif
