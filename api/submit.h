/* POST /v1/submissions: a DSSE envelope in, the accepted record out. */
#ifndef MF_HANDLERS_SUBMIT_H
#define MF_HANDLERS_SUBMIT_H

#include "http/http.h"

int mf_h_submit(struct mf_request *req);

#endif
