/*
 * The git layer of the publisher (public API; git/README.md tours the
 * files): a bare repository written with libgit2 and the layer's own
 * pack writer, one signed commit per log entry on refs/heads/main (moved
 * only by an atomic compare-and-swap), version tags (in packed-refs), the
 * files a dumb-HTTP client reads (info/refs, objects/info/packs), one
 * pack per flush and geometric merging of packs. Only git/ includes
 * git2.h: nothing here exposes a libgit2 type.
 *
 * A struct mf_gitrepo is used by one thread at a time (libgit2 handles are
 * not shared across threads). Several processes may open the same
 * repository: the compare-and-swap on refs/heads/main is what keeps a
 * second publisher from clobbering the first.
 */
#ifndef MF_GITREPO_H
#define MF_GITREPO_H

#include "common/buf.h"
#include "common/error.h"
#include "common/stopwatch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A commit or object id as lowercase hex, NUL-terminated. */
#define MF_GITREPO_ID_SIZE 41

/* The branch every publication goes to (HEAD points at it). */
#define MF_GITREPO_BRANCH "refs/heads/main"

struct mf_gitrepo;

struct mf_gitrepo_options {
	/*
	 * fsync objects, packs and refs before they are renamed into place
	 * (libgit2's GIT_OPT_ENABLE_FSYNC_GITDIR). This is a process-wide
	 * libgit2 switch: the last mf_gitrepo_open() decides it.
	 */
	bool fsync;
	/*
	 * Publish (write one pack, move main) after this many commits; 1:
	 * every commit is published before mf_gitrepo_commit returns. With
	 * more, commits wait in memory for the batch to fill or for
	 * mf_gitrepo_flush().
	 */
	unsigned batch_max;
	/*
	 * Pack loose objects and delete what is past its grace after this
	 * many published commits; 0: only in mf_gitrepo_pack.
	 */
	unsigned pack_every;
	/*
	 * Milliseconds of pack merging (mf_gitrepo_maintain) after each
	 * flush; 0: none (merging only in mf_gitrepo_maintain and
	 * mf_gitrepo_pack).
	 */
	unsigned merge_budget_ms;
	/*
	 * Seconds a loose object stays after the pack that holds it was
	 * published in objects/info/packs, so that a dumb-HTTP clone that read
	 * the old pack list can still fetch it loose.
	 */
	unsigned prune_grace_s;
};

/*
 * fsync off, batches of 1, housekeeping every 256 commits, 20 ms of
 * merging per flush, 30 s grace.
 */
void mf_gitrepo_options_default(struct mf_gitrepo_options *opt);

/*
 * Opens the bare repository at path, creating it (and missing parent
 * directories) with HEAD -> refs/heads/main when it does not exist. opt
 * may be NULL (defaults). *out is owned by the caller: mf_gitrepo_free.
 */
int mf_gitrepo_open(struct mf_gitrepo **out, const char *path,
                    const struct mf_gitrepo_options *opt, struct mf_error *err);
/* Closes the repository; NULL is fine. */
void mf_gitrepo_free(struct mf_gitrepo *repo);

/*
 * A person with a fixed time: the publisher passes the entry's accepted
 * time so the same input always gives the same commit id.
 */
struct mf_gitrepo_identity {
	const char *name;
	const char *email;
	int64_t when;   /* seconds since the Unix epoch */
	int tz_minutes; /* offset from UTC, e.g. 0 or 120 */
};

enum mf_gitrepo_op { MF_GITREPO_PUT, MF_GITREPO_DELETE };

/*
 * One file change. Paths are relative, '/'-separated, without empty, "."
 * or ".." components or a ".git" component, at most 4095 bytes. Files are
 * stored as mode 100644. Deleting a path that does not exist is a no-op;
 * directories left empty disappear. A path may not turn a file into a
 * directory or the other way round (MF_E_CONFLICT).
 */
struct mf_gitrepo_change {
	enum mf_gitrepo_op op;
	const char *path;
	const void *data; /* PUT: the new content (borrowed) */
	size_t len;
};

/*
 * Turns the commit buffer (data, len) into an armored SSH signature
 * ("-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----",
 * SSHSIG namespace "git") appended to out. Returns 0 or a negative MF_E_*
 * code with err filled in.
 */
