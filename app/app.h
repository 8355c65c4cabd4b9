/*
 * The application state every handler can reach through req->app: the
 * configuration and what start-up established. Set up once in main.c,
 * read-only afterwards (parts with their own locking say so).
 */
#ifndef MF_APP_H
#define MF_APP_H

#include "app/config.h"
#include "app/registry_keys.h"

struct mf_sequencer;
struct mf_logwait;
struct mf_cache;
struct mf_mirror;
struct mf_cosigning;

struct mf_app {
	const struct mf_config *cfg;
	int migrations_latest; /* newest migration this binary carries */
	int migrations_count;
	struct mf_registry_keys keys;
	struct mf_sequencer *sequencer; /* NULL: another process sequences */
	struct mf_logwait *logwait;
	struct mf_cache *cache; /* rendered immutable responses */
	/* the published bare repository, served read-only at /labels.git/ */
	const char *git_dir;
	/* git mirrors (--git-mirror), or NULL; thread-safe (git/mirror.h) */
	struct mf_mirror *mirror;
	/* the witnesses asked for cosignatures (--witnesses), or NULL */
	struct mf_cosigning *cosigning;
};

#endif
