/* GET /v1/mirrors: the git mirrors and how their pushes went. */
#ifndef MF_HANDLERS_MIRRORS_H
#define MF_HANDLERS_MIRRORS_H

#include "http/http.h"

/* GET /v1/mirrors (never touches the database) */
int mf_h_mirrors(struct mf_request *req);

#endif
