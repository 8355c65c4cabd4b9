/*
 * GET /v1/models: search and filter the models, as of a log position,
 * one cursor page at a time, with the total.
 */
#ifndef MF_HANDLERS_SEARCH_H
#define MF_HANDLERS_SEARCH_H

#include "http/http.h"

int mf_h_models_search(struct mf_request *req);

#endif
