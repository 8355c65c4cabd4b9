/* The judgements about one version of a model, live or as of a point. */
#ifndef MF_HANDLERS_JUDGEMENTS_H
#define MF_HANDLERS_JUDGEMENTS_H

#include "http/http.h"

/*
 * GET /v1/models/{org}/{model}/versions/{n}/judgements[?as_of=]: every
 * judgement about version n (DESIGN.md §2), by index and judge, each
 * with its indicators' results, justifications and references;
 * including assessments published after the version, unlike the
 * version's immutable label. as_of: a log index or an RFC 3339 instant.
 * n = 0 names an assessment-only model's judgements.
 */
int mf_h_judgements(struct mf_request *req);

#endif
