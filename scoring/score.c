/*
 * Scores a disclosure against an index (see score.h): evaluate each
 * indicator's rule (or, for one assessor's judgement, none), let
 * assessments override, then add up per subdomain, domain and overall.
 */
#include "scoring/score.h"

#include "common/json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const result_names[] = {
    [MF_SCORE_NOT_MET] = "not_met",
    [MF_SCORE_MET] = "met",
    [MF_SCORE_NOT_APPLICABLE] = "not_applicable",
    [MF_SCORE_UNASSESSED] = "unassessed",
};

const char *
mf_score_result_name(enum mf_score_result r)
{
	if ((int)r < 0 || r > MF_SCORE_UNASSESSED)
		return "not_met";
	return result_names[r];
}

void
mf_score_free(struct mf_score *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_items; i++) {
		free(s->items[i].pointer);
		free(s->items[i].reason);
	}
	free(s->items);
	free(s->domains);
	free(s->subdomains);
	free(s);
}

static int
set_text(char **dst, const char *src)
{
	free(*dst);
	*dst = NULL;
	if (src == NULL || *src == '\0')
		return 0;
	return (*dst = strdup(src)) != NULL ? 0 : MF_E_NOMEM;
}

static int
automatic(struct mf_score_item *it, const struct mf_index_indicator *ind,
          const json_t *disclosure)
{
	struct mf_rule_eval ev;
	int rc;

	if (ind->rule == NULL) {
		it->result = MF_SCORE_UNASSESSED;
		it->judged_by = NULL;
		return set_text(&it->reason, "no automatic rule; needs an "
		                             "assessment");
	}
	mf_rule_eval(ind->rule, disclosure, &ev);
	it->judged_by = MF_SCORE_JUDGE_REGISTRY;
	switch (ev.result) {
	case MF_RULE_MET:
		it->result = MF_SCORE_MET;
		break;
	case MF_RULE_NA:
		if (ind->allow_na) {
			it->result = MF_SCORE_NOT_APPLICABLE;
		} else {
			/* The field says n.a., but this indicator always
			 * applies: that is a gap, not an exemption. */
			it->result = MF_SCORE_NOT_MET;
			strncat(ev.reason, "; this indicator always applies",
			        sizeof(ev.reason) - strlen(ev.reason) - 1);
		}
		break;
	default:
		it->result = MF_SCORE_NOT_MET;
		break;
	}
	if ((rc = set_text(&it->pointer, ev.pointer)) != 0)
		return rc;
	return set_text(&it->reason,
	                it->result == MF_SCORE_MET ? NULL : ev.reason);
}

/* Applies one assessment's grades to the items it covers. */
static int
apply(struct mf_score *s, const struct mf_score_assessment *a)
{
	const json_t *scores = json_object_get(a->payload, "scores");
	const char *idx_id =
	    json_string_value(json_object_get(a->payload, "index"));
	const char *key;
	json_t *g;
	long i;
	int rc;

	if (idx_id == NULL || strcmp(idx_id, mf_index_id(s->index)) != 0)
		return 0;
	json_object_foreach((json_t *)scores, key, g)
	{
		const json_t *sc = json_object_get(g, "score");
		struct mf_score_item *it;

		if ((i = mf_index_find(s->index, key)) < 0 ||
		    !json_is_integer(sc))
			continue; /* unknown indicator: nothing to grade */
		it = &s->items[i];
		it->result = json_integer_value(sc) == 1 ? MF_SCORE_MET
		                                         : MF_SCORE_NOT_MET;
		it->judged_by = a->assessor;
		it->grade = g;
		if ((rc = set_text(&it->pointer, NULL)) != 0 ||
		    (rc = set_text(&it->reason, NULL)) != 0)
			return rc;
	}
	return 0;
}

static void
count(struct mf_score_total *t, enum mf_score_result r)
{
	if (r == MF_SCORE_NOT_APPLICABLE) {
		t->not_applicable++;
		return;
	}
	t->max++;
	if (r == MF_SCORE_MET)
		t->met++;
	else if (r == MF_SCORE_UNASSESSED)
		t->unassessed++;
}

/* An indicator no rule runs for: graded only if an assessment does. */
static int
ungraded(struct mf_score_item *it)
{
	it->result = MF_SCORE_UNASSESSED;
	it->judged_by = NULL;
	return set_text(&it->reason, "not graded in this assessment");
}

