/*
 * Parsed public keys by key id. A key id is the SHA-256 of the key itself,
 * so a parsed key never goes stale; status (active/revoked) is not cached
 * and always comes from the database. Thread-safe.
 */
#ifndef MF_KEYCACHE_H
#define MF_KEYCACHE_H

#include "common/error.h"
#include "envelope/keys.h"

/*
 * The parsed key for keyid, parsing `public_key` (as registered) on first
 * use. The algorithm is `alg` as registered (an Ed25519 key may be
 * registered as ssh-ed25519). Normally the key is cached and borrowed
 * (valid until mf_keycache_clear()) and *owned is 0; when the table is
 * full it is new and *owned is 1: the caller frees it.
 */
int mf_keycache_get(const struct mf_key **out, int *owned, const char *keyid,
                    const char *alg, const char *public_key,
                    struct mf_error *err);
/* Frees every cached key (at shutdown). */
void mf_keycache_clear(void);

#endif
