/* The route table: every endpoint of the server, in one place. */
#ifndef MF_ROUTES_H
#define MF_ROUTES_H

#include "http/router.h"

extern const struct mf_route mf_routes[];
extern const size_t mf_routes_count;

#endif
