/*
 * The log as C2SP tlog-tiles (c2sp.org/tlog-tiles) under /tlog/: the same
 * tree and checkpoints as /v1/log/, as static resources that any HTTP
 * cache can hold and `modelfacts admin export-tiles` can copy to a
 * static host.
 */
#ifndef MF_HANDLERS_TLOG_TILES_H
#define MF_HANDLERS_TLOG_TILES_H

#include "http/http.h"

/* GET /tlog/checkpoint: the latest signed checkpoint, cached briefly */
int mf_h_tlog_checkpoint(struct mf_request *req);
/* GET /tlog/tile/{path*}: a hash tile <L>/<N>[.p/<W>] or an entry
 * bundle entries/<N>[.p/<W>] */
int mf_h_tlog_tile(struct mf_request *req);

#endif
