/*
 * What gitrepo.c and gitrepo_pack.c share: the repository handle and a
 * few helpers. Not for use outside the git layer.
 */
#ifndef MF_GITREPO_INTERNAL_H
#define MF_GITREPO_INTERNAL_H

#include "git/repo.h"

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

/* A tag waiting for its commit's batch to be published. */
struct mf_gitrepo_tagref {
	char *refname;  /* owned, "refs/tags/..." */
	git_oid id;     /* the commit, or the annotated tag object */
	git_oid target; /* the commit */
};

/* A complete pack in objects/pack (see mf_gitrepo_list_packs). */
struct mf_gitrepo_packinfo {
	char name[46]; /* pack-<40 hex>, without extension */
	uint64_t size; /* of the .pack */
	time_t mtime;  /* of the .idx */
};

/* One object of a pack index. */
struct mf_gitrepo_idx_entry {
	git_oid id;
	uint32_t crc; /* CRC-32 of the entry as stored in the pack */
	uint64_t offset;
};

struct mf_gitrepo_merge; /* a merge in progress (gitrepo_merge.c) */

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
	int64_t times[MF_GITREPO_PH__MAX]; /* see mf_gitrepo_times */
	struct mf_gitrepo_merge *merge;    /* NULL: none in progress */
};

/* Adds the time since *since to phase ph and moves *since to now. */
void mf_gitrepo_clock(struct mf_gitrepo *r, enum mf_gitrepo_phase ph,
                      int64_t *since);

/* Records libgit2's last error message as `what: message`; returns code. */
int mf_gitrepo_fail(struct mf_error *err, int code, const char *what);
/* Strict 40-digit lowercase hex; 0 or -1. */
int mf_gitrepo_parse_id(git_oid *out, const char *hex);

/* Sets (adds or replaces) one entry of the ref cache; 0 or MF_E_NOMEM. */
int mf_gitrepo_refs_set(struct mf_gitrepo *r, const char *name,
                        const git_oid *id, const git_oid *peeled);
/* The cached ref named name ("refs/..."), or NULL; borrowed. */
const struct mf_gitrepo_ref *mf_gitrepo_refs_get(const struct mf_gitrepo *r,
                                                 const char *name);
/* Removes name from the cache (nothing when it is not there). */
void mf_gitrepo_refs_unset(struct mf_gitrepo *r, const char *name);
/*
 * Moves refs/heads/main from parent (NULL: it must not exist) to id under
 * git's lock protocol (refs/heads/main.lock, created exclusively), after
 * comparing with its value on disk: the loose file, else packed-refs.
 * MF_E_CONFLICT when it moved or another writer holds the lock.
 */
int mf_gitrepo_swap_main(struct mf_gitrepo *r, const git_oid *parent,
                         const git_oid *id, struct mf_error *err);
/* Writes packed-refs from the ref cache under packed-refs.lock. */
int mf_gitrepo_write_packed_refs(struct mf_gitrepo *r, struct mf_error *err);
/* Writes info/refs from the ref cache (temporary file + rename). */
int mf_gitrepo_write_info_refs(struct mf_gitrepo *r, struct mf_error *err);
/*
 * Records an object written into the mempack, under the file or
 * directory name (len bytes; NULL for commits and tags); 0 or MF_E_NOMEM.
 */
int mf_gitrepo_note_written(struct mf_gitrepo *r, const git_oid *id,
                            const char *name, size_t len);
/*
 * Gives the repository a new object database (gitrepo_odb.c): a mempack
 * for writes (r->mempack, nothing may be staged) above one backend per
 * live pack and the loose objects. The object cache stays.
 */
int mf_gitrepo_odb_reset(struct mf_gitrepo *r, struct mf_error *err);
/* Adds the pack name ("pack-<hex>"), just written, to the database. */
int mf_gitrepo_odb_add_pack(struct mf_gitrepo *r, const char *name,
                            struct mf_error *err);
