/* Liveness, readiness and version endpoints. */
#ifndef MF_HANDLERS_HEALTH_H
#define MF_HANDLERS_HEALTH_H

#include "http/http.h"

/* GET /healthz: the process is up (never touches the database). */
int mf_h_healthz(struct mf_request *req);
/* GET /readyz: the database answers and its migrations are current. */
int mf_h_readyz(struct mf_request *req);
/* GET /v1/version */
int mf_h_version(struct mf_request *req);
/* GET /v1/openapi.json: the API description (web/static/openapi.json) */
int mf_h_openapi(struct mf_request *req);

#endif