/*
 * The score: with rules (disclosure not NULL) every indicator starts
 * from its automatic result, without them from "unassessed"; then the
 * assessments apply in order.
 */
static int
compute(struct mf_score **out, const struct mf_index *idx,
        const json_t *disclosure, const struct mf_score_assessment *assessments,
        size_t n, struct mf_error *err)
{
	struct mf_score *s;
	size_t i;
	int rc = 0;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	s->index = idx;
	s->n_items = mf_index_indicator_count(idx);
	s->items = calloc(s->n_items, sizeof(*s->items));
	s->domains =
	    calloc(mf_index_domain_count(idx) + 1, sizeof(*s->domains));
	s->subdomains =
	    calloc(mf_index_subdomain_count(idx) + 1, sizeof(*s->subdomains));
	if (s->items == NULL || s->domains == NULL || s->subdomains == NULL) {
		rc = MF_E_NOMEM;
		goto done;
	}
	for (i = 0; i < s->n_items && rc == 0; i++)
		rc = disclosure != NULL
		         ? automatic(&s->items[i], mf_index_indicator(idx, i),
		                     disclosure)
		         : ungraded(&s->items[i]);
	for (i = 0; i < n && rc == 0; i++)
		if (assessments[i].payload != NULL &&
		    assessments[i].assessor != NULL)
			rc = apply(s, &assessments[i]);
	if (rc != 0)
		goto done;
	for (i = 0; i < s->n_items; i++) {
		const struct mf_index_indicator *ind =
		    mf_index_indicator(idx, i);

		count(&s->total, s->items[i].result);
		count(&s->domains[ind->domain], s->items[i].result);
		count(&s->subdomains[ind->subdomain], s->items[i].result);
	}
	*out = s;
	s = NULL;
done:
	mf_score_free(s);
	if (rc != 0)
		mf_error_set(err, rc, NULL, "out of memory");
	return rc;
}

int
mf_score_compute(struct mf_score **out, const struct mf_index *idx,
                 const json_t *disclosure,
                 const struct mf_score_assessment *assessments, size_t n,
                 struct mf_error *err)
{
	json_t *nothing = NULL;
	int rc;

	*out = NULL;
	/* No disclosure reads like an empty one: every field absent. */
	if (disclosure == NULL &&
	    (disclosure = nothing = json_object()) == NULL)
		return mf_error_set(err, MF_E_NOMEM, NULL, "out of memory");
	rc = compute(out, idx, disclosure, assessments, n, err);
	json_decref(nothing);
	return rc;
}

int
mf_score_grades(struct mf_score **out, const struct mf_index *idx,
                const struct mf_score_assessment *assessments, size_t n,
                struct mf_error *err)
{
	return compute(out, idx, NULL, assessments, n, err);
}

const struct mf_score_total *
mf_score_domain(const struct mf_score *s, const char *domain_id)
{
	size_t i;

	for (i = 0; i < mf_index_domain_count(s->index); i++)
		if (strcmp(mf_index_domain(s->index, i)->id, domain_id) == 0)
			return &s->domains[i];
	return NULL;
}

static json_t *
total_json(const char *id, const char *name, const struct mf_score_total *t)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "id", id, "name",
	                 name, "score", (json_int_t)t->met, "max",
	                 (json_int_t)t->max, "not_applicable",
	                 (json_int_t)t->not_applicable, "unassessed",
	                 (json_int_t)t->unassessed);
}

/* Adds key: value when value is not NULL; returns -1 on failure. */
static int
set_opt(json_t *o, const char *key, json_t *value)
{
	if (value == NULL)
		return 0;
	return json_object_set_new(o, key, value);
}

