/*
 * GET /v1/models: search and filter the models, as of a log position,
 * one cursor page at a time, with the total.
 */
#ifndef MF_HANDLERS_SEARCH_H
#define MF_HANDLERS_SEARCH_H

#include "http/http.h"

#include <jansson.h>

int mf_h_models_search(struct mf_request *req);
/*
 * The same filters for an endpoint that counts or tabulates the models
 * GET /v1/models would list (coverage): every filter parameter checked
 * into f as for the list, `index` the index the counts are about (and
 * score filters apply to); `extra` (NULL-terminated) names the
 * endpoint's own parameters, left for it to read. Anything else, and
 * what only orders or pages a list (sort, cursor, after, limit, index),
 * answers 400 naming it; format is the caller's (mf_h_format).
 */
int mf_h_search_filters(struct mf_request *req, json_t *f,
                        const char *const *extra, const char *index);

#endif
