/*
 * Read endpoints for organisations, models, versions and evals. Each is a
 * single SQL statement whose JSON PostgreSQL builds (see sql.c).
 */
#ifndef MF_HANDLERS_READ_H
#define MF_HANDLERS_READ_H

#include "http/http.h"

int mf_h_orgs_list(struct mf_request *req); /* GET /v1/orgs */
int mf_h_org_get(struct mf_request *req);   /* GET /v1/orgs/{org} */
int mf_h_org_keys(struct mf_request *req);  /* GET /v1/orgs/{org}/keys */
/* GET /v1/models/{org}/{model}[?as_of=RFC3339] */
int mf_h_model_get(struct mf_request *req);
int mf_h_versions_list(struct mf_request *req);
int mf_h_version_get(struct mf_request *req);
/* GET .../versions/{n}/envelope: the accepted bytes, exactly */
int mf_h_version_envelope(struct mf_request *req);
int mf_h_evals_list(struct mf_request *req);

#endif
