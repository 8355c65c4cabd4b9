/* Transparency indices: the registry's own (modelfacts-v1, built in) and
 * those an operator loads, such as the FMTI editions. */
#ifndef MF_HANDLERS_INDICES_H
#define MF_HANDLERS_INDICES_H

#include "http/http.h"

/* GET /v1/indices */
int mf_h_indices_list(struct mf_request *req);
/* GET /v1/indices/{id} */
int mf_h_index_get(struct mf_request *req);
/* POST /v1/admin/indices: load an index document (operator only): 201
 * new, 200 the same document again, 409 another document with that id */
int mf_h_admin_put_index(struct mf_request *req);

#endif
