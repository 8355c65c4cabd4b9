/* Coverage of one index across models, for regulators; and the rule that
 * picks which judge's judgement a cross-model view shows. */
#ifndef MF_HANDLERS_COVERAGE_H
#define MF_HANDLERS_COVERAGE_H

#include "http/http.h"

#include <jansson.h>

/*
 * GET /v1/indices/{id}/coverage[?judge=&as_of=&matrix=1]: per indicator
 * how many models meet it, do not, are not applicable, or were not
 * assessed by the judge shown; totals per domain and subdomain; with
 * matrix=1 the model x indicator matrix, each row naming its judge.
 */
int mf_h_coverage(struct mf_request *req);

/*
 * The judgement about index `index` to show from a judgements array in
 * label_data.h's order (assessors newest first, then the automatic
 * check): judge NULL picks the default of DESIGN.md §2 (the latest
 * assessor's grade where one exists, else the automatic check); a judge
 * ("auto" or an assessor org) picks that judge's. Borrowed; NULL when
 * there is none.
 */
const json_t *mf_h_judgement_pick(const json_t *judgements, const char *index,
                                  const char *judge);

/* Checks query parameter `judge` ("auto" or an organisation id) into
 * *out (NULL: absent, the default); MF_E_BAD_PARAM when malformed. */
int mf_h_query_judge(struct mf_request *req, const char **out);

#endif
