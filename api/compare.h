/* Several models side by side: facts, index scores, eval results. */
#ifndef MF_HANDLERS_COMPARE_H
#define MF_HANDLERS_COMPARE_H

#include "http/http.h"

/*
 * GET /v1/compare?model=org/a&model=org/b[@version]...[&judge=&as_of=]:
 * 2 to 8 models. Facts aligned field by field with units normalised
 * (parameters, tokens, FLOP, hours, MWh, tCO2e) and differences flagged;
 * per index each model's score by domain (judge: DESIGN.md §2's default
 * unless named) and the indicators whose results differ; eval results
 * aligned by benchmark+metric, self-reported and third-party side by
 * side, the best model named (lower_is_better respected), and a
 * developer's self-reported figure that a third party's signed result
 * contradicts beyond the tolerance flagged (see COMPARE_TOLERANCE).
 */
int mf_h_compare(struct mf_request *req);

#endif
