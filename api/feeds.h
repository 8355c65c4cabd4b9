/* Atom feeds (RFC 4287) of new model versions. */
#ifndef MF_HANDLERS_FEEDS_H
#define MF_HANDLERS_FEEDS_H

#include "http/http.h"

/*
 * The newest MF_FEED_ENTRIES sequenced versions, newest first, as an
 * Atom feed: registry-wide (GET /v1/feeds/versions.atom), of one
 * organisation (GET /v1/orgs/{org}/feed.atom) or of one model
 * (GET /v1/models/{org}/{model}/feed.atom). An unknown organisation or
 * model is a JSON 404. Cached for a minute, with an ETag.
 */
#define MF_FEED_ENTRIES 50
int mf_h_feed_versions(struct mf_request *req);
int mf_h_feed_org(struct mf_request *req);
int mf_h_feed_model(struct mf_request *req);

#endif