typedef int (*mf_gitrepo_sign_fn)(void *ctx, const char *data, size_t len,
                                  struct mf_buf *out, struct mf_error *err);

struct mf_gitrepo_commit_req {
	/*
	 * The commit refs/heads/main is expected to point at, which becomes
	 * the parent: 40 hex digits, or NULL / "" for the first commit. If
	 * main has moved, nothing is published and MF_E_CONFLICT returned.
	 */
	const char *parent;
	const struct mf_gitrepo_change *changes; /* borrowed */
	size_t nchanges;
	/*
	 * The full message: subject, blank line, body, blank line, trailers
	 * ("Log-Index: 42"). Used verbatim, except that a missing final
	 * newline is added.
	 */
	const char *message;
	struct mf_gitrepo_identity author;
	struct mf_gitrepo_identity committer;
	mf_gitrepo_sign_fn sign; /* NULL: an unsigned commit */
	void *sign_ctx;
	/*
	 * Write every object and return the id, but leave refs/heads/main
	 * alone (tests; precomputing an id).
	 */
	bool objects_only;
};

/*
 * Builds the commit: blobs and the changed trees, the (signed) commit,
 * all in memory, and stages it; out receives its id. When the batch is
 * full (always, with batch_max 1) it is published by mf_gitrepo_flush
 * before returning, and that flush's result is returned.
 *
 * Within a batch, req->parent must be the previous staged commit
 * (MF_E_CONFLICT otherwise); the first commit of a batch names the main
 * it expects on disk, checked by the compare-and-swap at flush time.
 * out may be the buffer req->parent points into. On failure out is "".
 */
int mf_gitrepo_commit(struct mf_gitrepo *repo,
                      const struct mf_gitrepo_commit_req *req,
                      char out[MF_GITREPO_ID_SIZE], struct mf_error *err);

/*
 * Publishes what is staged: writes every new object as one pack (+ .idx),
 * lists it in objects/info/packs, writes packed-refs with the staged tags,
 * then moves refs/heads/main from the batch's expected parent to its last
 * commit with a compare-and-swap: that ref update is the commit point.
 * Then rewrites info/refs and does housekeeping whose failures are
 * logged, not returned (the commits are published): every pack_every
 * commits what mf_gitrepo_pack does but merging, and merge_budget_ms of
 * mf_gitrepo_maintain. On MF_E_CONFLICT nothing is published, the tags
 * are taken out of packed-refs again and the staged commits are dropped.
 */
int mf_gitrepo_flush(struct mf_gitrepo *repo, struct mf_error *err);

/* Commits staged and not yet published. */
unsigned mf_gitrepo_staged(const struct mf_gitrepo *repo);

/*
 * Creates refs/tags/<name> (e.g. name "acme/llm-7b/v3") pointing at the
 * commit `target` (40 hex): lightweight when message is NULL, otherwise an
 * annotated tag by tagger. Idempotent: if the tag exists and (peeled)
 * points at the same commit, returns 0; at another commit, MF_E_CONFLICT.
 * A tag of a staged commit is created when that batch is published;
 * otherwise at once.
 */
int mf_gitrepo_tag(struct mf_gitrepo *repo, const char *name,
                   const char *target, const char *message,
                   const struct mf_gitrepo_identity *tagger,
                   struct mf_error *err);

/*
 * The commit refs/heads/main points at on disk (staged commits are not
 * published yet), or "" when there is none yet.
 * MF_E_IO if main points at an object the repository does not have (the
 * repository was damaged, e.g. by a power loss with fsync off: rebuild it
 * from the log).
 */
int mf_gitrepo_head(struct mf_gitrepo *repo, char out[MF_GITREPO_ID_SIZE],
                    struct mf_error *err);

struct mf_gitrepo_trailer {
	char *key;
	char *value;
};

/* The trailers of one commit message; see mf_gitrepo_head_trailers. */
struct mf_gitrepo_trailers {
	char commit[MF_GITREPO_ID_SIZE];
	size_t count;
	struct mf_gitrepo_trailer *items; /* owned, in message order */
};

/*
 * Parses the trailers of the head commit's message. *out is owned by the
 * caller (mf_gitrepo_trailers_free), or NULL when main has no commit yet.
 */