/* Lists the complete, not merged-away packs in objects/info/packs. */
int mf_gitrepo_write_info_packs(struct mf_gitrepo *r, struct mf_error *err);
/*
 * Writes the mempack's objects as one pack + index, makes it visible to
 * readers (the odb, then objects/info/packs) and empties the mempack.
 */
int mf_gitrepo_write_objects(struct mf_gitrepo *r, struct mf_error *err);

/*
 * Complete packs (their .idx exists) that are not merged away; *out is
 * owned by the caller (free), in no particular order.
 */
int mf_gitrepo_list_packs(struct mf_gitrepo *r,
                          struct mf_gitrepo_packinfo **out, size_t *nout,
                          struct mf_error *err);
/*
 * Writes the pack of the objects objs (reordered and deduplicated in
 * place), read from the mempack or the object database, deltas between
 * objects of the same name where that pays; adds it to the database.
 */
int mf_gitrepo_pack_objects(struct mf_gitrepo *r, struct mf_gitrepo_obj *objs,
                            size_t n, struct mf_error *err);
/* Pack + work on merges and pruning, see gitrepo_pack.c. */
int mf_gitrepo_housekeep(struct mf_gitrepo *r, struct mf_error *err);
/* Deletes merged-away packs whose grace is over. */
void mf_gitrepo_prune_packs(struct mf_gitrepo *r, time_t now);
/* Ends a merge in progress without result (gitrepo_merge.c). */
void mf_gitrepo_merge_free(struct mf_gitrepo_merge *m);

/*
 * A pack being written by the git layer (gitrepo_packfile.c): open with
 * the number of objects it will hold, add or copy exactly that many,
 * finish (renames pack-<sha>.pack, then .idx, into dir; name gets
 * "pack-<sha>"), free (removes what an unfinished one wrote).
 */
struct mf_gitrepo_packw;
int mf_gitrepo_packw_open(struct mf_gitrepo_packw **out, const char *dir,
                          size_t count, bool fsync, struct mf_error *err);
/* A whole object, deflated here. */
int mf_gitrepo_packw_add(struct mf_gitrepo_packw *w, const git_oid *id,
                         git_object_t type, const void *data, size_t len,
                         struct mf_error *err);
/*
 * id as a delta (git's binary delta format, uncompressed) of base, which
 * must be in the same pack; deflated here.
 */
int mf_gitrepo_packw_add_delta(struct mf_gitrepo_packw *w, const git_oid *id,
                               const git_oid *base, const void *delta,
                               size_t len, struct mf_error *err);
/*
 * id as a delta of base, in a representation already deflated (zdata,
 * zlen) that inflates to size bytes: another pack's offset delta
 * rewritten to name its base by id.
 */
int mf_gitrepo_packw_ref_delta(struct mf_gitrepo_packw *w, const git_oid *id,
                               const git_oid *base, size_t size,
                               const void *zdata, size_t zlen,
                               struct mf_error *err);
/* An entry of another pack, as stored there; crc is its index's. */
int mf_gitrepo_packw_copy(struct mf_gitrepo_packw *w, const git_oid *id,
                          const void *entry, size_t len, uint32_t crc,
                          struct mf_error *err);
int mf_gitrepo_packw_finish(struct mf_gitrepo_packw *w, char name[46],
                            struct mf_error *err);
void mf_gitrepo_packw_free(struct mf_gitrepo_packw *w);
/*
 * Encodes target as a delta of base (gitrepo_delta.c) into out: 0, or 1
 * when the delta would exceed max bytes (or there is too little to
 * match), or MF_E_NOMEM.
 */
int mf_gitrepo_delta(struct mf_buf *out, const void *base, size_t blen,
                     const void *target, size_t tlen, size_t max);
/* Every object of a version 2 .idx; *out is owned by the caller. */
int mf_gitrepo_idx_read(const char *path, struct mf_gitrepo_idx_entry **out,
                        size_t *nout, struct mf_error *err);

#endif
