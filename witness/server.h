/*
 * The witness's HTTP service (C2SP tlog-witness v1.0.0) on the http/
 * layer: POST /add-checkpoint, GET /<origin hash>/checkpoint (the
 * monitoring call), GET /evidence (the split views it recorded, a JSON
 * array) and GET /healthz. One witness per process; it is borrowed and
 * must outlive the server.
 */
#ifndef MF_WITNESS_SERVER_H
#define MF_WITNESS_SERVER_H

#include "common/error.h"
#include "witness/witness.h"

struct mf_witness_server;

/* Serves w on addr:port (numeric IPv4 or IPv6) with `threads` workers. */
int mf_witness_server_start(struct mf_witness_server **out,
                            struct mf_witness *w, const char *addr,
                            unsigned port, unsigned threads,
                            struct mf_error *err);
/* Stops accepting, lets requests in flight finish, frees. */
void mf_witness_server_stop(struct mf_witness_server *s);

#endif