int mf_gitrepo_head_trailers(struct mf_gitrepo *repo,
                             struct mf_gitrepo_trailers **out,
                             struct mf_error *err);
/*
 * The trailers of the commit `commit` (40 hex) and its first parent's id
 * in parent ("" for a root commit): enough to walk the history back.
 * MF_E_NOT_FOUND when there is no such commit (history.c).
 */
int mf_gitrepo_commit_trailers(struct mf_gitrepo *repo, const char *commit,
                               struct mf_gitrepo_trailers **out,
                               char parent[MF_GITREPO_ID_SIZE],
                               struct mf_error *err);
/* The value of the last trailer named key (case-insensitive); borrowed. */
const char *mf_gitrepo_trailer_get(const struct mf_gitrepo_trailers *t,
                                   const char *key);
void mf_gitrepo_trailers_free(struct mf_gitrepo_trailers *t);

/*
 * One slice of pack merging: packs are kept in a geometric progression by
 * size (each at least twice the next smaller one) by merging the smallest
 * ones, copying their compressed entries into one new pack, at most
 * budget_ms of it per call (0: until done; a merge in progress goes on
 * at the next call). The merged packs leave objects/info/packs when the
 * new one is complete and the disk after prune_grace_s. *busy (may be
 * NULL) says whether more is to do. mf_gitrepo_flush calls this with
 * merge_budget_ms after publishing; a caller with idle time may call it
 * too. A failure leaves the packs as they were.
 */
int mf_gitrepo_maintain(struct mf_gitrepo *repo, unsigned budget_ms, bool *busy,
                        struct mf_error *err);

/*
 * Housekeeping, safe against concurrent dumb-HTTP readers (an object is
 * always reachable loose or through the pack list a reader may hold):
 * packs every loose object that is in no pack yet (objects written by
 * other tools) into one new pack and publishes it in objects/info/packs;
 * merges packs until the progression holds (mf_gitrepo_maintain);
 * deletes loose copies and merged packs once prune_grace_s seconds have
 * passed since the list stopped naming them; packs loose tags into
 * packed-refs.
 */
int mf_gitrepo_pack(struct mf_gitrepo *repo, struct mf_error *err);

/*
 * After a crash: removes what a killed writer leaves behind (ref lock
 * files such as refs/heads/main.lock, packed-refs.lock, which would
 * otherwise make every later update fail; temporary info, pack and index
 * files), then rewrites the info files. Call it only while holding the
 * publisher's exclusive lock: a live writer's lock file would be removed too.
 * *removed (may be NULL) receives how many files were removed.
 */
int mf_gitrepo_recover(struct mf_gitrepo *repo, unsigned *removed,
                       struct mf_error *err);

/*
 * Where the git layer's time went since mf_gitrepo_open, per phase (the
 * stopwatch's names: "trees", "commit", ... "merge"): for the publisher's
 * debug log and benchmarks.
 */
enum mf_gitrepo_phase {
	MF_GITREPO_PH_TREES,  /* blobs and trees of new commits */
	MF_GITREPO_PH_COMMIT, /* commit objects, without the signature */
	MF_GITREPO_PH_SIGN,   /* the signing callback */
	MF_GITREPO_PH_PACK,   /* a flush's pack + index, objects/info/packs */
	MF_GITREPO_PH_REFS,   /* main's compare-and-swap, tags */
	MF_GITREPO_PH_INFO,   /* info/refs */
	MF_GITREPO_PH_HOUSE,  /* loose objects, pruning, loose refs */
	MF_GITREPO_PH_MERGE,  /* mf_gitrepo_maintain: merging packs */
	MF_GITREPO_PH__MAX
};
/*
 * The layer's stopwatch (common/stopwatch.h), phases as above; borrowed,
 * valid until mf_gitrepo_free. Copy it to take a snapshot, and give the
 * copy to mf_stopwatch_format to print what a batch cost.
 */
const struct mf_stopwatch *mf_gitrepo_stopwatch(const struct mf_gitrepo *repo);

/* Rewrites info/refs and objects/info/packs from the repository. */
int mf_gitrepo_update_server_info(struct mf_gitrepo *repo,
                                  struct mf_error *err);

#endif
