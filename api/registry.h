/* What clients need to know about this registry. */
#ifndef MF_HANDLERS_REGISTRY_H
#define MF_HANDLERS_REGISTRY_H

#include "http/http.h"

/* GET /v1/registry: origin and public keys (DESIGN.md §6) */
int mf_h_registry(struct mf_request *req);
/* GET /v1/registry/allowed_signers: for `git verify-commit` */
int mf_h_allowed_signers(struct mf_request *req);

#endif
