/*
 * The web site's pages (server-rendered HTML built from the API's JSON)
 * and the table the server serves: the API's routes (api/routes.h)
 * followed by the pages'.
 */
#ifndef MF_SITE_ROUTES_H
#define MF_SITE_ROUTES_H

#include "http/router.h"

#include <stddef.h>

extern const struct mf_route mf_site_routes[];
extern const size_t mf_site_routes_count;

/*
 * The server's whole route table, API first: a new array in *out (free()
 * it) of *n routes. 0 or MF_E_NOMEM.
 */
int mf_site_route_table(struct mf_route **out, size_t *n);

/* The 404 for a GET of a path no route has (http options' not_found):
 * an HTML page when the client asks for text/html (a browser), else the
 * JSON error shape, which the API's and the git repository's paths
 * always keep. */
int mf_site_not_found(struct mf_request *req);

#endif
