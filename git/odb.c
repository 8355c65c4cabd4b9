/*
 * The object database the git layer works through: new objects go to an
 * in-memory mempack (they reach the disk as one pack per flush); reads
 * fall through to the live packs, the ones objects/info/packs lists, one
 * libgit2 backend each, then to loose objects (left by other tools).
 *
 * libgit2's own object database would scan objects/pack for new packs
 * whenever a lookup misses, which happens for every object about to be
 * written (about nine directory listings per published entry), and would
 * keep every pack it ever saw, merged-away ones included, until the
 * repository is reopened, which also drops the cache of parsed trees.
 * Here the live packs are exactly those this layer wrote or kept: a new
 * pack is added, and a merge rebuilds the database (mf_gitrepo_odb_reset)
 * while the repository and its object cache stay. A pack someone else
 * wrote is found after the next reset or reopen.
 */
#include "git/odb.h"
#include "git/serverinfo.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The loose-object backend, minus freshening: libgit2 freshens the loose
 * copy of every object it writes (a failed open for a new one); we pack
 * loose objects rather than keep them, so their age does not matter.
 */
struct quiet {
	git_odb_backend parent;
	git_odb_backend *inner;
};

#define INNER(b) (((struct quiet *)(b))->inner)

static int
q_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b,
       const git_oid *id)
{
	return INNER(b)->read(data, len, type, INNER(b), id);
}

static int
q_read_prefix(git_oid *out, void **data, size_t *len, git_object_t *type,
              git_odb_backend *b, const git_oid *id, size_t n)
{
	return INNER(b)->read_prefix(out, data, len, type, INNER(b), id, n);
}

static int
q_read_header(size_t *len, git_object_t *type, git_odb_backend *b,
              const git_oid *id)
{
	return INNER(b)->read_header(len, type, INNER(b), id);
}

static int
q_exists(git_odb_backend *b, const git_oid *id)
{
	return INNER(b)->exists(INNER(b), id);
}

static int
q_exists_prefix(git_oid *out, git_odb_backend *b, const git_oid *id, size_t n)
{
	return INNER(b)->exists_prefix(out, INNER(b), id, n);
}

static int
q_foreach(git_odb_backend *b, git_odb_foreach_cb cb, void *payload)
{
	return INNER(b)->foreach (INNER(b), cb, payload);
}

/* "Not here": the write goes on to the mempack without a syscall. */
static int
q_freshen(git_odb_backend *b, const git_oid *id)
{
	(void)b;
	(void)id;
	return 1;
}

static void
q_free(git_odb_backend *b)
{
	INNER(b)->free(INNER(b));
	free(b);
}

/* Wraps inner (taken over, freed with the wrapper, also on failure). */
static int
quiet_new(git_odb_backend **out, git_odb_backend *inner)
{
	struct quiet *q = calloc(1, sizeof(*q));

	*out = NULL;
	if (q == NULL ||
	    git_odb_init_backend(&q->parent, GIT_ODB_BACKEND_VERSION) < 0) {
		free(q);
		inner->free(inner);
		return -1;
	}
	q->inner = inner;
	q->parent.read = inner->read ? q_read : NULL;
	q->parent.read_prefix = inner->read_prefix ? q_read_prefix : NULL;
	q->parent.read_header = inner->read_header ? q_read_header : NULL;
	q->parent.exists = inner->exists ? q_exists : NULL;
	q->parent.exists_prefix = inner->exists_prefix ? q_exists_prefix : NULL;
	q->parent.foreach = inner->foreach ? q_foreach : NULL;
	q->parent.freshen = q_freshen;
	q->parent.free = q_free;
	*out = &q->parent;
	return 0;
}

/* Adds backend (taken over) to odb; on failure it is freed. */
static int
add(git_odb *odb, git_odb_backend *backend, int priority)
{
	if (git_odb_add_backend(odb, backend, priority) < 0) {
		backend->free(backend);
		return -1;
	}
	return 0;
}

/* libgit2's priorities: packs before loose objects, the mempack first */
#define PRIO_LOOSE   1
#define PRIO_PACK    2
#define PRIO_MEMPACK 1000

static int
add_pack(git_odb *odb, const char *objects, const char *name)
{
	git_odb_backend *b = NULL;
	char idx[4200];

	snprintf(idx, sizeof(idx), "%s/pack/%s.idx", objects, name);
	if (git_odb_backend_one_pack(&b, idx) < 0)
		return -1;
	return add(odb, b, PRIO_PACK);
}

int
mf_gitrepo_odb_reset(struct mf_gitrepo *r, struct mf_error *err)
{
	struct mf_gitrepo_packinfo *v = NULL;
	git_odb_backend *loose = NULL, *b = NULL;
	git_odb *odb = NULL;
	char dir[4096];
	size_t n = 0, i;
	int rc;

	if (r->dirty)
		return mf_error_set(
		    err, MF_E_INTERNAL, NULL,
		    "the object database changes under a batch");
	if ((rc = mf_gitrepo_list_packs(r, &v, &n, err)) != 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s/objects", r->path);
	if (git_odb_new(&odb) < 0 ||
	    git_odb_backend_loose(&loose, dir, -1, r->opt.fsync, 0, 0) < 0 ||
	    quiet_new(&b, loose) < 0 || add(odb, b, PRIO_LOOSE) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_INTERNAL, "object database");
		goto done;
	}
	for (i = 0; i < n; i++)
		if (add_pack(odb, dir, v[i].name) < 0) {
			rc = mf_gitrepo_fail(err, MF_E_IO, "open a pack");
			goto done;
		}
	if (git_mempack_new(&b) < 0 || add(odb, b, PRIO_MEMPACK) < 0 ||
	    git_repository_set_odb(r->repo, odb) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_INTERNAL, "object database");
		goto done;
	}
	r->mempack = b;
done:
	git_odb_free(odb); /* the repository holds it */
	free(v);
	return rc;
}

int
mf_gitrepo_odb_add_pack(struct mf_gitrepo *r, const char *name,
                        struct mf_error *err)
{
	git_odb *odb = NULL;
	char dir[4096];
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/objects", r->path);
	if (git_repository_odb(&odb, r->repo) < 0 ||
	    add_pack(odb, dir, name) < 0)
		rc = mf_gitrepo_fail(err, MF_E_IO, "open a new pack");
	git_odb_free(odb);
	return rc;
}
