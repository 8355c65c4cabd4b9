/* A model's history and the differences between its versions. */
#ifndef MF_HANDLERS_HISTORY_H
#define MF_HANDLERS_HISTORY_H

#include "http/http.h"

/* GET /v1/models/{org}/{model}/history: every log entry about the model
 * (versions, evals, assessments) with its commit, time and signers */
int mf_h_history(struct mf_request *req);
/* GET /v1/models/{org}/{model}/diff?from=N&to=M: the fields and
 * indicators that changed, the score delta, and a unified diff of the two
 * labels */
int mf_h_diff(struct mf_request *req);

#endif
