/* The registry operator's endpoints (Authorization: Bearer <admin token>). */
#ifndef MF_HANDLERS_ADMIN_H
#define MF_HANDLERS_ADMIN_H

#include "http/http.h"

/*
 * POST /v1/admin/orgs {"org", "name", "role", "public_key"?} → 201
 * {"org", "role", "keyid", "alg"}: an organisation and its first key, or
 * an organisation without a key yet (keyid and alg null).
 */
int mf_h_admin_create_org(struct mf_request *req);

/*
 * POST /v1/admin/orgs/{org}/keys {"public_key"} → 201 {"org", "keyid",
 * "alg"}: the first key of an organisation registered without one; 409
 * when it has an active key.
 */
int mf_h_admin_first_key(struct mf_request *req);

/* 0 when the request carries the admin token; otherwise MF_E_UNAUTHORIZED
 * (with WWW-Authenticate set) in req->err. */
int mf_h_require_admin(struct mf_request *req);

#endif