static json_t *
item_json(const struct mf_score *s, size_t i)
{
	const struct mf_index_indicator *ind = mf_index_indicator(s->index, i);
	const struct mf_score_item *it = &s->items[i];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", ind->id, "name",
	              ind->name, "domain",
	              mf_index_domain(s->index, ind->domain)->id, "subdomain",
	              mf_index_subdomain(s->index, ind->subdomain)->id,
	              "result", mf_score_result_name(it->result));
	if (o == NULL)
		return NULL;
	if (set_opt(o, "judged_by",
	            it->judged_by ? json_string(it->judged_by) : NULL) != 0 ||
	    set_opt(o, "pointer",
	            it->pointer ? json_string(it->pointer) : NULL) != 0 ||
	    set_opt(o, "reason", it->reason ? json_string(it->reason) : NULL) !=
	        0)
		goto fail;
	if (it->grade != NULL) {
		const json_t *j = json_object_get(it->grade, "justification");
		const json_t *r = json_object_get(it->grade, "references");

		if ((j != NULL &&
		     json_object_set(o, "justification", (json_t *)j) != 0) ||
		    (r != NULL &&
		     json_object_set(o, "references", (json_t *)r) != 0))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* Sorted, unique judges: the registry and every assessor used. */
static json_t *
judges_json(const struct mf_score *s)
{
	json_t *a = json_array();
	size_t i, j;

	if (a == NULL)
		return NULL;
	for (i = 0; i < s->n_items; i++) {
		const char *who = s->items[i].judged_by;
		json_t *v;
		size_t pos;

		if (who == NULL)
			continue;
		for (j = 0, pos = json_array_size(a); j < json_array_size(a);
		     j++) {
			int c = strcmp(who,
			               json_string_value(json_array_get(a, j)));

			if (c == 0)
				break;
			if (c < 0 && pos == json_array_size(a))
				pos = j;
		}
		if (j < json_array_size(a))
			continue;
		if ((v = json_string(who)) == NULL ||
		    json_array_insert_new(a, pos, v) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The full form, or the summary (each indicator's result by id). */
static json_t *
score_json(const struct mf_score *s, bool summary)
{
	const struct mf_index *idx = s->index;
	json_t *o = NULL, *domains = NULL, *inds = NULL, *d, *subs, *x;
	size_t i, j;

	domains = json_array();
	inds = summary ? json_object() : json_array();
	if (domains == NULL || inds == NULL)
		goto fail;
	for (i = 0; i < mf_index_domain_count(idx); i++) {
		const struct mf_index_domain *dom = mf_index_domain(idx, i);

		if ((d = total_json(dom->id, dom->name, &s->domains[i])) ==
		        NULL ||
		    json_array_append_new(domains, d) != 0 ||
		    (subs = json_array()) == NULL ||
		    json_object_set_new(d, "subdomains", subs) != 0)
			goto fail;
		for (j = 0; j < mf_index_subdomain_count(idx); j++) {
			const struct mf_index_subdomain *sd =
			    mf_index_subdomain(idx, j);

			if (sd->domain != i)
				continue;
			if ((x = total_json(sd->id, sd->name,
			                    &s->subdomains[j])) == NULL ||
			    json_array_append_new(subs, x) != 0)
				goto fail;
		}
	}
	for (i = 0; i < s->n_items; i++) {
		if (summary) {
			x = json_string(
			    mf_score_result_name(s->items[i].result));
			if (x == NULL ||
			    json_object_set_new(
			        inds, mf_index_indicator(idx, i)->id, x) != 0)
				goto fail;
		} else if ((x = item_json(s, i)) == NULL ||
		           json_array_append_new(inds, x) != 0)
			goto fail;
	}
	o = json_pack(
	    "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o*, s:O, s:O}", "index",
	    mf_index_id(idx), "score", (json_int_t)s->total.met, "max",
	    (json_int_t)s->total.max, "met", (json_int_t)s->total.met,
	    "not_met",
	    (json_int_t)(s->total.max - s->total.met - s->total.unassessed),
	    "not_applicable", (json_int_t)s->total.not_applicable, "unassessed",
	    (json_int_t)s->total.unassessed, "judged_by", judges_json(s),
	    "domains", domains, summary ? "results" : "indicators", inds);
	if (o == NULL || !json_is_array(json_object_get(o, "judged_by")))
		goto fail;
	if (mf_index_version(idx) != NULL &&
	    json_object_set_new(o, "index_version",
	                        json_string(mf_index_version(idx))) != 0)
		goto fail;
	json_decref(domains);
	json_decref(inds);
	return o;
fail:
	json_decref(o);
	json_decref(domains);
	json_decref(inds);
	return NULL;
}

json_t *
mf_score_json(const struct mf_score *s)
{
	return score_json(s, false);
}

json_t *
mf_score_summary_json(const struct mf_score *s)
{
	return score_json(s, true);
}
