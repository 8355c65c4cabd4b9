/*
 * The registry's own identity, set up at start-up: its origin (fixed in
 * the database on first start, so a typo cannot fork its identity), the
 * operator's admin token, and the registry's signing keys.
 */
#ifndef MF_REGISTRY_H
#define MF_REGISTRY_H

#include "common/error.h"

#include <stdbool.h>

struct mf_config;

/*
 * Checks or records the origin and, on first start, creates the admin
 * token: its SHA-256 goes to the database, the token itself to
 * <state-dir>/admin.token (mode 0600), written once and never logged.
 */
int mf_registry_setup(const struct mf_config *cfg, struct mf_error *err);

/*
 * True when the Authorization header carries the admin token ("Bearer
 * <token>"). Compared in constant time against the database's digest.
 * MF_E_UNAVAILABLE when the database cannot tell.
 */
int mf_registry_check_admin(const char *authorization, bool *ok,
                            struct mf_error *err);

#endif
