/*
 * What gitrepo.c and gitrepo_pack.c share: the repository handle and a
 * few helpers. Not for use outside the git layer.
 */
#ifndef MF_GITREPO_INTERNAL_H
#define MF_GITREPO_INTERNAL_H

#include "server/gitrepo.h"

#include <git2.h>
#include <time.h>

/* One line (two for annotated tags) of info/refs. */
struct mf_gitrepo_ref {
	char *name; /* owned, "refs/..." */
	git_oid id;
	git_oid peeled; /* valid when has_peeled: what an annotated tag names */
	bool has_peeled;
};

/* A loose object that is also in a pack, deleted once its grace is over. */
struct mf_gitrepo_pending {
	git_oid id;
	time_t published; /* when its pack appeared in objects/info/packs */
};

struct mf_gitrepo {
	git_repository *repo;
	char *path; /* owned */
	struct mf_gitrepo_options opt;
	bool libgit2_inited;
	unsigned since_pack; /* commits since the last packing */
	/*
	 * Every ref under refs/, sorted by name: info/refs is written from
	 * here after each commit instead of listing (and peeling) all refs
	 * again. Reloaded from the repository by update_server_info.
	 */
	struct mf_gitrepo_ref *refs;
	size_t nrefs, caprefs;
	/* sorted by id */
	struct mf_gitrepo_pending *pending;
	size_t npending;
};

/* Records libgit2's last error message as `what: message`; returns code. */
int mf_gitrepo_fail(struct mf_error *err, int code, const char *what);
/* Strict 40-digit lowercase hex; 0 or -1. */
int mf_gitrepo_parse_id(git_oid *out, const char *hex);

/* Sets (adds or replaces) one entry of the ref cache; 0 or MF_E_NOMEM. */
int mf_gitrepo_refs_set(struct mf_gitrepo *r, const char *name,
                        const git_oid *id, const git_oid *peeled);
/* Writes info/refs from the ref cache (temporary file + rename). */
int mf_gitrepo_write_info_refs(struct mf_gitrepo *r, struct mf_error *err);

#endif
