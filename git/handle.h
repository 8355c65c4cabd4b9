/*
 * The repository handle every file of the git layer works on, and the
 * two helpers they all use (handle.c). Internal to git/: the public view
 * is git/repo.h. Which file owns which fields:
 *
 *   repo.c        repo, path, opt, libgit2_inited, the staged batch
 *                 (nstaged, has_base, base, tip, tags), written and
 *                 dirty (filled as objects are written), sw (merge.c
 *                 marks its MF_GITREPO_PH_MERGE)
 *   odb.c         mempack (the repository's object database owns it)
 *   packobjects.c written and dirty (emptied once packed)
 *   refs.c        refs (the ref cache)
 *   housekeep.c   since_pack, pending
 *   merge.c       merge, oldpacks
 */
#ifndef MF_GIT_HANDLE_H
#define MF_GIT_HANDLE_H

#include "common/error.h"
#include "common/stopwatch.h"
#include "git/repo.h"

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* A tag waiting for its commit's batch to be published. */
struct mf_gitrepo_tagref {
	char *refname;  /* owned, "refs/tags/..." */
	git_oid id;     /* the commit, or the annotated tag object */
	git_oid target; /* the commit */
};

/*
 * An object to pack, and the hash of the name it was written under (0:
 * none): objects of the same name are tried as deltas of each other.
 */
struct mf_gitrepo_obj {
	git_oid id;
	uint32_t name_hash;
};

/* A pack merged into another: still served, no longer listed. */
struct mf_gitrepo_oldpack {
	char name[64];  /* pack-<hex>, without extension */
	time_t dropped; /* when objects/info/packs stopped naming it */
};

struct mf_gitrepo_merge; /* a merge in progress (merge.c) */

struct mf_gitrepo {
	git_repository *repo;
	char *path; /* owned */
	struct mf_gitrepo_options opt;
	bool libgit2_inited;
	unsigned since_pack; /* commits since the last packing */
	/*
	 * New objects go to this in-memory backend (owned by the
	 * repository's object database) and reach the disk as one pack per
	 * flush: a handful of files instead of one per object.
	 */
	git_odb_backend *mempack;
	bool dirty; /* the mempack holds objects */
	/* what this batch wrote into the mempack: the next pack's objects */
	struct mf_gitrepo_obj *written;
	size_t nwritten, capwritten;
	/* the staged batch: main moves from base (or nothing) to tip */
	unsigned nstaged;
	bool has_base;
	git_oid base, tip;
	struct mf_gitrepo_tagref *tags;
	size_t ntags, captags;
	struct mf_gitrepo_oldpack *oldpacks;
	size_t noldpacks;
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
	struct mf_stopwatch sw;         /* enum mf_gitrepo_phase, since open */
	struct mf_gitrepo_merge *merge; /* NULL: none in progress */
};

/* Records libgit2's last error message as `what: message`; returns code. */
int mf_gitrepo_fail(struct mf_error *err, int code, const char *what);
/* Strict 40-digit lowercase hex; 0 or -1. */
int mf_gitrepo_parse_id(git_oid *out, const char *hex);

#endif
