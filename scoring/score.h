/*
 * Scoring a disclosure against an index: per indicator met, not met, not
 * applicable or unassessed, with the field and reason; subtotals per
 * subdomain and domain; the total and its maximum. Assessments override
 * the automatic result for the indicators they grade and name who judged
 * them; mf_score_grades scores assessments alone, without the rules. The JSON
 * form is what the registry stores in versions.scores and what labels render;
 * it is deterministic (sorted keys, index order).
 */
#ifndef MF_SCORE_H
#define MF_SCORE_H

#include "common/error.h"
#include "scoring/index.h"

#include <jansson.h>
#include <stddef.h>

enum mf_score_result {
	MF_SCORE_NOT_MET = 0,
	MF_SCORE_MET,
	MF_SCORE_NOT_APPLICABLE, /* excluded from the maximum */
	MF_SCORE_UNASSESSED,     /* no rule and no assessment: counts in max */
};

/* "met", "not_met", "not_applicable", "unassessed". */
const char *mf_score_result_name(enum mf_score_result r);

/* Who judged an indicator when no assessment did. */
#define MF_SCORE_JUDGE_REGISTRY "registry"

struct mf_score_assessment {
	const json_t *payload; /* an assessment document (borrowed) */
	const char *assessor;  /* org id of its signer, e.g. "fmti" */
};

struct mf_score_item {
	enum mf_score_result result;
	char *pointer;         /* owned: the field concerned, or NULL */
	char *reason;          /* owned: why not met / n.a., or NULL */
	const char *judged_by; /* borrowed: MF_SCORE_JUDGE_REGISTRY or an
	                          assessor; NULL when unassessed */
	const json_t *grade;   /* borrowed from the assessment: {"score",
	                          "justification", "references"}, or NULL */
};

struct mf_score_total {
	unsigned met;
	unsigned max; /* indicators minus the not-applicable ones */
	unsigned not_applicable;
	unsigned unassessed;
};

struct mf_score {
	const struct mf_index *index; /* borrowed: must outlive the score */
	struct mf_score_item *items;  /* one per indicator, index order */
	size_t n_items;
	struct mf_score_total total;
	struct mf_score_total *domains;    /* per mf_index_domain */
	struct mf_score_total *subdomains; /* per mf_index_subdomain */
};

/*
 * Scores disclosure (may be NULL: nothing disclosed) against idx.
 * Assessments for other indices are ignored; for the same indicator a
 * later assessment overrides an earlier one. Assessment payloads must
 * outlive the score (items borrow from them). Returns 0 or MF_E_NOMEM.
 */
int mf_score_compute(struct mf_score **out, const struct mf_index *idx,
                     const json_t *disclosure,
                     const struct mf_score_assessment *assessments,
                     size_t n_assessments, struct mf_error *err);

/*
 * One assessor's judgement alone (DESIGN.md §2: no judge overrides
 * another): no rule runs, so the indicators the assessments grade get
 * their grades and every other one is "unassessed" (counted in the
 * maximum, judged_by NULL). Same ordering, ownership and errors as
 * mf_score_compute.
 */
int mf_score_grades(struct mf_score **out, const struct mf_index *idx,
                    const struct mf_score_assessment *assessments, size_t n,
                    struct mf_error *err);
void mf_score_free(struct mf_score *score);

/* Subtotal of the domain with this id; NULL when there is none. */
const struct mf_score_total *mf_score_domain(const struct mf_score *score,
                                             const char *domain_id);

/*
 * {"index", "index_version", "score", "max", "met", "not_met",
 *  "not_applicable", "unassessed", "judged_by": [...],
 *  "domains": [{"id", "name", "score", "max", "not_applicable",
 *               "subdomains": [{"id", "name", "score", "max", ...}]}],
 *  "indicators": [{"id", "name", "domain", "subdomain", "result",
 *                  "judged_by", "pointer", "reason", "justification",
 *                  "references"}]}
 * New reference, or NULL when out of memory.
 */
json_t *mf_score_json(const struct mf_score *score);

/*
 * The compact form the registry stores with each version: the same
 * totals and subtotals, and instead of "indicators" a "results" object
 * mapping each indicator id to its result. New reference or NULL.
 */
json_t *mf_score_summary_json(const struct mf_score *score);

#endif
