/*
 * The object database the git layer works through: new objects go to an
 * in-memory mempack (they reach the disk as one pack per flush), reads
 * fall through to the packs, then to loose objects (left by other tools).
 *
 * libgit2's own object database looks up every object it is asked to
 * write; when that misses, which it does for every new object, it first
 * "freshens" the loose copy (a failed open) and then refreshes every
 * backend, which for packs is a listing of objects/pack: about nine
 * directory scans per published entry. Both backends are wrapped here so
 * that the pack list is only rescanned when this layer wrote or merged a
 * pack (mf_gitrepo_refresh_packs) and loose objects are never freshened
 * (we pack them rather than keep them).
 */
#include "server/gitrepo_internal.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <stdio.h>
#include <stdlib.h>

/* A backend forwarding to inner, minus the refreshes nobody asked for. */
struct quiet {
	git_odb_backend parent;
	git_odb_backend *inner;
	const bool *refresh_wanted; /* NULL: never refresh (loose objects) */
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

static int
q_refresh(git_odb_backend *b)
{
	const struct quiet *q = (const struct quiet *)b;

	if (q->refresh_wanted == NULL || !*q->refresh_wanted)
		return 0;
	return q->inner->refresh(q->inner);
}

/* "Not here": the write goes on to the mempack without a syscall. */
static int
q_no_freshen(git_odb_backend *b, const git_oid *id)
{
	(void)b;
	(void)id;
	return 1;
}

static int
q_freshen(git_odb_backend *b, const git_oid *id)
{
	return INNER(b)->freshen(INNER(b), id);
}

static void
q_free(git_odb_backend *b)
{
	INNER(b)->free(INNER(b));
	free(b);
}

/* Wraps inner (taken over, freed with the wrapper, also on failure). */
static int
quiet_new(git_odb_backend **out, git_odb_backend *inner,
          const bool *refresh_wanted)
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
	q->refresh_wanted = refresh_wanted;
	q->parent.read = inner->read ? q_read : NULL;
	q->parent.read_prefix = inner->read_prefix ? q_read_prefix : NULL;
	q->parent.read_header = inner->read_header ? q_read_header : NULL;
	q->parent.exists = inner->exists ? q_exists : NULL;
	q->parent.exists_prefix = inner->exists_prefix ? q_exists_prefix : NULL;
	q->parent.foreach = inner->foreach ? q_foreach : NULL;
	q->parent.refresh = inner->refresh ? q_refresh : NULL;
	if (refresh_wanted == NULL)
		q->parent.freshen = q_no_freshen;
	else
		q->parent.freshen = inner->freshen ? q_freshen : NULL;
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

int
mf_gitrepo_odb_attach(struct mf_gitrepo *r, struct mf_error *err)
{
	git_odb_backend *loose = NULL, *packs = NULL, *b = NULL;
	git_odb *odb = NULL;
	char dir[4096];
	int rc = 0;

	r->mempack = NULL;
	snprintf(dir, sizeof(dir), "%s/objects", r->path);
	/* libgit2's priorities: packs before loose objects, mempack first */
	if (git_odb_new(&odb) < 0 ||
	    git_odb_backend_loose(&loose, dir, -1, r->opt.fsync, 0, 0) < 0 ||
	    quiet_new(&b, loose, NULL) < 0 || add(odb, b, 1) < 0 ||
	    git_odb_backend_pack(&packs, dir) < 0 ||
	    quiet_new(&b, packs, &r->refresh_packs) < 0 || add(odb, b, 2) < 0 ||
	    git_mempack_new(&b) < 0 || add(odb, b, 1000) < 0 ||
	    git_repository_set_odb(r->repo, odb) < 0) {
		rc = mf_gitrepo_fail(err, MF_E_INTERNAL, "object database");
		goto done;
	}
	r->mempack = b;
done:
	git_odb_free(odb); /* the repository holds it */
	return rc;
}

int
mf_gitrepo_refresh_packs(struct mf_gitrepo *r, struct mf_error *err)
{
	git_odb *odb = NULL;
	int grc;

	if (git_repository_odb(&odb, r->repo) < 0)
		return mf_gitrepo_fail(err, MF_E_IO, "object database");
	r->refresh_packs = true;
	grc = git_odb_refresh(odb);
	r->refresh_packs = false;
	git_odb_free(odb);
	return grc < 0 ? mf_gitrepo_fail(err, MF_E_IO, "refresh packs") : 0;
}
